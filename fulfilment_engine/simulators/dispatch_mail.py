"""Distributors that answer by e-mail, for the touchless benchmark and tests: each writes its despatch
e-mails in its own layout (a plain-text note with an aligned table, an HTML shipment notification, a CSV
daily report), with tracking numbers that pass their carrier's check digit, as whole MIME messages ready
for Odoo's mail gateway (`mail.thread.message_process`).

Besides clean despatches it writes what a dispatch mailbox also receives: a part despatch that names no
lines ("the rest to follow"), a tracking number with a wrong check digit, and a stranger's message naming
a real purchase order. It never imports Odoo.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal

from ..dispatch import carriers, tracking

Layout = Literal["text", "html", "csv"]
Line = tuple[str, int]  # (the distributor's code, quantity despatched)


@dataclass(frozen=True)
class MailDistributor:
    name: str
    sender: str  # "Westcoast Despatch <despatch@westcoast.co.uk>"
    layout: Layout
    carrier: str  # one of fulfilment_engine.dispatch.carriers' names


def _complete(prefix: str, suffix: str, carrier: str) -> str:
    """`prefix` + the check digit that makes a valid `carrier` number (+ `suffix`)."""
    for digit in "0123456789":
        number = f"{prefix}{digit}{suffix}"
        if any(rule.strength != "shape" for rule in tracking.matches(number, carrier)):
            return number
    raise ValueError(f"no check digit makes {prefix}?{suffix} a {carrier} number")


class TrackingNumbers:
    """Valid tracking numbers, a new one each call, the same sequence for the same seed."""

    def __init__(self, seed: int = 0):
        self._serial = itertools.count(seed * 100_000 + 1)

    def next(self, carrier: str) -> str:
        n = next(self._serial)
        if carrier == carriers.UPS:
            return _complete(f"1Z8V5E92{n % 10**9:09d}", "", carrier)
        if carrier == carriers.DHL:
            serial = 100_000_000 + n % 900_000_000
            return f"{serial}{serial % 7}"
        if carrier == carriers.ROYAL_MAIL:
            return _complete(f"TT{n % 10**8:08d}", "GB", carrier)
        if carrier == carriers.TNT:
            return _complete(f"{n % 10**8:08d}", "", carrier)
        if carrier == carriers.DPD:
            return f"1550{n % 10**10:010d}"  # DPD's 14 digits carry no check digit of their own
        raise ValueError(f"no tracking numbers made for {carrier}")

    def wrong(self, carrier: str) -> str:
        """A number of `carrier`'s shape whose check digit is wrong: a mistyped number."""
        good = self.next(carrier)
        at = max(i for i, c in enumerate(good) if c.isdigit())
        return good[:at] + str((int(good[at]) + 1) % 10) + good[at + 1 :]


