"""``smartcar-emulator``: run the offline Smartcar platform and manage its applications and users."""

from __future__ import annotations

import json
import os
import shlex
import sys

import click

from .platform.apps import CONNECT_FLOWS, Application
from .platform.core import Platform
from .platform.ratelimit import Limit, limit_from
from .server import origin_env
from .serving import port_problem, uvicorn_options
from .store import Database, StoreError, default_db_path

DEFAULT_PORT = 8030
DEV_APP_NAME = "Development app"

db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
                         help=f"SQLite file (default {default_db_path()}; ':memory:' for none).")


PORT = click.IntRange(1, 65535)


def _platform(db_path: str | None, seed: int = 0) -> Platform:
    """The platform on ``--db`` (or the default file); a database that cannot be used is one line, exit 1."""
    try:
        return Platform(Database(db_path or default_db_path()), seed=seed)
    except StoreError as error:
        hint = "" if db_path == ":memory:" else " (choose another file with --db FILE, or --db :memory:)"
        raise click.ClickException(f"{error}{hint}") from None


def _unreachable(url: str, error: Exception) -> str:
    """Why nothing answered at ``url``, in words (refused, unknown host, timeout...) and what to do."""
    cause = " ".join(str(error).split()) or type(error).__name__
    if "refused" in cause.lower():
        cause = "connection refused"
    return (f"no emulator answering at {url} ({cause}): start one with `smartcar-emulator serve`, or pass --url "
            "(or SMARTCAR_CONNECT_ORIGIN, which `smartcar-emulator env` exports)")


def _rate_limits(specs: tuple[str, ...]) -> dict[str, Limit | None]:
    """``--rate-limit app=50/s`` options as limits by kind."""
    limits: dict[str, Limit | None] = {}
    for spec in specs:
        kind, _, text = spec.partition("=")
        try:
            limits[kind.strip().lower()] = limit_from(text, kind.strip().lower())
        except ValueError as error:
            raise click.BadParameter(f"{spec!r}: {error}", param_hint="--rate-limit") from None
    return limits


def _print_app(app: Application) -> None:
    click.echo(f"  client id:      {app.client_id}")
    click.echo(f"  client secret:  {app.client_secret}")
    click.echo(f"  redirect URIs:  {', '.join(app.redirect_uris) or '(none)'}")
    click.echo(f"  management token (AMT): {app.amt}")
    click.echo(f"  connect flow:   {app.connect_flow}")


@click.group(help="Run the offline Smartcar platform and manage its applications and users.\n\n"
             "Exit codes: 0 ok, 1 failure, 2 usage error.")
@click.version_option(package_name="smartcar-toolkit")
def main() -> None:
    pass


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=PORT)
@db_option
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for generated vehicle data.")
@click.option("--time-scale", default=1.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Simulated seconds per real second (vehicles drive and charge this much faster).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the database file (needs --db FILE, not ':memory:'); each keeps "
              "its own clock, fault rules and limits, which the control API then refuses to change.")
@click.option("--trust-proxy", is_flag=True,
              help="Honour X-Forwarded-For/-Proto from FORWARDED_ALLOW_IPS (behind a reverse proxy). Off: the "
              "client address is the socket's, so the control API's loopback check cannot be spoofed.")
@click.option("--allowed-host", "allowed_hosts", multiple=True,
              help="Another Host name the control API and panel answer (besides localhost, 127.0.0.1, ::1 and "
              "--host), e.g. a container's name. Repeatable.")
@click.option("--allow-remote-control", is_flag=True,
              help="Let non-loopback clients use the control API and panel under /_emulator.")
@click.option("--client-id", envvar="SMARTCAR_CLIENT_ID", help="Register this application at start.")
@click.option("--client-secret", envvar="SMARTCAR_CLIENT_SECRET")
@click.option("--redirect-uri", "redirect_uris", multiple=True, envvar="SMARTCAR_REDIRECT_URI",
              help="Registered redirect URI (repeatable).")
