"""Errors raised by the SDK: ``SmartcarException`` (API and transport failures), its factory, and
``MissingCredentialsError`` (client credentials not configured)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any



class MissingCredentialsError(Exception):
    """Client credentials (client id / secret) are missing: set them as arguments or environment variables.

    Deliberately *not* a ``SmartcarException``: nothing was sent to Smartcar.
    """


def _normalise_resolution(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"type": value.get("type"), "url": value.get("url")}
    if isinstance(value, str) and value:
        # Official defect #8 fixed: a string resolution keeps its value as the type.
        return {"type": value, "url": None}
    return {"type": None, "url": None}


def _rebuild(cls: type[SmartcarException], state: dict[str, Any], args: tuple[Any, ...]) -> SmartcarException:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class SmartcarException(Exception):
    """An error answered by Smartcar, or ``message="SDK_ERROR"`` for transport failures.

    Every attribute below is always readable: the keywords given are stored on the instance (falsy values as
    None, as the official SDK does; ``vars()`` lists only those), the others read as None. A transport failure
    keeps ``message == "SDK_ERROR"`` and says what happened in ``str(error)`` and ``description`` (which URL,
    and why: refused, DNS, timeout, TLS), with ``url`` and ``reason`` set.
    """

    message: Any
    status_code: int | None = None
    request_id: str | None = None
    type: str | None = None
    code: str | None = None
    description: str | None = None
    doc_url: str | None = None
    resolution: dict[str, str | None] | None = None
    """``{"type": ..., "url": ...}`` when the error carried one."""
    detail: list[dict[str, Any]] | None = None
    retry_after: str | int | None = None
    """The ``Retry-After`` header (seconds, or an HTTP date) as sent."""
    suggested_user_message: str | None = None
    body: str | None = None
    """An excerpt of a body the SDK could not understand (:class:`SmartcarResponseError`)."""
    url: str | None = None
    """The URL of a request that failed in transport."""
    reason: str | None = None
    """Transport failures: ``refused``, ``dns``, ``timeout``, ``tls``, ``connection``, ``invalid_url``..."""

    def __init__(self, *_args: Any, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            if key == "resolution":
                self.__dict__[key] = _normalise_resolution(value)
            else:
                self.__dict__[key] = value or None
        if "type" in kwargs and "code" in kwargs and "description" in kwargs:
            code = kwargs["code"]
            message: Any = f"{kwargs['type']}{':' + str(code) if code else ''} - {kwargs['description']}"
        else:
            message = kwargs.get("message")
        self.message = message
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Official defect #21 fixed: exceptions survive pickling (multiprocessing, Celery).
        return (_rebuild, (type(self), dict(self.__dict__), self.args))


def _header(headers: Mapping[str, Any], name: str) -> Any:
    """Header lookup: exact key first, then case-insensitive (a superset of the official behaviour)."""
    try:
        return headers[name]
    except KeyError:
        lowered = name.lower()
        for key, value in headers.items():
            if key.lower() == lowered:
                return value
        raise


def _header_get(headers: Mapping[str, Any], name: str) -> Any:
    try:
        return _header(headers, name)
    except KeyError:
        return None


def exception_factory(status_code: int, headers: Mapping[str, Any], body: str,
                      check_content_type: bool = True) -> SmartcarException | None:
    """Build (not raise) the ``SmartcarException`` for an error response; None for an unrecognised
    OAuth-style body (``error`` without a message), as the official SDK does."""
    if check_content_type and "application/json" not in _header(headers, "Content-Type"):
        return SmartcarException(status_code=status_code, message=body)
    try:
        data = json.loads(body)
    except ValueError:
        return SmartcarException(status_code=status_code, request_id=_header_get(headers, "SC-Request-Id"),
                                 type="SDK_ERROR", message=body)
    if not isinstance(data, dict):
        raise AttributeError(f"'{type(data).__name__}' object has no attribute 'get'")
    if data.get("error"):
        if data.get("message"):
            return SmartcarException(status_code=data.get("statusCode"), request_id=data.get("requestId"),
                                     type=data.get("error"), message=data.get("message"), code=data.get("code"))
        if data.get("error_description"):
            return SmartcarException(status_code=status_code, type=data.get("error"),
                                     message=data.get("error_description"))
        return None
    if data.get("type"):
        kwargs: dict[str, Any] = {
            "status_code": data.get("statusCode"), "request_id": data.get("requestId"), "type": data.get("type"),
            "description": data.get("description"), "code": data.get("code"), "doc_url": data.get("docURL"),
            "resolution": data.get("resolution"), "detail": data.get("detail"),
        }
        retry_after = _header_get(headers, "Retry-After")
        if retry_after is not None:
            kwargs["retry_after"] = retry_after
        kwargs["suggested_user_message"] = data.get("suggestedUserMessage")
        return SmartcarException(**kwargs)
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("type"):
        return _v3_exception(status_code, headers, errors[0])
    return SmartcarException(status_code=status_code, request_id=_header_get(headers, "SC-Request-Id"),
                             type="SDK_ERROR", message=body)


def oauth_server_error(status_code: int, headers: Mapping[str, Any], body: str) -> SmartcarException | None:
    """The ``SmartcarException`` for a 5xx answer in the OAuth format (``{"error", "error_description"?}``, what
    the token endpoints send), or None for any other answer (left to :func:`exception_factory`).

    It carries ``status_code`` (the HTTP status), ``type`` (``error``), ``message`` (``error_description``, else
    ``error``) and, only when the headers have them, ``request_id`` (``SC-Request-Id``) and ``retry_after``, so
    the retry policy classifies it like any other 5xx. The official SDK gave such a body without a description
    a bare ``SDK_ERROR`` with no status (nothing to classify), and one with a description no request id; 4xx
    OAuth errors keep the official shapes exactly (``exception_factory`` rows E and F)."""
    if not 500 <= status_code < 600:
        return None
    content_type = _header_get(headers, "Content-Type")
    if not isinstance(content_type, str) or "application/json" not in content_type:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("message"):  # v1 bodies have ``error`` and ``message``
        return None
    error, description = data.get("error"), data.get("error_description")
    if not isinstance(error, str) or not error:
        return None
    kwargs: dict[str, Any] = {"status_code": status_code, "type": error,
                              "message": description if isinstance(description, str) and description else error}
    request_id = _header_get(headers, "SC-Request-Id")
    if request_id:
        kwargs["request_id"] = request_id
    retry_after = _header_get(headers, "Retry-After")
    if retry_after is not None:
        kwargs["retry_after"] = retry_after
    return SmartcarException(**kwargs)


def _v3_exception(status_code: int, headers: Mapping[str, Any], error: dict[str, Any]) -> SmartcarException:
    """An API v3 error (``{"errors": [{status, type, code, detail, links, resolution, ...}]}``), with the same
    attributes as a v2 error. The official SDK reports these as SDK_ERROR; understanding them is a superset."""
    status = str(error.get("status") or "")
    links: dict[str, Any] = error["links"] if isinstance(error.get("links"), dict) else {}
    meta: dict[str, Any] = error["meta"] if isinstance(error.get("meta"), dict) else {}
    kwargs: dict[str, Any] = {
        "status_code": int(status) if status.isdigit() else status_code,
        "request_id": error.get("requestId") or _header_get(headers, "SC-Request-Id"),
        "type": error.get("type"), "description": error.get("detail"), "code": error.get("code"),
        "doc_url": links.get("about"), "resolution": error.get("resolution"), "detail": meta.get("detail"),
    }
    retry_after = _header_get(headers, "Retry-After")
    if retry_after is not None:
        kwargs["retry_after"] = retry_after
    kwargs["suggested_user_message"] = error.get("suggestedUserMessage")
    return SmartcarException(**kwargs)


class SmartcarResponseError(SmartcarException, KeyError, ValueError):
    """A response the SDK could not understand: a successful status with a body that is not the documented
    JSON (an HTML page from a captive proxy, wrong types, missing fields, undecodable bytes, absurd nesting).

    A ``SmartcarException`` with ``message`` (``SDK_ERROR: ...`` naming the HTTP status, the request id and a
    short excerpt of the body), ``status_code``, ``request_id``, ``type="SDK_ERROR"`` and ``body`` (the
    excerpt); the parser's own error is chained as ``__cause__``. Also a ``KeyError`` and a ``ValueError``, so
    code written for the official SDK, which let those escape on such bodies, still catches it.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.message)


