"""Writing files into a user's folder without ever losing what the user made there.

``brainviz export`` and ``brainviz deck`` both write through :class:`OutputFolder`:

* **One run at a time per folder.** ``.brainviz.lock`` is held with ``flock``; the
  kernel releases it when the process ends, however it ends (even ``kill -9``). A
  second run into the same folder waits for the first and then sees its files.
* **Temporary files in a private hidden folder** (``.brainviz-tmp-XXXXXXXX``) inside
  the output folder, on the same file system, so the last step is one atomic rename.
  It is removed at the end of a run; a run that was killed leaves it, and the next
  run (holding the lock, so no other run can be using it) removes it.
* **A manifest**, ``.brainviz-export.json``, lists the files brainviz wrote there with
  their checksums. The last step of each file never replaces anything else:

  - a name brainviz has not written before is moved into place with
    ``renameat2(RENAME_NOREPLACE)`` (or a hard link), which fails if anything appeared
    under that name in the meantime, even a second before;
  - a file brainviz wrote before is swapped with the new one in one step
    (``renameat2(RENAME_EXCHANGE)``), and the file swapped out is checked: if it is not
    the one brainviz wrote (edited since), it is swapped straight back and the run
    stops. There is no "check, then write" window.

* Every ``OSError`` names the path it concerns.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import pathlib
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable

__all__ = ["LOCK", "MANIFEST", "OutputFolder", "ForeignFileError"]

MANIFEST = ".brainviz-export.json"
LOCK = ".brainviz.lock"
TMP_PREFIX = ".brainviz-tmp-"
_OLD_TMP_SUFFIX = ".brainviz-tmp"  # temporary files of brainviz 0.1 (one per file)
_KIND = "brainviz-export"
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


class ForeignFileError(FileExistsError):
    """A file in the way was not made by brainviz (or was edited since): left alone."""

    def __str__(self) -> str:
        return f"{self.filename} {self.strerror}"


# ------------------------------------------------------------------ path-naming errors

def named(exc: OSError, path) -> OSError:
    """*exc* as an OSError of the same type that names *path*, the file the user
    knows (not a temporary file they never saw)."""
    path = os.fspath(path)
    if exc.filename == path or isinstance(exc, ForeignFileError):
        return exc
    try:
        new = type(exc)(exc.errno, exc.strerror or str(exc), path)
    except TypeError:  # an OSError subclass with another signature
        new = OSError(exc.errno, exc.strerror or str(exc), path)
    new.__cause__ = exc
    return new


@contextlib.contextmanager
def naming(path):
    """Re-raise any OSError inside the block so that it names *path*."""
    try:
        yield
    except OSError as exc:
        raise named(exc, path) from None


# --------------------------------------------------------------------- atomic renames

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_renameat2_fn = None


def _renameat2(src, dst, flags: int) -> bool:
    """``renameat2(src, dst, flags)``; False if the system or file system cannot."""
    global _renameat2_fn
    if not sys.platform.startswith("linux"):
        return False
    if _renameat2_fn is None:
        try:
            fn = ctypes.CDLL(None, use_errno=True).renameat2
        except (AttributeError, OSError):
            fn = False
        else:
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                           ctypes.c_uint]
            fn.restype = ctypes.c_int
        _renameat2_fn = fn
    if _renameat2_fn is False:
        return False
    at_fdcwd = -100
    if _renameat2_fn(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), os.fspath(dst))


def move_no_replace(tmp, target) -> None:
    """Move *tmp* to *target* in one step, failing with FileExistsError if *target*
    exists (whatever it is, and however recently it appeared)."""
    if _renameat2(tmp, target, _RENAME_NOREPLACE):
        return
    try:
        os.link(tmp, target)  # fails if target exists, atomically
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED | {errno.EPERM, errno.EMLINK}:
            raise named(exc, target) from None
    else:
        os.unlink(tmp)
        return
    # a file system without hard links (FAT): claim the name, then fill it
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                 | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)
    os.replace(tmp, target)


def _is_regular(path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def sha256(path) -> str:
    """Hex SHA-256 of a file (not following a final symlink: a symlink is never ours)."""
    digest = hashlib.sha256()
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    with naming(path), open(os.open(path, flags), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- the lock

class _Lock:
    """An exclusive ``flock`` on ``FOLDER/.brainviz.lock``, released by the kernel when
    the process dies."""

    def __init__(self, folder: pathlib.Path):
        self.path = folder / LOCK
        self.fd: int | None = None

    def acquire(self, on_wait: Callable[[str], None] | None = None) -> None:
        import fcntl

        flags = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
        with naming(self.path):
            fd = os.open(self.path, flags, 0o666)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ForeignFileError(errno.EEXIST, "exists and is not brainviz's lock "
                                       "file; choose another folder", str(self.path))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait(f"another brainviz run is writing into {self.path.parent}; "
                            "waiting for it to finish (Ctrl-C to stop)")
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)  # closing the last descriptor releases the flock


# ----------------------------------------------------------------------- the manifest

class _Manifest:
    """The record of files brainviz wrote in one folder, with their checksums.

    While a file is being put in place both its old and new checksums are listed, so
    an interruption at any point leaves a manifest that still recognises the file.
    """

    def __init__(self, folder: pathlib.Path, tmpdir: pathlib.Path):
        self.folder = folder
        self.path = folder / MANIFEST
        self._tmpdir = tmpdir
        self.files: dict[str, list[str]] = {}
        if self.path.exists() or self.path.is_symlink():
            try:
                if not _is_regular(self.path):
                    raise ValueError
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("kind") != _KIND:
                    raise ValueError
                self.files = {str(k): [str(d) for d in v] for k, v in data["files"].items()}
            except (ValueError, KeyError, TypeError, AttributeError, OSError):
                raise ForeignFileError(
                    errno.EEXIST, "exists but is not a brainviz export manifest; choose "
                    "another folder", str(self.path)) from None

    def save(self) -> None:
        data = {"kind": _KIND, "version": 1,
                "note": "Files brainviz wrote here; only these are ever replaced.",
                "files": {k: self.files[k] for k in sorted(self.files)}}
        payload = (json.dumps(data, indent=1) + "\n").encode("utf-8")
        fd, name = tempfile.mkstemp(dir=self._tmpdir, prefix="manifest-")
        try:
            with naming(self.path), open(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(name, 0o666 & ~_umask())
            with naming(self.path):
                os.replace(name, self.path)  # the manifest is always brainviz's own
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------------- the folder

class OutputFolder:
    """A folder brainviz writes into: locked, with a manifest and a private temp folder.

    Use as a context manager::

        with OutputFolder(path) as out:
            out.refuse_foreign(["a.png"])        # early, friendly refusal
            tmp = out.temp_path("a.png")          # write the file there
            out.install({"a.png": tmp})           # atomic, never replaces others' files
    """

    def __init__(self, folder: pathlib.Path, *, on_wait: Callable[[str], None] | None = None):
        self.folder = pathlib.Path(folder)
        self._on_wait = on_wait
        self._lock = _Lock(self.folder)
        self.tmpdir: pathlib.Path | None = None
        self.manifest: _Manifest | None = None

    # -- lifetime ----------------------------------------------------------------
    def __enter__(self) -> OutputFolder:
        self._lock.acquire(self._on_wait)
        try:
            self.remove_stale_temp()
            with naming(self.folder):
                self.tmpdir = pathlib.Path(tempfile.mkdtemp(prefix=TMP_PREFIX,
                                                            dir=self.folder))
            self.manifest = _Manifest(self.folder, self.tmpdir)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    def close(self) -> None:
        """Remove this run's temporary folder and release the lock."""
        try:
            if self.tmpdir is not None:
                _rmtree(self.tmpdir)
                self.tmpdir = None
        finally:
            self._lock.release()

    @property
    def lock_fd(self) -> int | None:
        """The lock's file descriptor (worker processes close their inherited copy)."""
        return self._lock.fd

    def remove_stale_temp(self) -> list[str]:
        """Remove temporary files and folders that killed runs left here (the lock is
        held, so no live run is using them). Returns their names."""
        removed = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(TMP_PREFIX) and entry.is_dir(follow_symlinks=False):
                    _rmtree(pathlib.Path(entry.path))
                    removed.append(name)
                elif (name.startswith(".") and name.endswith(_OLD_TMP_SUFFIX)
                      and entry.is_file(follow_symlinks=False)):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                    removed.append(name)
        return removed

    # -- files -------------------------------------------------------------------
    def temp_path(self, name: str) -> pathlib.Path:
        """A fresh path in the private temp folder for the file that will be *name*."""
        fd, path = tempfile.mkstemp(dir=self.tmpdir, prefix=f"{pathlib.Path(name).stem}-",
                                    suffix=pathlib.Path(name).suffix)
        os.close(fd)
        return pathlib.Path(path)

    def is_ours(self, name: str) -> bool:
        return name in self.manifest.files

    def refuse_foreign(self, names: Iterable[str]) -> None:
        """Raise ForeignFileError now if any of *names* exists and is not brainviz's own
        file as written (a friendly early stop; :meth:`install` enforces it again)."""
        for name in names:
            target = self.folder / name
            if not (target.exists() or target.is_symlink()):
                continue
            if name not in self.manifest.files:
                raise ForeignFileError(
                    errno.EEXIST, "exists and was not made by brainviz; move it away or "
                    "choose another folder (nothing was written)", str(target))
            if not _is_regular(target) or sha256(target) not in self.manifest.files[name]:
                raise ForeignFileError(
                    errno.EEXIST, "was changed since brainviz wrote it; move it away or "
                    "choose another folder (nothing was written)", str(target))

    def install(self, files: dict[str, pathlib.Path]) -> list[pathlib.Path]:
        """Move finished temporary files into place as their names, in order.

        A name that is not brainviz's own never replaces anything (even a file that
        appeared a moment ago); a file brainviz wrote before is swapped for the new
        one only if it is still the file brainviz wrote.
        """
        manifest = self.manifest
        digests = {}
        for name, tmp in files.items():
            os.chmod(tmp, 0o666 & ~_umask())
            with naming(self.folder / name), open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            digests[name] = sha256(tmp)
        before = {name: list(manifest.files.get(name, [])) for name in files}
        for name, digest in digests.items():  # old and new both recognised from here
            manifest.files[name] = sorted(set(before[name][-1:]) | {digest})
        manifest.save()
        done = []
        try:
            for name, tmp in files.items():
                self._install_one(name, tmp, before[name])
                manifest.files[name] = [digests[name]]
                done.append(self.folder / name)
        finally:
            for name in files:  # names not installed: back to what is on disk
                if self.folder / name not in done:
                    if before[name]:
                        manifest.files[name] = before[name]
                    else:
                        manifest.files.pop(name, None)
            manifest.save()
        return done

    def _install_one(self, name: str, tmp: pathlib.Path, old: list[str]) -> None:
        target = self.folder / name
        if old:  # brainviz wrote this name before: swap, then check what came out
            try:
                swapped = _renameat2(tmp, target, _RENAME_EXCHANGE)
            except FileNotFoundError:
                swapped = None  # deleted since: a new name again
            except OSError as exc:
                raise named(exc, target) from None
            if swapped:
                if _is_regular(tmp) and sha256(tmp) in old:
                    os.unlink(tmp)  # the old file brainviz wrote
                    return
                _renameat2(tmp, target, _RENAME_EXCHANGE)  # not ours: put it back
                raise ForeignFileError(
                    errno.EEXIST, "was changed since brainviz wrote it; it was left as "
                    "it is (move it away or choose another folder)", str(target))
            if swapped is False and (target.exists() or target.is_symlink()):
                # no atomic exchange here: check, then replace (a tiny window)
                if not _is_regular(target) or sha256(target) not in old:
                    raise ForeignFileError(
                        errno.EEXIST, "was changed since brainviz wrote it; it was left "
                        "as it is (move it away or choose another folder)", str(target))
                with naming(target):
                    os.replace(tmp, target)
                return
        try:
            move_no_replace(tmp, target)
        except FileExistsError:
            raise ForeignFileError(
                errno.EEXIST, "appeared during the run and was not made by brainviz; it "
                "was left as it is (move it away or choose another folder)",
                str(target)) from None


def _rmtree(path: pathlib.Path, attempts: int = 20) -> None:
    """Remove a temporary folder, retrying while a dying encoder still writes in it."""
    for _ in range(attempts):
        try:
            shutil.rmtree(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)
    shutil.rmtree(path, ignore_errors=True)
