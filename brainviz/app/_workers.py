"""Worker processes for exports: use every core, die with the parent, hold no lock.

:class:`Workers` runs callables in forked child processes, at most ``slots`` at once.
A child is forked *after* the parent has built what it needs (a figure, an
animation, the simulations behind it), so nothing is computed twice, and then:

* it dies with its parent: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux, so a
  killed export leaves no process behind (its encoders see their input end and stop);
* it holds no lock of its own: it closes its copy of the output folder's lock (the
  parent's copy keeps the folder locked);
* Ctrl-C is the parent's business (children ignore SIGINT); the parent stops children
  with SIGTERM, on which they abort their encoders and exit.

A child reports back through a pipe: progress messages while it works, and the
exception that stopped it, if any, which the parent raises again as its own.

With one slot, or where ``fork`` is unsafe (not Linux, or other threads alive in
this process, e.g. inside a Jupyter kernel), the callables simply run in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable

__all__ = ["Workers", "usable_cpus"]

Report = Callable[[object], None]


def usable_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """True where forking workers is safe: Linux, and no other thread alive."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1)


class _Stop(BaseException):
    """Raised in a child on SIGTERM: abort, clean up, exit."""


def _stop(signum, frame):
    raise _Stop()


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _send(fd: int, message) -> None:
    data = pickle.dumps(message)
    data = struct.pack("!I", len(data)) + data
    while data:
        data = data[os.write(fd, data):]


class _Child:
    def __init__(self, pid: int, fd: int, label: str, on_message, on_done):
        self.pid, self.fd, self.label = pid, fd, label
        self.on_message, self.on_done = on_message, on_done
        self.buffer = b""
        self.error: BaseException | None = None


class Workers:
    """Run callables in up to *slots* child processes (or in this one).

    Parameters
    ----------
    slots : int
        How many may run at once; 1 runs everything in this process.
    close_fds : iterable of int
        Descriptors a child must close at once (the folder lock).

    Examples
    --------
    >>> with Workers(2) as pool:                                  # doctest: +SKIP
    ...     pool.submit(lambda report: report("hi"), label="demo",
    ...                 on_message=print)
    """

    def __init__(self, slots: int, *, close_fds: Iterable[int] = ()):
        self.forking = slots > 1 and can_fork()
        self.slots = slots if self.forking else 1
        self._close_fds = [fd for fd in close_fds if fd is not None]
        self._children: dict[int, _Child] = {}
        self._error: BaseException | None = None

    # -- running -------------------------------------------------------------
    def submit(self, fn: Callable[[Report], None], *, label: str = "",
               on_message: Callable[[object], None] | None = None,
               on_done: Callable[[], None] | None = None) -> None:
        """Run ``fn(report)``; ``report(message)`` reaches *on_message* in this process.

        Blocks while all slots are busy (handling finished children meanwhile). When
        *fn* returns, *on_done* is called here; if it raised, :meth:`submit` (or
        :meth:`wait`) raises the same exception here.
        """
        on_message = on_message or (lambda _m: None)
        if not self.forking:
            fn(on_message)
            if on_done:
                on_done()
            return
        while len(self._children) >= self.slots:
            self._poll(None)
        self._raise_pending()
        read, write = os.pipe()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                os.close(read)
                for child in self._children.values():
                    with contextlib.suppress(OSError):
                        os.close(child.fd)
                for fd in self._close_fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, _stop)
                _die_with_parent(parent)
                fn(lambda message: _send(write, ("message", message)))
                code = 0
            except _Stop:
                code = 143
            except BaseException as exc:  # reported to the parent, raised there
                try:
                    pickle.loads(pickle.dumps(exc))  # it must arrive whole
                except Exception:
                    exc = RuntimeError(f"{type(exc).__name__}: {exc}")
                _send(write, ("error", exc))
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        os.close(write)
        self._children[pid] = _Child(pid, read, label, on_message, on_done)

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _poll(self, timeout: float | None) -> None:
        if not self._children:
            return
        fds = {c.fd: c for c in self._children.values()}
        ready, _, _ = select.select(list(fds), [], [], timeout)
        for fd in ready:
            child = fds[fd]
            data = os.read(fd, 1 << 16)
            if data:
                child.buffer += data
                self._messages(child)
            else:
                self._finish(child)

    def _messages(self, child: _Child) -> None:
        while len(child.buffer) >= 4:
            (size,) = struct.unpack("!I", child.buffer[:4])
            if len(child.buffer) < 4 + size:
                return
            kind, payload = pickle.loads(child.buffer[4:4 + size])
            child.buffer = child.buffer[4 + size:]
            if kind == "error":
                child.error = payload
            else:
                child.on_message(payload)

    def _finish(self, child: _Child) -> None:
        os.close(child.fd)
        del self._children[child.pid]
        _, status = os.waitpid(child.pid, 0)
        if child.error is None and status != 0:
            if os.WIFSIGNALED(status):
                why = f"was killed by signal {os.WTERMSIG(status)}"
            else:
                why = f"exited with status {os.waitstatus_to_exitcode(status)}"
            child.error = RuntimeError(f"the worker process making {child.label} {why}")
        if child.error is not None:
            if self._error is None:
                self._error = child.error
            return
        if child.on_done:
            try:
                child.on_done()
            except BaseException as exc:
                if self._error is None:
                    self._error = exc

    def wait(self) -> None:
        """Wait for every child; raise the first error any of them had."""
        while self._children:
            self._poll(None)
        self._raise_pending()

    def stop(self, grace: float = 5.0) -> None:
        """Stop every child now (SIGTERM, then SIGKILL after *grace* seconds)."""
        for pid in list(self._children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self._children and time.monotonic() < deadline:
            for child in list(self._children.values()):
                pid, status = os.waitpid(child.pid, os.WNOHANG)
                if pid:
                    os.close(child.fd)
                    del self._children[child.pid]
            time.sleep(0.02)
        for child in list(self._children.values()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
            os.waitpid(child.pid, 0)
            os.close(child.fd)
            del self._children[child.pid]

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                self.wait()
            except BaseException:
                self.stop()
                raise
        else:
            self.stop()
        return False
