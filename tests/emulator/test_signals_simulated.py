"""v3 signals the simulator drives: speed and gear on a trip, cabin temperature with HVAC, the 12 V battery,
charging (power, rate, time to complete, energy added, a charge record when the session ends), over HTTP on a
simulated vehicle whose clock the test moves."""

from __future__ import annotations

from typing import Any

import pytest

from smartcar_emulator.platform.signals import SIGNALS
from tests.emulator.simkit import Car, sim  # noqa: F401 - the module-scoped emulator fixture

SCOPES = sorted({spec.permission for spec in SIGNALS} | {"control_charge", "control_security"})


def body(car: Car, code: str) -> dict[str, Any]:
    response = car.signal(code)
    assert response.status_code == 200, response.text
    return dict(response.json()["attributes"])


class LongLivedCar(Car):
    """A car whose access token is refreshed after the clock moves past its two hours."""

    def __init__(self, sim: Any, vehicle_id: str, session: dict[str, Any]) -> None:  # noqa: F811
        super().__init__(sim, vehicle_id, session["access_token"])
        self.refresh_token = session["refresh_token"]

    def advance(self, seconds: float) -> None:
        self.sim.advance(seconds)
        app = self.sim.app
        response = self.sim.http.post("/oauth/token", auth=(app.client_id, app.client_secret),
                                      data={"grant_type": "refresh_token", "refresh_token": self.refresh_token})
        assert response.status_code == 200, response.text
        self.token, self.refresh_token = response.json()["access_token"], response.json()["refresh_token"]


@pytest.fixture()
def tesla(sim) -> LongLivedCar:  # noqa: F811
    created = sim.create("TESLA", "Model 3")
    session = sim.connect(created["email"], "TESLA", scopes=SCOPES)
    assert session["vehicle_ids"] == [created["id"]]
    return LongLivedCar(sim, created["id"], session)


def test_trip_moves_speed_and_gear(sim, tesla):  # noqa: F811
    assert body(tesla, "transmission-gearstate")["body"] == {"value": "PARK"}
    assert body(tesla, "motion-currentspeed")["body"] == {"unit": "kph", "value": 0.0}
    sim.ok("POST", f"/vehicles/{tesla.id}/trip", {"distance_km": 30, "speed_kph": 90})
    sim.advance(60)
    assert body(tesla, "motion-currentspeed")["body"] == {"unit": "kph", "value": 90.0}
    assert body(tesla, "transmission-gearstate")["body"] == {"value": "DRIVE"}
    location = body(tesla, "location-preciselocation")["body"]
    assert location["locationType"] == "CURRENT"
    assert body(tesla, "connectivitystatus-isasleep")["body"] == {"value": False}
    tesla.advance(3600)  # arrived
    assert body(tesla, "transmission-gearstate")["body"] == {"value": "PARK"}
    assert body(tesla, "location-preciselocation")["body"]["locationType"] == "LAST_PARKED"


def test_hvac_brings_the_cabin_to_its_set_point(sim, tesla):  # noqa: F811
    tesla.set(cabin_target_c=30.0, hvac_on=True)
    assert body(tesla, "hvac-iscabinhvacactive")["body"] == {"value": True}
    assert body(tesla, "hvac-cabintargettemperature")["body"] == {"unit": "celsius", "value": 30.0}
    tesla.advance(3 * 3600)
    cabin = body(tesla, "climate-internaltemperature")["body"]
    assert cabin["unit"] == "celsius" and abs(cabin["value"] - 30.0) < 0.5
    outside = body(tesla, "climate-externaltemperature")["body"]["value"]
    tesla.set(hvac_on=False)
    tesla.advance(12 * 3600)
    assert abs(body(tesla, "climate-internaltemperature")["body"]["value"]
               - body(tesla, "climate-externaltemperature")["body"]["value"]) < 1.0
    assert -40 < outside < 50


def test_twelve_volt_battery_drains_while_parked(sim, tesla):  # noqa: F811
    tesla.set(lv_soc=0.65)
    assert body(tesla, "lowvoltagebattery-status")["body"] == {"value": "GOOD"}
    tesla.advance(10 * 86400)
    soc = body(tesla, "lowvoltagebattery-stateofcharge")["body"]
    assert soc["unit"] == "percent" and soc["value"] < 60
    assert body(tesla, "lowvoltagebattery-status")["body"] == {"value": "WARN"}


def test_charging_session_signals_and_record(sim, tesla):  # noqa: F811
    tesla.set(battery_soc=0.3, charge_limit=0.9, charge_rate_kw=11.0, plugged_in=True)
    wattage = body(tesla, "charge-wattage")
    assert wattage["status"]["error"]["code"] == "NOT_CHARGING"  # state-dependent: the last known body stays
    assert wattage["body"] == {"unit": "watts", "value": 11000}
    records_before = len(body(tesla, "charge-chargerecords")["body"]["values"])
    assert tesla.command("charge/start").status_code == 200
    assert body(tesla, "charge-wattage")["status"] == {"value": "SUCCESS"}
    minutes = body(tesla, "charge-timetocomplete")["body"]
    assert minutes["unit"] == "minutes" and 0 < minutes["value"] <= 0.6 * 75 / 11 * 60 + 1
    assert body(tesla, "charge-chargerate")["body"]["unit"] == "km/h"
    assert body(tesla, "charge-amperage")["body"]["value"] > 0
    tesla.advance(3600)
    added = body(tesla, "charge-energyadded")["body"]
    assert added["unit"] == "kilowatt_hours" and added["value"] == pytest.approx(11.0, abs=0.1)
    assert tesla.command("charge/stop").status_code == 200
    records = body(tesla, "charge-chargerecords")["body"]["values"]
    assert len(records) == records_before + 1
    newest = records[0]
    assert newest["energyAdded"] == pytest.approx(11.0, abs=0.1) and newest["startStateOfCharge"] == 30
    assert body(tesla, "charge-timetocomplete")["status"]["error"]["code"] == "NOT_CHARGING"
    assert body(tesla, "charge-energyadded")["body"]["value"] == pytest.approx(11.0, abs=0.1)  # the last session
