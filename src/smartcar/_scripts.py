"""The console scripts' entry points: small launchers that import nothing optional.

Each checks that the extra its command needs is installed (else prints one line naming it and exits 1), then
runs the real command, whose unexpected errors become one line too (``SMARTCAR_DEBUG=1`` shows the traceback).
Exit codes: 0 ok, 1 failure, 2 usage error (click's), 130 interrupted.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn

PACKAGE = "smartcar-toolkit"


def _missing(modules: tuple[str, ...]) -> str | None:
    """The first of ``modules`` that cannot be imported, or None."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            return name
    return None


def _run(prog: str, extra: str, modules: tuple[str, ...], target: str) -> NoReturn:
    missing = _missing(modules)
    if missing is not None:
        print(f"{prog}: needs the '{extra}' extra (module {missing!r} is missing): "
              f"pip install '{PACKAGE}[{extra}]'", file=sys.stderr)
        sys.exit(1)
    module_name, _, attribute = target.partition(":")
    try:
        main: Callable[[], object] = getattr(importlib.import_module(module_name), attribute)
        main()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if os.environ.get("SMARTCAR_DEBUG"):
            raise
        cause = " ".join(str(error).split()) or "no details"
        print(f"{prog}: unexpected error: {type(error).__name__}: {cause} "
              "(set SMARTCAR_DEBUG=1 to see the traceback)", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)


def smartcar() -> NoReturn:
    """``smartcar``: the API from a terminal (extra ``cli``)."""
    _run("smartcar", "cli", ("click", "rich"), "smartcar.cli:main")


def smartcar_emulator() -> NoReturn:
    """``smartcar-emulator`` (extra ``emulator``)."""
    _run("smartcar-emulator", "emulator", ("click", "fastapi", "uvicorn", "jinja2", "multipart"),
         "smartcar_emulator.cli:main")


def smartcar_demo() -> NoReturn:
    """``smartcar-demo`` (extra ``demo``)."""
    _run("smartcar-demo", "demo", ("click", "flask", "fastapi", "uvicorn", "jinja2", "multipart"),
         "smartcar_demo.cli:main")
