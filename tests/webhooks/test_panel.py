"""The panel's webhooks page: verification, deliveries with status codes and payloads, "send a test event",
"send again" and "verify again" (forms with the CSRF token)."""

from __future__ import annotations

from .conftest import Setup
from .receiver import wait_for


def test_webhooks_page_shows_deliveries_and_its_buttons_work(setup: Setup) -> None:
    vehicle = setup.vehicle()
    hook = setup.webhook([vehicle])
    http = setup.http
    page = http.get("/_emulator/panel/webhooks", params={"refresh": "0"})
    token = http.cookies.get("smartcar_emulator_csrf")
    assert page.status_code == 200 and f'id="webhook-{hook["id"]}"' in page.text and "verified" in page.text
    assert "VERIFY" in page.text and 'http-equiv="refresh"' not in page.text

    sent = http.post("/_emulator/panel/webhooks/action", data={"do": "test", "webhook_id": hook["id"], "csrf": token})
    assert sent.status_code == 303 and "queued" in sent.headers["location"]
    wait_for(lambda: setup.receiver.handled, what="the test event")
    page = http.get("/_emulator/panel/webhooks", params={"refresh": "0"})
    delivery = setup.log(webhook_id=hook["id"])[0]
    assert f'id="delivery-{delivery["id"]}"' in page.text and "&#34;TEST&#34;" in page.text  # the payload, escaped
    assert ">200<" in page.text

    again = http.post("/_emulator/panel/webhooks/action",
                      data={"do": "resend", "delivery_id": delivery["id"], "csrf": token})
    assert again.status_code == 303
    wait_for(lambda: len(setup.receiver.events()) == 2, what="sent again")
    assert len(setup.receiver.handled) == 1  # same event id: de-duplicated

    http.post("/_emulator/panel/webhooks/action", data={"do": "verify", "webhook_id": hook["id"], "csrf": token})
    wait_for(lambda: sum(b"VERIFY" in r[1] for r in setup.receiver.requests) == 2, what="challenged again")
    refused = http.post("/_emulator/panel/webhooks/action", data={"do": "test", "webhook_id": hook["id"],
                                                                   "csrf": "guess"})
    assert refused.status_code == 403
