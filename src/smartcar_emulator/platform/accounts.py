"""Live-mode OEM accounts (``smartcar-emulator users add``): an email, a password and vehicles."""

from __future__ import annotations

from ..clock import Clock
from ..store import Database
from .catalog import models_of, normalize_make
from .ids import check_password, hash_password
from .state import rng_for
from .vehicles import Vehicle, VehicleRepository, owner_key

_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_MAKE_WMI = {"AUDI": "WAU", "BMW": "WBA", "CADILLAC": "1G6", "CHEVROLET": "1G1", "FORD": "1FA",
             "HYUNDAI": "KM8", "KIA": "KNA", "LINCOLN": "5LM", "MERCEDES-BENZ": "W1K", "MINI": "WMW", "NISSAN": "1N4",
             "RIVIAN": "7FC",
             "TESLA": "5YJ", "TOYOTA": "JTD", "VOLKSWAGEN": "WVG", "VOLVO": "YV4"}


def live_vin(make: str, *parts: str) -> str:
    rng = rng_for("live-vin", make, *parts)
    return _MAKE_WMI.get(make, "1SC") + "".join(rng.choice(_VIN_CHARS) for _ in range(14))


class AccountRepository:
    def __init__(self, db: Database, clock: Clock, vehicles: VehicleRepository) -> None:
        self.db = db
        self.clock = clock
        self.vehicles = vehicles

    def add(self, email: str, password: str, make: str = "TESLA", count: int = 1,
            vins: list[str] | None = None) -> list[Vehicle]:
        """Create (or reset the password of) a live account holding ``count`` vehicles of ``make``."""
        key = normalize_make(make)
        if key is None:
            raise ValueError(f"unknown make {make!r}")
        if not models_of(key):
            raise ValueError(f"no models for make {make!r}")
        email = email.strip().lower()
        if "@" not in email:
            raise ValueError("the email must contain @")
        self.db.execute(
            "INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash",
            (email, hash_password(password), self.clock.timestamp()),
        )
        owner = owner_key("live", email)
        wanted = vins or [live_vin(key, email, str(i)) for i in range(count)]
        return [self.vehicles.ensure(vin.upper(), key, "live", owner, first=i == 0) for i, vin in enumerate(wanted)]

    def login(self, email: str, password: str) -> bool:
        row = self.db.one("SELECT password_hash FROM accounts WHERE email = ?", (email.strip().lower(),))
        return row is not None and check_password(password, row["password_hash"])

    def list(self) -> list[str]:
        return [row["email"] for row in self.db.all("SELECT email FROM accounts ORDER BY created_at")]
