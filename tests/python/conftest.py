"""Fixtures of the Python package's tests: the paper's data from ../shared
(skipped visibly without it, failing under SAFETYWASHING_REQUIRE_SHARED=1),
and the command line to compare against."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _skip(reason: str, require_env: str) -> None:
    """Skip visibly (also into $SAFETYWASHING_SKIP_LOG, which scripts/test
    prints), or fail when ``require_env=1`` forbids skipping."""
    if os.environ.get(require_env) == "1":
        pytest.fail(f"SKIPPED: {reason}, and {require_env}=1 forbids skipping")
    log = os.environ.get("SAFETYWASHING_SKIP_LOG")
    if log:
        test = os.environ.get("PYTEST_CURRENT_TEST", "python test").split(" ")[0]
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{test}: {reason}\n")
    pytest.skip(reason)


@pytest.fixture
def paper(monkeypatch):
    """The folder with the paper's three files; SAFETYWASHING_DATA points at
    it so paper_data() reads it (checked, never downloaded)."""
    shared = Path(os.environ.get("SAFETYWASHING_SHARED", ROOT / ".." / "shared"))
    folder = shared / "data" / "safetywashing-paper"
    if not (folder / "benchmarks_base_models.csv").is_file():
        _skip(
            f"shared data not found at {shared} (set SAFETYWASHING_SHARED)",
            "SAFETYWASHING_REQUIRE_SHARED",
        )
    monkeypatch.setenv("SAFETYWASHING_DATA", str(folder))
    return folder


def _cli_command():
    """The CLI binary cargo built (target/debug or release), else the
    package's console script."""
    for profile in ("debug", "release"):
        exe = ROOT / "target" / profile / "safetywashing"
        if exe.is_file():
            return [str(exe)]
    script = shutil.which("safetywashing", path=str(Path(sys.executable).parent))
    if script:
        return [script]
    return [sys.executable, "-m", "safetywashing._cli"]


@pytest.fixture(scope="session")
def cli():
    """Run the command line; returns the finished process (text output)."""
    base = _cli_command()

    def run(*args, check=True):
        done = subprocess.run(
            [*base, *map(str, args)], capture_output=True, text=True, timeout=300
        )
        if check and done.returncode != 0:
            raise AssertionError(f"CLI failed ({done.returncode}): {done.stderr}")
        return done

    return run