class DispatchMailer:
    """Writes the e-mails; `to` is the reseller's dispatch address."""

    def __init__(self, to: str, seed: int = 0, domain: str = "mail.example"):
        self.to = to
        self.numbers = TrackingNumbers(seed)
        self._domain = domain
        self._count = itertools.count(1)

    def despatch(
        self,
        distributor: MailDistributor,
        po: str,
        lines: Sequence[Line],
        *,
        whole: bool = True,
        number: str | None = None,
    ) -> tuple[bytes, str]:
        """(the message, its tracking number): `lines` despatched on `po`, in the distributor's layout;
        `whole` says "despatched in full" too."""
        number = number or self.numbers.next(distributor.carrier)
        subject = f"Despatch Confirmation - Your Order {po}"
        if distributor.layout == "html":
            msg = self._html(distributor, po, lines, number, subject)
        elif distributor.layout == "csv":
            msg = self._csv(distributor, po, lines, number)
        else:
            msg = self._text(distributor, po, lines, number, subject, whole)
        return bytes(msg), number

    def part_without_lines(self, distributor: MailDistributor, po: str) -> tuple[bytes, str]:
        """Part of the order went, which part is not said: for a person to pick."""
        number = self.numbers.next(distributor.carrier)
        msg = self._message(distributor.sender, f"Part Despatch - Your Order {po}")
        msg.set_content(
            f"Dear Customer,\n\nPart of your order {po} was despatched today with {distributor.carrier} "
            f"(tracking {number}).\nThe remaining items are on back order and will follow.\n\n"
            f"{distributor.name}\n"
        )
        return bytes(msg), number

    def mistyped(self, distributor: MailDistributor, po: str) -> tuple[bytes, str]:
        """Despatched in full, with a tracking number whose check digit is wrong."""
        number = self.numbers.wrong(distributor.carrier)
        msg = self._message(distributor.sender, f"Order {po} despatched")
        msg.set_content(
            f"Your order {po} has been despatched in full via {distributor.carrier}.\n"
            f"Tracking number: {number}\n\n{distributor.name}\n"
        )
        return bytes(msg), number

    def stranger(self, po: str) -> tuple[bytes, str]:
        """Someone who is not the distributor, naming a real purchase order with a valid number."""
        number = self.numbers.next(carriers.UPS)
        msg = self._message("UK Deliveries <uk.deliveries.notice@gmail.com>", f"Your order {po} has shipped")
        msg.set_content(
            f"Hello,\n\nYour order {po} has shipped in full with UPS. Tracking number: {number}\n\n"
            "Confirm your delivery address at the link below to avoid return to sender.\n"
        )
        return bytes(msg), number

    # -- layouts -----------------------------------------------------------------------------------

    def _message(self, sender: str, subject: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = self.to
        msg["Subject"] = subject
        msg["Date"] = format_datetime(_now())
        msg["Message-ID"] = make_msgid(f"despatch{next(self._count)}", self._domain)
        return msg

    def _text(self, distributor, po, lines, number, subject, whole) -> EmailMessage:
        msg = self._message(distributor.sender, subject)
        rows = "\n".join(f"{code:<20} {qty:>8}" for code, qty in lines)
        msg.set_content(
            f"Dear Customer,\n\nYour order has been despatched{' in full' if whole else ''}.\n\n"
            f"Your Order Ref  : {po}\nCarrier         : {distributor.carrier}\nConsignment No  : {number}\n\n"
            f"{'Part No':<20} {'Qty Desp':>8}\n{rows}\n\n"
            f"Queries: call 0118 912 6000.\nVAT Reg No: GB 523 8876 21\n\n{distributor.name}\n"
        )
        return msg

    def _html(self, distributor, po, lines, number, subject) -> EmailMessage:
        msg = self._message(distributor.sender, subject)
        rows = "".join(
            f"<tr><td>{code}</td><td>{qty}</td><td>{distributor.carrier}</td><td>{number}</td></tr>"
            for code, qty in lines
        )
        msg.set_content(f"Shipment notification for customer PO {po}. See the HTML version.")
        msg.add_alternative(
            f"<html><body><p>Customer PO: {po}</p><table border='1'><tr><th>Part No</th>"
            f"<th>Qty Shipped</th><th>Carrier</th><th>Tracking Number</th></tr>{rows}</table>"
            f"<p>{distributor.name}. This is an automatically generated e-mail.</p></body></html>",
            subtype="html",
        )
        return msg

    def _csv(self, distributor, po, lines, number) -> EmailMessage:
        msg = self._message(distributor.sender, f"{distributor.name} - Despatch Report")
        msg.set_content("Please find attached your despatch report.\n")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["Your Order No", "Part Code", "Qty", "Courier", "Consignment No"])
        for code, qty in lines:
            writer.writerow([po, code, qty, distributor.carrier, number])
        msg.add_attachment(
            out.getvalue().encode(), maintype="text", subtype="csv", filename="Despatch_Report.csv"
        )
        return msg


def _now() -> datetime:
    return datetime.now(UTC)
