"""``smartcar``: the Smartcar API from a terminal (extra ``cli``: click and rich). Help text: ``HELP``.

Two ways to act for a user, chosen by what you give:

* **API v3** (default): the application's client credentials (``SMARTCAR_CLIENT_ID`` /
  ``SMARTCAR_CLIENT_SECRET``) plus, for user-scoped commands (signals, lock, unlock), the user id
  (``--user-id`` / ``SMARTCAR_USER_ID``).
* **API v2**: a user's access token (``--access-token`` / ``SMARTCAR_ACCESS_TOKEN``); no client credentials
  needed. When a token is given it wins.

Origins come from ``SMARTCAR_*_ORIGIN`` (``eval "$(smartcar-emulator env)"`` points them at the emulator).
``--json`` prints machine-readable JSON on stdout.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, NoReturn

import click

import smartcar
from smartcar import config, fleet
from smartcar.exception import MissingCredentialsError, SmartcarException


# -- JSON views ------------------------------------------------------------------------------------------------
def jsonable(value: Any) -> Any:
    """Plain JSON data from SDK results: v3 models (without ``raw``/``headers``), namedtuples (a batch's
    callables are called: ``{"error": ...}`` when a path failed), lists and dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("raw", "headers")}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        out: dict[str, Any] = {}
        for name in value._fields:
            item = getattr(value, name)
            if callable(item):  # a batch item
                try:
                    item = item()
                except Exception as error:  # noqa: BLE001 - the path's error goes into the record
                    out[name] = {"error": error_json(error)}
                    continue
            out[name] = jsonable(item)
        return out
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if k != "headers"}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def error_json(error: BaseException) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": fleet.error_kind(error)}
    if isinstance(error, SmartcarException):
        for name in ("type", "code", "status_code", "description", "retry_after", "request_id"):
            if getattr(error, name, None) is not None:
                out[name] = getattr(error, name)
        out["message"] = str(error.message)
    else:
        out["message"] = str(error)
    return out


# -- Context ---------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Settings:
    as_json: bool
    user_id: str | None
    access_token: str | None
    client_id: str | None
    client_secret: str | None

    @property
    def v2(self) -> bool:
        return bool(self.access_token)

    def client(self) -> smartcar.Client:
        return smartcar.Client(self.client_id, self.client_secret)

    def need_user(self) -> str:
        if not self.user_id:
            raise click.UsageError("This command acts for a user: give --user-id (or SMARTCAR_USER_ID) to use "
                                   "API v3 with the client credentials, or --access-token (or "
                                   "SMARTCAR_ACCESS_TOKEN) to use a user's token.")
        return self.user_id


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Not a terminal (a pipe, a file, CI): wide enough that ids are not folded.
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=None if stream.isatty() else 160)


def _fail(message: str, code: int = 1) -> NoReturn:
    _console(stderr=True).print(f"[bold red]Error:[/] {message}", markup=True)
    sys.exit(code)


def _emit(settings: Settings, data: Any, render: Callable[[], None]) -> None:
    if settings.as_json:
        click.echo(json.dumps(jsonable(data), indent=2, sort_keys=False))
    else:
        render()


def _table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if cell is None else str(cell) for cell in row])
    _console().print(table)


class _Group(click.Group):
    """Accepts global options after the subcommand; turns SDK errors into one red line and exit 1 (missing
    credentials: exit 2) instead of a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MissingCredentialsError as error:
            _fail(f"{error}\nOr pass --access-token (SMARTCAR_ACCESS_TOKEN) to use API v2 with a user's token.", 2)
        except SmartcarException as error:
            info = error_json(error)
            status = f" (HTTP {info['status_code']})" if "status_code" in info else ""
            _fail(f"{info['kind']}{status}: {info.get('description') or info['message']}")
        except OSError as error:  # e.g. --out in a folder that does not exist or cannot be written
            _fail(f"{error.strerror or error}: {error.filename}" if error.filename else str(error))


HELP = """The Smartcar API from a terminal.

\b
Two ways to act for a user, chosen by what you give:
  API v3 (default): the application's client credentials (SMARTCAR_CLIENT_ID,
    SMARTCAR_CLIENT_SECRET) plus, for commands that act for a user (signals,
    lock, unlock), the user id (--user-id or SMARTCAR_USER_ID).
  API v2: a user's access token (--access-token or SMARTCAR_ACCESS_TOKEN); no
    client credentials needed. When a token is given it wins.

