"""The project's own source type-checks: the SDK (``src/smartcar``) under ``mypy --strict``, the emulator and the
demo under the project configuration (``[tool.mypy]`` in pyproject.toml).

tests/firstrun/test_sdk_types.py checks something else: a *user's* code, strictly, against the installed SDK's
types (errors inside the SDK itself are not reported there). This one checks the source.

Both mypy runs start together (this machine has two cores) and each keeps its own incremental cache in a
session temporary directory (the two option sets would invalidate each other's entries in one cache). Cold, the
pair takes about 10 s here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"
RUNS = {
    "sdk-strict": (["--strict"], ["src/smartcar"]),
    "emulator-and-demo": ([], ["src/smartcar_emulator", "src/smartcar_demo"]),
}


@pytest.fixture(scope="session")
def mypy_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every mypy check concurrently; the finished processes by name."""
    cache = tmp_path_factory.mktemp("mypy-cache")
    started: dict[str, tuple[list[str], subprocess.Popen[str]]] = {}
    for name, (flags, targets) in RUNS.items():
        command = [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--cache-dir", str(cache / name),
                   "--show-error-codes", "--no-color-output", *flags, *targets]
        started[name] = (command, subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                                   stderr=subprocess.STDOUT, text=True))
    results: dict[str, subprocess.CompletedProcess[str]] = {}
    for name, (command, process) in started.items():
        try:
            output, _ = process.communicate(timeout=110)
        except subprocess.TimeoutExpired:
            for _, other in started.values():
                other.kill()
            raise
        results[name] = subprocess.CompletedProcess(command, process.returncode, output)
    return results


@pytest.mark.parametrize("name", list(RUNS))
def test_source_type_checks_cleanly(mypy_results: dict[str, subprocess.CompletedProcess[str]], name: str) -> None:
    result = mypy_results[name]
    assert result.returncode == 0 and "Success: no issues found" in result.stdout, (
        f"{' '.join(result.args)} (in {ROOT}):\n{result.stdout}")
