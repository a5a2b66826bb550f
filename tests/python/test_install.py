"""The package as users get it: `pip install .` (how scripts/test installed
this environment), the wheel (`maturin build --release`) in a fresh virtual
environment, and its `safetywashing` command is the command line."""

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

import safetywashing as sw

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*args, timeout=600, **kwargs):
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    assert done.returncode == 0, f"{args[:3]} failed: {done.stdout}{done.stderr}"
    return done


def test_console_script_is_the_cli(paper, cli):
    script = shutil.which("safetywashing", path=str(BIN))
    assert script, "pip install puts the safetywashing command beside python"
    path = paper / "benchmarks_chat_models.csv"
    ours = run(script, "analyze", path, "--format", "json")
    assert ours.stdout == cli("analyze", path, "--format", "json").stdout
    assert run(script, "--version").stdout == cli("--version").stdout
    # Errors: the same line and exit status 2.
    bad = subprocess.run(
        [script, "analyze", "/nonexistent.csv"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2
    assert bad.stderr == cli("analyze", "/nonexistent.csv", check=False).stderr


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_environment(tmp_path):
    maturin = shutil.which("maturin", path=str(BIN)) or shutil.which("maturin")
    assert maturin, "maturin is in the test environment (tests/python/requirements.txt)"
    wheels = tmp_path / "wheels"
    # scripts/test built the library just before (pip install ., through
    # maturin, a release build), so this mostly packages; 30 minutes allow
    # a cold release build on 2 cores.
    run(maturin, "build", "--release", "--quiet", "--out", wheels, cwd=ROOT, timeout=1800)
    [wheel] = list(wheels.glob("*.whl"))
    assert "abi3" in wheel.name, "one stable-ABI wheel for every CPython >= 3.9"
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    # pandas and numpy come from the test environment, after the fresh
    # environment's own packages (offline: nothing is downloaded): a .pth
    # file appends the test environment's site-packages, which also holds
    # the package (scripts/test installed it there), behind the fresh one.
    deps = sysconfig.get_paths()["purelib"]
    fresh_site = run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    ).stdout.strip()
    Path(fresh_site, "test-deps.pth").write_text(deps + "\n")
    code = f"""
import json
import numpy as np, pandas as pd
import safetywashing as sw
assert sw.__file__.startswith({str(fresh)!r}), sw.__file__
rng = np.random.default_rng(0)
g = rng.normal(size=20)
df = pd.DataFrame({{c: g + rng.normal(size=20) for c in "abcs"}},
                  index=[f"m{{i}}" for i in range(20)])
print(sw.analyze(df, capabilities="a,b,c").to_json())
"""
    out = run(python, "-c", code).stdout
    assert json.loads(out)["capability_benchmarks"] == ["a", "b", "c"]
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    g = rng.normal(size=20)
    df = pd.DataFrame(
        {c: g + rng.normal(size=20) for c in "abcs"}, index=[f"m{i}" for i in range(20)]
    )
    assert out == sw.analyze(df, capabilities="a,b,c").to_json() + "\n"
    # The installed command runs the fresh environment's copy.
    version = run(fresh / "bin" / "safetywashing", "--version").stdout
    assert version.startswith("safetywashing ")
    check = run(python, "-c", "import safetywashing; print(safetywashing.__file__)")
    assert check.stdout.startswith(str(fresh))