@click.option("--amt", help="The application management token.")
@click.option("--connect-flow", type=click.Choice(CONNECT_FLOWS), default=None,
              help="What Connect's redirect carries: code, user (user_id) or both (default).")
@click.option("--v3-vehicle-shape", type=click.Choice(["bare", "unwrapped", "wrapped"]), default="bare",
              show_default=True, help="GET /v3/vehicles/{id} as the bare resource (the platform; 'unwrapped' is "
              "a synonym) or in a data envelope (as the docs show).")
@click.option("--refresh-grace", type=click.FloatRange(0, 3600), default=0.0, show_default=True,
              help="Seconds a rotated refresh token still works. The platform documents 60; 0 (strict) makes an "
              "app that reuses a refresh token fail here first.")
@click.option("--lenient-redirect-uri", is_flag=True,
              help="Tolerate a missing or 'undefined' redirect_uri at the token endpoint (RFC 6749 requires it).")
@click.option("--tls", is_flag=True, help="Serve HTTPS with a certificate from a local CA made on first use "
              "('env --tls' prints what clients need to trust it).")
@click.option("--tls-dir", type=click.Path(file_okay=False), default=None,
              help="Where the CA and certificate live (default: tls/ beside the default database).")
@click.option("--rate-limit", "rate_limits", multiple=True, metavar="KIND=LIMIT",
              help="Rate-limit vehicle requests like the platform (repeatable): app=50/s, vehicle=2/min,burst=5, "
              "app=platform (120 at once, then 2 per minute, as documented), vehicle=platform. Off by default.")
def serve(host: str, port: int, db_path: str | None, seed: int, client_id: str | None, client_secret: str | None,
          redirect_uris: tuple[str, ...], amt: str | None, connect_flow: str | None, v3_vehicle_shape: str,
          time_scale: float = 1.0, allow_remote_control: bool = False, workers: int = 1,
          trust_proxy: bool = False, allowed_hosts: tuple[str, ...] = (),
          refresh_grace: float = 0.0, lenient_redirect_uri: bool = False, rate_limits: tuple[str, ...] = (),
          tls: bool = False, tls_dir: str | None = None) -> None:
    """Start the emulator: every Smartcar host on one port."""
    import uvicorn

    from .app import create_app

    if workers > 1 and (db_path == ":memory:" or time_scale != 1.0 or seed != 0 or allow_remote_control
                        or v3_vehicle_shape == "wrapped" or refresh_grace or lenient_redirect_uri or rate_limits):
        raise click.UsageError("--workers > 1 needs a database file and the default --seed, --time-scale, "
                               "--v3-vehicle-shape, OAuth, rate-limit and control settings (each worker builds "
                               "its own platform).")
    limits = _rate_limits(rate_limits)
    problem = port_problem(host, port)
    if problem:
        raise click.ClickException(problem)
    platform = _platform(db_path, seed)
    platform.rate_limits.configure(limits.get("app"), limits.get("vehicle"), default=True)
    platform.v3_vehicle_wrapped = v3_vehicle_shape == "wrapped"
    platform.oauth_policy.refresh_grace = refresh_grace
    platform.oauth_policy.require_redirect_uri = not lenient_redirect_uri
    platform.clock.time_scale = time_scale
    platform.allow_remote_control = allow_remote_control
    platform.control_hosts = {host, *allowed_hosts}
    if client_id:
        existing = platform.apps.get(client_id)
        app = platform.apps.register(client_id, client_secret, list(redirect_uris), amt,
                                     connect_flow=connect_flow or (existing.connect_flow if existing else "both"))
        click.echo(f"Application {app.client_id} registered.")
    else:
        dev = [a for a in platform.apps.list() if a.name == DEV_APP_NAME]
        app = dev[0] if dev else platform.apps.register(
            redirect_uris=list(redirect_uris) or ["http://localhost:8000/exchange"], name=DEV_APP_NAME,
            connect_flow=connect_flow or "both")
        click.echo("No application given: using the development application")
        _print_app(app)
    cert_file: str | None = None  # HTTPS when set (with key_file)
    key_file: str | None = None
    if tls:
        from .tls import ensure

        files = ensure([host, *allowed_hosts], tls_dir)
        cert_file, key_file = str(files.server_cert), str(files.server_key)
        click.echo(f"HTTPS with a certificate from the local CA {files.ca_cert}")
    url = f"{'https' if tls else 'http'}://{host}:{port}"
    click.echo(f"Smartcar emulator on {url} (database: {platform.db.path})")
    env_options = f" --tls{f' --tls-dir {tls_dir}' if tls_dir else ''}" if tls else ""
    click.echo(f"Point SDKs at it with: eval \"$(smartcar-emulator env --port {port}{env_options})\"")
    click.echo(f"Control panel: {url}/_emulator/panel (seed {seed}, time scale {time_scale:g})")
    if workers > 1:
        from .app import DB_ENV, HOSTS_ENV, PARENT_ENV, WORKERS_ENV

        os.environ[DB_ENV] = platform.db.path
        platform.db.close()
        os.environ[PARENT_ENV] = str(os.getpid())  # workers die with this process (even on kill -9)
        os.environ[WORKERS_ENV] = str(workers)  # control routes refuse state each worker keeps for itself
        os.environ[HOSTS_ENV] = ",".join(sorted({host, *allowed_hosts}))
        uvicorn.run("smartcar_emulator.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    ssl_certfile=cert_file, ssl_keyfile=key_file, **uvicorn_options(trust_proxy, workers=workers))
    else:
        uvicorn.run(create_app(platform), host=host, port=port, ssl_certfile=cert_file, ssl_keyfile=key_file,
                    **uvicorn_options(trust_proxy))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=PORT)
