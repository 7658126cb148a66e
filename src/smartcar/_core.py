"""The request core shared by every client: build a request spec, send it, parse the response.

Building (``RequestSpec``) and parsing (``Call.parse``, ``error_for``) are pure functions of their inputs;
only ``send`` touches the network, through the patchable ``smartcar.helpers.requester``. An async client
needs only an async ``send``: the specs, parsers and error mapping are reused as they are.
"""

from __future__ import annotations

import base64
import platform
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from .exception import SmartcarException, exception_factory, sdk_error

T = TypeVar("T")


class ResponseLike(Protocol):
    """What parsers need from a response; ``httpx.Response`` and ``requests.Response`` both fit."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Any: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


def user_agent() -> str:
    """``Smartcar/<version>(<system>; <machine>) Python v<python>`` (no space before the parenthesis)."""
    from . import __version__

    return (f"Smartcar/{__version__}({platform.system()}; {platform.machine()}) "
            f"Python v{platform.python_version()}")


@dataclass(slots=True)
class RequestSpec:
    """Everything needed to send one request, with ``requests``-style keyword names."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: Any = None
    json: Any = None
    data: Any = None
    auth: tuple[str, str] | None = None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``requester`` (absent ones omitted, as the official SDK passes them)."""
        out: dict[str, Any] = {"headers": self.headers}
        if self.params is not None:
            out["params"] = self.params
        if self.json is not None:
            out["json"] = self.json
        if self.data is not None:
            out["data"] = self.data
        if self.auth is not None:
            out["auth"] = self.auth
        return out


@dataclass(slots=True)
class Call(Generic[T]):
    """A request spec and the pure function turning its (successful) response into a result."""

    spec: RequestSpec
    parse: Callable[[Any], T]


# -- Pure builders -------------------------------------------------------------------------------------------
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(username: str, password: str) -> str:
    """``base64(username:password)`` (ASCII, as the official SDK: non-ASCII raises UnicodeEncodeError)."""
    return base64.b64encode(f"{username}:{password}".encode("ascii")).decode("ascii")


def format_flag_query(flags: Mapping[str, Any]) -> str:
    """``{"a": True, "n": 5}`` → ``"a:true n:5"``."""
    parts = []
    for key, value in flags.items():
        text = ("true" if value else "false") if type(value) is bool else str(value)
        parts.append(f"{key}:{text}")
    return " ".join(parts).strip()


# -- Pure error mapping --------------------------------------------------------------------------------------
def error_for(status_code: int, headers: Mapping[str, Any], body: str) -> SmartcarException:
    """The exception for an error response; unrecognised shapes give the bare ``SDK_ERROR``."""
    try:
        exc = exception_factory(status_code, headers, body)
    except Exception as cause:  # missing Content-Type, non-dict JSON: official gives a bare SDK_ERROR
        exc = sdk_error()
        exc.__cause__ = cause
    return exc if exc is not None else sdk_error()


def prepare_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """A copy of the caller's headers plus our User-Agent (the caller's dict is never mutated)."""
    out = dict(headers) if headers else {}
    out["User-Agent"] = USER_AGENT
    return out


# -- Sending (sync) ------------------------------------------------------------------------------------------
def send(spec: RequestSpec) -> Any:
    """Send a spec through ``smartcar.helpers.requester``, looked up now so that patching it works."""
    helpers = sys.modules["smartcar.helpers"]
    return helpers.requester(spec.method, spec.url, **spec.kwargs())


def execute(call: Call[T]) -> T:
    """Send and parse. Parsing errors (KeyError, JSON errors) reach the caller unchanged, as officially."""
    return call.parse(send(call.spec))


USER_AGENT = user_agent()
