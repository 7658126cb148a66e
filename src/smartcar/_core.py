"""The request core shared by every client: build a request spec, send it, parse the response.

Building (``RequestSpec``) and parsing (``Call.parse``, ``error_for``) are pure functions of their inputs;
only ``send``/``asend`` touch the network, through the patchable ``smartcar.helpers.requester`` /
``smartcar.helpers.async_requester`` (or a client's own transport). Sync and async differ only there: the
specs, parsers, error mapping (``perform``/``aperform`` share ``checked``) and the retry decisions
(``_retry.RetryPolicy``) are the same objects for both.
"""

from __future__ import annotations

import base64
import platform
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from . import _transport
from ._retry import READ_METHODS, RetryPolicy
from .exception import (SmartcarException, SmartcarResponseError, exception_factory, oauth_server_error,
                        response_error, sdk_error, transport_error)

T = TypeVar("T")


class ResponseLike(Protocol):
    """What parsers need from a response; ``httpx2.Response`` and ``requests.Response`` both fit."""

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
    repeatable: bool | None = None  # safe to send twice; None: by method (GET, HEAD, OPTIONS)

    @property
    def is_repeatable(self) -> bool:
        """Whether retries on 429/5xx/timeouts are allowed (reads, batch and token requests)."""
        return self.method.upper() in READ_METHODS if self.repeatable is None else self.repeatable

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
    """The exception for an error response; unrecognised shapes give the bare ``SDK_ERROR``.

    A 5xx in the OAuth format (the v2 ``/oauth/token`` and v3 IAM token endpoints) keeps its status code and
    request id (``oauth_server_error``), so the retry policy treats it as the 5xx it is: an application token
    request is retried, an ``authorization_code`` / ``refresh_token`` grant is not (its spec is not repeatable:
    a 5xx is an answer, so the grant reached the platform and may have used the code or rotated the token,
    exactly as for a 5xx in any other format)."""
    try:
        oauth = oauth_server_error(status_code, headers, body)
        if oauth is not None:
            return oauth
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


# -- Response checking (shared by the sync and async requesters) --------------------------------------------
def checked(response: Any) -> _transport.Response:
    """The requests-like wrapper of a successful response; an error status raises ``SmartcarException``."""
    if response.status_code >= 400:
        raise error_for(response.status_code, response.headers, response.text)
    return _transport.Response(response)


def perform(transport: Any, method: str, url: str, **kwargs: Any) -> _transport.Response:
    """One attempt over a sync transport: User-Agent added, error statuses mapped, any other failure
    (network, timeout, invalid URL...) turned into ``SDK_ERROR`` chained to its cause."""
    try:
        kwargs["headers"] = prepare_headers(kwargs.get("headers"))
        return checked(transport.send(method, url, **kwargs))
    except SmartcarException:
        raise
    except Exception as exc:
        raise transport_error(exc, url) from exc


async def aperform(transport: Any, method: str, url: str, **kwargs: Any) -> _transport.Response:
    """``perform`` over an async transport."""
    try:
        kwargs["headers"] = prepare_headers(kwargs.get("headers"))
        return checked(await transport.send(method, url, **kwargs))
    except SmartcarException:
        raise
    except Exception as exc:
        raise transport_error(exc, url) from exc


def wire_error(cause: BaseException, response: Any) -> SmartcarResponseError:
    """The ``SmartcarResponseError`` for a response a parser could not understand (never raises)."""
    body: Any
    try:
        body = response.content if isinstance(getattr(response, "content", None), (bytes, bytearray)) \
            else response.text
    except Exception:  # noqa: BLE001 - a mock without a body, an undecodable one
        body = None
    status = getattr(response, "status_code", None)
    return response_error(cause, status if isinstance(status, int) else None, getattr(response, "headers", None),
                          body)


def parsed(parse: Callable[[Any], T], response: Any) -> T:
    """``parse(response)``; anything but a ``SmartcarException`` it raises on a body it cannot understand
    (JSON errors, ``KeyError``, ``TypeError``, ``UnicodeDecodeError``, ``RecursionError``...) becomes a
    ``SmartcarResponseError`` chained to it: wire data never escapes as a foreign exception."""
    try:
        return parse(response)
    except SmartcarException:
        raise
    except Exception as cause:
        raise wire_error(cause, response) from cause


Requester = Callable[..., Any]
AsyncRequester = Callable[..., Awaitable[Any]]


# -- Sending (sync) ------------------------------------------------------------------------------------------
def send(spec: RequestSpec, policy: RetryPolicy | None = None, requester: Requester | None = None) -> Any:
    """Send a spec, retrying as ``policy`` allows (default: the process-wide one). Each attempt goes through
    ``requester`` (default: ``smartcar.helpers.requester``, looked up now so that patching it works)."""
    policy = _transport.retry_policy() if policy is None else policy
    request = sys.modules["smartcar.helpers"].requester if requester is None else requester
    attempts = policy.start(spec.method, spec.url, spec.is_repeatable)
    while True:
        try:
            return request(spec.method, spec.url, **spec.kwargs())
        except SmartcarException as error:
            wait = attempts.failed(error)
            if wait is None:
                raise
        policy.sleep(wait)


def execute(call: Call[T], policy: RetryPolicy | None = None, requester: Requester | None = None) -> T:
    """Send and parse; a body the parser cannot understand raises ``SmartcarResponseError``."""
    return parsed(call.parse, send(call.spec, policy, requester))


# -- Sending (async) -----------------------------------------------------------------------------------------
async def asend(spec: RequestSpec, policy: RetryPolicy | None = None,
                requester: AsyncRequester | None = None) -> Any:
    """``send`` for coroutines: through ``smartcar.helpers.async_requester`` by default."""
    policy = _transport.retry_policy() if policy is None else policy
    request = sys.modules["smartcar.helpers"].async_requester if requester is None else requester
    attempts = policy.start(spec.method, spec.url, spec.is_repeatable)
    while True:
        try:
            return await request(spec.method, spec.url, **spec.kwargs())
        except SmartcarException as error:
            wait = attempts.failed(error)
            if wait is None:
                raise
        await policy.async_sleep(wait)


async def aexecute(call: Call[T], policy: RetryPolicy | None = None,
                   requester: AsyncRequester | None = None) -> T:
    """Send (async) and parse with the same parser as ``execute``."""
    return parsed(call.parse, await asend(call.spec, policy, requester))


USER_AGENT = user_agent()