BODY_EXCERPT = 200  # characters of a malformed body quoted in SmartcarResponseError


def response_error(cause: BaseException, status_code: Any, headers: Any, body: Any) -> SmartcarResponseError:
    """The ``SmartcarResponseError`` for a response whose body ``cause`` prevented parsing. Never raises."""
    try:
        request_id = _header_get(headers, "SC-Request-Id") if isinstance(headers, Mapping) else None
    except Exception:  # noqa: BLE001 - odd header containers
        request_id = None
    excerpt = _excerpt(body)
    reason = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
    if len(reason) > BODY_EXCERPT:
        reason = reason[:BODY_EXCERPT] + "..."
    message = (f"SDK_ERROR: unexpected response (HTTP {status_code}, request id {request_id}): {reason}; "
               f"body: {excerpt!r}")
    return SmartcarResponseError(message=message, status_code=status_code, request_id=request_id,
                                 type="SDK_ERROR", body=excerpt)


def _excerpt(body: Any) -> str:
    try:
        if isinstance(body, (bytes, bytearray)):
            text = bytes(body[: BODY_EXCERPT * 4]).decode("utf-8", "replace")
        elif isinstance(body, str):
            text = body
        else:
            text = json.dumps(body, default=repr)[: BODY_EXCERPT * 4]
    except Exception:  # noqa: BLE001 - RecursionError on absurd nesting, odd objects
        text = f"<{type(body).__name__}>"
    return text if len(text) <= BODY_EXCERPT else text[:BODY_EXCERPT] + "..."


