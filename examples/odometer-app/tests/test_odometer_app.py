"""The app's behaviour against an offline Smartcar: Connect, refresh, rate limits, a car asleep."""


def test_connect_then_read_the_odometer(client, login):
    result = login()
    assert result["response"].status_code == 302 and result["response"].headers["Location"] == "/odometer"
    reading = client.get("/odometer")
    assert reading.status_code == 200 and reading.json["distance"] >= 0


def test_a_denied_connect_explains_itself(client, login):
    result = login(deny=True)
    assert result["params"]["error"] == "access_denied"
    assert result["response"].status_code == 400 and result["response"].json["error"] == "access_denied"


def test_tokens_are_refreshed_after_they_expire(client, login, smartcar_env):
    login()
    store = client.application.extensions["tokens"]
    with client.session_transaction() as session:
        user_id = session["user_id"]
    before = store.get(user_id)

    smartcar_env.clock.advance(hours=3)  # past the two-hour access token
    reading = client.get("/odometer")

    assert reading.status_code == 200
    after = store.get(user_id)
    assert after[0] != before[0] and after[1] != before[1]  # both rotated and saved
    assert client.get("/odometer").status_code == 200  # the saved pair works


def test_a_rate_limit_passes_retry_after_on(client, login, smartcar_env):
    login()
    smartcar_env.faults.add("rate_limit", retry_after=30, count=1)
    limited = client.get("/odometer")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "30"
    assert client.get("/odometer").status_code == 200  # one hit only


def test_a_car_asleep(client, login, smartcar_env):
    login()
    vehicle_id = smartcar_env.vehicles.list()[0]["id"]
    smartcar_env.faults.add("asleep", vehicle_id=vehicle_id)
    asleep = client.get("/odometer")
    assert asleep.status_code == 409 and "asleep" in asleep.json["message"]


def test_live_mode_with_an_owner_account(smartcar_env):
    from odometer_app import create_app

    smartcar_env.users.add("owner@example.com", "correct horse", make="FORD")
    client = create_app(mode="live").test_client()
    connect_url = client.get("/login").headers["Location"]
    back = smartcar_env.walk(connect_url, make="FORD", email="owner@example.com", password="correct horse")
    assert client.get("/callback", query_string=back).status_code == 302
    assert client.get("/odometer").json["distance"] >= 0
