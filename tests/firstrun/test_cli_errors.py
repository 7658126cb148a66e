"""Issue 13, items 2, 3 and 5: the console scripts as a newcomer runs them, as real processes.

Every mistake ends in a short message on stderr (never a traceback) and the documented exit code:
0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest

from smartcar_emulator.server import EmulatorServer, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIRECT = "http://localhost:8000/exchange"

# Makes the named top-level modules unimportable, as if their extra were not installed.
BLOCKER = """
import sys
class _Blocker:
    blocked = set(sys.argv.pop(1).split(","))
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _Blocker())
"""


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A console script of this venv, with a clean SMARTCAR_* environment plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")}
    base["COLUMNS"] = "200"
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, timeout=timeout,
                          env={**base, **(env or {})}, cwd=ROOT)


def one_line_error(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> str:
    """Assert the exit code, no traceback, and each fragment in stderr; return stderr without line folds."""
    text = " ".join(result.stderr.split())
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in text, (fragment, result.stderr)
    return text


# -- 2. Installs that cannot crash ------------------------------------------------------------------------------
@pytest.mark.parametrize(("script", "launcher", "blocked", "extra"), [
    ("smartcar", "smartcar", "rich", "cli"),
    ("smartcar", "smartcar", "click,rich", "cli"),
    ("smartcar-emulator", "smartcar_emulator", "fastapi", "emulator"),
    ("smartcar-emulator", "smartcar_emulator", "click", "emulator"),
    ("smartcar-demo", "smartcar_demo", "flask", "demo"),
])
def test_a_missing_extra_is_one_line_naming_it(script: str, launcher: str, blocked: str, extra: str) -> None:
    code = f"{BLOCKER}\nsys.argv[0] = {script!r}\nfrom smartcar._scripts import {launcher}\n{launcher}()"
    result = subprocess.run([sys.executable, "-c", code, blocked, "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"pip install 'smartcar-toolkit[{extra}]'" in result.stderr and script in result.stderr


def test_the_launchers_import_nothing_optional() -> None:
    code = ("import sys, smartcar._scripts; optional = {'click', 'rich', 'fastapi', 'uvicorn', 'flask', 'jinja2'};"
            "print(sorted(optional & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_console_scripts_go_through_the_launchers_and_the_demo_extra_brings_the_cli() -> None:
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")
               if ep.name in ("smartcar", "smartcar-emulator", "smartcar-demo")}
    assert scripts == {"smartcar": "smartcar._scripts:smartcar",
                       "smartcar-emulator": "smartcar._scripts:smartcar_emulator",
                       "smartcar-demo": "smartcar._scripts:smartcar_demo"}
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any("cli" in spec and "smartcar-toolkit[" in spec for spec in extras["demo"])  # README's first command
    assert {"click>=8.1", "rich>=13"} <= set(extras["cli"])
    for name in ("smartcar", "smartcar-emulator", "smartcar-demo"):  # installed with every extra: they work
        result = run(name, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout, result.stderr


# -- 3. No traceback reaches a user -------------------------------------------------------------------------------
@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_on_a_busy_port_names_it_its_holder_and_a_way_out(busy_port: int) -> None:
    result = run("smartcar-emulator", "serve", "--port", str(busy_port), "--db", ":memory:")
    text = one_line_error(result, 1, f"port {busy_port} on 127.0.0.1 is already in use", f"(pid {os.getpid()})",
                          "pick another with --port (e.g. --port ")


def test_demo_on_a_busy_port_names_the_option(busy_port: int, tmp_path: Path) -> None:
    result = run("smartcar-demo", "--emulator-port", str(busy_port), "--port", str(free_port()),
                 "--db", str(tmp_path))
    one_line_error(result, 1, f"port {busy_port}", "already in use", "pick another with --emulator-port")
    result = run("smartcar-demo", "--port", str(busy_port), "--db", str(tmp_path))
    one_line_error(result, 1, f"port {busy_port}", "pick another with --port")


@pytest.mark.parametrize("args", [("serve", "--port", "70000"), ("serve", "--port", "0"), ("env", "--port", "-1")])
def test_an_out_of_range_port_is_a_usage_error(args: tuple[str, ...]) -> None:
    one_line_error(run("smartcar-emulator", *args, "--db", ":memory:") if args[0] == "serve"
                   else run("smartcar-emulator", *args), 2, "Invalid value for '--port'", "1<=x<=65535")


def test_demo_port_out_of_range_is_a_usage_error() -> None:
    one_line_error(run("smartcar-demo", "--port", "99999"), 2, "Invalid value for '--port'")


def _newer_schema(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    return path


@pytest.mark.parametrize(("make_db", "code", "fragments"), [
    (lambda tmp: tmp, 2, ["Invalid value for '--db'", "is a directory"]),
    (lambda tmp: Path("/proc/no-such-dir/emulator.db"), 1, ["cannot use the database /proc/no-such-dir/emulator.db",
                                                             "--db"]),
    (lambda tmp: (tmp / "corrupt.db", (tmp / "corrupt.db").write_bytes(b"not sqlite" * 200))[0], 1,
     ["cannot use the database", "corrupt.db", "file is not a database", "(a corrupt file"]),
    (lambda tmp: _newer_schema(tmp / "newer.db"), 1, ["has schema version 999, newer than this emulator's",
                                                       "upgrade smartcar-toolkit"]),
], ids=["directory", "unwritable", "corrupt", "newer-schema"])
def test_a_database_that_cannot_be_used(make_db: object, code: int, fragments: list[str], tmp_path: Path) -> None:
    db = str(make_db(tmp_path))  # type: ignore[operator]
    commands: list[tuple[str, ...]] = [("serve", "--port", str(free_port())), ("apps", "list")]
    if os.path.isfile(db):  # reset --db refuses a file that does not exist, in its own words
        commands.append(("reset",))
    for args in commands:
        one_line_error(run("smartcar-emulator", *args, "--db", db), code, *fragments)


def test_demo_with_an_unusable_db_directory(tmp_path: Path) -> None:
    (tmp_path / "emulator.db").write_bytes(b"garbage" * 300)
    one_line_error(run("smartcar-demo", "--db", str(tmp_path), "--port", str(free_port()),
                       "--emulator-port", str(free_port())), 1, "cannot use the database", "file is not a database",
                   "--db DIR")
    one_line_error(run("smartcar-demo", "--db", "/proc/no-such-dir"), 2, "Invalid value for --db",
                   "cannot create /proc/no-such-dir")


def test_connect_without_an_emulator_and_from_the_exported_origin() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    args = ("connect", "--client-id", "a", "--client-secret", "b", "--redirect-uri", REDIRECT, "--scope", "read_vin")
    one_line_error(run("smartcar-emulator", *args, "--url", dead), 1, f"no emulator answering at {dead}",
                   "connection refused", "smartcar-emulator serve")
    # No --url: the origin `smartcar-emulator env` exported.
    one_line_error(run("smartcar-emulator", *args, env={"SMARTCAR_CONNECT_ORIGIN": dead}), 1,
                   f"no emulator answering at {dead}")
    one_line_error(run("smartcar-emulator", "reset", "--url", dead), 1, f"reset failed: no emulator answering at {dead}")
    # Missing credentials: a usage error naming the option (or its variable).
    one_line_error(run("smartcar-emulator", "connect", "--scope", "read_vin", "--url", dead), 2,
                   "Missing option '--client-id'")


@pytest.fixture(scope="module")
def served() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=[REDIRECT], client_id="first-run", client_secret="first-secret")
        yield emulator


def test_connect_names_an_unknown_permission_and_reads_the_exported_origin(served: EmulatorServer) -> None:
    env = {**served.env(), "SMARTCAR_CLIENT_ID": "first-run", "SMARTCAR_CLIENT_SECRET": "first-secret",
           "SMARTCAR_REDIRECT_URI": REDIRECT}
    bad = run("smartcar-emulator", "connect", "--scope", "read_odometer", "--scope", "read_odometr", env=env)
    one_line_error(bad, 1, "configuration_error", "Unknown permission(s): read_odometr")
    good = run("smartcar-emulator", "connect", "--scope", "read_odometer", "--json", env=env)
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["vehicle_ids"]


def test_smartcar_without_credentials_or_emulator() -> None:
    missing = run("smartcar", "vehicles")
    one_line_error(missing, 2, "SMARTCAR_CLIENT_ID", "--access-token")
    dead = f"http://127.0.0.1:{free_port()}"
    env = {"SMARTCAR_CLIENT_ID": "a", "SMARTCAR_CLIENT_SECRET": "b", "SMARTCAR_IAM_ORIGIN": dead,
           "SMARTCAR_VEHICLE_API_V3_ORIGIN": dead, "SMARTCAR_API_ORIGIN": dead}
    down = run("smartcar", "vehicles", env=env)
    one_line_error(down, 1, f"cannot connect to {dead}/oauth2/token", "connection refused",
                   "is the server running?")
    v2 = run("smartcar", "vehicles", "--access-token", "t", env=env)
    one_line_error(v2, 1, f"cannot connect to {dead}/v2.0/vehicles", "connection refused")


def test_smartcar_unwritable_out_is_a_usage_error_before_any_request(served: EmulatorServer) -> None:
    env = {**served.env(), "SMARTCAR_CLIENT_ID": "first-run", "SMARTCAR_CLIENT_SECRET": "first-secret"}
    result = run("smartcar", "fleet", "snapshot", "--out", "/proc/no-such-dir/out.jsonl", env=env)
    one_line_error(result, 2, "Invalid value for --out", "cannot write /proc/no-such-dir/out.jsonl")


# -- 5. CLI polish ------------------------------------------------------------------------------------------------
def test_global_options_after_the_subcommand(served: EmulatorServer) -> None:
    env = {**served.env(), "SMARTCAR_CLIENT_ID": "first-run", "SMARTCAR_CLIENT_SECRET": "first-secret"}
    before = run("smartcar", "--json", "vehicles", env=env)
    after = run("smartcar", "vehicles", "--json", env=env)
    assert before.returncode == after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    wrong = {**env, "SMARTCAR_CLIENT_SECRET": "wrong"}
    with_option = run("smartcar", "vehicles", "--client-secret", "first-secret", "--json", env=wrong)
    assert with_option.returncode == 0 and isinstance(json.loads(with_option.stdout), list), with_option.stderr


def test_hoisting_leaves_other_arguments_alone() -> None:
    from smartcar.cli import hoist_global_options

    assert hoist_global_options(["fleet", "snapshot", "--out", "x", "--json", "--user-id", "u", "--", "--json"]) \
        == ["--json", "--user-id", "u", "fleet", "snapshot", "--out", "x", "--", "--json"]
    assert hoist_global_options(["vehicle", "--client-id=abc", "v1"]) == ["--client-id=abc", "vehicle", "v1"]


def _all_help(group: click.Command, prefix: list[str]) -> Iterator[tuple[str, str]]:
    ctx = click.Context(group, info_name=" ".join(prefix))
    yield " ".join(prefix), group.get_help(ctx)
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            yield from _all_help(command, [*prefix, name])


def test_help_has_no_raw_markup() -> None:
    from smartcar.cli import main as smartcar_main
    from smartcar_demo.cli import main as demo_main
    from smartcar_emulator.cli import main as emulator_main

    pages = [*_all_help(smartcar_main, ["smartcar"]), *_all_help(emulator_main, ["smartcar-emulator"]),
             *_all_help(demo_main, ["smartcar-demo"])]
    assert len(pages) > 15
    for name, text in pages:
        assert "``" not in text and "**" not in text and "`" not in text, (name, text)


def test_fleet_snapshot_retries_by_its_documented_default_and_exits_1_on_a_failed_vehicle(tmp_path: Path) -> None:
    from smartcar_emulator.scripted import connect

    help_text = run("smartcar", "fleet", "snapshot", "--help").stdout
    assert "[default: 2;" in " ".join(help_text.split())
    with EmulatorServer() as emulator:
        emulator.register_app(redirect_uris=[REDIRECT], client_id="fleet-app", client_secret="fleet-secret")
        tokens = connect(emulator.url, "fleet-app", "fleet-secret", REDIRECT, ["read_odometer", "read_vehicle_info"],
                         email="3-vehicles@smartcar.com")
        env = {**emulator.env(), "SMARTCAR_CLIENT_ID": "fleet-app", "SMARTCAR_CLIENT_SECRET": "fleet-secret"}
        first, second, third = tokens["vehicle_ids"]
        faults = emulator.platform.faults
        faults.add({"kind": "server", "vehicle_id": first, "count": 1})  # one 500: the default retry covers it
        out = tmp_path / "snap.jsonl"
        retried = run("smartcar", "fleet", "snapshot", "--out", str(out), "--json", env=env)
        assert retried.returncode == 0, retried.stderr
        assert json.loads(retried.stdout)["failed"] == 0
        faults.add({"kind": "asleep", "vehicle_id": third})  # not retryable: that vehicle fails
        partial = run("smartcar", "fleet", "snapshot", "--out", str(out), "--json", env=env)
        assert partial.returncode == 1, partial.stderr
        summary = json.loads(partial.stdout)
        assert (summary["ok"], summary["failed"], summary["errors"]) == (2, 1, {"VEHICLE_STATE:ASLEEP": 1})
        assert second in out.read_text()
