"""``smartcar.Client`` / ``AsyncClient`` reach commands with executions, charge schedules, the Management API v3 and
compatible vehicles (loopback against the emulator), each effect read back."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

import smartcar
from smartcar_emulator.scripted import authorize_url
from smartcar_emulator.walker import walk
from tests.conftest import REDIRECT_URI

SCOPES = ["read_vehicle_info", "read_charge", "control_charge", "read_security", "control_security"]


def connected(emulator: Any, client_id: str, make: str = "TESLA") -> tuple[str, str]:
    email = f"v3-actions-{uuid.uuid4().hex[:8]}@example.com"
    user_id = walk(authorize_url(emulator.url, client_id, REDIRECT_URI, SCOPES, state="s", make=make),
                   email=email).params["user_id"]
    vehicle_id = emulator.platform.connections.search(client_id, user_id)[0].vehicle_id
    return user_id, vehicle_id


def test_charge_schedule_lifecycle_and_pending_command(emulator, application):
    user_id, vehicle_id = connected(emulator, application.client_id)
    with smartcar.Client() as client:
        vehicle = client.vehicle(vehicle_id, user_id=user_id)
        created = vehicle.create_charge_schedule("weekly", 37.77, -122.42, "22:00", "06:00", days=["SUNDAY"])
        assert created.status == "SUCCESS" and created.action == "create" and created.schedule_id
        schedule = vehicle.charge_schedule(created.schedule_id)
        assert (schedule.schedule_type, schedule.start_time, schedule.days) == ("weekly", "22:00", ("SUNDAY",))
        timers = vehicle.signal("charge-chargetimers").body["values"]
        assert any(t.get("scheduleId") == created.schedule_id for t in timers)
        assert vehicle.charge_schedule_execution(created.id).schedule_id == created.schedule_id
        deleted = vehicle.delete_charge_schedule(created.schedule_id)
        assert deleted.action == "delete" and deleted.status == "SUCCESS"
        with pytest.raises(smartcar.SmartcarException) as missing:
            vehicle.charge_schedule(created.schedule_id)
        assert missing.value.status_code == 404
        with pytest.raises(ValueError):
            vehicle.create_charge_schedule("weekly", 1, 2, "22:00", "06:00")  # days required

        emulator.platform.commands.async_seconds = 30.0
        try:
            vehicle.lock()
            execution = vehicle.unlock()
            assert execution.pending and execution.http_status == 202
            emulator.platform.clock.advance(31)
            done = vehicle.command_execution(execution.id)
            assert done.status == "SUCCESS" and not done.pending and done.error is None
            assert vehicle.signal("closure-islocked").value is False
        finally:
            emulator.platform.commands.async_seconds = 0.0


def test_management_api_v3_and_compatible_vehicles(emulator, application):
    user_id, vehicle_id = connected(emulator, application.client_id)
    tag = uuid.uuid4().hex[:8]
    with smartcar.Client() as client:
        webhook = client.webhooks.create(f"sdk {tag}", "http://127.0.0.1:9/hook",
                                         triggers=["tractionbattery-stateofcharge"], data=["charge-ischarging"])
        assert webhook.is_enabled and webhook.triggers[0].code == "tractionbattery-stateofcharge"
        assert webhook.triggers[0].group == "TractionBattery"
        assert [w.id for w in client.webhooks.list(name=tag)] == [webhook.id]
        updated = client.webhooks.update(webhook.id, is_enabled=False, name=f"sdk {tag} off")
        assert not updated.is_enabled and client.webhooks.get(webhook.id).name == f"sdk {tag} off"
        assert [w.id for w in client.webhooks.list(name=tag, is_enabled=False)] == [webhook.id]

        message = client.subscriptions.create(webhook.id, vehicle_id)
        assert message == "subscription creation in progress"
        found = list(client.subscriptions.list(webhook_id=webhook.id))
        assert [(s.vehicle_id, s.user_id) for s in found] == [(vehicle_id, user_id)]
        assert client.subscriptions.get(found[0].id).webhook_id == webhook.id
        client.subscriptions.delete(found[0].id)
        assert list(client.subscriptions.list(webhook_id=webhook.id)) == []
        client.webhooks.delete(webhook.id)
        with pytest.raises(smartcar.SmartcarException) as gone:
            client.webhooks.get(webhook.id)
        assert gone.value.status_code == 404

        europe = client.compatible_vehicles(region="EUROPE", make="tesla")
        assert europe and all(v.region == "EUROPE" and v.make == "Tesla" for v in europe)
        assert europe[0].supports("tractionbattery-stateofcharge") and europe[0].supports("closure-lock")
        assert client.compatible_vehicles(region="EUROPE", make="RIVIAN") == []


def test_async_client_reaches_the_same(emulator, application):
    user_id, vehicle_id = connected(emulator, application.client_id)

    async def run() -> None:
        async with smartcar.AsyncClient() as client:
            vehicle = client.vehicle(vehicle_id, user_id=user_id)
            created = await vehicle.create_charge_schedule("daily", 40.0, -105.0, "01:00", "05:00")
            assert (await vehicle.charge_schedule(created.schedule_id or "")).stop_time == "05:00"
            execution = await vehicle.lock()
            assert (await vehicle.command_execution(execution.id)).command_type == "security-lock"
            assert (await vehicle.delete_charge_schedule(created.schedule_id or "")).status == "SUCCESS"
            webhook = await client.webhooks.create("async", "http://127.0.0.1:9/a")
            await client.subscriptions.create(webhook.id, vehicle_id, user_id)
            assert [s.vehicle_id async for s in client.subscriptions.list(webhook_id=webhook.id)] == [vehicle_id]
            await client.webhooks.delete(webhook.id)
            assert await client.compatible_vehicles(region="US", make="RIVIAN")

    asyncio.run(run())
