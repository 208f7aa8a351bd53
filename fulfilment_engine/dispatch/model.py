"""What a dispatch e-mail or a despatch report says, as read: plain values, no I/O, no Odoo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Scope = Literal["full", "partial"]


@dataclass(frozen=True)
class TrackingNumber:
    """A tracking number accepted for a carrier: by its check digit, its own shape, or because the text
    named it as that carrier's tracking number. `checked` says a check digit confirmed it."""

    carrier: str
    number: str
    checked: bool = False
    where: str = ""  # "body", "body table 1", "attachment despatch.pdf" …

    def __str__(self) -> str:
        return f"{self.carrier} {self.number}"


@dataclass(frozen=True)
class Doubtful:
    """A number the text calls a tracking number that no rule confirms: it keeps a message from being
    applied without a person, and the reason is shown to that person."""

    number: str
    reason: str
    where: str = ""


@dataclass(frozen=True)
class DispatchLine:
    """One product named as despatched: `codes` as written (our SKU and/or the distributor's part
    number, the one most likely ours first), with the quantity and, when the row gives one, its own
    tracking number."""

    codes: tuple[str, ...]
    quantity: Decimal
    tracking: str = ""
    carrier: str = ""
    where: str = ""
    po: str = ""  # the PO its row names, in a table covering several POs

    @property
    def code(self) -> str:
        return self.codes[0]


@dataclass(frozen=True)
class Reading:
    """Everything read from one message (its new part and its attachments).

    `scope` is "full" when the words say the whole order went, "partial" when they say only part of it
    did (or both are said), None when they say neither. `po_refs` are our purchase order names, in the
    order first met; `order_numbers` the distributor's own order numbers. `notes` says, for a person,
    what was left aside and why (a quoted reply, an unreadable attachment)."""

    po_refs: tuple[str, ...] = ()
    order_numbers: tuple[str, ...] = ()
    tracking: tuple[TrackingNumber, ...] = ()
    doubtful: tuple[Doubtful, ...] = ()
    lines: tuple[DispatchLine, ...] = ()
    scope: Scope | None = None
    carriers: tuple[str, ...] = ()  # every carrier named, tracking or not
    notes: tuple[str, ...] = ()

    @property
    def tracking_numbers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.number for t in self.tracking))

    @property
    def carrier(self) -> str:
        """The carrier of the tracking numbers, ", "-joined when there are several."""
        return ", ".join(dict.fromkeys(t.carrier for t in self.tracking))

    def summary(self) -> str:
        """One paragraph for a person: what was read."""
        parts = [
            f"PO: {', '.join(self.po_refs) or 'none named'}",
        ]
        if self.order_numbers:
            parts.append(f"distributor order: {', '.join(self.order_numbers)}")
        parts.append("tracking: " + (", ".join(str(t) for t in self.tracking) if self.tracking else "none"))
        for doubt in self.doubtful:
            parts.append(f"not taken as tracking: {doubt.number} ({doubt.reason})")
        if self.lines:
            parts.append(
                "lines: " + ", ".join(f"{line.quantity.normalize():f} × {line.code}" for line in self.lines)
            )
        parts.append(
            {"full": "said to be the whole order", "partial": "said to be part of the order"}.get(
                self.scope or "", "neither whole nor part said"
            )
        )
        return "; ".join(parts)


@dataclass(frozen=True)
class ReportRow:
    """One good row of a despatch report. `line` is the row's line in its file (FILE:LINE)."""

    line: int
    po: str
    quantity: Decimal
    sku: str = ""
    part_number: str = ""
    carrier: str = ""
    tracking: str = ""
    date: date | None = None
    checked: bool = False  # the tracking number passed its carrier's check digit

    @property
    def code(self) -> str:
        return self.sku or self.part_number


@dataclass(frozen=True)
class BadRow:
    """A row that could not be read; `str()` is the `FILE:LINE: reason` a person is shown."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class Report:
    """A despatch report read through its mapping: good rows grouped by the caller, bad rows listed."""

    source: str
    rows: tuple[ReportRow, ...] = ()
    bad: tuple[BadRow, ...] = ()
    po_refs: tuple[str, ...] = field(default=())

    def rows_for(self, po: str) -> tuple[ReportRow, ...]:
        return tuple(row for row in self.rows if row.po == po)
