"""End-to-end smoke: Connect → token → vehicle read, over loopback HTTP."""

import httpx2


def test_connect_then_read_odometer(emulator, connect_vehicle):
    session = connect_vehicle(scopes=["read_odometer"], make="FORD")
    assert len(session["vehicle_ids"]) == 1
    response = httpx2.get(f"{emulator.url}/v2.0/vehicles/{session['vehicle_ids'][0]}/odometer",
                         headers={"Authorization": f"Bearer {session['access_token']}"})
    assert response.status_code == 200
    assert response.json()["distance"] > 0
    assert len(response.headers["sc-request-id"]) == 36
