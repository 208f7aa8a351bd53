"""Distributor definitions (`data/distributors.json`): who they are, where they ship, their freight rule,
their small-order charge, and which feed carries their stock.

```json
[{"id": "ING", "name": "Ingram Micro UK", "region": "UK", "ships_to": ["GB", "IE"], "realtime": true,
  "freight": {"type": "flat", "charge": "9.95", "free_over": "250.00"},
  "small_order": {"below": "40.00", "charge": "4.50"},
  "feed": {"format": "sitc", "file": "feeds/DistributorStockAndPrices.txt"}}]
```
`freight` and `small_order` have the shape of a scenario distributor's (parsed by
`scenario.parse_freight` and `scenario.parse_small_order`); `feed.mapping` names the mapping file of a
`csv` feed. Paths are relative to the JSON file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain import Distributor, FreightRule, SmallOrderCharge
from ..errors import InputError, ScenarioError
from ..scenario import array, obj, parse_countries, parse_freight, parse_small_order, text

FEED_FORMATS = ("sitc", "csv")


@dataclass(frozen=True)
class FeedSpec:
    format: str
    file: Path
    mapping: Path | None = None


@dataclass(frozen=True)
class DistributorRecord:
    id: str
    name: str
    region: str = ""
    ships_to: tuple[str, ...] = ()
    freight: FreightRule | None = None
    realtime: bool = False  # answers real-time price & availability queries (see fulfil.toml)
    feed_loaded_at: datetime | None = None  # time of its last successful full feed
    feed: FeedSpec | None = field(default=None, compare=False)
    freight_json: str | None = field(default=None, compare=False, repr=False)
    small_order: SmallOrderCharge | None = None  # charged on shipments whose goods are under `below`

    def as_distributor(self) -> Distributor:
        return Distributor(
            id=self.id,
            name=self.name,
            freight=self.freight,
            small_order=self.small_order,
            ships_to=self.ships_to,
        )


def _freight_json(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


def small_order_dict(rule: SmallOrderCharge) -> dict[str, str]:
    """`{"below": "40.00", "charge": "4.50"}`: the shape `parse_small_order` reads, exact decimal strings."""
    return {"below": format(rule.below, "f"), "charge": format(rule.charge, "f")}


def small_order_json(rule: SmallOrderCharge | None) -> str | None:
    """How the offer store keeps a small-order charge (None: the distributor has none)."""
    return None if rule is None else json.dumps(small_order_dict(rule), separators=(",", ":"))


def parse_distributor(item: Any, path: str, base: Path) -> DistributorRecord:
    data = obj(item, path)
    ident = text(data.get("id"), f"{path}.id") if data.get("id") is not None else None
    if ident is None:
        raise ScenarioError(f"{path}.id", "is required")
    ships_to = parse_countries(data.get("ships_to", []), f"{path}.ships_to")
    freight_value = data.get("freight")
    freight = None if freight_value is None else parse_freight(freight_value, f"{path}.freight")
    small_order_value = data.get("small_order")
    small_order = (
        None if small_order_value is None else parse_small_order(small_order_value, f"{path}.small_order")
    )
    realtime = data.get("realtime", False)
    if not isinstance(realtime, bool):
        raise ScenarioError(f"{path}.realtime", f"must be true or false, got {realtime!r}")
    feed = None
    if data.get("feed") is not None:
        feed_data = obj(data["feed"], f"{path}.feed")
        kind = text(feed_data.get("format", ""), f"{path}.feed.format")
        if kind not in FEED_FORMATS:
            raise ScenarioError(f"{path}.feed.format", f"must be 'sitc' or 'csv', got {kind!r}")
        mapping = feed_data.get("mapping")
        if kind == "csv" and mapping is None:
            raise ScenarioError(f"{path}.feed.mapping", "is required for a csv feed")
        feed = FeedSpec(
            format=kind,
            file=base / text(feed_data.get("file", ""), f"{path}.feed.file"),
            mapping=None if mapping is None else base / text(mapping, f"{path}.feed.mapping"),
        )
    return DistributorRecord(
        id=ident,
        name=text(data.get("name", ident), f"{path}.name"),
        region=text(data.get("region", ""), f"{path}.region", allow_empty=True),
        ships_to=ships_to,
        freight=freight,
        realtime=realtime,
        feed=feed,
        freight_json=None if freight_value is None else _freight_json(freight_value),
        small_order=small_order,
    )


def load_distributors(path: str | Path) -> list[DistributorRecord]:
    """Every distributor of a distributors.json; errors name the file and the JSON path."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}") from None
    records: list[DistributorRecord] = []
    seen: set[str] = set()
    try:
        for index, item in enumerate(array(data, "$")):
            record = parse_distributor(item, f"$[{index}]", path.parent)
            if record.id in seen:
                raise ScenarioError(f"$[{index}].id", f"distributor {record.id!r} is defined twice")
            seen.add(record.id)
            records.append(record)
    except ScenarioError as exc:
        raise InputError(f"{path}: {exc.where}", exc.message) from None
    return records
