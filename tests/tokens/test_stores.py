"""The store contract on every backend (memory, SQLite file, PostgreSQL over a real connection)."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from typing import Any

import pytest

from smartcar.tokens import (LockTimeout, SQLiteTokenStore, TokenError, TokenRecord, generate_key, open_store)

from .conftest import PG_DSN


def record(user_id: str = "u1", access: str = "access-1", refresh: str = "refresh-1", expires_at: float = 2e9,
           refresh_expires_at: float = 3e9, version: int = 0) -> TokenRecord:
    return TokenRecord(user_id, access, refresh, expires_at, refresh_expires_at, version)


def test_put_get_delete_and_versions(make_store: Any) -> None:
    store = make_store()
    assert store.get("u1") is None
    first = store.put(record())
    assert first.version == 0 and first.updated_at > 0
    second = store.put(record(access="access-2", refresh="refresh-2"))
    assert second.version == 1
    got = store.get("u1")
    assert got is not None and (got.access_token, got.refresh_token, got.version) == ("access-2", "refresh-2", 1)
    assert (got.expires_at, got.refresh_expires_at) == (2e9, 3e9)
    assert store.user_ids() == ["u1"]
    assert store.delete("u1") is True and store.delete("u1") is False and store.get("u1") is None


def test_reopened_store_sees_the_same_rows(make_store: Any) -> None:
    make_store().put(record())
    again = make_store().get("u1")
    assert again is not None and again.refresh_token == "refresh-1"


def test_lock_rereads_and_commit_publishes(make_store: Any) -> None:
    store = make_store()
    store.put(record())
    with store.lock("u1") as lock:
        assert lock.record is not None and lock.record.refresh_token == "refresh-1"
        lock.save(record(access="a2", refresh="r2", version=1))
        seen = store.get("u1")
        assert seen is not None and seen.refresh_token == "refresh-1"  # not visible before the commit
    after = store.get("u1")
    assert after is not None and (after.refresh_token, after.version) == ("r2", 1)


def test_rollback_discards(make_store: Any) -> None:
    store = make_store()
    store.put(record())
    lock = store.lock("u1")
    lock.save(record(refresh="never"))
    lock.rollback()
    got = store.get("u1")
    assert got is not None and got.refresh_token == "refresh-1"
    with store.lock("u1", timeout=1) as again:  # the lock was released
        assert again.record is not None


def test_second_locker_times_out_while_the_first_holds(make_store: Any) -> None:
    store = make_store(lock_timeout=0.2)
    other = make_store(lock_timeout=0.2)  # another connection (another process would be the same)
    store.put(record())
    errors: list[BaseException] = []
    with store.lock("u1"):
        def second() -> None:
            started = time.monotonic()
            try:
                other.lock("u1").rollback()
            except LockTimeout as error:
                errors.append(error)
                assert 0.15 < time.monotonic() - started < 5
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(10)
    assert len(errors) == 1 and "lock" in str(errors[0])
    with other.lock("u1", timeout=1) as lock:  # free again after the commit
        assert lock.record is not None


def test_compare_and_put_and_purge(make_store: Any) -> None:
    store = make_store()
    store.put(record("u1"))
    assert store.compare_and_put(record("u1", refresh="r2", version=1), expected_version=0) is True
    assert store.compare_and_put(record("u1", refresh="r3", version=1), expected_version=0) is False
    got = store.get("u1")
    assert got is not None and got.refresh_token == "r2"
    assert store.compare_and_put(record("nobody"), expected_version=0) is False
    store.put(record("old", refresh_expires_at=100.0))
    assert store.purge(refresh_expired_before=1000.0) == ["old"]
    assert store.get("old") is None and store.get("u1") is not None


def test_encrypted_at_rest_sqlite(tmp_path: Any) -> None:
    key = generate_key()
    store = SQLiteTokenStore(tmp_path / "t.db", encryption_key=key)
    store.put(record(access="secret-access-value", refresh="secret-refresh-value"))
    raw = sqlite3.connect(tmp_path / "t.db").execute(
        "SELECT access_token, refresh_token FROM smartcar_tokens").fetchone()
    assert "secret" not in raw[0] + raw[1]
    got = store.get("u1")
    assert got is not None and got.refresh_token == "secret-refresh-value"
    # Key rotation: a new key first, the old one still decrypts.
    rotated = SQLiteTokenStore(tmp_path / "t.db", encryption_key=[generate_key(), key])
    assert rotated.get("u1") is not None
    with pytest.raises(TokenError, match="cannot be decrypted"):
        SQLiteTokenStore(tmp_path / "t.db", encryption_key=generate_key()).get("u1")


def test_encrypted_at_rest_postgres(pg_schema: str) -> None:
    import psycopg

    key = generate_key()
    store = open_store(PG_DSN, encryption_key=key, schema=pg_schema)
    store.put(record(access="secret-access-value", refresh="secret-refresh-value"))
    with psycopg.connect(PG_DSN) as conn:
        raw = conn.execute(f'SELECT access_token || refresh_token FROM "{pg_schema}".smartcar_tokens').fetchone()
    assert raw is not None and "secret" not in raw[0]
    got = store.get("u1")
    assert got is not None and got.access_token == "secret-access-value"
    store.close()


def test_optional_dependencies_missing_name_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ImportError, match=r"pip install 'smartcar-toolkit\[postgres\]'"):
        open_store("postgresql://nobody@127.0.0.1/none")
    monkeypatch.setitem(sys.modules, "cryptography.fernet", None)
    with pytest.raises(ImportError, match=r"pip install 'smartcar-toolkit\[encryption\]'"):
        SQLiteTokenStore(tmp_path / "t.db", encryption_key="k")


def test_core_import_needs_neither_extra() -> None:
    import subprocess

    code = ("import sys; sys.modules['psycopg'] = None; sys.modules['cryptography'] = None\n"
            "import smartcar.tokens as t, tempfile, os\n"
            "s = t.open_store(os.path.join(tempfile.mkdtemp(), 'x.db')); print(type(s).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "SQLiteTokenStore"


def test_open_store_urls(tmp_path: Any) -> None:
    assert type(open_store(":memory:")).__name__ == "MemoryTokenStore"
    assert type(open_store(f"sqlite:///{tmp_path}/a.db")).__name__ == "SQLiteTokenStore"
    assert (tmp_path / "a.db").exists()
    with pytest.raises(ValueError):
        SQLiteTokenStore(":memory:")
    with pytest.raises(ValueError, match="invalid table"):
        SQLiteTokenStore(tmp_path / "b.db", table="x; DROP TABLE y")


def test_record_repr_hides_tokens() -> None:
    text = repr(record(access="visible-access?", refresh="visible-refresh?"))
    assert "visible" not in text and "u1" in text


def test_a_queued_waiter_waits_no_longer_than_its_timeout(make_store: Any) -> None:
    """PostgreSQL's lock_timeout applies to each lock wait, and the second waiter on a row waits twice (the tuple,
    then the holder's transaction): the store bounds the whole wait."""
    store = make_store(lock_timeout=0.6)
    store.put(record())
    waited: dict[str, float] = {}

    def wait(name: str, delay: float) -> None:
        time.sleep(delay)
        started = time.monotonic()
        with pytest.raises(LockTimeout):
            make_store(lock_timeout=0.6).lock("u1").rollback()
        waited[name] = time.monotonic() - started
    with store.lock("u1"):
        threads = [threading.Thread(target=wait, args=("first", 0.0)),
                   threading.Thread(target=wait, args=("second", 0.3))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert set(waited) == {"first", "second"}
    assert all(0.5 < seconds < 0.85 for seconds in waited.values()), waited
