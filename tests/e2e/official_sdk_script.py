"""Run by the official Smartcar SDK 6.19.1 (in its own venv) against the emulator.

Unchanged code written for api.smartcar.com: only the SMARTCAR_* environment variables point elsewhere.
argv: code flow step ("url" prints the auth URL; "run CODE SECOND_CODE" exchanges them and exercises the API and
the token rules: rotation, refresh-token reuse, code replay).
Prints one JSON object with what it observed.
"""

import json
import os
import sys

import smartcar

client = smartcar.AuthClient(mode="test")
scope = ["read_vehicle_info", "read_odometer", "read_location", "read_battery", "control_security",
         "read_security", "read_charge", "control_charge", "control_navigation"]

if sys.argv[1] == "url":
    print(client.get_auth_url(scope, {"state": "official", "make_bypass": "TESLA"}))
    sys.exit(0)

access = client.exchange_code(sys.argv[2])
out = {"token_type": access.token_type, "expires_in": access.expires_in}
out["user_id"] = smartcar.get_user(access.access_token).id
vehicles = smartcar.get_vehicles(access.access_token)
out["vehicle_count"] = vehicles.paging.count
vehicle = smartcar.Vehicle(vehicles.vehicles[0], access.access_token)
attributes = vehicle.attributes()
out["make"] = attributes.make
out["odometer"] = vehicle.odometer().distance
out["request_id_length"] = len(vehicle.odometer().meta.request_id)
# Test mode: every documented command succeeds and changes what the vehicle reports.
vehicle.unlock()
out["unlocked"] = vehicle.lock_status().is_locked is False
vehicle.lock()
out["locked"] = vehicle.lock_status().is_locked
out["start_charge"] = vehicle.start_charge().status
out["charging_state"] = vehicle.charge().state
out["stop_charge"] = vehicle.stop_charge().status
out["stopped_state"] = vehicle.charge().state
out["set_limit"] = vehicle.set_charge_limit(0.9).status
out["limit"] = vehicle.get_charge_limit().limit
out["destination"] = vehicle.send_destination(39.7392, -104.9903).status
out["permissions"] = vehicle.permissions().permissions
batch = vehicle.batch(["/odometer", "/location", "/fuel"])
out["batch_odometer"] = batch.odometer().distance
try:
    batch.fuel()
except smartcar.SmartcarException as error:
    out["batch_fuel_error"] = [error.status_code, error.type]
try:
    vehicle.fuel()
except smartcar.SmartcarException as error:
    out["fuel_error"] = [error.status_code, error.type, error.resolution]
connections = smartcar.get_connections(os.environ["TEST_AMT"], {"user_id": out["user_id"]})
out["connections"] = len(connections.connections)
out["disconnect"] = vehicle.disconnect().status

# Refresh tokens rotate; presenting a used one again is refused and revokes the tokens issued after it.
refreshed = client.exchange_refresh_token(access.refresh_token)
out["refreshed"] = refreshed.access_token != access.access_token
out["refreshed_user"] = smartcar.get_user(refreshed.access_token).id == out["user_id"]
try:
    client.exchange_refresh_token(access.refresh_token)
except smartcar.SmartcarException as error:
    out["reused_refresh_error"] = [error.status_code, error.type, error.message]
try:
    smartcar.get_user(refreshed.access_token)
except smartcar.SmartcarException as error:
    out["after_reuse"] = [error.status_code, error.type]

# A replayed authorization code is refused and revokes the tokens it issued.
second = client.exchange_code(sys.argv[3])
out["second_user"] = smartcar.get_user(second.access_token).id != out["user_id"]
try:
    client.exchange_code(sys.argv[3])
except smartcar.SmartcarException as error:
    out["reused_code_error"] = error.message
try:
    smartcar.get_user(second.access_token)
except smartcar.SmartcarException as error:
    out["after_replay"] = [error.status_code, error.type]
print(json.dumps(out))
