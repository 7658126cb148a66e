"""docs/webhooks.md runs: every ```python block, top to bottom in one namespace, against an emulator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from smartcar_emulator.server import EmulatorServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def test_every_python_block_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)
    assert len(blocks) >= 5
    with EmulatorServer() as emulator:
        emulator.register_app(client_id="my-app", client_secret="my-secret", amt="my-amt")
        for name, value in emulator.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SMARTCAR_CLIENT_ID", "my-app")
        monkeypatch.setenv("SMARTCAR_AMT", "my-amt")
        namespace: dict[str, Any] = {"__name__": "docs_webhooks"}
        try:
            for number, block in enumerate(blocks, 1):
                exec(compile(block, f"{DOC.name} block {number}", "exec"), namespace)  # noqa: S102
        finally:
            for server in ("server", "flaky_server"):
                if server in namespace:
                    namespace[server].shutdown()
    out = capsys.readouterr().out
    assert "charging True" in out and "refused:" in out and "does not sign" in out
    assert "attempts [500, 500, 200] handled 1" in out
