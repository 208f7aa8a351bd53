"""Carrier tracking numbers: each carrier's shapes and check digits.

A `Rule` says whether a number (upper case, no spaces) is one of a carrier's, and how sure that is:
- `checked`: the carrier's check digit confirms it (a random number of that length passes one time in
  7 to 11, so it still needs the text around it, see `scan`);
- `evident`: the shape alone tells it is a tracking number (UPS's "1Z", UPU S10's letters and country)
  and its check digit confirms it, so it is taken wherever it appears;
- `shape`: the carrier publishes no check digit; taken only when the text names that carrier with it.

Where the PyPI package `tracking-numbers` (MIT; its rules are generated from the tracking_number_data
repository's courier files) has a carrier, its regular expression and checksum are used as they stand;
the UK carriers it lacks have their rules here, each with its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from tracking_numbers import get_definition
from tracking_numbers.checksum_validator import S10

from . import carriers

Strength = Literal["evident", "checked", "shape"]


@dataclass(frozen=True)
class Rule:
    carrier: str
    name: str
    accepts: Callable[[str], bool]
    strength: Strength


@cache
def _definition(product: str):
    definition = get_definition(product)
    if definition is None:  # a renamed product in a new release of the package: fail loudly in tests
        raise LookupError(f"tracking-numbers has no definition {product!r}")
    return definition


def _library(product: str, *, ignore: tuple[str, ...] = ()) -> Callable[[str], bool]:
    """The package's rule for `product`: its pattern and checksum; validations named in `ignore` are
    not required (UPS's list of service codes and S10's service indicators are incomplete lists)."""

    def accepts(number: str) -> bool:
        found = _definition(product).test(number)
        if found is None:
            return False
        return all(name in ignore for name, _ in found.validation_errors)

    return accepts


_S10_SHAPE = re.compile(r"[A-Z]{2}(\d{8})(\d)([A-Z]{2})")


def _s10_check(serial: str, check: str) -> bool:
    """UPU S10 check digit (weights 8 6 4 2 3 5 9 7, modulus 11), as the package implements it."""
    return S10().passes([int(d) for d in serial], int(check))


def _s10(countries: Callable[[str], bool]) -> Callable[[str], bool]:
    """UPU standard S10 (two letters, 8 digits + check digit, the country of a UPU member post): the
    package's checksum and country list, without its service-indicator list — Royal Mail's domestic
    tracked services use indicators S10 leaves to each post (TT, JV, …)."""

    def accepts(number: str) -> bool:
        match = _S10_SHAPE.fullmatch(number)
        if match is None or not countries(match.group(3)):
            return False
        return _library("S10", ignore=("Service Type",))(number)

    return accepts


def _royal_mail(number: str) -> bool:
    # Royal Mail's items carry S10 numbers ending GB; EMS items ("E" first) are Parcelforce's.
    return _s10(lambda country: country == "GB")(number) and not number.startswith("E")


def _parcelforce(number: str) -> bool:
    # Parcelforce Worldwide is the UK's EMS operator: S10 numbers with service indicator E…, country GB.
    # Its domestic consignments are two letters and seven digits (e.g. "PB1234567"), no check digit.
    return (_s10(lambda country: country == "GB")(number) and number.startswith("E")) or bool(
        re.fullmatch(r"[A-Z]{2}\d{7}", number)
    )


def _foreign_post(number: str) -> bool:
    return _s10(lambda country: country != "GB")(number)


def _tnt(number: str) -> bool:
    """TNT consignment numbers: nine digits, the last a check digit computed as UPU S10's (weights
    8 6 4 2 3 5 9 7, modulus 11; TNT's con notes print them as "GE 123 456 785 WW" too)."""
    match = re.fullmatch(r"(?:[A-Z]{2})?(\d{8})(\d)(?:WW)?", number)
    if match is None or (len(number) not in (9, 13)) or (len(number) == 13 and not number.endswith("WW")):
        return False
    return _s10_check(match.group(1), match.group(2))


def _tnt_evident(number: str) -> bool:
    return len(number) == 13 and _tnt(number)


