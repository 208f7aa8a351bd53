"""Carrier rules: each carrier's published examples pass, one changed digit fails, and the numbers a
despatch e-mail is full of (telephone, VAT, company, order numbers, postcodes) are never taken."""

from __future__ import annotations

import re

import pytest

from fulfilment_engine.dispatch import carriers, tracking
from fulfilment_engine.dispatch.blocks import TextBlock
from fulfilment_engine.dispatch.scan import scan

PO = re.compile(r"(?<![A-Za-z0-9])P\d{5}(?![A-Za-z0-9])", re.I)

VALID = [
    # UPS's own documentation example, and one whose check digit comes from a letter-bearing shipper
    ("1Z999AA10123456784", carriers.UPS),
    ("1ZA45R870312345679", carriers.UPS),
    # FedEx Express 12 (weights 3,1,7 mod 11) and Ground 15 (mod 10), from tracking_number_data's examples
    ("986578788855", carriers.FEDEX),
    ("798854003124", carriers.FEDEX),
    ("612999988208210", carriers.FEDEX),
    # DHL Express: 10 digits, the first nine modulo 7
    ("3318810025", carriers.DHL),
    ("5401234565", carriers.DHL),
    # UPU S10 (Royal Mail GB; Parcelforce is the UK's EMS operator, indicator E…)
    ("RB123456785GB", carriers.ROYAL_MAIL),
    ("TT123456785GB", carriers.ROYAL_MAIL),
    ("EE123456785GB", carriers.PARCELFORCE),
    # TNT consignment: S10's check over 8 digits (the `modulus11` package's doctests: 18392825 → 2)
    ("183928252", carriers.TNT),
    ("480253470", carriers.TNT),
    ("GE183928252WW", carriers.TNT),
]


@pytest.mark.parametrize(("number", "carrier"), VALID)
def test_published_examples_pass_their_carrier(number, carrier):
    assert carrier in {rule.carrier for rule in tracking.matches(number)}


@pytest.mark.parametrize(("number", "carrier"), [v for v in VALID if v[1] != carriers.PARCELFORCE])
def test_one_digit_changed_fails(number, carrier):
    # change the check digit (for S10/TNT the digit before the country letters)
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    at = digits[-1]
    wrong = number[:at] + str((int(number[at]) + 1) % 10) + number[at + 1 :]
    assert carrier not in {rule.carrier for rule in tracking.matches(wrong) if rule.strength != "shape"}


def test_spaces_and_hyphens_as_printed():
    assert tracking.evident("1Z 999 AA1 01 2345 6784").carrier == carriers.UPS
    assert tracking.evident("RB 1234 5678 5GB").carrier == carriers.ROYAL_MAIL


def test_shape_only_carriers_need_their_name():
    # DPD, Evri and Yodel publish no check digit: the shape alone is never "evident"
    for number in ("15501234567890", "H01HYA0012345678", "JJD0002212345678901"):
        assert tracking.evident(number) is None
        assert {rule.strength for rule in tracking.matches(number)} <= {"shape", "checked"}


def _read(text: str):
    return scan([TextBlock("body", tuple(text.splitlines()))], PO)


def test_decoys_in_a_signature_are_never_tracking():
    # +44 161 555 0400 passes FedEx's 12-digit check; 3318810025 passes DHL's mod 7 — as an order number
    reading = _read(
        "Tel: +44 161 555 0400  Fax: 0161 555 0401\n"
        "VAT Reg No: GB 123 4567 89   Company No: 01234567\n"
        "Sales Order: 3318810025   Account No: 5401234565\n"
        "Registered office: Unit 4, Trafford Park, Manchester M17 1ZZ\n"
    )
    assert reading.tracking == ()
    assert reading.doubtful == ()
    assert reading.order_numbers == ("3318810025",)


def test_a_labelled_number_needs_a_rule_or_a_carrier():
    reading = _read("Tracking: 15501234567890")  # DPD's shape, but no carrier named and no check digit
    assert reading.tracking == ()
    assert [d.number for d in reading.doubtful] == ["15501234567890"]
    reading = _read("Sent with DPD today.\nTracking: 15501234567890")
    assert [(t.carrier, t.number) for t in reading.tracking] == [(carriers.DPD, "15501234567890")]


def test_a_wrong_check_digit_named_with_its_carrier_is_doubtful():
    reading = _read("Courier: DHL Express  AWB: 3318810026")
    assert reading.tracking == ()
    assert reading.doubtful[0].number == "3318810026"
    assert "DHL Express" in reading.doubtful[0].reason


def test_an_unknown_carrier_named_with_its_number():
    reading = _read("Carrier: Acme Freight, tracking: AF-000123")
    assert [(t.carrier, t.number) for t in reading.tracking] == [("Acme Freight", "AF000123")]
    # named, but not as a tracking number: not taken
    assert _read("Carrier: Acme Freight, account AF-000123").tracking == ()


def test_evident_numbers_anywhere():
    reading = _read("Your parcels: 1Z999AA10123456784 and RB123456785GB.")
    assert [(t.carrier, t.checked) for t in reading.tracking] == [
        (carriers.UPS, True),
        (carriers.ROYAL_MAIL, True),
    ]
