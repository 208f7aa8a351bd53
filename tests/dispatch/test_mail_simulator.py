"""The e-mail distributors of the touchless benchmark: what they write reads back as they meant it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fulfilment_engine.dispatch import carriers
from fulfilment_engine.dispatch.message import from_mime, read
from fulfilment_engine.simulators.dispatch_mail import DispatchMailer, MailDistributor, TrackingNumbers

WESTCOAST = MailDistributor(
    "Westcoast Ltd", "Westcoast Despatch <despatch@westcoast.co.uk>", "text", carriers.DPD
)
EXERTIS = MailDistributor("Exertis UK", "Exertis Shipping <shipping@exertis.co.uk>", "html", carriers.UPS)
TARGET = MailDistributor("Target Components", "Target <reports@targetcomponents.co.uk>", "csv", carriers.TNT)


@pytest.mark.parametrize(
    "carrier", [carriers.UPS, carriers.DHL, carriers.ROYAL_MAIL, carriers.TNT, carriers.DPD]
)
def test_numbers_are_valid_for_their_carrier_and_never_repeat(carrier):
    numbers = TrackingNumbers(seed=4)
    made = [numbers.next(carrier) for _ in range(50)]
    assert len(set(made)) == 50
    mailer = DispatchMailer("dispatch@reseller.example")
    for number in made[:5]:
        raw, _ = mailer.despatch(
            MailDistributor("D", "d <d@d.example>", "text", carrier), "P00001", [("A1", 1)], number=number
        )
        assert [t.number for t in read(raw).tracking] == [number]


@pytest.mark.parametrize("distributor", [WESTCOAST, EXERTIS, TARGET], ids=lambda d: d.layout)
def test_a_despatch_reads_back_with_its_lines_and_tracking(distributor):
    raw, number = DispatchMailer("dispatch@reseller.example").despatch(
        distributor, "P00042", [("WC-LS27C390", 2), ("920-004536", 1)]
    )
    reading = read(raw)
    assert reading.po_refs == ("P00042",)
    assert [(t.carrier, t.number) for t in reading.tracking] == [(distributor.carrier, number)]
    assert [(line.code, line.quantity) for line in reading.lines] == [
        ("WC-LS27C390", Decimal(2)),
        ("920-004536", Decimal(1)),
    ]
    assert from_mime(raw).email_from == distributor.sender


def test_the_unclear_and_the_stranger():
    mailer = DispatchMailer("dispatch@reseller.example", seed=2)
    part, _ = mailer.part_without_lines(WESTCOAST, "P00043")
    reading = read(part)
    assert (reading.scope, reading.lines, len(reading.tracking)) == ("partial", (), 1)
    wrong, number = mailer.mistyped(EXERTIS, "P00044")
    assert [d.number for d in read(wrong).doubtful] == [number]
    stranger, number = mailer.stranger("P00045")
    assert [t.number for t in read(stranger).tracking] == [number]
    assert "gmail.com" in from_mime(stranger).email_from
