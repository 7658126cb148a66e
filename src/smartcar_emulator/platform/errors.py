"""Domain errors and the platform's error catalogue.

The HTTP layer renders an :class:`ApiError` in the v1.0, v2.0 or v3 body format; the catalogue keeps the
type/code pairs, statuses, resolutions and descriptions in one place. Texts marked "unconfirmed" in the
wire reference are our best wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_CATALOGUE: dict[tuple[str, str | None], tuple[int, str | None, str]] = {
    ("AUTHENTICATION", None): (401, None, "The authorization header is missing or malformed, or it contains invalid or expired authentication credentials. Please check for missing parameters, spelling and casing mistakes, and other syntax issues."),
    ("VALIDATION", None): (400, None, "Request invalid or malformed. Please check for missing parameters, spelling and casing mistakes, and other syntax issues."),
    ("VALIDATION", "PARAMETER"): (400, None, "Your request is formatted correctly, but one or more of the provided parameters is incorrect."),
    ("PERMISSION", None): (403, "REAUTHENTICATE", "Your application has insufficient permissions to access the requested resource. Please prompt the user to re-authenticate using Smartcar Connect."),
    ("RESOURCE_NOT_FOUND", "PATH"): (404, None, "The requested resource does not exist. Please check the path of your request."),
    ("RESOURCE_NOT_FOUND", "VERSION"): (404, None, "The requested API version does not exist. Please use a valid version such as v2.0."),
    ("RESOURCE_NOT_FOUND", None): (404, None, "The requested resource does not exist."),
    ("BILLING", "INVALID_PLAN"): (430, "CONTACT_SUPPORT", "The feature you are trying to use is not included in your current pricing plan. Please visit our pricing page to learn more about our plans and features."),
    ("BILLING", "VEHICLE_LIMIT"): (430, "CONTACT_SUPPORT", "You have exceeded your active vehicle limit for the current billing period. Please log into the Smartcar dashboard and visit the Billing tab to learn more."),
    ("BILLING", "VEHICLE_REQUEST_LIMIT"): (430, "CONTACT_SUPPORT", "You have exceeded the number of API requests that are allowed for this vehicle in the current billing period. Please log in to the Smartcar dashboard and visit the Billing tab to learn more."),
    ("BILLING", "ACCOUNT_SUSPENDED"): (430, "CONTACT_SUPPORT", "Your Smartcar account is past due and has been suspended. Please reach out to our finance team to resolve this issue."),
    ("COMPATIBILITY", "MAKE_NOT_COMPATIBLE"): (501, None, "Smartcar is not yet compatible with this vehicle\u2019s make in the country you specified."),
    ("COMPATIBILITY", "SMARTCAR_NOT_CAPABLE"): (501, None, "Smartcar does not yet support this feature for this vehicle."),
    ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE"): (501, None, "The vehicle is incapable of performing your request."),
    ("COMPATIBILITY", "PLATFORM_NOT_CAPABLE"): (501, "REAUTHENTICATE", "You're connected to the vehicle using an OEM integration that does not support this endpoint."),
    ("CONNECTED_SERVICES_ACCOUNT", "ACCOUNT_ISSUE"): (400, None, "Action needed in the user\u2019s connected services account. Please prompt the user to log into their connected services account and complete any outstanding tasks."),
    ("CONNECTED_SERVICES_ACCOUNT", "AUTHENTICATION_FAILED"): (400, "REAUTHENTICATE", "Smartcar was unable to authenticate with the user\u2019s connected services account. Please prompt the user to re-authenticate using Smartcar Connect."),
    ("CONNECTED_SERVICES_ACCOUNT", "NO_VEHICLES"): (400, None, "No vehicles could be found in the user\u2019s connected services account. Please prompt the user to add a vehicle to their account."),
    ("CONNECTED_SERVICES_ACCOUNT", "SUBSCRIPTION"): (400, None, "The vehicle\u2019s connected services subscription is inactive or expired. Please prompt the user to reactivate their subscription."),
    ("CONNECTED_SERVICES_ACCOUNT", "VEHICLE_MISSING"): (400, None, "This vehicle is no longer associated with the user's connected services account. Please prompt the user to re-add the vehicle to their account."),
    ("CONNECTED_SERVICES_ACCOUNT", "PERMISSION"): (400, None, "The user\u2019s connected services account does not allow this request. Please prompt the user to grant the permission in their connected services app."),
    ("CONNECTED_SERVICES_ACCOUNT", "VIRTUAL_KEY_REQUIRED"): (400, None, "A virtual key is required to perform this request. Please prompt the user to pair a virtual key with the vehicle."),
    ("RATE_LIMIT", "SMARTCAR_API"): (429, "RETRY_LATER", "Your application has exceeded its rate limit. Please retry your request in a few minutes."),
    ("RATE_LIMIT", "VEHICLE"): (429, "RETRY_LATER", "You have reached the throttling rate limit for this vehicle. Please see the retry-after header (seconds) for when to retry the request."),
    ("SERVER", "INTERNAL"): (500, "RETRY_LATER", "An internal Smartcar error has occurred. Our team has been notified and is working to resolve this issue."),
    ("SERVER", "RECORD_NOT_FOUND"): (500, "CONTACT_SUPPORT", "Smartcar was unable to locate a battery capacity record for this vehicle."),
    ("SERVER", "MULTIPLE_RECORDS_FOUND"): (500, "CONTACT_SUPPORT", "Smartcar found multiple battery capacity records for this vehicle."),
    ("UPSTREAM", "INVALID_DATA"): (502, "RETRY_LATER", "Smartcar received invalid data from an upstream source. Please retry your request at a later time."),
    ("UPSTREAM", "KNOWN_ISSUE"): (502, "RETRY_LATER", "An upstream source is experiencing a known issue. Please retry your request at a later time."),
    ("UPSTREAM", "NO_RESPONSE"): (502, "RETRY_LATER", "Smartcar did not receive a response from an upstream source. Please retry your request at a later time."),
    ("UPSTREAM", "RATE_LIMIT"): (429, "RETRY_LATER", "The vehicle's manufacturer has rate limited this request. Please retry your request at a later time."),
    ("UPSTREAM", "UNKNOWN_ISSUE"): (502, "RETRY_LATER", "An unknown issue occurred with an upstream source. Please retry your request at a later time."),
    ("VEHICLE_STATE", "ASLEEP"): (409, None, "The vehicle is in a sleep state and temporarily unable to perform your request."),
    ("VEHICLE_STATE", "CHARGE_FAULT"): (409, None, "The charger is not delivering current to the vehicle and it is unable to perform your request."),
    ("VEHICLE_STATE", "CHARGING_IN_PROGRESS"): (409, None, "The vehicle is currently charging and unable to perform your request."),
    ("VEHICLE_STATE", "CHARGING_PLUG_CONNECTED"): (409, None, "The vehicle is connected to an EV charger and unable to perform your request."),
    ("VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED"): (409, None, "The vehicle is not connected to an EV charger and unable to perform your request."),
    ("VEHICLE_STATE", "DOOR_OPEN"): (409, None, "A door of the vehicle is open and it is unable to perform your request."),
    ("VEHICLE_STATE", "FULLY_CHARGED"): (409, None, "The vehicle is fully charged and unable to perform your request."),
    ("VEHICLE_STATE", "HOOD_OPEN"): (409, None, "The vehicle's hood is open and it is unable to perform your request."),
    ("VEHICLE_STATE", "IGNITION_ON"): (409, None, "The vehicle's ignition is on and it is unable to perform your request."),
    ("VEHICLE_STATE", "IN_MOTION"): (409, None, "The vehicle is in motion and unable to perform your request."),
    ("VEHICLE_STATE", "LOW_BATTERY"): (409, None, "The vehicle's battery is too low for it to perform your request."),
    ("VEHICLE_STATE", "NOT_CHARGING"): (409, None, "The vehicle is not charging and unable to perform your request."),
    ("VEHICLE_STATE", "REMOTE_ACCESS_DISABLED"): (409, None, "Remote access is disabled on the vehicle and it is unable to perform your request."),
    ("VEHICLE_STATE", "TRUNK_OPEN"): (409, None, "The vehicle's trunk is open and it is unable to perform your request."),
    ("VEHICLE_STATE", "VEHICLE_OFFLINE_FOR_SERVICE"): (409, None, "The vehicle is offline for service and unable to perform your request."),
    ("VEHICLE_STATE", "UNKNOWN"): (409, "RETRY_LATER", "The vehicle was unable to perform your request due to an unknown issue."),
    ("VEHICLE_STATE", "UNREACHABLE"): (409, "RETRY_LATER", "The vehicle was unable to perform your request because it is currently unreachable."),
}

_SUGGESTED: dict[tuple[str, str | None], str] = {
    ("VEHICLE_STATE", "ASLEEP"): "Your vehicle is in a sleep state. This request was not sent to preserve battery life.",
    ("VEHICLE_STATE", "CHARGING_IN_PROGRESS"): "Your vehicle is already charging.",
}
_GENERIC_SUGGESTION = "Your car is temporarily unable to connect to <app name>. Please be patient while we\u2019re working to resolve this issue."
APP_NAME_PLACEHOLDER = "<app name>"
UNKNOWN_APP_NAME = "this app"  # when the request does not say which application it comes from

_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           429: "Too Many Requests", 430: "Billing Limit", 500: "Internal Server Error",
           501: "Not Implemented", 502: "Bad Gateway"}

# v1.0 names for the v2 error types (wire reference §7.3).
_V1_TYPES = {
    "VALIDATION": "validation_error",
    "AUTHENTICATION": "authentication_error",
    "PERMISSION": "permission_error",
    "RESOURCE_NOT_FOUND": "resource_not_found_error",
    "VEHICLE_STATE": "vehicle_state_error",
    "RATE_LIMIT": "rate_limiting_error",
    "BILLING": "monthly_limit_exceeded",
    "SERVER": "server_error",
    "UPSTREAM": "server_error",
    "CONNECTED_SERVICES_ACCOUNT": "vehicle_owner_action_required",
}


def known_error(type_: str, code: str | None) -> bool:
    return (type_, code) in _CATALOGUE


@dataclass
class ApiError(Exception):
    """An error of the vehicle or management API, in version-neutral form."""

    type: str
    code: str | None = None
    description: str | None = None
    status: int | None = None
    resolution: str | None = None
    detail: list[dict[str, Any]] | None = None
    retry_after: int | None = None
    resolution_url: str | None = None
    v1_code: str | None = None  # e.g. "VS_000": only the v1.0 format shows it
    v1_description: str | None = None  # the v1.0 message when it differs from the v2 description
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        status, resolution, description = _CATALOGUE.get(
            (self.type, self.code), _CATALOGUE.get((self.type, None), (400, None, "Request failed."))
        )
        if self.status is None:
            self.status = status
        if self.description is None:
            self.description = description
        if self.resolution is None:
            self.resolution = resolution
        if self.type == "RATE_LIMIT" and self.retry_after is None:
            self.retry_after = 60
        Exception.__init__(self, f"{self.type}:{self.code} {self.description}")

    @property
    def http_status(self) -> int:
        return self.status or 400

    @property
    def doc_url(self) -> str:
        category = self.type.lower().replace("_", "-")
        anchor = self.code.lower().replace("_", "-") if self.code else "null"
        return f"https://smartcar.com/docs/errors/api-errors/{category}-errors#{anchor}"

    @property
    def title(self) -> str:
        return _TITLES.get(self.http_status, "Error")

    def suggested_user_message(self, app_name: str | None = None) -> str:
        """The text an app may show its user, naming the application (never the placeholder)."""
        template = _SUGGESTED.get((self.type, self.code), _GENERIC_SUGGESTION)
        return template.replace(APP_NAME_PLACEHOLDER, app_name or UNKNOWN_APP_NAME)

    @property
    def v1_type(self) -> str:
        if self.type == "COMPATIBILITY":
            return "smartcar_not_capable_error" if self.code == "SMARTCAR_NOT_CAPABLE" else "vehicle_not_capable_error"
        return _V1_TYPES.get(self.type, "server_error")


def validation(message: str, field_name: str | list[str] | None = None, code: str | None = None) -> ApiError:
    """A 400 VALIDATION error whose ``detail`` names the offending field."""
    detail = [{"field": field_name, "message": message}] if field_name is not None else [{"message": message}]
    return ApiError("VALIDATION", code, detail=detail)


class OAuthError(Exception):
    """An error of the OAuth token endpoints: ``{"error", "error_description"}`` (``description`` None: no
    ``error_description``, which RFC 6749 makes optional); ``retry_after``: a ``Retry-After`` header (seconds)."""

    def __init__(self, error: str, description: str | None, status: int = 400, retry_after: int | None = None) -> None:
        super().__init__(description or error)
        self.error = error
        self.description = description
        self.status = status
        self.retry_after = retry_after


class ConnectPageError(Exception):
    """A Connect problem that must not redirect (unknown client, unregistered redirect URI)."""

    def __init__(self, title: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.title = title
        self.message = message
        self.status = status


class ConnectRedirectError(Exception):
    """A Connect outcome sent back to the application as ``error=...`` on the redirect URI."""

    def __init__(self, error: str, description: str, **extras: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.extras = extras
