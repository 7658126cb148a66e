"""examples/odometer-app, a user's project, runs its own tests with the installed plugin; the wheel carries the
plugin and its entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "odometer-app"


def test_the_example_projects_tests_pass_with_only_the_plugin() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTCAR_", "PYTEST_"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=EXAMPLE, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    tests = (EXAMPLE / "tests" / "test_odometer_app.py").read_text().count("\ndef test_")
    assert f"{tests} passed" in done.stdout, done.stdout
    # The project is the user's: it never reaches into the toolkit's own test suite.
    for source in EXAMPLE.rglob("*.py"):
        assert "tests.conftest" not in source.read_text() and "from tests" not in source.read_text()


def test_the_wheel_ships_the_plugin_and_its_entry_point(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("smartcar_toolkit-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "smartcar_emulator/testing/plugin.py" in names and "smartcar_emulator/testing/in_process.py" in names
    assert "[pytest11]" in entry_points
    assert "smartcar_emulator = smartcar_emulator.testing.plugin" in entry_points