def sdk_error() -> SmartcarException:
    """The bare ``SmartcarException(message="SDK_ERROR")`` used for every non-API failure."""
    return SmartcarException(message="SDK_ERROR")


def transport_error(cause: BaseException, url: str | None) -> SmartcarException:
    """``SmartcarException(message="SDK_ERROR")`` for a request that got no answer, explained: ``str()`` and
    ``description`` name the URL and the cause (``reason``: refused, dns, timeout, tls...). Never raises."""
    reason, template = _transport_reason(cause)
    description = template.format(url=_without_query(url) if url else "the server")
    error = SmartcarException(message="SDK_ERROR", type="SDK_ERROR", description=description,
                              url=_without_query(url) if url else None,
                              reason=reason)
    error.args = (f"SDK_ERROR: {description}",)
    return error


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _chain_text(cause: BaseException) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = cause
    while current is not None and id(current) not in seen and len(parts) < 5:
        seen.add(id(current))
        parts.append(f"{type(current).__name__} {current}")
        current = current.__cause__ or current.__context__
    return " ".join(parts)


def _transport_reason(cause: BaseException) -> tuple[str, str]:
    """(reason, sentence with ``{url}``) for a transport failure, read from the exception chain."""
    text = _chain_text(cause)
    lowered = text.lower()
    first = " ".join(str(cause).split()).replace("{", "(").replace("}", ")") or type(cause).__name__
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return "tls", "TLS failure talking to {url}: " + first + " (is SSL_CERT_FILE set for this server's CA?)"
    if "timeout" in lowered or "timed out" in lowered:
        return "timeout", "no answer from {url} in time: " + first
    if "refused" in lowered:
        return "refused", "cannot connect to {url}: connection refused (nothing listens there: is the server running?)"
    if ("name or service not known" in lowered or "nodename nor servname" in lowered
            or "name resolution" in lowered or "getaddrinfo" in lowered or "no address associated" in lowered):
        return "dns", "cannot connect to {url}: host name not found (DNS: " + first + ")"
    if "unsupportedprotocol" in lowered or "invalidurl" in lowered or "missing an 'http" in lowered:
        return "invalid_url", "invalid URL {url}: " + first
    if any(word in lowered for word in ("connecterror", "remoteprotocolerror", "readerror", "writeerror",
                                        "networkerror", "reset by peer", "disconnected")):
        return "connection", "connection to {url} failed: " + first
    return "other", "request to {url} failed: " + f"{type(cause).__name__}: {first}"