Origins come from the SMARTCAR_*_ORIGIN variables: eval "$(smartcar-emulator env)" points them at the
emulator. Global options (--json, --user-id, ...) go before or after the command.

Exit codes: 0 ok, 1 failure (some vehicles failed, in fleet snapshot), 2 usage error.
"""

GLOBAL_FLAGS = {"--json"}
GLOBAL_VALUES = {"--user-id", "--access-token", "--client-id", "--client-secret"}


def hoist_global_options(args: list[str]) -> list[str]:
    """The global options found after the subcommand moved before it (``smartcar vehicles --json`` works as
    ``smartcar --json vehicles``); arguments after ``--`` are left alone."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_FLAGS:
            front.append(arg)
        elif name in GLOBAL_VALUES and "=" in arg:
            front.append(arg)
        elif arg in GLOBAL_VALUES and index + 1 < len(args):
            front.extend(args[index:index + 2])
            index += 1
        else:
            rest.append(arg)
        index += 1
    return front + rest


@click.group(cls=_Group, help=HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--user-id", envvar="SMARTCAR_USER_ID", help="API v3: act for this user (sc-user-id).")
@click.option("--access-token", envvar="SMARTCAR_ACCESS_TOKEN", help="API v2: a user's access token.")
@click.option("--client-id", envvar="SMARTCAR_CLIENT_ID", help="Defaults to SMARTCAR_CLIENT_ID.")
@click.option("--client-secret", envvar="SMARTCAR_CLIENT_SECRET", help="Defaults to SMARTCAR_CLIENT_SECRET.")
@click.version_option(smartcar.__version__, prog_name="smartcar")
@click.pass_context
def main(ctx: click.Context, as_json: bool, user_id: str | None, access_token: str | None,
         client_id: str | None, client_secret: str | None) -> None:
    config.reload()  # origins from the environment as it is now
    ctx.obj = Settings(as_json, user_id, access_token, client_id, client_secret)


# -- Vehicles --------------------------------------------------------------------------------------------------
def _v2_vehicle_ids(token: str) -> list[str]:
    ids: list[str] = []
    offset = 0
    while True:
        page = smartcar.get_vehicles(token, {"limit": 50, "offset": offset})
        ids.extend(page.vehicles)
        offset += 50
        if not page.vehicles or offset >= page.paging.count:
            return ids


@main.command()
@click.pass_obj
def vehicles(settings: Settings) -> None:
    """List vehicles: the application's connections (v3; one user's with --user-id) or a token's vehicles (v2)."""
    if settings.v2:
        assert settings.access_token
        ids = _v2_vehicle_ids(settings.access_token)
        _emit(settings, [{"vehicle_id": vid} for vid in ids],
              lambda: _table(f"{len(ids)} vehicle(s)", ["vehicle id"], [[vid] for vid in ids]))
        return
    connections = list(settings.client().connections.list(user_id=settings.user_id, page_size=100))
    data = [{"vehicle_id": c.vehicle_id, "user_id": c.user_id, "connection_id": c.id, "vehicle": c.vehicle,
             "permissions": list(c.permissions), "created_at": c.created_at} for c in connections]

    def render() -> None:
        rows = [[c.vehicle_id, c.user_id,
                 " ".join(str((c.vehicle or {}).get(k, "")) for k in ("year", "make", "model")).strip(),
                 (c.vehicle or {}).get("mode"), len(c.permissions)] for c in connections]
        _table(f"{len(rows)} connection(s)", ["vehicle id", "user id", "vehicle", "mode", "permissions"], rows)

    _emit(settings, data, render)


@main.command()
@click.argument("vehicle_id")
@click.pass_obj
def vehicle(settings: Settings, vehicle_id: str) -> None:
    """A vehicle's attributes: make, model, year (and, with v3, powertrain and mode)."""
    if settings.v2:
        assert settings.access_token
        result = smartcar.Vehicle(vehicle_id, settings.access_token).attributes()
        data = {"id": result.id, "make": result.make, "model": result.model, "year": result.year}
    else:
        attributes = settings.client().vehicle(vehicle_id, settings.user_id).attributes()
        data = {"id": attributes.id or vehicle_id, "make": attributes.make, "model": attributes.model,
                "year": attributes.year, "powertrain_type": attributes.powertrain_type, "mode": attributes.mode}
    _emit(settings, data, lambda: _table(None, ["field", "value"], [[k, v] for k, v in data.items()]))


def _signal_row(signal: dict[str, Any]) -> list[Any]:
    body = signal.get("body") or {}
    value: Any
    unit: Any
    if signal.get("status") != "SUCCESS":
        error = signal.get("error") or {}
        value = f"{signal.get('status')}: {error.get('type', '')}:{error.get('code', '')}"
        unit = ""
    elif set(body) <= {"value", "unit"}:
        value, unit = body.get("value"), body.get("unit", "")
    else:
        value, unit = json.dumps({k: v for k, v in body.items() if k != "unit"}), body.get("unit", "")
    return [signal.get("code"), value, unit]


def _v2_signal(raw: Any) -> dict[str, Any]:
    """A v3 signal resource read through ``smartcar.Vehicle`` (user token) in the v3 client's shape."""
    data: dict[str, Any] = jsonable(smartcar.v3.Signal.from_resource(dict(raw.body)))
    return data


@main.command()
@click.argument("vehicle_id")
@click.argument("codes", nargs=-1)
@click.pass_obj
def signals(settings: Settings, vehicle_id: str, codes: tuple[str, ...]) -> None:
    """A vehicle's signals (all granted ones, or the given CODEs, e.g. odometer-traveleddistance)."""
    found: list[dict[str, Any]] = []
    failed: dict[str, dict[str, Any]] = {}
    if settings.v2:
        assert settings.access_token
        car = smartcar.Vehicle(vehicle_id, settings.access_token)
        if not codes:
            found = [jsonable(smartcar.v3.Signal.from_resource(r)) for r in car.get_signals().body.get("data", [])]
        for code in codes:
            try:
                found.append(_v2_signal(car.get_signal(code)))
            except SmartcarException as error:
                failed[code] = error_json(error)
    else:
        v3_vehicle = settings.client().vehicle(vehicle_id, settings.need_user())
        if not codes:
            found = [jsonable(s) for s in v3_vehicle.signals()]
        for code in codes:
            try:
                found.append(jsonable(v3_vehicle.signal(code)))
            except SmartcarException as error:
                failed[code] = error_json(error)
    data = {"vehicle_id": vehicle_id, "signals": found, "errors": failed}

    def render() -> None:
        rows = [_signal_row(s) for s in found] + [[code, f"error {e['kind']}", ""] for code, e in failed.items()]
        _table(f"Signals of {vehicle_id}", ["code", "value", "unit"], rows)

    _emit(settings, data, render)
    if codes and len(failed) == len(codes):
        sys.exit(1)


def _command(settings: Settings, vehicle_id: str, lock: bool) -> None:
    if settings.v2:
        assert settings.access_token
        car = smartcar.Vehicle(vehicle_id, settings.access_token)
        action = car.lock() if lock else car.unlock()
        data = {"vehicle_id": vehicle_id, "status": action.status, "message": action.message}
    else:
        v3_vehicle = settings.client().vehicle(vehicle_id, settings.need_user())
        execution = v3_vehicle.lock() if lock else v3_vehicle.unlock()
        data = {"vehicle_id": vehicle_id, "status": execution.status, "command": execution.command_type,
                "id": execution.id}
    verb = "Locked" if lock else "Unlocked"
    _emit(settings, data, lambda: _console().print(f"{verb} {vehicle_id}: {data['status']}"))


@main.command()
@click.argument("vehicle_id")
@click.pass_obj
def lock(settings: Settings, vehicle_id: str) -> None:
    """Lock a vehicle."""
    _command(settings, vehicle_id, True)


@main.command()
@click.argument("vehicle_id")
@click.pass_obj
def unlock(settings: Settings, vehicle_id: str) -> None:
    """Unlock a vehicle."""
    _command(settings, vehicle_id, False)


DEFAULT_FLEET_RETRIES = 2  # fleet snapshot --max-retries

# -- Fleet -----------------------------------------------------------------------------------------------------
@main.group("fleet")
def fleet_group() -> None:
    """Read many vehicles at once."""


def _record(result: fleet.FleetResult[Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"vehicle_id": result.vehicle_id}
    if result.user_id:
        record["user_id"] = result.user_id
    record["ok"] = result.ok
    if result.error is not None:
        record["error"] = error_json(result.error)
    elif isinstance(result.value, dict) and "signals" in result.value:  # v3
        record["attributes"] = jsonable(result.value["attributes"])
        record["signals"] = {code: jsonable(signal) for code, signal in result.value["signals"].items()}
    else:
        record["data"] = jsonable(result.value)
    return record


@fleet_group.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSON Lines file: one line per vehicle.")
@click.option("--signal", "signal_codes", multiple=True,
              help="v3: keep only this signal code (repeatable; default: every granted signal).")
@click.option("--no-attributes", is_flag=True, help="v3: skip the attributes request.")
@click.option("--path", "paths", multiple=True,
              help=f"v2: a batch path (repeatable; default: {' '.join(fleet.V2_DEFAULT_PATHS)}).")
@click.option("--concurrency", default=fleet.DEFAULT_CONCURRENCY, show_default=True, type=click.IntRange(1, 512))
@click.option("--mode", type=click.Choice(["live", "simulated", "test"]), help="v3: only connections in this mode.")
@click.option("--max-retries", type=click.IntRange(0, 10), default=DEFAULT_FLEET_RETRIES, show_default=True,
              help="Retries of a failed read (5xx, network); rate-limited reads are waited out besides, unless "
              "--no-adaptive.")
@click.option("--no-adaptive", is_flag=True,
              help="Keep --concurrency fixed instead of following the platform's rate limits (by default the "
              "number in flight halves on a 429 and grows back, and rate-limited reads wait out Retry-After).")
@click.pass_obj
def snapshot(settings: Settings, out: Path, signal_codes: tuple[str, ...], no_attributes: bool,
             paths: tuple[str, ...], concurrency: int, mode: str | None, max_retries: int | None,
             no_adaptive: bool = False) -> None:
    """Snapshot every vehicle (the application's connections with v3, or a token's vehicles with v2)
    into a JSON Lines file, with a progress bar and a summary of errors by type. Exits 1 when any vehicle
    failed."""
    try:  # before any request: a file that cannot be written is known at once
        out.open("a", encoding="utf-8").close()
    except OSError as error:
        raise click.BadParameter(f"cannot write {out}: {error.strerror or error}", param_hint="--out") from None
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    errors: collections.Counter[str] = collections.Counter()
    written = 0

    async def run() -> None:
        nonlocal written
        async with fleet.Fleet(settings.client_id, settings.client_secret, concurrency=concurrency,
                               max_retries=max_retries, adaptive=not no_adaptive) as reader:
            results: AsyncIterator[fleet.FleetResult[Any]]
            if settings.v2:
                assert settings.access_token
                ids = await reader.vehicle_ids(settings.access_token)
                total = len(ids)
                results = reader.snapshot_v2(ids, settings.access_token, paths=list(paths) or None)
            else:
                connections = await reader.connections(settings.user_id, mode)
                total = len(connections)
                results = reader.snapshot(connections, signals=list(signal_codes) or None,
                                          attributes=not no_attributes)
            started = time.monotonic()
            with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                          console=_console(stderr=True), disable=settings.as_json) as progress, \
                    out.open("w", encoding="utf-8") as file:
                task = progress.add_task("snapshot", total=total)
                async for result in results:
                    file.write(json.dumps(_record(result), separators=(",", ":")) + "\n")
                    written += 1
                    if result.error is not None:
                        errors[fleet.error_kind(result.error)] += 1
                    progress.update(task, advance=1, description=_snapshot_status(
                        reader, written, time.monotonic() - started, sum(errors.values())))

    asyncio.run(run())
    failed = sum(errors.values())
    summary = {"out": str(out), "vehicles": written, "ok": written - failed, "failed": failed,
               "errors": dict(errors.most_common())}

    def render() -> None:
        console = _console()
        console.print(f"Wrote {written} vehicle(s) to {out}: {written - failed} ok, {failed} failed.")
        if errors:
            _table("Errors by type", ["error", "vehicles"], [[kind, count] for kind, count in errors.most_common()])

    _emit(settings, summary, render)
    if failed:
        sys.exit(1)


def _snapshot_status(reader: fleet.Fleet, done: int, elapsed: float, failed: int) -> str:
    """The progress line's description: reads per second, requests in flight, rate-limit answers, failures."""
    parts = [f"{done / elapsed:.1f}/s" if elapsed > 0 else "snapshot"]
    if reader.limit is not None:
        parts.append(f"{reader.limit.current} in flight")
        if reader.limit.rate_limited:
            parts.append(f"{reader.limit.rate_limited} rate-limited")
    if failed:
        parts.append(f"[red]{failed} failed[/red]")
    return " · ".join(parts)


if __name__ == "__main__":  # pragma: no cover
    main()
