"""Issue 13, item 1: the code blocks of README.md and docs/*.md run as written, against an emulator.

The convention (README, "Samples in these docs"):

* Every ```python block runs, in page order, in one namespace per page, against an emulator that has the
  application the pages register (``test-client`` / ``test-secret``, redirect ``http://localhost:8000/exchange``)
  and the ``SMARTCAR_*`` variables ``smartcar-emulator env`` exports.
* Names a block uses without defining are what a reader supplies by hand: ``code`` and ``state`` (the Connect
  redirect), ``access_token``, ``user_id``, ``vehicle_id``, ``connection_id``, ``vehicle`` (a v3 vehicle of that
  user), ``client`` (``smartcar.Client()``), ``handler`` (an ``httpx2.MockTransport`` handler). The test gives
  each block fresh ones: a block that deletes its user does not break the next.
* A block preceded by ``<!-- docs-test: skip (reason) -->`` is only compiled; ``<!-- docs-test: run -->`` before
  a ```bash block runs it (port 8030 swapped for a free one, ``.venv/bin/`` for this venv); other bash blocks
  are checked with ``bash -n``.
* docs/tokens.md, docs/testing.md and docs/webhooks.md are run by their own tests (named below).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

import smartcar
from smartcar_emulator.scripted import authorize_url, connect
from smartcar_emulator.server import EmulatorServer, free_port
from smartcar_emulator.walker import walk

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OWN_TESTS = {"tokens.md": "tests/tokens/test_docs.py", "testing.md": "tests/plugin/test_docs_testing.py",
             "webhooks.md": "tests/webhooks/test_docs.py"}
CLIENT_ID, CLIENT_SECRET, REDIRECT = "test-client", "test-secret", "http://localhost:8000/exchange"
SCOPES = ["read_vehicle_info", "read_odometer", "read_location", "read_battery", "read_charge", "control_charge",
          "read_security", "control_security"]
BLOCK = re.compile(r"(?:^<!-- docs-test: (?P<mark>[^>]*?) -->\n)?^```(?P<lang>python|bash)\n(?P<code>.*?)^```",
                   re.S | re.M)


def blocks(page: Path, lang: str) -> list[tuple[str, str, int]]:
    """(mark, code, line) of each ``lang`` block of ``page``."""
    text = page.read_text()
    return [(m["mark"] or "", m["code"], text.count("\n", 0, m.start("code")) + 1)
            for m in BLOCK.finditer(text) if m["lang"] == lang]


def run_pages() -> list[Path]:
    return [page for page in PAGES if page.name not in OWN_TESTS]


def test_pages_with_their_own_tests_are_run_there() -> None:
    for name, test in OWN_TESTS.items():
        assert name in (ROOT / test).read_text(), (name, test)
    assert {p.name for p in run_pages()} >= {"README.md", "sdk.md", "emulator.md"}


@pytest.fixture(scope="module")
def docs_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        emulator.platform.apps.register(CLIENT_ID, CLIENT_SECRET, [REDIRECT], name="Docs")
        yield emulator


@pytest.fixture
def docs_env(docs_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    for key, value in {**docs_emulator.env(), "SMARTCAR_CLIENT_ID": CLIENT_ID, "SMARTCAR_CLIENT_SECRET": CLIENT_SECRET,
                       "SMARTCAR_REDIRECT_URI": REDIRECT}.items():
        monkeypatch.setenv(key, value)
    smartcar.config.reload()
    yield docs_emulator
    smartcar.configure_http()  # a page may configure the process-wide pools (docs/sdk.md does)
    smartcar.config.reload()


def by_hand(emulator: EmulatorServer) -> dict[str, Any]:
    """What a reader supplies by hand, fresh: a Connect redirect's code, a connected user and their vehicle."""
    tokens = connect(emulator.url, CLIENT_ID, CLIENT_SECRET, REDIRECT, SCOPES, email="docs@example.com")
    redirect = walk(authorize_url(emulator.url, CLIENT_ID, REDIRECT, SCOPES, state="docs-state", make="TESLA"))
    client = smartcar.Client()
    connection = next(iter(client.connections.list(user_id=tokens["user_id"])))
    return {"code": redirect.params["code"], "state": "docs-state", "access_token": tokens["access_token"],
            "user_id": tokens["user_id"], "vehicle_id": tokens["vehicle_ids"][0], "connection_id": connection.id,
            "client": client, "vehicle": client.vehicle(tokens["vehicle_ids"][0], user_id=tokens["user_id"]),
            "handler": lambda request: httpx2.Response(200, json={})}


@pytest.mark.parametrize("page", run_pages(), ids=lambda page: page.name)
def test_python_blocks_run_as_written(page: Path, docs_env: EmulatorServer) -> None:
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    ran = 0
    for mark, code, line in blocks(page, "python"):
        compiled = compile(code, f"{page.name}:{line}", "exec")
        if mark.startswith("skip"):
            continue
        namespace.update(by_hand(docs_env))
        exec(compiled, namespace)  # noqa: S102
        if "async def main(access_token" in code:  # the page defines it for the reader to run
            asyncio.run(namespace["main"](namespace["access_token"]))
        ran += 1
    if page.name in ("README.md", "sdk.md"):
        assert ran >= 1


def test_the_first_sdk_sample_uses_credentials_the_emulator_registers() -> None:
    """The first Python block of docs/sdk.md names the application its first bash block registers."""
    bash = blocks(ROOT / "docs" / "sdk.md", "bash")[0][1]
    python = blocks(ROOT / "docs" / "sdk.md", "python")[0][1]
    assert f"--client-id {CLIENT_ID}" in bash and f"--client-secret {CLIENT_SECRET}" in bash
    assert CLIENT_ID in python and CLIENT_SECRET in python


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_bash_blocks(page: Path, tmp_path: Path) -> None:
    for mark, code, line in blocks(page, "bash"):
        checked = subprocess.run(["bash", "-n"], input=code, capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, (page.name, line, checked.stderr)
        if mark == "run":
            run_bash(code, tmp_path)


def run_bash(code: str, home: Path) -> None:
    """Run a block as a reader would (background servers are stopped afterwards)."""
    port = str(free_port())
    script = code.replace("8030", port).replace(".venv/bin/", f"{Path(sys.executable).parent}/")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    env["XDG_DATA_HOME"] = str(home)  # the default database lands here, not in the user's home
    out_file, err_file = home / "stdout", home / "stderr"
    with out_file.open("w") as out_stream, err_file.open("w") as err_stream:  # files: background jobs keep them
        process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], stdout=out_stream,
                                   stderr=err_stream, text=True, env=env, cwd=home, start_new_session=True)
    try:
        process.wait(timeout=90)
        out, err = out_file.read_text(), err_file.read_text()
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the block's background jobs (the emulator)
        except ProcessLookupError:
            pass
    assert process.returncode == 0, (script, out, err)
    assert "Traceback" not in err
