"""smartcar.webhooks: signatures (the reference's test vectors), typed payloads, replay window, the receiver."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

import smartcar
from smartcar import webhooks

AMT = "amt"
STATE = {
    "eventId": "52f6e0bb-1369-45da-a61c-9e67d092d6db", "eventType": "VEHICLE_STATE",
    "vehicleId": "bc6ea99e-57d1-4e41-b129-27e7eb58713e",
    "data": {"user": {"id": "u1"},
             "vehicle": {"id": "bc6ea99e-57d1-4e41-b129-27e7eb58713e", "make": "TESLA", "model": "Model 3",
                         "year": 2020, "mode": "test", "powertrainType": "BEV"},
             "signals": [{"code": "tractionbattery-stateofcharge", "name": "StateOfCharge", "group": "TractionBattery",
                          "body": {"unit": "percent", "value": 75}, "status": {"value": "SUCCESS"},
                          "meta": {"retrievedAt": 1758668712404, "oemUpdatedAt": 1758668712404}},
                         {"code": "location-isathome", "name": "IsAtHome", "group": "Location",
                          "status": {"value": "ERROR", "error": {"code": "VEHICLE_NOT_CAPABLE",
                                                                 "type": "COMPATIBILITY"}}}]},
    "triggers": [{"type": "SIGNAL_UPDATED", "signal": {"code": "tractionbattery-stateofcharge",
                                                        "name": "StateOfCharge", "group": "TractionBattery"}}],
    "meta": {"version": "4.0", "webhookId": "w1", "webhookName": "Battery", "deliveryId": "d1",
             "deliveredAt": 1761896351529, "mode": "LIVE"},
}


def signed(payload: dict, amt: str = AMT) -> tuple[bytes, str]:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return body, webhooks.sign(body, amt)


def test_signature_matches_the_reference_vectors_and_the_official_helpers():
    assert webhooks.sign("challenge", "amt") == "9baf5a7464bd86740ad5a06e439dcf535a075022ed2c92d74efacf646d79328e"
    assert webhooks.sign(b'{"pizza":"pasta"}', "amt") == \
        "4c05a8da471f05156ad717baa4017acd13a3a809850b9ca7d3301dcaaa854f70"
    assert webhooks.sign("challenge", "amt") == smartcar.hash_challenge("amt", "challenge")
    body, signature = signed(STATE)
    assert smartcar.verify_payload(AMT, signature, body)


def test_parse_v3_vehicle_state():
    body, signature = signed(STATE)
    event = webhooks.parse(body, signature, AMT)
    assert isinstance(event, webhooks.VehicleStateEvent)
    assert event.event_id == STATE["eventId"] and event.user_id == "u1" and event.vehicle.make == "TESLA"
    soc = event.signal("TractionBattery-StateOfCharge")
    assert soc is not None and soc.value == 75 and soc.status == "SUCCESS"
    assert soc.retrieved_at == datetime.fromtimestamp(1758668712.404, timezone.utc)
    home = event.signal("location-isathome")
    assert home is not None and home.body is None and home.error == {"code": "VEHICLE_NOT_CAPABLE",
                                                                      "type": "COMPATIBILITY"}
    assert event.triggers[0].type == "SIGNAL_UPDATED" and event.triggers[0].code == "tractionbattery-stateofcharge"
    assert event.meta.webhook_id == "w1" and event.meta.delivered_at is not None


def test_parse_v3_error_verify_and_v2():
    error = {"eventId": "e2", "eventType": "VEHICLE_ERROR", "vehicleId": "v1",
             "data": {"user": {"id": "u"}, "vehicle": {"id": "v1", "make": "FORD", "model": "F-150", "year": 2022},
                      "errors": [{"type": "VEHICLE_STATE", "code": "ASLEEP", "state": "ERROR",
                                  "resolution": {"type": "RETRY_LATER"}, "signals": ["Charge.IsCharging"]}]},
             "meta": {"version": "4.0", "deliveredAt": 1761896351529}}
    event = webhooks.parse(*signed(error), AMT)
    assert isinstance(event, webhooks.VehicleErrorEvent)
    assert (event.errors[0].code, event.errors[0].state, event.errors[0].resolution) == ("ASLEEP", "ERROR",
                                                                                          "RETRY_LATER")
    verify = webhooks.parse(*signed({"eventType": "VERIFY", "data": {"challenge": "abc"}, "meta": {}}), AMT)
    assert isinstance(verify, webhooks.VerifyEvent)
    assert webhooks.challenge_response(verify, AMT) == {"challenge": smartcar.hash_challenge(AMT, "abc")}
    v2 = webhooks.parse(*signed({"version": "2.0", "webhookId": "w", "eventName": "eventBased", "mode": "test",
                                 "payload": {"eventId": "e3", "vehicleId": "v", "eventType": "CHARGING_STARTED",
                                             "eventTime": "2026-12-04T10:00:00.000Z"}}), AMT)
    assert isinstance(v2, webhooks.V2Event) and v2.event_type == "CHARGING_STARTED" and v2.event_id == "e3"
    assert v2.event_time == datetime(2026, 12, 4, 10, tzinfo=timezone.utc)
    v2_verify = webhooks.parse(*signed({"version": "2.0", "webhookId": "w", "eventName": "verify",
                                        "payload": {"challenge": "c"}}), AMT)
    assert isinstance(v2_verify, webhooks.VerifyEvent) and v2_verify.webhook_id == "w"


def test_a_tampered_body_is_refused():
    body, signature = signed(STATE)
    tampered = body.replace(b'"value":75', b'"value":15')
    with pytest.raises(webhooks.InvalidSignature, match="does not sign"):
        webhooks.parse(tampered, signature, AMT)
    with pytest.raises(webhooks.InvalidSignature, match="does not sign"):
        webhooks.parse(body, signature, "another-amt")
    with pytest.raises(webhooks.InvalidSignature, match="missing"):
        webhooks.parse(body, None, AMT)
    assert webhooks.parse(body, signature.upper(), AMT).raw == STATE  # hex in any case


def test_malformed_and_stale_payloads():
    for payload in (b"not json", b"[1]", b'{"eventType": "VEHICLE_STATE"}', b'{"eventType": "NOPE", "eventId": "x"}'):
        with pytest.raises(webhooks.InvalidPayload):
            webhooks.parse(payload, webhooks.sign(payload, AMT), AMT)
    body, signature = signed(STATE)
    delivered = datetime.fromtimestamp(1761896351.529, timezone.utc)
    assert webhooks.parse(body, signature, AMT, max_age=60, now=delivered + timedelta(seconds=30))
    with pytest.raises(webhooks.StaleEvent):
        webhooks.parse(body, signature, AMT, max_age=60, now=delivered + timedelta(seconds=61))
    with pytest.raises(TypeError):
        webhooks.parse(body, signature, None)  # type: ignore[arg-type]


def test_receiver_answers_verify_dedupes_and_retries_after_a_failure():
    handled: list[str] = []
    failures = [RuntimeError("db down")]

    def handler(event: webhooks.Event) -> None:
        if failures:
            raise failures.pop()
        handled.append(event.event_id or "")

    receiver = webhooks.Receiver(AMT, handler)
    challenge = json.dumps({"eventType": "VERIFY", "data": {"challenge": "xyz"}, "meta": {}}).encode()
    reply = receiver.handle(challenge, webhooks.sign(challenge, AMT))
    assert (reply.status, reply.body) == (200, {"challenge": smartcar.hash_challenge(AMT, "xyz")})
    body, signature = signed(STATE)
    assert receiver.handle(body, signature).status == 500  # the platform retries
    assert receiver.handle(body, signature).status == 200
    assert receiver.handle(body, signature).body["status"] == "duplicate"
    assert handled == [STATE["eventId"]]
    assert receiver.handle(body + b" ", signature).status == 401
    assert receiver.handle(b"{", webhooks.sign(b"{", AMT)).status == 400


def test_memory_event_log_forgets_the_oldest():
    log = webhooks.MemoryEventLog(size=2)
    assert log.claim("a") and log.claim("b") and not log.claim("a")
    assert log.claim("c") and log.claim("a")  # "a" was evicted by "c"


def test_sqlite_event_log_is_shared_by_processes(tmp_path):
    """Four processes claim the same 40 event ids at once: each id is claimed exactly once."""
    import subprocess
    import sys

    path = str(tmp_path / "events.db")
    script = ("import sys; from smartcar.webhooks import SQLiteEventLog; log = SQLiteEventLog(sys.argv[1]); "
              "print(sum(log.claim(f'event-{i}') for i in range(40)))")
    processes = [subprocess.Popen([sys.executable, "-c", script, path], stdout=subprocess.PIPE, text=True)
                 for _ in range(4)]
    claimed = [int(p.communicate(timeout=60)[0]) for p in processes]
    assert sum(claimed) == 40
    log = webhooks.SQLiteEventLog(path)
    assert not log.claim("event-7")
    log.release("event-7")
    assert log.claim("event-7")
    assert log.purge(older_than_s=-1) == 40