@click.option("--tls", is_flag=True, help="The emulator serves HTTPS (serve --tls): also export what clients need "
              "to trust its CA (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS).")
@click.option("--tls-dir", type=click.Path(file_okay=False), default=None, help="As given to serve --tls-dir.")
def env(host: str, port: int, tls: bool = False, tls_dir: str | None = None) -> None:
    """Print export lines that point the Smartcar SDKs at the emulator: eval "$(smartcar-emulator env)"."""
    variables = origin_env(f"{'https' if tls else 'http'}://{host}:{port}")
    if tls:
        from .tls import ensure

        variables.update(ensure([host], tls_dir).env())
    for name, value in variables.items():
        click.echo(f"export {name}={shlex.quote(value)}")


@main.group()
def apps() -> None:
    """Register and list applications."""


@apps.command("add")
@db_option
@click.option("--client-id", envvar="SMARTCAR_CLIENT_ID", help="Generated when absent.")
@click.option("--client-secret", envvar="SMARTCAR_CLIENT_SECRET", help="Generated when absent.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, envvar="SMARTCAR_REDIRECT_URI")
@click.option("--amt", help="Application management token (generated when absent).")
@click.option("--name", default="Emulated application", show_default=True)
@click.option("--connect-flow", type=click.Choice(CONNECT_FLOWS), default="both", show_default=True)
@click.option("--webhook", "webhooks", multiple=True, help="Register a webhook with this callback URI.")
def apps_add(db_path: str | None, client_id: str | None, client_secret: str | None,
             redirect_uris: tuple[str, ...], amt: str | None, name: str, connect_flow: str,
             webhooks: tuple[str, ...]) -> None:
    """Register (or update) an application."""
    platform = _platform(db_path)
    app = platform.apps.register(client_id, client_secret, list(redirect_uris), amt, name=name,
                                 connect_flow=connect_flow)
    click.echo(f"Application {app.name!r}:")
    _print_app(app)
    for uri in webhooks:
        click.echo(f"  webhook id:     {platform.apps.add_webhook(app.client_id, uri)} -> {uri}")


@apps.command("list")
@db_option
def apps_list(db_path: str | None) -> None:
    """List registered applications."""
    for app in _platform(db_path).apps.list():
        click.echo(f"{app.client_id}\t{app.name}\t{' '.join(app.redirect_uris)}\tflow={app.connect_flow}")


@apps.command("settings")
@click.argument("client_id")
@db_option
@click.option("--url", default=None, help="Change a running emulator through its control API instead of a file.")
@click.option("--permission", "permissions", multiple=True, help="Allow only these permissions (repeat).")
@click.option("--any-permission", is_flag=True, help="Allow every documented permission again.")
@click.option("--make", "makes", multiple=True, help="Allow only these makes (repeat).")
@click.option("--any-make", is_flag=True, help="Allow every make again.")
@click.option("--default-scope", "default_scope", multiple=True,
              help="Permissions Connect asks for when the authorize URL has no scope (repeat).")
@click.option("--no-default-scope", is_flag=True, help="Back to the emulator's default read permissions.")
def apps_settings(client_id: str, db_path: str | None, url: str | None, permissions: tuple[str, ...],
                  any_permission: bool, makes: tuple[str, ...], any_make: bool, default_scope: tuple[str, ...],
                  no_default_scope: bool) -> None:
    """Show or change an application's Dashboard settings: allowed permissions and makes, default scope."""
    changes: dict[str, list[str] | None] = {}
    for key, values, lift in (("permissions", permissions, any_permission), ("makes", makes, any_make),
                              ("defaultScope", default_scope, no_default_scope)):
        if values or lift:
            changes[key] = None if lift else list(values)
    if url is not None:
        import httpx2

        endpoint = f"{url.rstrip('/')}/_emulator/apps/{client_id}/settings"
        try:
            response = (httpx2.patch(endpoint, json=changes, timeout=30) if changes
                        else httpx2.get(endpoint, timeout=30))
        except httpx2.HTTPError as error:
            click.echo(f"settings failed: no emulator answering at {url} ({error})", err=True)
            sys.exit(1)
        if response.status_code != 200:
            click.echo(f"settings failed: {url} answered {response.status_code}: {response.text[:300]}", err=True)
            sys.exit(1)
        shown = response.json()
    else:
        from .platform.apps import UNSET

        repository = _platform(db_path).apps
        try:
            app = repository.configure(client_id, changes.get("permissions", UNSET), changes.get("makes", UNSET),
                                       changes.get("defaultScope", UNSET)) if changes else repository.get(client_id)
        except (KeyError, ValueError) as error:
            click.echo(f"settings failed: {error}", err=True)
            sys.exit(1)
        if app is None:
            click.echo(f"settings failed: no application {client_id!r}", err=True)
            sys.exit(1)
        shown = {"clientId": app.client_id, **app.settings.to_json()}
    click.echo(json.dumps(shown, indent=2))


@main.group()
def users() -> None:
    """Manage live-mode OEM accounts (the logins Connect accepts in live mode)."""


@users.command("add")
@db_option
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--make", default="TESLA", show_default=True)
@click.option("--vehicles", "count", default=1, show_default=True, type=click.IntRange(1, 50))
@click.option("--vin", "vins", multiple=True, help="Give the vehicles these VINs (repeatable).")
def users_add(db_path: str | None, email: str, password: str, make: str, count: int, vins: tuple[str, ...]) -> None:
    """Create a live-mode account holding vehicles of one make."""
    try:
        vehicles = _platform(db_path).accounts.add(email, password, make, count, list(vins) or None)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    click.echo(f"Account {email} with {len(vehicles)} vehicle(s):")
    for vehicle in vehicles:
        click.echo(f"  {vehicle.vin}  {vehicle.year} {vehicle.make} {vehicle.model}")


@main.command()
@click.option("--url", envvar="SMARTCAR_CONNECT_ORIGIN", default=f"http://127.0.0.1:{DEFAULT_PORT}", show_default=True,
              help="The running emulator (default: SMARTCAR_CONNECT_ORIGIN, as 'env' exports it).")
@click.option("--client-id", envvar="SMARTCAR_CLIENT_ID", required=True)
@click.option("--client-secret", envvar="SMARTCAR_CLIENT_SECRET", required=True)
@click.option("--redirect-uri", envvar="SMARTCAR_REDIRECT_URI", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, help="A permission (repeatable).")
@click.option("--make", default="TESLA", show_default=True)
@click.option("--mode", type=click.Choice(["test", "live", "simulated"]), default="test", show_default=True)
@click.option("--email", default="driver@example.com", show_default=True)
@click.option("--password", default="password", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def connect(url: str, client_id: str, client_secret: str, redirect_uri: str, scopes: tuple[str, ...], make: str,
            mode: str, email: str, password: str, as_json: bool) -> None:
    """Walk the Connect pages like a browser, exchange the code, print the tokens and vehicle ids."""
    import httpx2

    from .scripted import connect as run_connect
    from .walker import ConnectError

    try:
        result = run_connect(url, client_id, client_secret, redirect_uri,
                             [s for scope in scopes for s in scope.split()], make=make, mode=mode, email=email,
                             password=password)
    except ConnectError as error:
        click.echo(f"connect failed: {error}", err=True)
        sys.exit(1)
    except httpx2.HTTPError as error:
        click.echo(f"connect failed: {_unreachable(url, error)}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"user id:       {result['user_id']}")
    click.echo(f"vehicle ids:   {', '.join(result['vehicle_ids'])}")
    click.echo(f"access token:  {result['access_token']} (expires in {result['expires_in']} s)")
    click.echo(f"refresh token: {result['refresh_token']}")


@main.command()
@click.option("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}", show_default=True,
              help="The running emulator to reset (its control API).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="Reset this SQLite file instead of a running emulator (stop the emulator first).")
@click.option("--keep-apps", is_flag=True, help="Keep registered applications (and their webhooks).")
def reset(url: str, db_path: str | None, keep_apps: bool) -> None:
    """Forget vehicles, accounts, users, grants, tokens and fault rules; put the clock back on real time."""
    if db_path is not None:
        if not os.path.exists(db_path):
            click.echo(f"reset failed: no database at {db_path}", err=True)
            sys.exit(1)
        removed = _platform(db_path).reset(keep_apps)
    else:
        import httpx2

        try:
            response = httpx2.post(f"{url.rstrip('/')}/_emulator/reset", json={"keep_apps": keep_apps}, timeout=30)
        except httpx2.HTTPError as error:
            cause = " ".join(str(error).split()) or error.__class__.__name__
            click.echo(f"reset failed: no emulator answering at {url} ({cause})", err=True)
            sys.exit(1)
        if response.status_code != 200:
            click.echo(f"reset failed: {url} answered {response.status_code}: {response.text[:200]}", err=True)
            sys.exit(1)
        removed = response.json()["removed"]
    kept = " (applications kept)" if keep_apps else ""
    click.echo(f"reset: {removed['rows']} rows and {removed['faults']} fault rules removed{kept}")


@main.group()
def webhooks() -> None:
    """Register webhooks for an application."""


@webhooks.command("add")
@db_option
@click.option("--client-id", envvar="SMARTCAR_CLIENT_ID", required=True)
@click.option("--url", "callback_uri", required=True, help="Callback URI.")
@click.option("--name", default="Webhook", show_default=True)
def webhooks_add(db_path: str | None, client_id: str, callback_uri: str, name: str) -> None:
    """Register a webhook; prints its id."""
    platform = _platform(db_path)
    if platform.apps.get(client_id) is None:
        raise click.BadParameter(f"no application {client_id}", param_hint="--client-id")
    click.echo(platform.apps.add_webhook(client_id, callback_uri, name))


if __name__ == "__main__":  # pragma: no cover
    main()