def _dpd(number: str) -> bool:
    """DPD UK parcel numbers: 14 digits (the 4-digit depot, then the parcel's 10). DPD's Parcel Label
    Specification puts its check character (ISO 7064 MOD 37,36) over the whole label barcode — postcode,
    parcel number, service and country — so the 14 digits on their own carry no check digit."""
    return bool(re.fullmatch(r"\d{14}", number))


def _evri(number: str) -> bool:
    """Evri (Hermes UK) tracking numbers: 16 letters and digits, at least 8 of them digits; Evri
    publishes no check digit."""
    return bool(re.fullmatch(r"[A-Z0-9]{16}", number)) and sum(c.isdigit() for c in number) >= 8


def _yodel(number: str) -> bool:
    """Yodel: "JJD" (or "JD") then 16 to 18 digits, or 16 to 18 digits alone; no published check digit.
    "JJD" starts the GS1 licence plates other carriers print too, so Yodel is never guessed from it."""
    return bool(re.fullmatch(r"(?:J?JD)?\d{16,18}", number))


RULES: tuple[Rule, ...] = (
    # UPS: "1Z", shipper, service, package, check digit (letters count as digits, UPS's rule).
    Rule(carriers.UPS, "1Z", _library("UPS", ignore=("Service Type",)), "evident"),
    Rule(carriers.ROYAL_MAIL, "S10 GB", _royal_mail, "evident"),
    Rule(carriers.PARCELFORCE, "S10 GB (EMS)", lambda n: _parcelforce(n) and len(n) == 13, "evident"),
    Rule(carriers.TNT, "con note ..WW", _tnt_evident, "evident"),
    # FedEx Express 12 digits (weights 3 1 7, mod 11 mod 10), Ground 15 (mod 10), SmartPost 20/22
    # ("92…"), Ground 96 22-digit, and the 34-digit Express barcode — all from the package.
    Rule(carriers.FEDEX, "Express (12)", _library("FedEx Express (12)"), "checked"),
    Rule(carriers.FEDEX, "Ground (15)", _library("FedEx Ground"), "checked"),
    Rule(carriers.FEDEX, "SmartPost (20/22)", _library("FedEx SmartPost"), "checked"),
    Rule(carriers.FEDEX, "Ground 96 (22)", _library("FedEx Ground 96 (22)"), "checked"),
    Rule(carriers.FEDEX, "Express (34)", _library("FedEx Express (34)"), "checked"),
    # DHL Express air waybill: 10 digits, the last the first nine modulo 7.
    Rule(carriers.DHL, "waybill (10)", _library("DHL Express"), "checked"),
    Rule(carriers.TNT, "consignment (9)", lambda n: len(n) == 9 and _tnt(n), "checked"),
    Rule(carriers.PARCELFORCE, "domestic", lambda n: _parcelforce(n) and len(n) == 9, "shape"),
    Rule(carriers.DPD, "parcel (14)", _dpd, "shape"),
    Rule(carriers.EVRI, "16 characters", _evri, "shape"),
    Rule(carriers.YODEL, "JJD / 16-18 digits", _yodel, "shape"),
    Rule("post", "S10", _foreign_post, "evident"),
)

CARRIERS_WITH_RULES = frozenset(rule.carrier for rule in RULES)

_STRENGTH_ORDER = {"evident": 0, "checked": 1, "shape": 2}


def normalise(text: str) -> str:
    """A number as carriers compare it: upper case, without the spaces and hyphens people print."""
    return re.sub(r"[\s\-]", "", text).upper()


def matches(number: str, carrier: str | None = None) -> list[Rule]:
    """The rules `number` satisfies (strongest first), only `carrier`'s when one is given."""
    number = normalise(number)
    found = [rule for rule in RULES if (carrier is None or rule.carrier == carrier) and rule.accepts(number)]
    found.sort(key=lambda rule: _STRENGTH_ORDER[rule.strength])
    return found


def evident(number: str) -> Rule | None:
    """The rule that identifies `number` on sight (UPS 1Z, S10, TNT's ..WW), if any."""
    for rule in matches(number):
        if rule.strength == "evident":
            return rule
    return None


def post_carrier(rule: Rule, number: str) -> str:
    """The carrier to record for a number `rule` accepted: the S10 country's post for foreign S10."""
    if rule.carrier == "post":
        return f"Post ({normalise(number)[-2:]})"
    return rule.carrier
