"""What the sync and async transports share: the default timeout, requests-style argument cleaning, and the
check of the HTTP clients passed in (``check_http_client``: httpx2 ones only, a legacy ``httpx`` client refused
with the fix). Imports no HTTP library (and never ``httpx``): the accepted httpx2 classes are the caller's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_TIMEOUT = 310.0  # seconds, connect and read, as in the official SDK


def drop_none(values: Any) -> Any:
    """``requests`` drops None values from ``params``/``data`` dicts; httpx2 would send them empty."""
    if isinstance(values, Mapping):
        return {k: v for k, v in values.items() if v is not None}
    return values


def legacy_httpx_class(client: object) -> str | None:
    """``"httpx.Client"`` when ``client`` is (or derives from) a class of the legacy ``httpx`` package, else
    None. Decided by module name, so ``httpx`` is never imported (it need not be installed). ``httpx2``'s
    classes live in ``httpx2`` (also when ``httpx2.alias_httpx()`` makes ``import httpx`` return httpx2)."""
    for cls in type(client).__mro__:
        module = getattr(cls, "__module__", "") or ""
        if module == "httpx" or module.startswith("httpx."):
            return f"httpx.{cls.__qualname__}"
    return None


def refuse_legacy_httpx(client: object, parameter: str, expected: str | None = None) -> None:
    """Raise ``TypeError`` at once when a legacy ``httpx`` client is passed where an httpx2 one is needed.

    ``parameter`` names the argument (``"smartcar.Client(http_client=...)"``); ``expected`` is the httpx2
    class to pass (``"httpx2.Client"``; None: the httpx2 twin of the legacy class, for parameters taking
    either kind). A legacy client would otherwise fail later and obscurely: its exceptions and headers are
    not httpx2's, so retries and error mapping would silently misbehave."""
    if client is None:
        return
    legacy = legacy_httpx_class(client)
    if legacy is None:
        return
    if expected is None:
        expected = "httpx2.AsyncClient" if "Async" in legacy else "httpx2.Client"
    raise TypeError(
        f"{parameter} got an {legacy} from the legacy 'httpx' package, which smartcar no longer uses: "
        f"pass an {expected} instead (`import httpx2`; same constructor arguments, e.g. "
        f"`{expected}(timeout=30)`).")


def _class_name(cls: type) -> str:
    module = (getattr(cls, "__module__", "") or "").split(".")[0]
    return f"{module}.{cls.__qualname__}" if module and module != "builtins" else cls.__qualname__


def check_http_client(client: object, parameter: str, accepted: tuple[type, ...]) -> None:
    """The one check of every public ``http_client=`` / ``async_http_client=`` argument, at construction: None
    or an instance of one of ``accepted`` (the httpx2 classes the parameter takes) passes; anything else raises
    ``TypeError`` naming ``parameter`` (``"smartcar.Client(http_client=...)"``). A legacy ``httpx`` client gets
    :func:`refuse_legacy_httpx`'s message (what to import instead); anything else (a ``requests.Session``, a
    string, a URL...) is named with what the parameter takes, instead of failing later at the first request or,
    worse, being ignored."""
    if client is None:
        return
    names = [_class_name(cls) for cls in accepted]
    refuse_legacy_httpx(client, parameter, names[0] if len(names) == 1 else None)
    if isinstance(client, accepted):
        return
    wanted = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    raise TypeError(f"{parameter} takes an {wanted} (or None), not {_class_name(type(client))}")
