"""Build hook: the wheel carries the course as package data.

The repository's ``notebooks/`` and ``docs/`` stay the one source of the course.
Building copies them into ``brainviz/_course/`` inside the build folder (never into the
source tree), so ``pip install brainviz`` gets the notebooks and ``brainviz notebooks``
can copy them out. The sdist carries both folders (MANIFEST.in), so a wheel built from
the sdist has them too. An editable install reads them from the checkout instead.
Everything else is in pyproject.toml.
"""

import pathlib

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = pathlib.Path(__file__).resolve().parent
#: (folder, pattern): what a copied course needs; brainviz.app.course reads the same
COURSE = (("notebooks", "*.ipynb"), ("docs", "*.md"), ("docs", "*.png"))


class build_py_with_course(build_py):
    """build_py, plus the course copied into brainviz/_course/."""

    def _course(self):
        for folder, pattern in COURSE:
            for src in sorted((ROOT / folder).glob(pattern)):
                yield src, pathlib.Path(self.build_lib) / "brainviz" / "_course" / folder / src.name

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the checkout's own notebooks/ and docs/ are used
        files = list(self._course())
        if not any(src.suffix == ".ipynb" for src, _ in files):
            raise SystemExit("notebooks/ has no notebooks: a wheel without the course "
                             "would be broken")
        for src, dest in files:
            self.mkpath(str(dest.parent))
            self.copy_file(str(src), str(dest))

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode=include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(dest) for _, dest in self._course()]


setup(cmdclass={"build_py": build_py_with_course})
