"""docs/tokens.md runs: every ```python block, top to bottom in one namespace, against the emulator
(PostgreSQL blocks in a schema of their own, skipped with the reason when the server is unreachable)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from .conftest import PG_DSN, postgres_unreachable

DOC = Path(__file__).resolve().parents[2] / "docs" / "tokens.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


def test_every_python_block_runs(tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks()
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    schema = f"sc_tokens_docs_{uuid.uuid4().hex[:10]}"
    skipped = postgres_unreachable()
    namespace: dict[str, Any] = {"__name__": "docs_tokens"}
    ran = 0
    try:
        for block in blocks:
            if "postgresql://" in block:
                if skipped:
                    continue
                block = block.replace('schema="smartcar"', f'schema="{schema}"').replace(
                    "postgresql://postgres@127.0.0.1:5432/test", PG_DSN)
            exec(compile(block, f"{DOC.name} block {ran + 1}", "exec"), namespace)  # noqa: S102
            ran += 1
    finally:
        if not skipped:
            import psycopg
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    out = capsys.readouterr().out
    assert "km" in out and "True" in out and "refresh took" in out
    assert namespace["tokens"].store.get(namespace["user_id"]) is None  # the last block disconnected the user
    if skipped:
        pytest.skip(f"the PostgreSQL block did not run: {skipped}")
    assert ran == len(blocks)
