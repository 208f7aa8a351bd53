"""The stock and prices a simulated distributor serves, keyed by its own part number."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..domain import Offer


@dataclass(frozen=True)
class StockLine:
    stock: int
    price: Decimal
    currency: str = "GBP"
    mfg_pn: str = ""
    description: str = ""


class StockTable:
    """part number → StockLine; changeable while the simulator runs (`set`)."""

    def __init__(self, lines: Mapping[str, StockLine] | None = None):
        self._lines = dict(lines or {})
        self._lock = threading.Lock()

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping], currency: str = "GBP") -> StockTable:
        """`{"PART": {"stock": 5, "price": "10.00"}, …}` (optional "currency", "mfg_pn", "description")."""
        return cls(
            {
                part: StockLine(
                    int(row["stock"]),
                    Decimal(str(row["price"])),
                    row.get("currency", currency),
                    row.get("mfg_pn", ""),
                    row.get("description", ""),
                )
                for part, row in data.items()
            }
        )

    @classmethod
    def from_offers(
        cls,
        offers: Iterable[Offer],
        distributor: str,
        *,
        currency: str = "GBP",
        price_factor: Decimal = Decimal(1),
        stock_delta: int = 0,
    ) -> StockTable:
        """The offer store's figures for one distributor, optionally moved so live and feed figures differ."""
        return cls(
            {
                offer.part_number: StockLine(
                    max(0, offer.stock + stock_delta),
                    (offer.cost * price_factor).quantize(Decimal("0.01")),
                    currency,
                    offer.sku,
                )
                for offer in offers
                if offer.distributor == distributor
            }
        )

    def get(self, part: str) -> StockLine | None:
        with self._lock:
            return self._lines.get(part)

    def set(self, part: str, line: StockLine) -> None:
        with self._lock:
            self._lines[part] = line

    def parts(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def __len__(self) -> int:
        return len(self._lines)
