"""Debian's Chromium for the real-browser tests, found once.

CI installs it (see .ci/run) and a missing browser there is a failure; elsewhere the
browser tests are skipped.
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium(*, module: bool = False) -> str:
    """The browser's path; skip (fail in CI) when it is not installed."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium (see .ci/run)", pytrace=False)
        pytest.skip("no chromium installed", allow_module_level=module)
    return CHROMIUM
