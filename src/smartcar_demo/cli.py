"""``smartcar-demo``: the tutorial app on port 8000 against an embedded emulator, in one command."""

from __future__ import annotations

import os
import secrets
import signal
import tempfile
import threading
from pathlib import Path
from types import FrameType

import click

DEMO_CLIENT_ID = "getting-started-demo"


@click.command(help="The getting-started app on port 8000 against an embedded emulator, in one command.\n\n"
               "Exit codes: 0 ok, 1 failure, 2 usage error.")
@click.option("--flow", type=click.Choice(["code", "user"]), default="code", show_default=True,
              help="code: the classic tutorial (exchange a code); user: the API v3 tutorial (user_id).")
@click.option("--mode", type=click.Choice(["test", "simulated"]), default="test", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The app's port.")
@click.option("--emulator-port", default=8030, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", "db_dir", type=click.Path(file_okay=False), default=None,
              help="Directory for the emulator's and the app's databases (default: a temporary one).")
@click.option("--token-db", default=None, metavar="URL",
              help="Where the app keeps users' tokens: a SQLite file or postgresql://user@host/db "
                   "(default: app.db in the --db directory).")
def main(flow: str, mode: str, port: int, emulator_port: int, db_dir: str | None, token_db: str | None) -> None:
    from smartcar_emulator.server import EmulatorServer
    from smartcar_emulator.serving import port_problem
    from smartcar_emulator.store import StoreError

    for option, value in (("--port", port), ("--emulator-port", emulator_port)):
        problem = port_problem("127.0.0.1", value)
        if problem:  # one line naming the port, its holder and a free one
            raise click.ClickException(problem.replace("--port", option))
    temp = None if db_dir else tempfile.TemporaryDirectory(prefix="smartcar-demo-")
    directory = Path(temp.name if temp is not None else db_dir or "")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.BadParameter(f"cannot create {directory}: {error.strerror or error}", param_hint="--db") from None
    redirect_uri = f"http://localhost:{port}/exchange"
    try:
        emulator = EmulatorServer(db=str(directory / "emulator.db"), port=emulator_port)
    except StoreError as error:
        raise click.ClickException(f"{error} (choose another directory with --db DIR)") from None
    existing = emulator.platform.apps.get(DEMO_CLIENT_ID)
    secret = existing.client_secret if existing else secrets.token_urlsafe(24)
    app = emulator.platform.apps.register(DEMO_CLIENT_ID, secret,
                                          [redirect_uri], name="Getting started", connect_flow=flow)
    webhook_url = f"http://127.0.0.1:{port}/webhooks"  # events for connected vehicles (auto-subscribed)
    webhook = next(iter(emulator.platform.webhooks.list(app.client_id, callback_uri=webhook_url)), None) \
        or emulator.platform.webhooks.create(app.client_id, "Demo events", webhook_url, auto_subscribe=True)
    emulator.platform.outbox.request_verification(webhook.id)  # challenged once the app listens
    # The SDK reads its origins at import time, and the console script's launcher has imported it already:
    # set them, then have it read them again.
    os.environ.update(emulator.env())
    os.environ.update({"SMARTCAR_CLIENT_ID": app.client_id, "SMARTCAR_CLIENT_SECRET": app.client_secret,
                       "SMARTCAR_REDIRECT_URI": redirect_uri, "SMARTCAR_AMT": app.amt,
                       "SMARTCAR_WEBHOOK_ID": webhook.id})
    import smartcar.config

    smartcar.config.reload()

    from werkzeug.serving import make_server

    from .webapp import create_app

    server = make_server("127.0.0.1", port, create_app(token_db or directory / "app.db", mode=mode), threaded=True)
    emulator.start()  # after the app listens: the emulator challenges the webhook (VERIFY) at once

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Smartcar emulator on {emulator.url} ({mode} mode, {flow} flow)")
    click.echo(f"open http://localhost:{port}/login", color=False)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        emulator.stop()
        if temp is not None:
            temp.cleanup()
        click.echo("stopped")


if __name__ == "__main__":  # pragma: no cover
    main()
