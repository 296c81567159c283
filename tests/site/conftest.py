"""Fixtures of the documentation-site tests: one strict build, one local server, one browser.

* ``site_dir``: ``mkdocs build --strict`` runs once per test session, shared by the
  pytest-xdist workers through a file lock (a broken reference, a failing example
  or a missing figure fails this fixture, hence CI). ``REFNN_SITE_DIR`` points the
  tests at a site built beforehand instead.
* ``server``: a threaded HTTP server on 127.0.0.1 (free port) serving the site, and
  the broken fixture pages under ``/__fixtures__/``.
* ``browser``: the system Chromium through Playwright (never ``playwright install``).
  Without ``/usr/bin/chromium`` the browser tests skip with a message, except under
  ``CI=true``, where they fail.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _build(out: Path) -> dict[str, Any]:
    start = time.perf_counter()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {"returncode": proc.returncode, "log": proc.stdout + proc.stderr,
            "seconds": time.perf_counter() - start}


def _build_once(shared: Path, lock: Any) -> None:
    """Build into ``shared`` unless a build is recorded there; ``lock`` (held by the caller) is released."""
    out, marker = shared / "refnn-site", shared / "refnn-site.json"
    try:
        if not marker.exists():
            if out.exists():
                shutil.rmtree(out)
            marker.write_text(json.dumps(_build(out)))
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def runs_site_tests(args: list[str]) -> bool:
    """Whether a pytest run with these arguments collects the site tests (no argument: the testpaths)."""
    here = Path(__file__).resolve().parent
    paths = [Path(a.split("::")[0]).resolve() for a in args if not a.startswith("-")] or [ROOT]
    return any(p == here or here in p.parents or p in here.parents for p in paths)


def start_background_build(config: pytest.Config) -> None:
    """Under pytest-xdist the controller, which runs no test, starts the build at once in the background
    (holding the lock the workers' ``site_build`` waits on), so the workers run the rest of the suite
    meanwhile; the site tests are collected last (below) and rarely wait."""
    if (hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)
            or os.environ.get("REFNN_SITE_DIR") or not runs_site_tests(list(config.args))):
        return
    shared = config._tmp_path_factory.getbasetemp()  # the workers' basetemps are its subfolders
    lock = open(shared / "refnn-site.lock", "w")  # noqa: SIM115 - released by the build thread
    fcntl.flock(lock, fcntl.LOCK_EX)
    threading.Thread(target=_build_once, args=(shared, lock), daemon=True).start()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The site tests run after the others, by then the background build is usually done."""
    here = Path(__file__).resolve().parent
    site = [item for item in items if here in Path(str(item.path)).resolve().parents]
    if site:
        items[:] = [item for item in items if item not in site] + site


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the site once for the whole session (all xdist workers) and report the outcome."""
    prebuilt = os.environ.get("REFNN_SITE_DIR")
    if prebuilt:
        return {"returncode": 0, "log": "", "seconds": 0.0, "dir": prebuilt}
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the directory all workers of this session share
    lock = open(shared / "refnn-site.lock", "w")  # noqa: SIM115 - closed by _build_once
    fcntl.flock(lock, fcntl.LOCK_EX)
    _build_once(shared, lock)
    result = json.loads((shared / "refnn-site.json").read_text())
    result["dir"] = str(shared / "refnn-site")
    return result


@pytest.fixture(scope="session")
def site_dir(site_build: dict[str, Any]) -> Path:
    if site_build["returncode"] != 0:
        tail = "\n".join(site_build["log"].splitlines()[-40:])
        pytest.fail(f"mkdocs build --strict failed (exit {site_build['returncode']}):\n{tail}", pytrace=False)
    return Path(site_build["dir"])


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; ``/__fixtures__/…`` serves tests/site/fixtures (the broken pages)."""

    def translate_path(self, path: str) -> str:
        prefix = "/__fixtures__/"
        if path.startswith(prefix):
            name = path[len(prefix):].split("?", 1)[0].split("#", 1)[0]
            return str(FIXTURES / Path(name).name)
        return super().translate_path(path)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def server(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(_Handler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def require_chromium(path: Path = CHROMIUM, ci: bool | None = None) -> None:
    """Skip (or, under CI=true, fail) with a clear message when the system Chromium is missing."""
    if path.exists():
        return
    message = (
        f"{path} not found; to run them install the system Chromium: apt-get install chromium "
        "(never `playwright install`)"
    )
    if in_ci() if ci is None else ci:
        pytest.fail(message + " -- CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(NO_BROWSER_PREFIX + message)


#: Every skip for a missing browser starts with this, so that the summary folds them into one line.
NO_BROWSER_PREFIX = "browser tests of the site: "


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Report every missing-browser skip at one location: ``-ra`` then prints a single line for all."""
    outcome = yield
    report = outcome.get_result()
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and str(longrepr[2]).startswith(
            ("Skipped: " + NO_BROWSER_PREFIX, NO_BROWSER_PREFIX)):
        report.longrepr = (__file__, require_chromium.__code__.co_firstlineno, longrepr[2])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        message = "the Python package playwright is missing: pip install -e '.[test]'"
        if in_ci():
            pytest.fail(message + " -- CI=true, so this is a failure, not a skip", pytrace=False)
        pytest.skip(message)

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()

