"""The bundled sample data (`data/`): products, distributors and every distributor's feed, loaded in order."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from .reports import FeedReport, ProductReport, Progress

if TYPE_CHECKING:
    from .offer_store import OfferStore

DATA_ENV = "FULFIL_DATA"


def default_data_dir() -> Path:
    """`FULFIL_DATA` when set, else the `data/` folder of this source tree."""
    configured = os.environ.get(DATA_ENV, "").strip()
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "data"


@dataclass
class SampleReport:
    products: ProductReport | None = None
    feeds: list[FeedReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.products and self.products.ok) and all(r.ok for r in self.feeds)


def load_sample(
    store: OfferStore,
    data_dir: str | Path | None = None,
    progress: Progress | None = None,
    force: bool = True,
) -> SampleReport:
    """Products, then distributors, then their feeds: one `import_feeds` per format and mapping, so every
    Stock-in-the-Channel file loads in one transaction and each mapped CSV with its mapping.

    `force` defaults to True: loading the sample over an older copy of it is a deliberate refresh."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    distributors_file = data_dir / "distributors.json"
    products_file = data_dir / "products.csv"
    for needed in (distributors_file, products_file):
        if not needed.is_file():
            raise InputError(
                str(needed), "missing: is this the sample data folder? (data/ of the source tree)"
            )
    report = SampleReport()
    report.products = store.import_products([products_file], progress=progress)
    records = store.import_distributors(distributors_file)

    groups: dict[tuple[str, Path | None], list[Path]] = {}
    for record in records:
        if record.feed is None:
            continue
        files = groups.setdefault((record.feed.format, record.feed.mapping), [])
        if record.feed.file not in files:
            files.append(record.feed.file)
    for (format, mapping), files in groups.items():
        report.feeds.append(
            store.import_feeds(files, format=format, mapping=mapping, force=force, progress=progress)
        )
    return report
