"""Webhook delivery over loopback: VERIFY, signed events (v3 and v2), retries, de-duplication, the log, schedules,
vehicle errors, and a queued delivery surviving an emulator restart (issue 15's "done when")."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from smartcar import webhooks
from smartcar_emulator.server import EmulatorServer

from .conftest import AMT, Setup
from .receiver import ReceiverServer, wait_for


def start_charge(setup: Setup, vehicle_id: str) -> None:
    setup.control("POST", f"/vehicles/{vehicle_id}/plug")
    setup.control("POST", f"/vehicles/{vehicle_id}/charge", {"action": "START"})


def test_challenge_handshake_verifies_the_webhook_and_a_url_change_challenges_again(setup: Setup) -> None:
    hook = setup.webhook([])
    verify = json.loads(setup.receiver.requests[0][1])
    assert verify["eventType"] == "VERIFY" and verify["meta"]["webhookId"] == hook["id"]
    answer = setup.log(webhook_id=hook["id"])[0]
    assert (answer["eventType"], answer["status"], answer["attempts"][0]["statusCode"]) == ("VERIFY", "delivered", 200)

    wrong = ReceiverServer(AMT, answer_verify=False).start()  # answers, but not with the HMAC
    try:
        setup.control("PATCH", f"/webhooks/{hook['id']}", {"callbackUri": wrong.url})
        wait_for(lambda: setup.verification(hook["id"]) == "failed", what="VERIFY refused")
        detail = setup.control("GET", f"/webhooks/{hook['id']}")["verification"]["detail"]
        assert "HMAC" in detail
        assert len(wrong.requests) == 1
    finally:
        wrong.stop()
    setup.control("PATCH", f"/webhooks/{hook['id']}", {"callbackUri": setup.receiver.url, "name": "Renamed"})
    wait_for(lambda: setup.verification(hook["id"]) == "verified", what="verified again")
    assert len(setup.receiver.requests) == 2  # one VERIFY per URL change
    setup.control("PATCH", f"/webhooks/{hook['id']}", {"name": "Renamed again"})  # not a URL change
    assert setup.control("GET", f"/webhooks/{hook['id']}")["name"] == "Renamed again"
    assert setup.http.delete(f"/_emulator/webhooks/{hook['id']}").status_code == 204
    assert setup.http.get(f"/_emulator/webhooks/{hook['id']}").status_code == 404
    assert len(setup.receiver.requests) == 2


def test_an_unverified_webhook_gets_nothing_until_verified(setup: Setup) -> None:
    setup.receiver.answer_verify = False
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle], verified=False)
    wait_for(lambda: setup.verification(hook["id"]) == "failed", what="VERIFY refused")
    start_charge(setup, vehicle)
    pending = setup.log(webhook_id=hook["id"], status="pending")
    assert [d["eventType"] for d in pending] == ["VEHICLE_STATE"] and pending[0]["attempts"] == []
    setup.receiver.answer_verify = True
    setup.control("POST", f"/webhooks/{hook['id']}/verify", status=202)
    wait_for(lambda: setup.receiver.events("VEHICLE_STATE"), what="the held event")


def test_a_state_change_is_delivered_signed_in_v3(setup: Setup) -> None:
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle])
    start_charge(setup, vehicle)
    wait_for(lambda: setup.receiver.handled, what="the charging event")
    headers, body, status = next(r for r in setup.receiver.requests if b"VEHICLE_STATE" in r[1])
    assert status == 200
    assert headers["SC-Signature"] == hmac.new(AMT.encode(), body, hashlib.sha256).hexdigest()
    assert headers["Content-Type"] == "application/json" and headers["User-Agent"].startswith("Smartcar/")
    event = webhooks.parse(body, headers["SC-Signature"], AMT)
    assert isinstance(event, webhooks.VehicleStateEvent)
    assert event.vehicle_id == vehicle and event.meta.webhook_id == hook["id"] and event.meta.delivery_id
    assert [t.code for t in event.triggers] == ["charge-ischarging"]
    charging = event.signal("charge-ischarging")
    assert charging is not None and charging.value is True
    assert body == json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()  # compact


def test_lock_trip_and_low_battery_events(setup: Setup) -> None:
    vehicle = setup.vehicle(battery_soc=0.205)
    setup.webhook([vehicle])
    setup.control("POST", f"/vehicles/{vehicle}/security", {"action": "UNLOCK"})
    setup.control("POST", f"/vehicles/{vehicle}/trip", {"distance_km": 50, "speed_kph": 100})
    setup.advance(3600)  # the worker catches up driving vehicles: the trip ends, the battery drops
    triggers = lambda: {t["signal"]["code"] for e in setup.receiver.events("VEHICLE_STATE")  # noqa: E731
                        for t in e["triggers"]}
    wanted = {"closure-islocked", "odometer-traveleddistance", "tractionbattery-stateofcharge"}
    wait_for(lambda: wanted <= triggers(), what="lock, trip-ended and low-battery events")
    assert setup.control("GET", f"/vehicles/{vehicle}")["state"]["battery_soc"] < 0.2


def test_v2_format_sends_event_based_charging(setup: Setup) -> None:
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle], version="v2")
    verify = json.loads(setup.receiver.requests[0][1])
    assert verify == {"version": "2.0", "webhookId": hook["id"], "eventName": "verify",
                      "payload": {"challenge": verify["payload"]["challenge"]}}
    start_charge(setup, vehicle)
    setup.control("POST", f"/vehicles/{vehicle}/charge", {"action": "STOP"})
    wait_for(lambda: len(setup.receiver.handled) == 2, what="two v2 events")
    kinds = [(e.event_name, e.event_type) for e in setup.receiver.handled if isinstance(e, webhooks.V2Event)]
    assert kinds == [("eventBased", "CHARGING_STARTED"), ("eventBased", "CHARGING_STOPPED")]


def test_a_receiver_failing_twice_then_succeeding_handles_exactly_one_event(setup: Setup) -> None:
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle])
    setup.receiver.fail_next = 2
    start_charge(setup, vehicle)
    wait_for(lambda: len(setup.receiver.events()) == 1, what="first attempt")
    setup.advance(25)
    wait_for(lambda: len(setup.receiver.events()) == 2, what="first retry (+25 s)")
    setup.advance(50)
    wait_for(lambda: len(setup.receiver.events()) == 3, what="second retry (+50 s)")
    wait_for(lambda: setup.log(webhook_id=hook["id"], status="delivered")[0]["eventType"] != "VERIFY",
             what="delivered")
    delivery = setup.log(webhook_id=hook["id"], status="delivered")[0]
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 500, 200]
    event_ids = {e["eventId"] for e in setup.receiver.events()}
    delivery_ids = {e["meta"]["deliveryId"] for e in setup.receiver.events()}
    assert len(event_ids) == 1 and len(delivery_ids) == 3  # one event, one id per attempt
    assert len(setup.receiver.handled) == 1

    setup.control("POST", f"/deliveries/{delivery['id']}/resend", status=202)  # at least once: a duplicate
    wait_for(lambda: len(setup.receiver.events()) == 4, what="the resend")
    assert setup.receiver.requests[-1][2] == 200 and len(setup.receiver.handled) == 1


def test_retries_stop_at_the_limit_and_the_delivery_fails(setup: Setup) -> None:
    setup.control("PUT", "/delivery-policy", {"retries": 1, "backoffSeconds": 10})
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle])
    setup.receiver.fail_next = 5
    start_charge(setup, vehicle)
    wait_for(lambda: len(setup.receiver.events()) == 1, what="first attempt")
    setup.advance(10)
    wait_for(lambda: setup.log(webhook_id=hook["id"], status="failed"), what="failed")
    setup.advance(1000)
    assert len(setup.receiver.events()) == 2 and setup.receiver.handled == []


def test_scheduled_deliveries_follow_the_emulator_clock(setup: Setup) -> None:
    vehicle = setup.vehicle()
    setup.webhook([vehicle], intervalSeconds=3600, data=["tractionbattery-stateofcharge"])
    setup.advance(3600)
    scheduled = wait_for(lambda: setup.receiver.events("VEHICLE_STATE"), what="scheduled delivery")[0]
    assert scheduled["triggers"] == [{"type": "SCHEDULED"}]
    assert [s["code"] for s in scheduled["data"]["signals"]] == ["tractionbattery-stateofcharge"]


def test_a_sleeping_vehicle_sends_a_vehicle_error(setup: Setup) -> None:
    vehicle = setup.vehicle()
    setup.webhook([vehicle])
    setup.control("POST", "/faults", {"kind": "asleep", "vehicle_id": vehicle})
    setup.control("POST", f"/vehicles/{vehicle}/security", {"action": "UNLOCK"})
    error = wait_for(lambda: setup.receiver.events("VEHICLE_ERROR"), what="vehicle error")[0]
    assert error["data"]["errors"][0]["code"] == "ASLEEP" and error["data"]["errors"][0]["state"] == "ERROR"
    assert isinstance(setup.receiver.handled[0], webhooks.VehicleErrorEvent)
    setup.control("DELETE", "/faults")  # the vehicle wakes up: the next event first announces the recovery
    setup.control("POST", f"/vehicles/{vehicle}/security", {"action": "LOCK"})
    wait_for(lambda: setup.receiver.events("VEHICLE_STATE") and len(setup.receiver.events("VEHICLE_ERROR")) == 2,
             what="the recovery and the state after waking")
    resolved = setup.receiver.events("VEHICLE_ERROR")[1]["data"]["errors"][0]
    assert (resolved["code"], resolved["state"], resolved["description"]) == ("ASLEEP", "RESOLVED",
                                                                              "The vehicle is now reachable.")


def test_test_event_and_the_log(setup: Setup) -> None:
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle])
    event_id = setup.control("POST", f"/webhooks/{hook['id']}/test", status=202)["eventId"]
    wait_for(lambda: setup.receiver.handled, what="test event")
    assert setup.receiver.handled[0].event_id == event_id
    # The receiver has answered; the worker records the attempt just after: wait for the log, not the clock.
    wait_for(lambda: any(e["attempts"] for e in setup.log(webhook_id=hook["id"])), what="the logged attempt")
    entry = setup.log(webhook_id=hook["id"])[0]
    assert entry["eventId"] == event_id and entry["attempts"][0]["statusCode"] == 200
    assert json.loads(entry["body"])["triggers"] == [{"type": "TEST"}]
    missing = setup.http.get("/_emulator/deliveries/nope")
    assert missing.status_code == 404


def test_a_receiver_down_during_a_restart_gets_the_queued_event_afterwards(tmp_path) -> None:
    db = str(tmp_path / "emulator.db")
    receiver = ReceiverServer(AMT).start()
    port = receiver.port
    with EmulatorServer(db=db) as emulator:
        setup = Setup(emulator, receiver)
        vehicle = setup.vehicle()
        hook = setup.webhook([vehicle])
        receiver.stop()  # the receiver goes down
        start_charge(setup, vehicle)
        wait_for(lambda: setup.log(webhook_id=hook["id"], status="pending")[0]["attempts"], what="a failed attempt")
        queued = setup.log(webhook_id=hook["id"], status="pending")[0]
        assert queued["attempts"][0]["error"] and queued["attempts"][0]["statusCode"] is None
        setup.http.close()
    receiver = ReceiverServer(AMT, port=port).start()  # back up, on the same URL
    try:
        with EmulatorServer(db=db) as emulator:
            setup = Setup(emulator, receiver)
            setup.advance(30)
            wait_for(lambda: receiver.handled, what="the queued event after the restart")
            assert receiver.handled[0].event_id == queued["eventId"]
            setup.http.close()
    finally:
        receiver.stop()


@pytest.mark.parametrize("tamper", [b'"value":true', b'"isOpen"'])
def test_a_tampered_body_is_refused_by_the_sdk(setup: Setup, tamper: bytes) -> None:
    vehicle = setup.vehicle()
    setup.webhook([vehicle])
    start_charge(setup, vehicle)
    headers, body, _ = wait_for(lambda: next((r for r in setup.receiver.requests if b"VEHICLE_STATE" in r[1]), None),
                                what="an event")
    tampered = body.replace(b'"value":true', b'"value":false') if tamper == b'"value":true' else body + b" "
    assert tampered != body
    with pytest.raises(webhooks.InvalidSignature):
        webhooks.parse(tampered, headers["SC-Signature"], AMT)
    reply = setup.receiver.receiver.handle(tampered, headers["SC-Signature"])
    assert reply.status == 401


def test_the_control_api_refuses_bad_input_without_side_effects(setup: Setup) -> None:
    good = {"clientId": setup.app.client_id, "callbackUri": setup.receiver.url}
    for bad in ({**good, "clientId": "nobody"}, {**good, "callbackUri": "ftp://example.com"},
                {**good, "intervalSeconds": "soon"}, {**good, "intervalSeconds": 0}, {**good, "version": "v9"},
                {**good, "triggers": ["no-such-signal"]}, {**good, "name": 7}):
        response = setup.http.post("/_emulator/webhooks", json=bad)
        assert response.status_code == 400, (bad, response.text)
    assert setup.control("GET", "/webhooks")["webhooks"] == []
    for bad_policy in ({"retries": -1}, {"backoffSeconds": "25"}, {"unknown": 1}):
        assert setup.http.put("/_emulator/delivery-policy", json=bad_policy).status_code == 400
    assert setup.control("GET", "/delivery-policy") == {"retries": 3, "backoffSeconds": 25.0, "timeoutSeconds": 15.0,
                                                         "lowBattery": 0.2}
    assert setup.http.get("/_emulator/deliveries", params={"limit": "²"}).status_code == 400
    assert setup.http.get("/_emulator/deliveries", params={"status": "lost"}).status_code == 400
    hook = setup.webhook([])
    assert setup.http.post(f"/_emulator/webhooks/{hook['id']}/test").status_code == 400  # nothing subscribed
    assert setup.http.post(f"/_emulator/webhooks/{hook['id']}/subscriptions",
                           json={"vehicleIds": ["nope"]}).status_code == 400
    assert setup.http.post("/_emulator/webhooks/nope/verify").status_code == 404


def test_a_hung_receiver_times_out_is_retried_and_never_blocks_the_api(setup: Setup) -> None:
    import threading

    setup.control("PUT", "/delivery-policy", {"timeoutSeconds": 0.5})
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle])
    release = threading.Event()
    setup.receiver.hold = release  # the receiver accepts the connection and never answers (until released)
    try:
        start_charge(setup, vehicle)
        # While the delivery hangs, the API keeps answering (a blocked API would hang this test instead).
        for action in ("LOCK", "UNLOCK", "LOCK"):
            setup.control("POST", f"/vehicles/{vehicle}/security", {"action": action})
        assert setup.control("GET", f"/vehicles/{vehicle}")["state"]["charging"] is True
        first = wait_for(lambda: [d for d in setup.log(webhook_id=hook["id"]) if d["attempts"]
                                  and d["attempts"][0]["error"] == "timeout"], what="a timed-out attempt")[0]
        assert first["status"] == "pending" and first["attempts"][0]["statusCode"] is None
    finally:
        release.set()
    setup.receiver.hold = None
    setup.advance(25)
    wait_for(lambda: setup.log(webhook_id=hook["id"], status="pending") == [], what="every retry delivered")
    handled = {e.event_id for e in setup.receiver.handled}
    assert first["eventId"] in handled


def test_v2_scheduled_deliveries_carry_every_subscribed_vehicle(setup: Setup) -> None:
    ev, ice = setup.vehicle(), setup.vehicle(make="TOYOTA", model="Camry")
    hook = setup.webhook([ev, ice], version="v2", intervalSeconds=600)
    setup.advance(600)
    wait_for(lambda: setup.receiver.handled, what="the scheduled v2 delivery")
    event = setup.receiver.handled[0]
    assert isinstance(event, webhooks.V2Event) and event.event_name == "scheduled" and event.webhook_id == hook["id"]
    by_id = {v.vehicle_id: v for v in event.vehicles}
    assert set(by_id) == {ev, ice}
    assert by_id[ev].body("/battery")["percentRemaining"] == 0.5
    assert by_id[ice].body("/fuel") is not None and by_id[ice].body("/battery") is None
    assert by_id[ev].body("/odometer")["distance"] > 0
    setup.control("PATCH", f"/webhooks/{hook['id']}", {"intervalSeconds": None})
    setup.advance(6000)
    assert setup.control("GET", f"/webhooks/{hook['id']}")["intervalSeconds"] is None
