"""Which models the emulator's platform supports, where, and with which signals and commands.

The data behind v3 ``GET /compatible-vehicles`` and the v2 compatibility matrix (its ``region``): every catalogue
model in the regions its make sells it in (a plausible table, not Smartcar's), with the v3 signals the signal
catalogue says it can serve and the commands its powertrain and make can run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .catalog import MAKES, MODELS, Model, normalize_make
from .commands import COMMANDS, SCHEDULE_MAKES
from .permissions import capable
from .signals import SIGNALS

REGIONS = ("US", "CA", "EUROPE")
_NORTH_AMERICA = ("US", "CA")
# Makes (and models) sold only in North America in the emulator's catalogue; every other one in all three regions.
_REGIONS_BY_MAKE: dict[str, tuple[str, ...]] = {"CADILLAC": _NORTH_AMERICA, "CHEVROLET": _NORTH_AMERICA,
                                                 "RIVIAN": _NORTH_AMERICA}
_REGIONS_BY_MODEL: dict[tuple[str, str], tuple[str, ...]] = {("FORD", "F-150"): _NORTH_AMERICA,
                                                              ("TOYOTA", "Camry"): _NORTH_AMERICA}

# The capability code and display name of each v3 command (the docs show ``charge-start`` and ``closure-lock``).
COMMAND_CAPABILITIES: dict[str, tuple[str, str]] = {
    "charge/start": ("charge-start", "Start charge"), "charge/stop": ("charge-stop", "Stop charge"),
    "charge/set-limit": ("charge-setlimit", "Set charge limit"), "security/lock": ("closure-lock", "Lock vehicle"),
    "security/unlock": ("closure-unlock", "Unlock vehicle"),
    "navigation/set-destination": ("navigation-setdestination", "Set destination"),
}
SCHEDULE_CAPABILITIES = {"daily": "Daily charge schedule", "weekly": "Weekly charge schedule",
                         "workweek": "Workweek charge schedule"}


def regions_of(model: Model) -> tuple[str, ...]:
    return _REGIONS_BY_MODEL.get((model.make, model.name), _REGIONS_BY_MAKE.get(model.make, REGIONS))


def check_region(region: str | None) -> str | None:
    """The region in upper case, or ValueError."""
    if region is None:
        return None
    key = region.strip().upper()
    if key not in REGIONS:
        raise ValueError(f"region must be one of {', '.join(REGIONS)}")
    return key


# ISO 3166-1 alpha-2: the 249 officially assigned codes (the v2 compatibility API's ``country``).
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC
CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH
KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC
SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split())
# The countries of each market (a plausible table, like the regions above): the EU, the EEA, Switzerland and the UK
# are EUROPE; any other country is in no market the emulator's makes are sold in.
_EUROPE = frozenset("""
AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK""".split())


def check_country(country: str) -> str:
    """An ISO 3166-1 alpha-2 code, any case, in upper case; else ValueError."""
    key = country.strip().upper()
    if key not in COUNTRIES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. US")
    return key


def region_of_country(country: str) -> str | None:
    """The market a (checked) country belongs to: US, CA, EUROPE, or None."""
    return country if country in ("US", "CA") else "EUROPE" if country in _EUROPE else None


def make_sold_in(make: str, region: str | None) -> bool:
    """Whether the make has a catalogue model sold in the market (a make the catalogue lacks: every market)."""
    models = [m for m in MODELS if m.make == make]
    return region is not None and (not models or any(region in regions_of(m) for m in models))


def _words(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)


def capabilities(model: Model) -> list[dict[str, str]]:
    found = [{"type": "signal", "name": _words(spec.name), "group": spec.group, "code": spec.name,
              "capability": spec.code, "permission": spec.permission}
             for spec in SIGNALS if spec.supported.covers(model.make, model.name, model.powertrain)]
    for path, spec in COMMANDS.items():
        if capable(spec.permission, model.powertrain):
            code, name = COMMAND_CAPABILITIES[path]
            found.append({"type": "command", "name": name, "group": "", "code": code, "capability": code,
                          "permission": ""})
    for schedule_type in sorted(SCHEDULE_MAKES.get(model.make, ())):
        code = f"chargeschedule-{schedule_type}"
        found.append({"type": "command", "name": SCHEDULE_CAPABILITIES[schedule_type], "group": "", "code": code,
                      "capability": code, "permission": ""})
    return found


@dataclass(frozen=True)
class CompatibleVehicle:
    model: Model
    region: str

    @property
    def id(self) -> str:
        m = self.model
        return f"{m.make}-{m.name}-{m.first_year}-{m.last_year}-{m.powertrain}-{self.region}"

    def to_resource(self) -> dict[str, Any]:
        m = self.model
        return {"id": self.id, "type": "vehicle-model-capability",
                "attributes": {"make": MAKES.get(m.make, m.make), "model": m.name, "region": self.region,
                               "powertrainType": m.powertrain, "years": {"start": m.first_year, "end": m.last_year},
                               "capabilities": capabilities(m)}}


def compatible_vehicles(region: str | None = None, make: str | None = None) -> list[CompatibleVehicle]:
    """Every (model, region) pair, filtered by region and make (any spelling); an unknown make matches nothing.
    Raises ValueError for an unknown region."""
    region = check_region(region)
    make_key = normalize_make(make) if make else None
    if make and make_key is None:
        return []
    return [CompatibleVehicle(model, r) for model in MODELS for r in regions_of(model)
            if (region is None or r == region) and (make_key is None or model.make == make_key)]
