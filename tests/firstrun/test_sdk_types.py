"""Issue 13, item 4: what a user's code sees under ``mypy --strict``: typed exception attributes (None where not
applicable), ``SmartcarResponseError`` at the top level, and v2 results whose field types reach the caller."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import smartcar

USER_CODE = '''
from datetime import datetime

import smartcar


def odometer(vehicle: smartcar.Vehicle) -> float:
    return vehicle.odometer().distance


def describe(vehicle: smartcar.Vehicle, auth: smartcar.AuthClient) -> str:
    attributes = vehicle.attributes()
    access = auth.exchange_code("code")
    expires: datetime = access.expiration
    ids: list[str] = smartcar.get_vehicles(access.access_token).vehicles
    return f"{attributes.make} {attributes.model} {attributes.year + 0} {expires} {ids} {vehicle.lock().status}"


def explain(error: smartcar.SmartcarException) -> str:
    status: int | None = error.status_code
    retry: str | int | None = error.retry_after
    resolution: dict[str, str | None] | None = error.resolution
    texts: list[str | None] = [error.type, error.code, error.description, error.doc_url, error.request_id,
                               error.url, error.reason, error.suggested_user_message]
    return f"{status} {retry} {resolution} {error.detail} {texts}"


def unexpected(error: smartcar.SmartcarResponseError) -> str | None:
    return error.body


async def later(vehicle: smartcar.AsyncVehicle) -> float:
    return (await vehicle.location()).latitude

reveal_type(smartcar.Vehicle("v", "t").odometer().distance)
reveal_type(smartcar.Vehicle("v", "t").attributes())
'''

WRONG = '''
import smartcar

def wrong(vehicle: smartcar.Vehicle) -> int:
    return vehicle.attributes().make
'''


def mypy(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "user_app.py"
    path.write_text(code)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir",
                           str(tmp_path / ".mypy_cache"), str(path)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)


def test_a_users_code_type_checks_strictly_against_typed_results_and_errors(tmp_path: Path) -> None:
    result = mypy(tmp_path, USER_CODE)
    notes = re.findall(r'Revealed type is "([^"]+)"', result.stdout)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert errors == [], result.stdout
    assert notes[0] == "float"
    assert notes[1].startswith("tuple[str, str, str, int, Any, fallback=smartcar.v2_response.Attributes]"), notes
    wrong = mypy(tmp_path, WRONG)
    assert 'Incompatible return value type (got "str", expected "int")' in wrong.stdout, wrong.stdout


def test_every_documented_attribute_reads_none_when_absent() -> None:
    bare = smartcar.SmartcarException(message="SDK_ERROR")
    for name in ("status_code", "type", "code", "description", "doc_url", "resolution", "detail", "retry_after",
                 "request_id", "suggested_user_message", "body", "url", "reason"):
        assert getattr(bare, name) is None, name
    assert vars(bare) == {"message": "SDK_ERROR"}  # only what was given is stored: pickling and equality as before
    assert smartcar.SmartcarResponseError is smartcar.exception.SmartcarResponseError
    assert "SmartcarResponseError" in smartcar.__all__
