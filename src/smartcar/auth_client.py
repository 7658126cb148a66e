"""``AuthClient``: Connect URLs and OAuth token exchanges (official surface)."""

from __future__ import annotations

import os
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any, Optional
from urllib.parse import urlencode

from . import _args, _core, config
from .exception import MissingCredentialsError
from .v2_response import Access, make_access_object

MODES = ("test", "live", "simulated")
TEST_MODE_DEPRECATION = 'The "testMode" parameter is deprecated, please use the "mode" parameter instead.'
MODE_ERROR = "The \"mode\" parameter MUST be one of the following: 'test', 'live', 'simulated'"
MISSING_CREDENTIALS = (
    "AuthClient MUST have client_id and client_secret attributes.Either set these as environment variables, OR "
    "pass them in as arguments when instantiating AuthClient. The recommended course of action is to set up "
    "environment variables with your client credentials. i.e.: 'SMARTCAR_CLIENT_ID' and 'SMARTCAR_CLIENT_SECRET'"
)


def _utcnow() -> datetime:
    """Current UTC time as a naive datetime (as ``datetime.utcnow()`` without its deprecation)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _set_expiration(access: dict[str, Any]) -> dict[str, Any]:
    """Add naive-UTC ``expiration`` and ``refresh_expiration`` (60 days) to a token response, in place."""
    access["expiration"] = _utcnow() + timedelta(seconds=access["expires_in"])
    access["refresh_expiration"] = _utcnow() + timedelta(days=60)
    return access


def _parse_access(response: Any) -> Access:
    return make_access_object(_set_expiration(response.json()))


class _AuthCalls:
    """State, the Connect URL and the pure token-request builders shared by ``AuthClient`` and
    ``AsyncAuthClient``."""

    def __init__(self, client_id: Optional[str] = None, client_secret: Optional[str] = None,
                 redirect_uri: Optional[str] = None, test_mode: Optional[bool] = None, mode: str = "live") -> None:
        _args.optional_header_text(client_id or None, "client_id")
        _args.optional_header_text(client_secret or None, "client_secret")
        _args.optional_text(redirect_uri or None, "redirect_uri")
        _args.text(mode, "mode")
        self.client_id = client_id or os.environ.get("SMARTCAR_CLIENT_ID")
        self.client_secret = client_secret or os.environ.get("SMARTCAR_CLIENT_SECRET")
        self.redirect_uri = redirect_uri or os.environ.get("SMARTCAR_REDIRECT_URI")
        self.mode = mode.lower()
        if test_mode is not None:
            warnings.warn(TEST_MODE_DEPRECATION, DeprecationWarning, stacklevel=2)
            self.mode = "test" if test_mode else "live"
        self.auth = (self.client_id, self.client_secret)
        if self.client_id is None or self.client_secret is None:
            raise MissingCredentialsError(MISSING_CREDENTIALS)
        if self.mode not in MODES:
            raise ValueError(MODE_ERROR)

    def get_auth_url(self, scope: Optional[list[str]] = None, options: Optional[dict[str, Any]] = None) -> str:
        """The Connect URL to send the user to. Options: ``force_prompt``, ``state``, ``make_bypass``,
        ``single_select`` (``{"enabled": bool, "vin": str}``), ``flags`` (dict) and ``user``."""
        _args.str_list(scope, "scope", optional=True)
        _args.mapping(options, "options")
        query: dict[str, Any] = {"response_type": "code", "client_id": self.client_id,
                                 "approval_prompt": "auto", "mode": self.mode}
        if self.redirect_uri:
            query["redirect_uri"] = self.redirect_uri
        if scope:
            query["scope"] = " ".join(scope)
        if options:
            if options.get("force_prompt"):
                query["approval_prompt"] = "force"
            if options.get("state"):
                query["state"] = options["state"]
            if options.get("make_bypass"):
                query["make"] = options["make_bypass"]
            single_select = options.get("single_select")
            if single_select:
                _args.mapping(single_select, "options['single_select']")
                if single_select.get("vin"):
                    query["single_select_vin"] = single_select["vin"]
                    query["single_select"] = True
                elif single_select.get("enabled"):
                    query["single_select"] = True
                else:
                    query["single_select"] = False
            if options.get("flags"):
                query["flags"] = _core.format_flag_query(_args.mapping(options["flags"], "options['flags']") or {})
            if options.get("user"):
                query["user"] = options["user"]
        if "single_select" in query:
            query["single_select"] = "true" if query["single_select"] else "false"
        return f"{config.CONNECT_ORIGIN}/oauth/authorize?{urlencode(query)}"

    def _token_call(self, form: dict[str, Any], options: Optional[dict[str, Any]]) -> _core.Call[Access]:
        params: dict[str, str] = {}
        _args.mapping(options, "options")
        if options and options.get("flags"):
            params["flags"] = _core.format_flag_query(_args.mapping(options["flags"], "options['flags']") or {})
        # Not repeatable: a code works once and a refresh token rotates, so a grant that may have reached the
        # platform (read timeout, dropped connection, 5xx) is not sent again; the retry policy still resends one
        # that never left. Sending it twice would be a replay (the chain revoked) on a strict server. A 5xx in
        # the OAuth format ({"error", "error_description"}) carries its status like any other (error_for) and is
        # not resent either: any answer proves the grant arrived, whatever the body says.
        spec = _core.RequestSpec("POST", config.AUTH_ORIGIN, data=form, params=params,
                                 auth=self.auth, repeatable=False)  # type: ignore[arg-type]
        return _core.Call(spec, _parse_access)

    def exchange_code_call(self, code: str, options: Optional[dict[str, Any]] = None) -> _core.Call[Access]:
        form: dict[str, Any] = {"grant_type": "authorization_code", "code": _args.text(code, "code")}
        if self.redirect_uri:
            form["redirect_uri"] = self.redirect_uri
        return self._token_call(form, options)

    def exchange_refresh_token_call(self, refresh_token: str,
                                    options: Optional[dict[str, Any]] = None) -> _core.Call[Access]:
        form = {"grant_type": "refresh_token", "refresh_token": _args.text(refresh_token, "refresh_token")}
        return self._token_call(form, options)


class AuthClient(_AuthCalls):
    """OAuth client of a Smartcar application.

    Missing arguments fall back to ``SMARTCAR_CLIENT_ID``, ``SMARTCAR_CLIENT_SECRET`` and
    ``SMARTCAR_REDIRECT_URI``. ``mode`` is ``live``, ``test`` or ``simulated``; ``test_mode`` is deprecated.
    """

    def exchange_code(self, code: str, options: Optional[dict[str, Any]] = None) -> Access:
        """Exchange an authorization code for an ``Access`` (tokens and naive-UTC expirations)."""
        return _core.execute(self.exchange_code_call(code, options))

    def exchange_refresh_token(self, refresh_token: str, options: Optional[dict[str, Any]] = None) -> Access:
        """Exchange a refresh token for a new ``Access``."""
        return _core.execute(self.exchange_refresh_token_call(refresh_token, options))


class AsyncAuthClient(_AuthCalls):
    """``AuthClient`` for asyncio: the same constructor, ``get_auth_url`` and (awaited) token exchanges."""

    async def exchange_code(self, code: str, options: Optional[dict[str, Any]] = None) -> Access:
        """Exchange an authorization code for an ``Access`` (tokens and naive-UTC expirations)."""
        return await _core.aexecute(self.exchange_code_call(code, options))

    async def exchange_refresh_token(self, refresh_token: str,
                                     options: Optional[dict[str, Any]] = None) -> Access:
        """Exchange a refresh token for a new ``Access``."""
        return await _core.aexecute(self.exchange_refresh_token_call(refresh_token, options))
