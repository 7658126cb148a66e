"""Run by the official Smartcar SDK 6.19.1 (in its own venv) against the emulator.

Unchanged code written for api.smartcar.com: only the SMARTCAR_* environment variables point elsewhere.
argv: code flow step ("url" prints the auth URL; "run CODE" exchanges it and exercises the API).
Prints one JSON object with what it observed.
"""

import json
import os
import sys

import smartcar

client = smartcar.AuthClient(mode="test")
scope = ["read_vehicle_info", "read_odometer", "read_location", "read_battery", "control_security",
         "read_security"]

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
vehicle.lock()
out["locked"] = vehicle.lock_status().is_locked
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
refreshed = client.exchange_refresh_token(access.refresh_token)
out["refreshed"] = refreshed.access_token != access.access_token
try:
    client.exchange_code(sys.argv[2])
except smartcar.SmartcarException as error:
    out["reused_code_error"] = error.message
out["disconnect"] = vehicle.disconnect().status
print(json.dumps(out))
