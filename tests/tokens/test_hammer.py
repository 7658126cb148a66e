"""The bounded version of bench/bench_tokens.py: processes x threads hammer users whose tokens all expire at
once (then all get rejected with 401 after a clock jump), against an emulator with strict refresh rotation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import PG_DSN, postgres_unreachable

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_tokens.py"


def hammer(*options: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, str(BENCH), "--json", "--users", "5", "--phase", "0.8", *options],
                         capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def assert_nobody_lost(result: dict[str, Any]) -> None:
    assert result["requests_ok"] > 100 and result["requests_failed"] == 0, result["failures"]
    assert result["wrong_user"] == 0
    # Exactly one refresh per user per expiry reached the token endpoint (counted at the emulator)...
    assert result["refreshes_at_endpoint"] == 2 * result["users"] == result["refreshes_manager"]
    assert result["users_with_exactly_one_refresh_per_expiry"] == result["users"]
    # ...no refresh token was presented twice (the emulator would have revoked the chain), nobody logged out.
    assert result["revoked_tokens"] == 0 and result["users_alive_after"] == result["users"]


def test_sqlite_two_processes_four_threads() -> None:
    result = hammer("--store", "sqlite", "--processes", "2", "--threads", "4")
    assert_nobody_lost(result)
    assert result["reuses"] > 0  # waiters found the refresh done by another worker and reused it


def test_postgres_two_hosts_with_a_write_stalled_past_the_lock_timeout() -> None:
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    result = hammer("--store", "postgres", "--pg-dsn", PG_DSN, "--hosts", "2", "--processes", "1", "--threads", "4",
                    "--stall", "2.0", "--lock-timeout", "0.3")  # 2 s: waiters meet the stall even on a loaded machine
    assert_nobody_lost(result)
    assert result["lock_timeout_retries"] > 0 and result["lock_wait_max_ms"] >= 250  # the stall was felt
