"""What one message or report says about each purchase order it names: a `Claim` per PO, so a despatch
e-mail and every PO of a despatch report go through the same rules (Odoo's `channel.dispatch.message`).

A message naming one PO (or none: a reply in a PO's thread, an order number only) is one claim with all
it read. A table naming several POs gives each PO its rows, and each row its own tracking number when it
has one; a message naming several POs without saying which line is whose gives each PO the message's
tracking and words, and no lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import DispatchLine, Doubtful, Reading, Report, Scope, TrackingNumber


@dataclass(frozen=True)
class Claim:
    po: str  # our PO reference; "" when the message names none (the PO is known some other way)
    tracking: tuple[TrackingNumber, ...] = ()
    doubtful: tuple[Doubtful, ...] = ()
    lines: tuple[DispatchLine, ...] = ()
    scope: Scope | None = None

    @property
    def says_despatch(self) -> bool:
        """Whether it says anything was despatched at all (an invoice or an out-of-office does not)."""
        return bool(self.tracking or self.doubtful or self.scope)


def claims_of_reading(reading: Reading) -> list[Claim]:
    by_po = [line for line in reading.lines if line.po]
    if not by_po:
        refs = reading.po_refs or ("",)
        lines = reading.lines if len(refs) == 1 else ()
        return [Claim(ref, reading.tracking, reading.doubtful, lines, reading.scope) for ref in refs]
    claims = []
    numbers = {t.number: t for t in reading.tracking}
    for ref in dict.fromkeys([line.po for line in by_po] + list(reading.po_refs)):
        lines = tuple(line for line in by_po if line.po == ref)
        own = [numbers[n] for line in lines for n in line.tracking.split(", ") if n in numbers]
        tracking = tuple(dict.fromkeys(own)) if own else reading.tracking
        claims.append(Claim(ref, tracking, reading.doubtful, lines, reading.scope))
    return claims


def claims_of_report(report: Report) -> list[Claim]:
    claims = []
    for ref in report.po_refs:
        rows = report.rows_for(ref)
        tracking: dict[str, TrackingNumber] = {}
        for row in rows:
            if row.tracking:
                where = f"{report.source}:{row.line}"
                tracking.setdefault(
                    row.tracking, TrackingNumber(row.carrier, row.tracking, row.checked, where)
                )
        lines = tuple(
            DispatchLine(
                (row.code,), row.quantity, row.tracking, row.carrier, f"{report.source}:{row.line}", ref
            )
            for row in rows
        )
        claims.append(Claim(ref, tuple(tracking.values()), (), lines, None))
    return claims
