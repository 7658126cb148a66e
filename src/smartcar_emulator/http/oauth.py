"""OAuth token endpoints: ``POST /oauth/token`` (user tokens) and ``POST /oauth2/token`` (application token)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..platform.apps import Application
from ..platform.errors import OAuthError
from ..platform.oauth import TokenPair
from .auth import MalformedAuthorization, parse_basic
from .common import platform_of
from .errors import json_response

router = APIRouter(tags=["OAuth"])


async def _form(request: Request) -> dict[str, str]:
    """The body as form fields (JSON accepted too, as the IAM docs label it)."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, RecursionError):  # RecursionError: nesting too deep to parse
            raise OAuthError("invalid_request", "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise OAuthError("invalid_request", "The request body must be a JSON object.")
        return {str(k): str(v) for k, v in data.items() if v is not None}
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "The request body is not valid form data.") from None


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """The client's id and secret: from ``Authorization: Basic`` or from the form, never both (RFC 6749 §2.3).

    A present but malformed ``Authorization`` header is a 401, not a fall-back to the form.
    """
    header = request.headers.get("authorization")
    if header is None:
        return form.get("client_id"), form.get("client_secret")
    try:
        username, password = parse_basic(header)
    except MalformedAuthorization as error:
        raise OAuthError("invalid_client", f"Malformed Authorization header ({error}): "
                         "use Basic base64(client_id:client_secret).", status=401) from None
    if "client_secret" in form:
        raise OAuthError("invalid_request", "The client authenticated twice (Authorization header and "
                         "client_secret in the body): use one method.")
    if form.get("client_id") not in (None, username):
        raise OAuthError("invalid_request", "The client_id in the body differs from the Authorization header.")
    return username, password


def _tokens(pair: TokenPair) -> Response:
    return json_response({"access_token": pair.access_token, "token_type": "Bearer",
                          "expires_in": pair.expires_in, "refresh_token": pair.refresh_token},
                         headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


async def _grant(request: Request, supported: tuple[str, ...]) -> tuple[dict[str, str], str, Application]:
    """The form, its (supported) grant type and the authenticated application; OAuthError otherwise."""
    form = await _form(request)
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "The grant_type parameter is required.")
    if grant_type not in supported:
        raise OAuthError("unsupported_grant_type",
                         f"Unsupported grant_type: {grant_type}. Use {' or '.join(supported)}.")
    # An injected `token` fault answers before the client is authenticated or the grant used: the code stays
    # valid and the refresh token unrotated, so a client that resends after it is not replaying anything here.
    fault = platform_of(request).faults.check_token(grant_type)
    if fault is not None:
        raise fault
    return form, grant_type, platform_of(request).client(*_client_credentials(request, form))


@router.post("/oauth/token", summary="Exchange an authorization code or a refresh token (HTTP Basic client auth)")
# The official SDKs disagree on SMARTCAR_AUTH_ORIGIN: Python takes it as the whole token URL, Node, Java and Ruby
# append /oauth/token. `smartcar-emulator env` exports <origin>/oauth/token, so this second path serves the others.
@router.post("/oauth/token/oauth/token", include_in_schema=False)
async def token(request: Request) -> Response:
    form, grant_type, app = await _grant(request, ("authorization_code", "refresh_token"))
    platform = platform_of(request)
    if grant_type == "authorization_code":
        return _tokens(platform.exchange_code(app, form.get("code"), form.get("redirect_uri"),
                                              form.get("code_verifier")))
    return _tokens(platform.refresh(app, form.get("refresh_token")))


@router.post("/oauth2/token", summary="Application token by client credentials (API v3)")
async def application_token(request: Request) -> Response:
    _, _, app = await _grant(request, ("client_credentials",))
    access_token, expires_in = platform_of(request).tokens.issue_application_token(app.client_id)
    return json_response({"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in},
                         headers={"Cache-Control": "no-store"})
