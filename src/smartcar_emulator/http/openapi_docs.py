"""What ``/openapi.json`` says about bodies, query parameters and authentication.

The handlers read their bodies themselves (so every error keeps Smartcar's format: a v2 ``VALIDATION`` body,
an OAuth ``{"error", "error_description"}``, a v3 ``{"errors": [...]}``); the pydantic models here describe
those bodies, and :func:`install` merges them into the generated document: request bodies, responses, query
parameters, the security scheme of each host, and Smartcar's error shapes in place of FastAPI's 422.

Covered: every JSON route (``/health``, OAuth and IAM tokens, the v1.0/v2.0 vehicle API with its make-specific
endpoints, v1.0/v2.0 compatibility and the v2 matrix, v2 management, the v3 connections, signals, commands, charge
schedules and executions, Management API v3 (webhooks, subscriptions), v3 compatible vehicles, the whole control
API). What is left out on purpose is on :data:`UNDOCUMENTED`, each route with its reason;
``tests/emulator/test_openapi_coverage.py`` walks the router and holds the two together.
Models allow extra fields: they document what a client can rely on.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.json_schema import models_json_schema

from ..platform.compatible_vehicles import REGIONS
from ..platform.permissions import KNOWN, LEVELS


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- Errors -------------------------------------------------------------------------------------------------------
class V2Error(Body):
    """API v2.0 (and control API) error."""

    type: str
    code: str | None = None
    description: str
    docURL: str | None = None
    statusCode: int
    requestId: str
    resolution: dict[str, Any] | None = None
    detail: list[Any] | None = None
    suggestedUserMessage: str | None = None


class V1Error(Body):
    """API v1.0 error."""

    error: str
    message: str
    statusCode: int | None = None
    requestId: str | None = None


class V3ErrorItem(Body):
    status: str
    type: str
    code: str | None = None
    title: str | None = None
    detail: str | None = None


class V3Errors(Body):
    """API v3 error."""

    errors: list[V3ErrorItem]


class OAuthErrorBody(Body):
    """OAuth 2.0 error (RFC 6749 section 5.2)."""

    error: str
    error_description: str | None = None


# -- OAuth ----------------------------------------------------------------------------------------------------------
class TokenRequest(Body):
    grant_type: Literal["authorization_code", "refresh_token"]
    code: str | None = Field(None, description="authorization_code: the code from the Connect redirect")
    redirect_uri: str | None = Field(None, description="authorization_code: exactly the one sent to authorize")
    code_verifier: str | None = Field(None, description="PKCE, when authorize carried a code_challenge")
    refresh_token: str | None = Field(None, description="refresh_token grant")
    client_id: str | None = Field(None, description="Only without an Authorization header")
    client_secret: str | None = None


class TokenResponse(Body):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    expiration: str | None = None
    refresh_expiration: str | None = None


class AppTokenRequest(Body):
    grant_type: Literal["client_credentials"]
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class AppTokenResponse(Body):
    access_token: str
    token_type: str
    expires_in: int


# -- v1.0 / v2.0 vehicle API ---------------------------------------------------------------------------------------
class Paging(Body):
    count: int
    offset: int


class User(Body):
    id: str


class VehicleIds(Body):
    vehicles: list[str]
    paging: Paging


class Attributes(Body):
    id: str
    make: str
    model: str
    year: int


class Vin(Body):
    vin: str


class Odometer(Body):
    distance: float


class Location(Body):
    latitude: float
    longitude: float


class Fuel(Body):
    range: float | None = None
    percentRemaining: float | None = None
    amountRemaining: float | None = None


class Battery(Body):
    range: float | None = None
    percentRemaining: float | None = None


class BatteryCapacity(Body):
    capacity: float | None = None


class Charge(Body):
    isPluggedIn: bool
    state: str


class ChargeLimit(Body):
    limit: float


class EngineOil(Body):
    lifeRemaining: float


class TirePressure(Body):
    frontLeft: float | None = None
    frontRight: float | None = None
    backLeft: float | None = None
    backRight: float | None = None


class LockStatus(Body):
    isLocked: bool


class CapacityOption(Body):
    capacity: float
    description: str | None = None


class NominalCapacityChoice(Body):
    nominal: float
    source: str = Field(description="SMARTCAR or USER_SELECTED")


class NominalCapacity(Body):
    availableCapacities: list[CapacityOption]
    capacity: NominalCapacityChoice | None = Field(description="null until the owner has chosen")
    url: str | None = Field(description="Connect's battery-capacity selection page, or null")


class SystemState(Body):
    systemId: str = Field(description="e.g. SYSTEM_TPMS, SYSTEM_AIRBAG, SYSTEM_ABS")
    status: str = Field(description="OK or ALERT")
    description: str | None = None


class SystemStatus(Body):
    systems: list[SystemState]


class Dtc(Body):
    code: str = Field(description="e.g. P0300")
    timestamp: str | None = Field(None, description="First seen (ISO-8601), or null")


class Dtcs(Body):
    activeCodes: list[Dtc]


class ServiceTask(Body):
    taskId: str | None = None
    taskDescription: str | None = None


class ServiceCost(Body):
    totalCost: float | None = None
    currency: str | None = None


class ServiceRecord(Body):
    serviceId: int | str | None = None
    serviceDate: str = Field(description="ISO-8601")
    odometerDistance: float | None = Field(None, description="Kilometres")
    serviceTasks: list[ServiceTask]
    serviceDetails: list[dict[str, Any]] = Field(description="[{type, value}]")
    serviceCost: ServiceCost | None = None


class ServiceHistory(RootModel[list[ServiceRecord]]):
    """A JSON array of service records (not an object)."""


class Permissions(Body):
    permissions: list[str]
    paging: Paging


class Action(Body):
    status: str
    message: str | None = None


class Status(Body):
    status: str


class Subscribed(Body):
    webhookId: str
    vehicleId: str


class ChargeAction(Body):
    action: Literal["START", "STOP"]


class SecurityAction(Body):
    action: Literal["LOCK", "UNLOCK"]


class ChargeLimitRequest(Body):
    limit: float = Field(ge=0.5, le=1.0, description="A fraction, e.g. 0.8")


class Destination(Body):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class BatchPath(Body):
    path: str = Field(description="A read path, e.g. /odometer")


class BatchRequest(Body):
    requests: list[BatchPath]


class BatchItem(Body):
    path: str
    code: int
    headers: dict[str, Any]
    body: dict[str, Any] | None = None


class BatchResponse(Body):
    responses: list[BatchItem]


class Capability(Body):
    permission: str
    endpoint: str = Field(description="The v2.0 path the permission reads or controls, e.g. /odometer")
    capable: bool
    reason: str | None = Field(None, description="null, VEHICLE_NOT_CAPABLE or SMARTCAR_NOT_CAPABLE")


class Compatibility(Body):
    """API v2.0: ``capabilities`` has one entry per requested permission; empty when not compatible."""

    compatible: bool
    reason: str | None = Field(description="null, VEHICLE_NOT_COMPATIBLE or MAKE_NOT_COMPATIBLE")
    capabilities: list[Capability]


class CompatibilityV1(Body):
    """API v1.0 answers only ``compatible``."""

    compatible: bool


class MatrixModel(Body):
    model: str
    startYear: int
    endYear: int
    type: str = Field(description="ICE, HEV, PHEV or BEV")
    endpoints: list[str] = Field(description="Endpoint names, e.g. Odometer, Lock & unlock")
    permissions: list[str]


class CompatibilityMatrix(RootModel[dict[str, list[MatrixModel]]]):
    """Keyed by make (e.g. NISSAN): the supported models in the region."""


class Health(Body):
    status: Literal["ok"]


class ManagementConnections(Body):
    connections: list[dict[str, Any]]


# -- API v3 reads (JSON:API resources) ------------------------------------------------------------------------------
class Resource(Body):
    id: str
    type: str
    attributes: dict[str, Any]


class ResourceList(Body):
    data: list[Resource]


class WrappedResource(Body):
    """A resource in a data envelope: a connection (``GET /v3/connections/{id}``), or a vehicle with
    ``serve --v3-vehicle-shape wrapped``, as the docs show it."""

    data: Resource


# -- Control API ----------------------------------------------------------------------------------------------------
class NewVehicle(Body):
    make: str = Field(description="A catalogue make, e.g. TESLA (GET /_emulator/catalog)")
    model: str | None = None
    year: int | None = None
    mode: Literal["simulated", "test", "live"] = "simulated"
    email: str | None = Field(None, description="The owner's login")
    vin: str | None = None


class ControlVehicle(Body):
    """A vehicle; ``state`` and ``faults`` when one vehicle is answered (not in lists)."""

    id: str
    vin: str
    make: str
    model: str
    year: int
    powertrain: str | None = Field(None, description="ICE, HEV, PHEV or BEV")
    mode: str | None = Field(None, description="test, simulated or live")
    owner: str | None = Field(None, description="<mode>:<login>")
    level: str | None = Field(None, description="Test-mode compatibility level of a special test login")
    testError: str | None = Field(None, description="The error a special test login answers with")
    state: dict[str, Any] | None = Field(None, description="The authoritative state, advanced to now")
    faults: list[dict[str, Any]] | None = Field(None, description="The vehicle's fault rules")


class ControlVehicles(Body):
    vehicles: list[ControlVehicle]


class CatalogModel(Body):
    make: str
    model: str
    years: list[int] = Field(description="[first, last]")
    powertrain: str
    batteryKwh: float | None = None
    tankLiters: float | None = None


class Catalog(Body):
    models: list[CatalogModel]


class ControlIndex(Body):
    """Where each part of the control API is."""

    panel: str
    vehicles: str
    faults: str
    faultKinds: list[str]
    clock: str
    catalog: str
    users: str
    tokens: str
    connections: str
    reset: str
    apps: str
    rateLimits: str


class Point(Body):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class Trip(Body):
    destination: Point | None = None
    distance_km: float | None = Field(None, ge=0.1, le=2000)
    heading: float | None = Field(None, ge=0, le=360)
    speed_kph: float = Field(60, ge=1, le=250)
    waypoints: list[Point] | None = None


class ClockSet(Body):
    now: str | None = Field(None, description="ISO-8601, e.g. 2030-01-01T08:00:00Z")
    timestamp: float | None = Field(None, description="Epoch seconds")


class ClockAdvance(Body):
    seconds: float = Field(ge=0, le=366 * 86400)


class Clock(Body):
    now: str
    timestamp: float
    timeScale: float
    seed: int


class ResetRequest(Body):
    keep_apps: bool = False


class ResetResult(Body):
    reset: bool
    keptApps: bool
    removed: dict[str, int]


class NewApp(Body):
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uris: list[str] = []
    amt: str | None = None
    name: str | None = None
    connect_flow: Literal["code", "user", "both"] | None = None


class App(Body):
    clientId: str
    clientSecret: str
    name: str
    redirectUris: list[str]
    amt: str
    connectFlow: str


class Apps(Body):
    apps: list[App]


class RateLimits(Body):
    app: Any = Field(None, description='null, "50/s", "2/min,burst=120", "platform" or '
                                       '{"requestsPerSecond": 50, "burst": 50}')
    vehicle: Any = None


class NewFault(Body):
    kind: Literal["rate_limit", "asleep", "unreachable", "upstream", "server", "billing", "error", "failure_rate",
                  "latency", "token"]
    vehicle_id: str | None = None
    type: str | None = None
    code: str | None = None
    retry_after: int | None = Field(None, ge=0, le=86400)
    latency_ms: int | None = Field(None, ge=0, le=60000)
    rate: float | None = Field(None, ge=0, le=1)
    count: int | None = Field(None, ge=1, le=1_000_000)
    duration_s: int | None = Field(None, ge=1, le=366 * 86400)
    status: int | None = Field(None, ge=400, le=599, description="token rules: the HTTP status (default 503)")
    error: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]{0,63}$",
                              description="token rules: the OAuth error code (default from the status)")
    description: str | None = Field(None, min_length=1, max_length=500,
                                    description="token rules: error_description (null: none)")
    grant_type: Literal["authorization_code", "refresh_token", "client_credentials"] | None = Field(
        None, description="token rules: only this grant (default every grant)")


class Fault(Body):
    id: str
    kind: str
    vehicle_id: str | None
    hits: int


class Faults(Body):
    faults: list[Fault]
    kinds: list[str]


class NewAccount(Body):
    email: str
    password: str
    make: str = "TESLA"
    vehicles: int = Field(1, ge=1, le=50)


class NewAccountResult(Body):
    email: str = Field(description="Lower-cased")
    vehicles: list[ControlVehicle]


class Owner(Body):
    owner: str
    mode: str
    vehicles: int


class SmartcarUser(Body):
    id: str
    client_id: str
    owner: str
    created_at: float


class ControlUsers(Body):
    accounts: list[str] = Field(description="Live-mode logins")
    owners: list[Owner] = Field(description="Vehicle owners per mode, with their vehicle counts")
    users: list[SmartcarUser] = Field(description="Smartcar users per application")


class IssuedToken(Body):
    kind: str = Field(description="access, refresh or application")
    client_id: str
    user_id: str | None
    expires_at: float
    revoked_at: float | None
    created_at: float
    fingerprint: str = Field(description="The first 12 hex digits of the token's hash, never the token")


class IssuedTokens(Body):
    tokens: list[IssuedToken]


class ControlConnection(Body):
    id: str
    clientId: str
    userId: str
    vehicleId: str
    scopes: list[str]
    createdAt: float


class ControlConnections(Body):
    connections: list[ControlConnection]


class Removed(Body):
    removed: int = Field(description="How many fault rules were removed")


class AppSettings(Body):
    permissions: list[str] | None = None
    makes: list[str] | None = None
    defaultScope: list[str] | None = None


class AppSettingsResult(Body):
    clientId: str
    permissions: list[str] | None = Field(description="Allowed permissions (null: all)")
    makes: list[str] | None = Field(description="Allowed makes (null: all)")
    defaultScope: list[str] | None = Field(description="Scope used when authorize has none (null: none)")


class CommandTiming(Body):
    asyncSeconds: float = Field(ge=0, le=86400, description="0: synchronous; else PENDING for this long")


class PlanLimitRequest(Body):
    clientId: str = Field(description="A registered application")
    requestsPerVehicle: int | None = Field(None, ge=1, le=10**9, description="Per vehicle and month; null (or "
                                                                          "absent) lifts it")


class PlanLimits(Body):
    month: str = Field(description="YYYY-MM on the emulator clock")
    allowances: dict[str, int] = Field(description="client id -> requests per vehicle and month")
    usage: dict[str, dict[str, int]] = Field(description="client id -> vehicle id -> requests this month")


# -- API v3 commands, charge schedules and their executions -------------------------------------------------------
class V3Attributes(Body):
    attributes: dict[str, Any] = Field(default_factory=dict)


class V3CommandRequest(Body):
    """``{"data": {"attributes": {...}}}``: e.g. ``{"percent": 80}`` for charge/set-limit, ``{"latitude",
    "longitude"}`` for navigation/set-destination; none for charge start/stop or security lock/unlock."""

    data: V3Attributes | None = None


class V3ScheduleRequest(Body):
    """``{"data": {"attributes": {"startTime": "HH:MM", "stopTime": "HH:MM", "days": [...], "location": {...}}}}``."""

    data: V3Attributes


class ExecutionError(Body):
    type: str | None = None
    code: str | None = None
    detail: str | None = None


class ExecutionStatus(Body):
    value: str = Field(description="PENDING, SUCCESS or FAILURE")
    error: ExecutionError | None = None


class ExecutionMeta(Body):
    executedAt: str | None = None
    completedAt: str | None = None
    durationInSeconds: int | None = None


class CommandExecutionAttributes(Body):
    commandType: str
    status: ExecutionStatus
    executionMode: Literal["sync", "async"]
    parameters: dict[str, Any] | None = None


class CommandExecutionResource(Body):
    id: str
    type: Literal["command-execution"]
    attributes: CommandExecutionAttributes
    links: dict[str, Any] | None = None
    meta: ExecutionMeta | None = None


class CommandExecution(Body):
    """200 when it ran synchronously, 202 while ``PENDING`` (asynchronous)."""

    data: CommandExecutionResource


class ScheduleExecutionAttributes(Body):
    action: str
    scheduleType: str
    status: ExecutionStatus
    executionMode: Literal["sync", "async"]
    scheduleId: str | None = None
    parameters: dict[str, Any] | None = None


class ScheduleExecutionResource(Body):
    id: str
    type: Literal["charge-schedule-execution"]
    attributes: ScheduleExecutionAttributes
    links: dict[str, Any] | None = None
    meta: ExecutionMeta | None = None


class ScheduleExecution(Body):
    """200 when it ran synchronously, 202 while ``PENDING`` (asynchronous)."""

    data: ScheduleExecutionResource


class ChargeScheduleAttributes(Body):
    scheduleType: str | None = None
    location: dict[str, Any] | None = None
    startTime: str | None = None
    stopTime: str | None = None
    days: list[Any] | None = None


class ChargeScheduleResource(Body):
    id: str
    type: Literal["charge-schedule"]
    attributes: ChargeScheduleAttributes
    links: dict[str, Any] | None = None


class ChargeSchedule(Body):
    data: ChargeScheduleResource


# -- Management API v3 and compatible vehicles ----------------------------------------------------------------------
class PageMeta(Body):
    page: int
    pageSize: int
    totalCount: int


class SignalRef(Body):
    group: str
    name: str
    code: str


class WebhookAttributes(Body):
    name: str
    callbackUri: str
    isEnabled: bool
    triggers: list[SignalRef]
    data: list[SignalRef]
    errorCallbackUri: str | None = None
    autoSubscribe: bool | None = None


class WebhookResource(Body):
    id: str
    type: Literal["webhook"]
    attributes: WebhookAttributes
    links: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


class WebhookDocument(Body):
    data: WebhookResource


class WebhookList(Body):
    data: list[WebhookResource]
    meta: PageMeta
    links: dict[str, Any]


class SignalCode(Body):
    code: str


class NewWebhookAttributes(Body):
    name: str = Field(description="1 to 200 characters (required to create)")
    callbackUri: str = Field(description="https URL, challenged (VERIFY) before events are sent")
    errorCallbackUri: str | None = None
    isEnabled: bool | None = None
    autoSubscribe: bool | None = None
    triggers: list[str | SignalCode] | None = Field(None, description="Signal codes, e.g. "
                                                                      "tractionbattery-stateofcharge, or {code}")
    data: list[str | SignalCode] | None = Field(None, description="Signal codes sent with each event")


class NewWebhookData(Body):
    attributes: NewWebhookAttributes


class NewWebhookRequest(Body):
    data: NewWebhookData


class WebhookChangesData(Body):
    attributes: dict[str, Any] = Field(description="Any of name, callbackUri, errorCallbackUri, isEnabled, "
                                                   "autoSubscribe, triggers, data")


class WebhookChangesRequest(Body):
    data: WebhookChangesData


class SubscriptionResource(Body):
    id: str
    type: Literal["subscription"]
    attributes: dict[str, Any]
    relationships: dict[str, Any]
    links: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


class SubscriptionDocument(Body):
    data: SubscriptionResource


class SubscriptionList(Body):
    data: list[SubscriptionResource]
    meta: PageMeta
    links: dict[str, Any]


class NewSubscriptionAttributes(Body):
    webhookId: str
    vehicleId: str
    userId: str | None = None


class NewSubscriptionData(Body):
    attributes: NewSubscriptionAttributes


class NewSubscriptionRequest(Body):
    data: NewSubscriptionData


class MessageMeta(Body):
    message: str


class Accepted(Body):
    """``{"meta": {"message": "subscription creation in progress"}}``"""

    meta: MessageMeta


class CompatibleVehicleAttributes(Body):
    make: str
    model: str
    region: str
    powertrainType: str | None = None
    years: dict[str, Any] | None = None
    capabilities: Any = None


class CompatibleVehicleResource(Body):
    id: str
    type: str
    attributes: CompatibleVehicleAttributes


class CompatibleVehicles(Body):
    data: list[CompatibleVehicleResource]
    meta: PageMeta
    links: dict[str, Any]


# -- Make-specific v2 endpoints -------------------------------------------------------------------------------------
class MakeAction(Body):
    message: str
    status: str


class AmperageRequest(Body):
    amperage: float = Field(ge=1, le=1000, description="Amperes (above the charger's maximum: the maximum)")


class OpenCloseAction(Body):
    action: Literal["OPEN", "CLOSE"]


class StartStopAction(Body):
    action: Literal["START", "STOP"]


class CabinAction(Body):
    action: Literal["START", "STOP", "SET"]
    temperature: float | None = Field(None, description="In the sc-unit-system's unit")


class TeslaScheduleRequest(Body):
    type: Literal["START_TIME", "DEPARTURE_TIME"]
    enable: bool | None = Field(None, description="Required (or as ``enabled``)")
    enabled: bool | None = None
    time: str | None = Field(None, description="HH:MM, when enabled")


class PinRequest(Body):
    pin: str = Field(pattern=r"^[0-9]{4}$", description="Four digits")


class LocationWindow(Body):
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")


class ChargingWindows(Body):
    weekday: list[LocationWindow] = Field([], max_length=10)
    weekend: list[LocationWindow] = Field([], max_length=10)


class ChargingLocationRequest(Body):
    chargeLimit: float = Field(ge=0.5, le=1.0)
    chargingWindows: ChargingWindows


class ScheduleByLocationRequest(Body):
    """Query ``latitude`` and ``longitude`` name the charging location."""

    chargingLocation: ChargingLocationRequest


class NissanWindow(Body):
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")
    days: list[str]


class NissanScheduleRequest(Body):
    chargeSchedules: list[NissanWindow] = Field(max_length=3)


class Amperage(Body):
    amperage: float | None = None


class TimeSetting(Body):
    enabled: bool
    time: str | None = None


class TeslaChargeSchedule(Body):
    departureTime: TimeSetting
    startTime: TimeSetting


class OnOffTemperature(Body):
    status: str
    temperature: float | None = None


class ActionStatus(Body):
    status: str


class Defroster(Body):
    frontStatus: str
    rearStatus: str


class BillingRecords(Body):
    records: list[dict[str, Any]]
    hasMoreData: bool


class ChargeRecords(Body):
    records: list[dict[str, Any]]


class Alerts(Body):
    alerts: list[dict[str, Any]]


class TeslaAttributes(Body):
    id: str
    make: str
    model: str
    year: int


class TeslaBattery(Body):
    percentRemaining: float | None = None
    range: float | None = None
    heaterOn: bool | None = None


class TeslaCharge(Body):
    isPluggedIn: bool
    state: str
    amperage: float | None = None
    wattage: float | None = None
    voltage: float | None = None
    socLimit: float | None = None


class CompletionTime(Body):
    time: str | None = None


class Voltage(Body):
    voltage: float | None = None


class Wattage(Body):
    wattage: float | None = None


class Compass(Body):
    direction: str
    heading: float


class Migration(Body):
    requiresMigration: bool


class Speed(Body):
    speed: float | None = None


class VehicleStatus(Body):
    status: str
    inService: bool | None = None
    gear: str | None = None


class Temperature(Body):
    temperature: float | None = None


class UserAccess(Body):
    accessType: str | None = None
    permissions: list[str]


class UserInfo(Body):
    email: str | None = None


class VirtualKey(Body):
    isPaired: bool | None = None


class AudiCharge(Body):
    chargingStatus: str
    isPluggedIn: bool
    socLimit: float | None = None


class NissanSchedule(Body):
    chargeSchedules: list[dict[str, Any]]


class ChargingLocations(Body):
    chargingLocations: list[dict[str, Any]]


# -- Control API: webhooks and deliveries ---------------------------------------------------------------------------
class Verification(Body):
    status: str
    uri: str | None = None
    detail: str | None = None
    verifiedAt: Any = None


class ControlWebhook(Body):
    id: str
    clientId: str
    name: str
    callbackUri: str
    isEnabled: bool
    triggers: list[str]
    data: list[str]
    subscriptions: list[str] = Field(description="Subscribed vehicle ids")
    errorCallbackUri: str | None = None
    autoSubscribe: bool | None = None
    version: str | None = Field(None, description="Payload format: v2 or v3")
    intervalSeconds: float | None = None
    nextScheduledAt: Any = None
    verification: Verification | None = None


class ControlWebhooks(Body):
    webhooks: list[ControlWebhook]


class NewControlWebhook(Body):
    clientId: str = Field(description="A registered application")
    callbackUri: str
    name: str | None = Field(None, description="1 to 200 characters (default Webhook)")
    version: Literal["v2", "v3"] | None = None
    intervalSeconds: float | None = Field(None, ge=1, le=366 * 86400, description="Scheduled deliveries")
    triggers: list[str | SignalCode] | None = Field(None, description="Signal codes (or {code})")
    data: list[str | SignalCode] | None = None
    errorCallbackUri: str | None = None


class ControlWebhookChanges(Body):
    name: str | None = None
    callbackUri: str | None = Field(None, description="Challenged again")
    errorCallbackUri: str | None = None
    isEnabled: bool | None = None
    version: Literal["v2", "v3"] | None = None
    intervalSeconds: float | None = Field(None, ge=1, le=366 * 86400, description="null stops the schedule")


class ControlSubscribe(Body):
    vehicleId: str | None = None
    vehicleIds: list[str] | None = Field(None, description="Up to 10,000")


class TestEventRequest(Body):
    vehicleId: str | None = None


class EventId(Body):
    eventId: str


class DeliveryAttempt(Body):
    attempt: int
    at: float | str | None = None
    statusCode: int | None = None
    error: str | None = None
    durationMs: float | None = None


class Delivery(Body):
    id: str
    eventId: str
    webhookId: str
    vehicleId: str | None = None
    eventType: str
    status: str = Field(description="pending, delivered or failed")
    attempts: list[DeliveryAttempt]
    nextAttemptAt: Any = None
    payload: Any = None
    body: str | None = None
    createdAt: Any = None


class Deliveries(Body):
    deliveries: list[Delivery]


class DeliveryId(Body):
    id: str


class DeliveryPolicyBody(Body):
    retries: int | None = Field(None, ge=0, le=20)
    backoffSeconds: float | None = Field(None, ge=0, le=86400)
    timeoutSeconds: float | None = Field(None, ge=0.1, le=120)
    lowBattery: float | None = Field(None, ge=0, le=1)


# -- The table -----------------------------------------------------------------------------------------------------
Ref = type[BaseModel]
# (method, path) -> (request body model or None, body required, success status, success model or None)
V2_READS: dict[str, Ref] = {
    "": Attributes, "/vin": Vin, "/odometer": Odometer, "/location": Location, "/fuel": Fuel, "/battery": Battery,
    "/battery/capacity": BatteryCapacity, "/charge": Charge, "/charge/limit": ChargeLimit, "/engine/oil": EngineOil,
    "/tires/pressure": TirePressure, "/security": LockStatus, "/battery/nominal_capacity": NominalCapacity,
    "/diagnostics/system_status": SystemStatus, "/diagnostics/dtcs": Dtcs, "/service/history": ServiceHistory,
}
V2_WRITES: dict[str, tuple[Ref, Ref]] = {
    "/charge": (ChargeAction, Action), "/charge/limit": (ChargeLimitRequest, Action),
    "/security": (SecurityAction, Action), "/navigation/destination": (Destination, Action),
    "/batch": (BatchRequest, BatchResponse),
}
MAKE_WRITES: dict[str, tuple[Ref | None, Ref]] = {  # "method path" under /v2.0/vehicles/{vehicle_id}
    "post tesla/charge/ammeter": (AmperageRequest, MakeAction),
    "post tesla/charge/charge_port_door": (OpenCloseAction, MakeAction),
    "post tesla/charge/schedule": (TeslaScheduleRequest, TeslaChargeSchedule),
    "post tesla/climate/cabin": (CabinAction, OnOffTemperature),
    "post tesla/climate/defroster": (StartStopAction, ActionStatus),
    "post tesla/climate/steering_wheel": (StartStopAction, ActionStatus),
    "post tesla/pin": (PinRequest, MakeAction),
    "delete tesla/pin": (None, MakeAction),
    "post tesla/security/frunk": (OpenCloseAction, MakeAction),
    "post tesla/security/trunk": (OpenCloseAction, MakeAction),
    "put ford/charge/schedule_by_location": (ScheduleByLocationRequest, MakeAction),
    "put lincoln/charge/schedule_by_location": (ScheduleByLocationRequest, MakeAction),
    "put nissan/charge/schedule": (NissanScheduleRequest, MakeAction),
}
MAKE_READS: dict[str, Ref] = {  # under /v2.0/vehicles/{vehicle_id} only (http/views.py READS; wire reference §5.9)
    "tesla/alerts": Alerts, "tesla/attributes": TeslaAttributes, "tesla/battery": TeslaBattery,
    "tesla/charge": TeslaCharge, "tesla/charge/ammeter": Amperage, "tesla/charge/completion": CompletionTime,
    "tesla/charge/schedule": TeslaChargeSchedule, "tesla/charge/voltmeter": Voltage,
    "tesla/charge/wattmeter": Wattage, "tesla/climate/cabin": OnOffTemperature, "tesla/climate/defroster": Defroster,
    "tesla/climate/steering_wheel": ActionStatus, "tesla/compass": Compass, "tesla/migration": Migration,
    "tesla/speedometer": Speed, "tesla/status": VehicleStatus, "tesla/thermometer/exterior": Temperature,
    "tesla/thermometer/interior": Temperature, "tesla/user/access": UserAccess, "tesla/user/info": UserInfo,
    "tesla/virtual_key": VirtualKey, "audi/charge": AudiCharge, "nissan/charge/schedule": NissanSchedule,
    "cadillac/charge/completion": CompletionTime, "chevrolet/charge/completion": CompletionTime,
    "cadillac/charge/voltmeter": Voltage, "chevrolet/charge/voltmeter": Voltage,
    "ford/charge/schedule_by_location": ChargingLocations, "lincoln/charge/schedule_by_location": ChargingLocations,
}
# The charge records (http/make_api.py) exist under /v2.0 only, like every make-specific endpoint: the reference
# lists the brand-specific endpoints under /v2.0 alone (surface §5, wire reference §5.9 "v2 only").
MAKE_READS_V2: dict[str, Ref] = {
    "tesla/charge/records/billing": BillingRecords, "bmw/charge/records": ChargeRecords,
    "mini/charge/records": ChargeRecords,
}
_V3_PAGE = [("page[number]", "integer", "From 1"), ("page[size]", "integer", "Items per page")]
_RECORDS = [("startDate", "string", "YYYY-MM-DD (default 30 days ago)"), ("endDate", "string", "YYYY-MM-DD")]
_LOCATION = [("latitude", "number", "The charging location"), ("longitude", "number", "The charging location")]
_VERSIONS = ("/v1.0", "/v2.0")
_SERVICE_DATES = [("startDate", "string", "YYYY-MM-DD or ISO-8601 (default a year ago)"),
                  ("endDate", "string", "YYYY-MM-DD or ISO-8601 (default now)"),
                  ("start_date", "string", "Same as startDate (the Node and Java SDKs' spelling)"),
                  ("end_date", "string", "Same as endDate")]
_PERMISSION = "|".join(sorted(KNOWN))
_SCOPE = {"type": "string", "pattern": f"^({_PERMISSION})( ({_PERMISSION}))*$"}
_COMPATIBILITY = [("vin", {"type": "string", "minLength": 17, "maxLength": 17}, "A 17-character VIN", True),
                  ("scope", _SCOPE, "Known permissions, space-separated", True),
                  ("mode", {"type": "string", "enum": ["test", "live"]},
                   "Default test when test_mode_compatibility_level is given, else live"),
                  ("test_mode_compatibility_level", {"type": "string", "enum": list(LEVELS)},
                   "Test mode: the answer to give")]
# (method, path) -> [(name, type, description[, required])]
QUERY: dict[tuple[str, str], list[tuple[Any, ...]]] = {
    ("get", "/v3/webhooks"): [("filter[name]", "string", "Name"), ("filter[callbackUri]", "string", "Callback URI"),
                              ("filter[isEnabled]", "string", "true or false"),
                              ("filter[autoSubscribe]", "string", "true or false"), *_V3_PAGE],
    ("get", "/v3/subscriptions"): [("filter[userId]", "string", "One user's"),
                                   ("filter[webhookId]", "string", "One webhook's"),
                                   ("filter[vehicleId]", "string", "One vehicle's"),
                                   ("filter[vehicle.mode]", "string", "live, simulated or test"), *_V3_PAGE],
    ("get", "/v3/compatible-vehicles"): [("filter[region]", "string", "US, CA or EUROPE"),
                                         ("filter[make]", "string", "A make, any case")],
    ("get", "/_emulator/deliveries"): [("limit", "integer", "1 to 1000 (default 100)")],
    ("get", "/v2.0/vehicles/{vehicle_id}/tesla/charge/records/billing"): [*_RECORDS, ("page", "integer", "From 1")],
    ("get", "/v2.0/vehicles/{vehicle_id}/bmw/charge/records"): _RECORDS,
    ("get", "/v2.0/vehicles/{vehicle_id}/mini/charge/records"): _RECORDS,
    ("put", "/v2.0/vehicles/{vehicle_id}/ford/charge/schedule_by_location"): _LOCATION,
    ("put", "/v2.0/vehicles/{vehicle_id}/lincoln/charge/schedule_by_location"): _LOCATION,
    **{("get", f"{version}/vehicles"): [("limit", "integer", "Page size, 1 to 50 (default 10)"),
                                        ("offset", "integer", "First item (default 0)")] for version in _VERSIONS},
    **{("get", f"{version}/vehicles/{{vehicle_id}}/permissions"): [
        ("limit", "integer", "Page size, 1 to 100 (default 25)"), ("offset", "integer", "First item (default 0)")]
       for version in _VERSIONS},
    **{("get", f"{version}/vehicles/{{vehicle_id}}/service/history"): _SERVICE_DATES for version in _VERSIONS},
    ("get", "/v2.0/compatibility"): [*_COMPATIBILITY, ("country", "string",
                                                       "ISO 3166-1 alpha-2, any case (default US): a make not sold "
                                                       "in that country's market is MAKE_NOT_COMPATIBLE")],
    ("get", "/v1.0/compatibility"): [*_COMPATIBILITY, ("country", "string",
                                                       "Not a v1.0 parameter: ignored (the answer is the US one)")],
    ("get", "/v2.0/compatibility/matrix"): [
        ("region", {"type": "string", "enum": list(REGIONS)}, "The market (any case)", True),
        ("make", "string", "Makes, space-separated (default all)"),
        ("type", {"type": "string", "enum": ["ICE", "HEV", "PHEV", "BEV"]}, "Powertrain (any case; default all)"),
        ("scope", _SCOPE, "Permissions, space-separated: only models capable of all of them")],
    ("get", "/v2.0/management/connections"): [("user_id", "string", "Filter"), ("vehicle_id", "string", "Filter"),
                                              ("mode", "string", "Filter: live, simulated or test"),
                                              ("cursor", "string", "From the previous page"),
                                              ("limit", "integer", "Page size, 1 to 100 (default 10)")],
    ("delete", "/v2.0/management/connections"): [("user_id", "string", "Every connection of this user"),
                                                 ("vehicle_id", "string", "Every connection of this vehicle")],
    ("get", "/v3/connections"): [("filter[userId]", "string", "One user's connections"),
                                 ("filter[vehicleId]", "string", "One vehicle's connections"),
                                 ("page[number]", "integer", "From 1"), ("page[size]", "integer", "Items per page")],
    ("get", "/v3/vehicles/{vehicle_id}/signals"): [("page", "integer", "From 1 (also page[number])"),
                                                   ("pageSize", "integer", "1 to 100 (default 100; also page[size])")],
    ("get", "/_emulator/vehicles"): [("mode", "string", "test, simulated or live")],
    ("get", "/_emulator/tokens"): [("client_id", "string", "One application's tokens")],
    ("get", "/_emulator/faults"): [("vehicle_id", "string", "One vehicle's rules")],
    ("delete", "/_emulator/faults"): [("vehicle_id", "string", "Only this vehicle's rules")],
}


def _operations() -> dict[tuple[str, str], tuple[Ref | None, bool, str, Ref | None]]:
    table: dict[tuple[str, str], tuple[Ref | None, bool, str, Ref | None]] = {
        ("post", "/oauth/token"): (TokenRequest, True, "200", TokenResponse),
        ("post", "/oauth2/token"): (AppTokenRequest, True, "200", AppTokenResponse),
        ("get", "/health"): (None, False, "200", Health),
        ("get", "/v2.0/compatibility"): (None, False, "200", Compatibility),
        ("get", "/v1.0/compatibility"): (None, False, "200", CompatibilityV1),
        ("get", "/v2.0/compatibility/matrix"): (None, False, "200", CompatibilityMatrix),
        ("get", "/v2.0/management/connections"): (None, False, "200", ManagementConnections),
        ("delete", "/v2.0/management/connections"): (None, False, "200", ManagementConnections),
        ("get", "/v3/connections"): (None, False, "200", ResourceList),
        ("get", "/v3/connections/{connection_id}"): (None, False, "200", WrappedResource),
        ("get", "/v3/vehicles/{vehicle_id}"): (None, False, "200", Resource),  # or WrappedResource: see ANY_OF
        ("get", "/v3/vehicles/{vehicle_id}/signals"): (None, False, "200", ResourceList),
        ("get", "/v3/vehicles/{vehicle_id}/signals/{signal_code}"): (None, False, "200", Resource),
        ("get", "/_emulator/clock"): (None, False, "200", Clock),
        ("put", "/_emulator/clock"): (ClockSet, True, "200", Clock),
        ("post", "/_emulator/clock/advance"): (ClockAdvance, True, "200", Clock),
        ("post", "/_emulator/reset"): (ResetRequest, False, "200", ResetResult),
        ("get", "/_emulator/apps"): (None, False, "200", Apps),
        ("post", "/_emulator/apps"): (NewApp, False, "201", App),
        ("get", "/_emulator/rate-limits"): (None, False, "200", RateLimits),
        ("put", "/_emulator/rate-limits"): (RateLimits, True, "200", RateLimits),
        ("get", "/_emulator/faults"): (None, False, "200", Faults),
        ("post", "/_emulator/faults"): (NewFault, True, "201", Fault),
        ("get", "/_emulator"): (None, False, "200", ControlIndex),
        ("get", "/_emulator/catalog"): (None, False, "200", Catalog),
        ("get", "/_emulator/vehicles"): (None, False, "200", ControlVehicles),
        ("delete", "/_emulator/faults"): (None, False, "200", Removed),
        ("delete", "/_emulator/faults/{fault_id}"): (None, False, "200", Removed),
        ("get", "/_emulator/users"): (None, False, "200", ControlUsers),
        ("post", "/_emulator/users"): (NewAccount, True, "201", NewAccountResult),
        ("get", "/_emulator/tokens"): (None, False, "200", IssuedTokens),
        ("get", "/_emulator/connections"): (None, False, "200", ControlConnections),
        ("get", "/_emulator/commands"): (None, False, "200", CommandTiming),
        ("put", "/_emulator/commands"): (CommandTiming, True, "200", CommandTiming),
        ("get", "/_emulator/plan-limits"): (None, False, "200", PlanLimits),
        ("put", "/_emulator/plan-limits"): (PlanLimitRequest, True, "200", PlanLimits),
        ("post", "/_emulator/vehicles"): (NewVehicle, True, "201", ControlVehicle),
        ("get", "/_emulator/vehicles/{vehicle_id}"): (None, False, "200", ControlVehicle),
        ("patch", "/_emulator/vehicles/{vehicle_id}/state"): (Body, True, "200", ControlVehicle),
        ("post", "/_emulator/vehicles/{vehicle_id}/trip"): (Trip, False, "200", ControlVehicle),
        ("delete", "/_emulator/vehicles/{vehicle_id}/trip"): (None, False, "200", ControlVehicle),
        ("post", "/_emulator/vehicles/{vehicle_id}/plug"): (None, False, "200", ControlVehicle),
        ("delete", "/_emulator/vehicles/{vehicle_id}/plug"): (None, False, "200", ControlVehicle),
        ("post", "/_emulator/vehicles/{vehicle_id}/charge"): (ChargeAction, True, "200", ControlVehicle),
        ("post", "/_emulator/vehicles/{vehicle_id}/security"): (SecurityAction, True, "200", ControlVehicle),
        ("get", "/_emulator/apps/{client_id}/settings"): (None, False, "200", AppSettingsResult),
        ("patch", "/_emulator/apps/{client_id}/settings"): (AppSettings, True, "200", AppSettingsResult),
    }
    v3_vehicle = "/v3/vehicles/{vehicle_id}"
    table.update({
        ("post", f"{v3_vehicle}/commands/{{domain}}/{{action}}"): (V3CommandRequest, False, "200", CommandExecution),
        ("get", f"{v3_vehicle}/command-executions/{{execution_id}}"): (None, False, "200", CommandExecution),
        ("post", f"{v3_vehicle}/charge-schedules/{{schedule_type}}"): (V3ScheduleRequest, True, "200",
                                                                       ScheduleExecution),
        ("get", f"{v3_vehicle}/charge-schedules/{{schedule_id}}"): (None, False, "200", ChargeSchedule),
        ("delete", f"{v3_vehicle}/charge-schedules/{{schedule_id}}"): (None, False, "200", ScheduleExecution),
        ("get", f"{v3_vehicle}/charge-schedule-executions/{{execution_id}}"): (None, False, "200", ScheduleExecution),
        ("get", "/v3/webhooks"): (None, False, "200", WebhookList),
        ("post", "/v3/webhooks"): (NewWebhookRequest, True, "201", WebhookDocument),
        ("get", "/v3/webhooks/{webhook_id}"): (None, False, "200", WebhookDocument),
        ("patch", "/v3/webhooks/{webhook_id}"): (WebhookChangesRequest, True, "200", WebhookDocument),
        ("delete", "/v3/webhooks/{webhook_id}"): (None, False, "204", None),
        ("get", "/v3/subscriptions"): (None, False, "200", SubscriptionList),
        ("post", "/v3/subscriptions"): (NewSubscriptionRequest, True, "202", Accepted),
        ("get", "/v3/subscriptions/{subscription_id}"): (None, False, "200", SubscriptionDocument),
        ("delete", "/v3/subscriptions/{subscription_id}"): (None, False, "204", None),
        ("get", "/v3/compatible-vehicles"): (None, False, "200", CompatibleVehicles),
        ("get", "/_emulator/webhooks"): (None, False, "200", ControlWebhooks),
        ("post", "/_emulator/webhooks"): (NewControlWebhook, True, "201", ControlWebhook),
        ("get", "/_emulator/webhooks/{webhook_id}"): (None, False, "200", ControlWebhook),
        ("patch", "/_emulator/webhooks/{webhook_id}"): (ControlWebhookChanges, True, "200", ControlWebhook),
        ("delete", "/_emulator/webhooks/{webhook_id}"): (None, False, "204", None),
        ("post", "/_emulator/webhooks/{webhook_id}/subscriptions"): (ControlSubscribe, True, "201", ControlWebhook),
        ("post", "/_emulator/webhooks/{webhook_id}/verify"): (None, False, "202", ControlWebhook),
        ("post", "/_emulator/webhooks/{webhook_id}/test"): (TestEventRequest, False, "202", EventId),
        ("get", "/_emulator/deliveries"): (None, False, "200", Deliveries),
        ("get", "/_emulator/deliveries/{delivery_id}"): (None, False, "200", Delivery),
        ("post", "/_emulator/deliveries/{delivery_id}/resend"): (None, False, "202", DeliveryId),
        ("get", "/_emulator/delivery-policy"): (None, False, "200", DeliveryPolicyBody),
        ("put", "/_emulator/delivery-policy"): (DeliveryPolicyBody, True, "200", DeliveryPolicyBody),
    })
    v2 = "/v2.0/vehicles/{vehicle_id}"
    for path, (request, response) in MAKE_WRITES.items():
        method, _, path = path.partition(" ")
        table[(method, f"{v2}/{path}")] = (request, request is not None, "200", response)
    for path, response in (MAKE_READS | MAKE_READS_V2).items():
        table[("get", f"{v2}/{path}")] = (None, False, "200", response)
    for version in ("/v1.0", "/v2.0"):
        table[("get", f"{version}/user")] = (None, False, "200", User)
        table[("get", f"{version}/vehicles")] = (None, False, "200", VehicleIds)
        table[("get", f"{version}/vehicles/{{vehicle_id}}/permissions")] = (None, False, "200", Permissions)
        table[("delete", f"{version}/vehicles/{{vehicle_id}}/application")] = (None, False, "200", Status)
        table[("post", f"{version}/vehicles/{{vehicle_id}}/webhooks/{{webhook_id}}")] = (None, False, "200", Subscribed)
        table[("delete", f"{version}/vehicles/{{vehicle_id}}/webhooks/{{webhook_id}}")] = (None, False, "200", Status)
        for path, model in V2_READS.items():
            table[("get", f"{version}/vehicles/{{vehicle_id}}{path}")] = (None, False, "200", model)
        for path, (request, response) in V2_WRITES.items():
            table[("post", f"{version}/vehicles/{{vehicle_id}}{path}")] = (request, True, "200", response)
    return table


SECURITY_SCHEMES = {
    "userToken": {"type": "http", "scheme": "bearer",
                  "description": "A user's access token (OAuth authorization code flow): API v1.0/v2.0"},
    "applicationToken": {"type": "http", "scheme": "bearer",
                         "description": "The application token (POST /oauth2/token, client credentials): API v3"},
    "clientCredentials": {"type": "http", "scheme": "basic",
                          "description": "client_id:client_secret (the token endpoints also take them in the form)"},
    "managementToken": {"type": "http", "scheme": "basic",
                        "description": "Username 'default', password the application management token (AMT)"},
}


def _security(path: str) -> list[dict[str, list[str]]] | None:
    if path.startswith("/_emulator") or path == "/health":
        return []  # loopback only, same origin: no credentials
    if path in ("/oauth/token", "/oauth2/token"):
        return [{"clientCredentials": []}, {}]
    if "/compatibility" in path:
        return [{"clientCredentials": []}]
    if path.startswith("/v2.0/management"):
        return [{"managementToken": []}]
    if path.startswith(("/v1.0/", "/v2.0/")):
        return [{"userToken": []}]
    if path.startswith(("/v3/compatible-vehicles", "/v3/webhooks", "/v3/subscriptions", "/v3/connections",
                        "/v3/users")):
        return [{"applicationToken": []}]  # connections and users: the application's, never a user token
    if path.startswith("/v3/"):
        return [{"applicationToken": []}, {"userToken": []}]
    return None


def _errors(path: str) -> dict[str, Any]:
    """The error body a path answers with, by host."""
    if path in ("/oauth/token", "/oauth2/token"):
        refs = ["OAuthErrorBody", "V2Error"]
    elif path.startswith("/v1.0/"):
        refs = ["V1Error", "V2Error"]
    elif path.startswith("/v3/"):
        refs = ["V3Errors", "V2Error"]
    else:
        refs = ["V2Error"]
    schema: dict[str, Any] = {"anyOf": [{"$ref": f"#/components/schemas/{name}"} for name in refs]}
    return {"description": "An error, in this API's format", "content": {"application/json": {"schema": schema}}}


_SERVER_ERROR_PATHS = ("/v1.0/vehicles/", "/v2.0/vehicles/", "/v3/vehicles/", "/oauth/token", "/oauth2/token")
_SERVER_SIDE = ("The platform's own 5xx, in this API's format: 501 COMPATIBILITY (the vehicle lacks the feature), "
                "or a fault rule's error (SERVER, UPSTREAM; token rules on the token endpoints)")


ANY_OF: dict[tuple[str, str], list[Ref]] = {("get", "/v3/vehicles/{vehicle_id}"): [Resource, WrappedResource]}
# Operations that answer a second success status with the same body: a pending (asynchronous) execution.
ALSO: dict[tuple[str, str], tuple[str, ...]] = {
    ("post", "/v3/vehicles/{vehicle_id}/commands/{domain}/{action}"): ("202",),
    ("post", "/v3/vehicles/{vehicle_id}/charge-schedules/{schedule_type}"): ("202",),
    ("delete", "/v3/vehicles/{vehicle_id}/charge-schedules/{schedule_id}"): ("202",),
}
ALSO_WHY = {"202": "Accepted: the execution is PENDING (asynchronous)"}


def _ref(model: Ref) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


# /health is registered in app.py with include_in_schema=False (it heads the ordered routing block there); its
# operation is added here, and enrich() gives it its body like any other.
HEALTH_OPERATION: dict[str, Any] = {
    "tags": ["emulator"], "summary": "Liveness: {\"status\": \"ok\"} as soon as the server answers",
    "operationId": "health_health_get", "responses": {"200": {"description": "The server is running"}}}

_PANEL_PAGE = "the control panel: an HTML page (docs/emulator.md, Panel)"
_PANEL_FORM = "a control panel form (url-encoded, CSRF cookie token): answers a 303 redirect to a panel page"
_CONNECT = "a Connect page of the browser flow (HTML, form posts, redirects), not a JSON API"
_CATCH_ALL = ("catch-all for the make-specific paths already documented (reads, charge records, writes), spelt "
              "with a non-lower-case make (answers PERMISSION as the platform does); any other path, or a method "
              "the path does not take, answers RESOURCE_NOT_FOUND")
# Routes the app serves that /openapi.json deliberately leaves out, each with its reason: "METHOD path" as the
# route is registered ("*" for a mount). tests/emulator/test_openapi_coverage.py fails on any other route missing
# from the document, and on an entry here that no longer matches a route.
UNDOCUMENTED: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): "this document itself",
    ("GET", "/docs"): "Swagger UI: an HTML page rendering this document",
    ("GET", "/docs/assets/{name}"): "Swagger UI's script, stylesheet and icon (from the swagger-ui-py package)",
    ("GET", "/"): "the landing page: HTML for people (what runs, the SMARTCAR_* exports)",
    ("*", "/static"): "static files (the Connect pages' stylesheet)",
    ("GET", "/oauth/authorize"): f"Connect's entry point: {_CONNECT}",
    ("GET", "/connect/{session_id}/{step}"): _CONNECT,
    ("POST", "/connect/{session_id}/continue"): _CONNECT,
    ("POST", "/connect/{session_id}/brand"): _CONNECT,
    ("POST", "/connect/{session_id}/login"): _CONNECT,
    ("POST", "/connect/{session_id}/grant"): _CONNECT,
    ("POST", "/oauth/token/oauth/token"): "the POST /oauth/token handler again, for the SDKs that append /oauth/token "
                                          "to SMARTCAR_AUTH_ORIGIN (which `smartcar-emulator env` sets to that URL)",
    **{(method, f"{version}/vehicles/{{vehicle_id}}/{{path:path}}"): _CATCH_ALL
       for method in ("GET", "POST", "PUT", "DELETE", "PATCH") for version in _VERSIONS},
    ("GET", "/_emulator/panel"): _PANEL_PAGE,
    ("GET", "/_emulator/panel/vehicles/{vehicle_id}"): _PANEL_PAGE,
    ("GET", "/_emulator/panel/webhooks"): _PANEL_PAGE,
    ("POST", "/_emulator/panel/vehicles"): _PANEL_FORM,
    ("POST", "/_emulator/panel/vehicles/{vehicle_id}/action"): _PANEL_FORM,
    ("POST", "/_emulator/panel/global"): _PANEL_FORM,
    ("POST", "/_emulator/panel/webhooks/action"): _PANEL_FORM,
}


def enrich(schema: dict[str, Any]) -> dict[str, Any]:
    """Add bodies, parameters, security and error responses to a generated OpenAPI document (in place)."""
    schema["paths"] = {"/health": {"get": copy.deepcopy(HEALTH_OPERATION)}, **schema.get("paths", {})}
    table = _operations()
    models: list[Ref] = [V2Error, V1Error, V3Errors, OAuthErrorBody, WrappedResource]
    for request, _, _, response in table.values():
        models += [m for m in (request, response) if m is not None and m is not Body]
    _, definitions = models_json_schema([(m, "validation") for m in dict.fromkeys(models)],
                                        ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(definitions.get("$defs", {}))
    components["schemas"].pop("HTTPValidationError", None)
    components["schemas"].pop("ValidationError", None)
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # validation errors are the API's own 400 bodies
            responses["4XX"] = _errors(path)
            if path.startswith(_SERVER_ERROR_PATHS):
                responses["5XX"] = {**_errors(path), "description": _SERVER_SIDE}
            security = _security(path)
            if security is not None:
                operation["security"] = security
            names = {p["name"] for p in operation.get("parameters", [])}
            if path.startswith("/v3/vehicles/") and "sc-user-id" not in names:
                operation.setdefault("parameters", []).append(
                    {"name": "sc-user-id", "in": "header", "required": False, "schema": {"type": "string"},
                     "description": "The user to act for, with the application token"})
            for name, kind, description, *must in QUERY.get((method, path), []):
                if name not in names:
                    operation.setdefault("parameters", []).append(
                        {"name": name, "in": "query", "required": bool(must and must[0]),
                         "description": description, "schema": kind if isinstance(kind, dict) else {"type": kind}})
            entry = table.get((method, path))
            if entry is None:
                continue
            request, required, status, response = entry
            if request is not None:
                media = ("application/x-www-form-urlencoded" if path in ("/oauth/token", "/oauth2/token")
                         else "application/json")
                body_schema = _ref(request) if request is not Body else {"type": "object"}
                operation["requestBody"] = {"required": required, "content": {media: {"schema": body_schema}}}
            if status != "200" and not responses.get("200", {}).get("content", {}).get(
                    "application/json", {}).get("schema"):
                responses.pop("200", None)  # FastAPI's default; this handler answers another status
            if response is None and status == "204":
                responses["204"] = {"description": responses.get("204", {}).get("description") or "No content"}
            if response is not None:
                described = responses.get(status, {}).get("description") or "Success"
                shapes = ANY_OF.get((method, path))
                success = {"anyOf": [_ref(m) for m in shapes]} if shapes else _ref(response)
                for code in (status, *ALSO.get((method, path), ())):
                    responses[code] = {"description": described if code == status else ALSO_WHY[code],
                                       "content": {"application/json": {"schema": success}}}
    return schema


def install(app: FastAPI) -> None:
    """Serve the enriched document at ``/openapi.json`` (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = enrich(get_openapi(title=app.title, version=app.version,
                                                    description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

