"""What a load did: rows loaded, offers zeroed, bad rows (file:line: reason), distributors refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

# Told as a load goes: (what is being done, how far, out of how much or None when unknown).
Progress = Callable[[str, int, int | None], None]

# Bad rows listed in a report (and on stderr); the rest go to a rejects file.
LISTED_BAD_ROWS = 100

Outcome = Literal["loaded", "refused", "untouched", "rolled back"]


@dataclass(frozen=True)
class BadRow:
    file: str
    line: int
    reason: str
    distributor: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class DistributorOutcome:
    """One distributor named by a feed invocation."""

    distributor: str
    good: int = 0  # good rows naming it
    rejected: int = 0  # bad rows naming it
    zeroed: int = 0  # offers it no longer lists (or lists in a bad row), dropped to stock 0
    in_stock_before: int = 0  # its offers with stock > 0 before this feed
    status: Outcome = "loaded"
    reason: str = ""

    @property
    def loaded(self) -> int:
        return self.good if self.status == "loaded" else 0

    def summary(self) -> str:
        if self.status == "loaded":
            return f"{self.distributor}: loaded {self.good}, zeroed {self.zeroed}, rejected {self.rejected}"
        return (
            f"{self.distributor}: {self.status}, nothing changed ({self.good} good rows, "
            f"{self.rejected} rejected): {self.reason}"
        )


@dataclass
class BadRowListing:
    """The first `LISTED_BAD_ROWS` bad rows, and where the others went."""

    bad_rows: list[BadRow] = field(default_factory=list)
    bad_row_count: int = 0
    rejects_file: Path | None = None

    def lines(self) -> list[str]:
        out = [str(row) for row in self.bad_rows]
        if self.rejects_file is not None:
            rest = self.bad_row_count - len(self.bad_rows)
            out.append(f"… and {rest} more bad rows, listed in {self.rejects_file}")
        return out


@dataclass
class FeedReport(BadRowListing):
    files: list[str] = field(default_factory=list)
    distributors: dict[str, DistributorOutcome] = field(default_factory=dict)
    strict_refused: bool = False  # --strict met a bad row: nothing was changed
    loaded_at: datetime | None = None
    merge: str = ""  # how the offers were merged: "in place", "rebuilt" (PostgreSQL), or "nothing"

    @property
    def refused(self) -> list[DistributorOutcome]:
        return [o for o in self.distributors.values() if o.status == "refused"]

    @property
    def ok(self) -> bool:
        """Everything asked for was loaded (bad rows skipped are fine; refusals are not)."""
        return not self.strict_refused and not self.refused

    @property
    def nothing_loaded(self) -> bool:
        """The feed named distributors, and every one of them was left untouched (all its rows bad)."""
        return bool(self.distributors) and all(o.status == "untouched" for o in self.distributors.values())

    @property
    def loaded(self) -> int:
        return sum(o.loaded for o in self.distributors.values() if o.status == "loaded")

    @property
    def zeroed(self) -> int:
        return sum(o.zeroed for o in self.distributors.values() if o.status == "loaded")


@dataclass
class ProductReport(BadRowListing):
    files: list[str] = field(default_factory=list)
    loaded: int = 0
    strict_refused: bool = False

    @property
    def ok(self) -> bool:
        return not self.strict_refused
