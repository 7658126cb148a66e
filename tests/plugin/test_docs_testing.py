"""docs/testing.md runs as written: its test modules (blocks starting ``# file: test_*.py``) pass under pytest with
the installed plugin, and its scripts run in a fresh interpreter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
FILES = {m.group(1): block for block in BLOCKS if (m := re.match(r"# file: (\S+\.py)\n", block))}
SCRIPTS = [block for block in BLOCKS if not block.startswith("# file:")]


def test_the_page_has_test_modules_and_scripts() -> None:
    assert len(FILES) >= 5 and len(SCRIPTS) >= 2


def test_every_test_module_on_the_page_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{name.removesuffix(".py"): source for name, source in FILES.items()})
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=sum(source.count("\ndef test_") for source in FILES.values()))


@pytest.mark.parametrize("index", range(len(SCRIPTS)))
def test_every_script_on_the_page_runs(index: int, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    done = subprocess.run([sys.executable, "-c", SCRIPTS[index]], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    readme = (DOC.parents[1] / "README.md").read_text()
    section = readme.split("## Use it in your tests", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert block is not None
    pytester.makepyfile(test_readme=block.group(1))
    pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)
