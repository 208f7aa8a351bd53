"""Generates the bundled sample data, or a bigger copy of it for benchmarks. Deterministic: the same
arguments give the same bytes.

    python data/generate.py                                  # the committed sample, into data/
    python data/generate.py --products 50000 --distributors 120 --layout sitc --out build/big
    python data/generate.py ... --revision 1                 # the next day's feeds: new stock and costs

Writes products.csv, distributors.json (with freight rules, small-order charges and where each
distributor's feed is), feeds/ (Stock-in-the-Channel pipe file, and distributors' own CSVs), mappings/
(their column mappings) and, for the sample layout, scenarios/ (example `fulfil plan` problems).
Standard library only, plus the engine's freight and small-order rules to check the example scenarios.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from catalogue import (  # noqa: E402
    FAMILIES,
    NAMED_DISTRIBUTORS,
    DistributorProfile,
    Item,
    code,
    dec,
    synthetic_distributor,
)

SITC_FILE = "feeds/DistributorStockAndPrices.txt"
SITC_HEADER = "product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku"
FEED_DAY = datetime.date(2025, 1, 15)  # etas count from here, so output does not depend on today


# ---------------------------------------------------------------------------------------------- products


def make_products(count: int, seed: int) -> list[tuple[str, Item]]:
    rng = Random(f"{seed}:products")
    families = [family for family, share in FAMILIES for _ in range(share)]
    products: list[tuple[str, Item]] = []
    seen_mpns: set[str] = set()
    while len(products) < count:
        item = rng.choice(families)(rng)
        mpn = item.mpn
        tries = 0
        while mpn in seen_mpns:  # part numbers identify products for MPN-keyed feeds: a regional variant
            tries += 1
            mpn = f"{item.mpn}/{code(rng, 'AX' if tries < 4 else 'AXXXXX')}"
        if mpn != item.mpn:
            item = replace(item, mpn=mpn)
        seen_mpns.add(mpn)
        products.append((f"CF{100001 + len(products)}", item))
    return products


def write_products(out: Path, products: list[tuple[str, Item]]) -> None:
    with (out / "products.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["sku", "mpn", "brand", "description", "weight_kg", "length_cm", "width_cm", "height_cm"]
        )
        for sku, item in products:
            writer.writerow([sku, item.mpn, item.brand, item.description, item.weight_kg, *item.dims_cm])


# ---------------------------------------------------------------------------------------------- distributors


def make_distributors(count: int, seed: int) -> list[DistributorProfile]:
    named = NAMED_DISTRIBUTORS[: max(1, min(count, len(NAMED_DISTRIBUTORS)))]
    rng = Random(f"{seed}:distributors")
    extra = [synthetic_distributor(i, rng) for i in range(len(named) + 1, count + 1)]
    return [*named, *extra]


MAPPED_LAYOUTS = {
    # distributor's own layout: (feed file, mapping file)
    "westcoast": ("feeds/westcoast.csv", "mappings/westcoast.toml"),
    "dandh": ("feeds/dandh.txt", "mappings/dandh.toml"),
    "asi": ("feeds/asi.csv", "mappings/asi.toml"),
}

MAPPINGS = {
    "westcoast": """# Westcoast's own stock file: comma-separated with a header line, products named by the
# manufacturer's part number (matched against the product master's mpn column).
delimiter = ","
header = true
distributor = "WST"          # the whole file is Westcoast's

[columns]
mpn = "Vendor Part No"
distributor_sku = "Westcoast Code"
stock = "Free Stock"
cost = "Trade Price"
category = "Category"
eta = "Due Date"
""",
    "dandh": """# D&H's tab-separated export: no header line, so columns are numbered from 1.
delimiter = "\\t"
header = false
distributor = "DAH"

[columns]
distributor_sku = 1
mpn = 2
stock = 3
cost = 4
category = 5
""",
    "asi": """# ASI's semicolon-separated file with a header; it carries our own SKU ("Customer SKU"),
# cross-referenced on ASI's portal.
delimiter = ";"
header = true
distributor = "ASI"

[columns]
sku = "Customer SKU"
distributor_sku = "ASI Item"
brand_sku = "Mfr Part"
stock = "Qty Avail"
cost = "Price"
category = "Category"
eta = "ETA"
""",
}

MAPPED_HEADERS = {
    "westcoast": [
        "Vendor Part No",
        "Westcoast Code",
        "Manufacturer",
        "Description",
        "Category",
        "Free Stock",
        "Trade Price",
        "Due Date",
    ],
    "dandh": None,
    "asi": ["Customer SKU", "ASI Item", "Mfr Part", "Qty Avail", "Price", "Category", "ETA"],
}


def mapped_row(layout: str, sku: str, item: Item, dsku: str, stock: int, cost: Decimal, eta: str) -> list:
    if layout == "westcoast":
        return [item.mpn, dsku, item.brand, item.description, item.category, stock, cost, eta]
    if layout == "dandh":
        return [dsku, item.mpn, stock, cost, item.category]
    return [sku, dsku, item.mpn, stock, cost, item.category, eta]


def distributors_json(profiles: list[DistributorProfile], layout: str) -> list[dict]:
    out = []
    for profile in profiles:
        feed: dict = {"format": "sitc", "file": SITC_FILE}
        if layout == "sample" and profile.feed in MAPPED_LAYOUTS:
            file, mapping = MAPPED_LAYOUTS[profile.feed]
            feed = {"format": "csv", "file": file, "mapping": mapping}
        entry = {
            "id": profile.id,
            "name": profile.name,
            "region": profile.region,
            "ships_to": list(profile.ships_to),
            "realtime": profile.realtime,
        }
        if profile.freight is not None:
            entry["freight"] = profile.freight
        if profile.small_order is not None:
            entry["small_order"] = profile.small_order
        entry["feed"] = feed
        out.append(entry)
    return out


# ---------------------------------------------------------------------------------------------- offers


class OfferMaker:
    """One distributor's offers. Which products it carries (and its part numbers) depend on the seed only;
    stock and cost also on the revision, so revision 1 is the next day's feed over the same range."""

    def __init__(self, profile: DistributorProfile, seed: int, revision: int, cheap_codes: bool):
        self.profile = profile
        self.range_rng = Random(f"{seed}:range:{profile.id}")
        self.day_rng = Random(f"{seed}:day:{revision}:{profile.id}")
        self.revision = revision
        self.cheap_codes = cheap_codes

    def offer(self, index: int, item: Item):
        """(distributor_sku, stock, cost, eta) or None when it does not list this product today."""
        p = self.profile
        share = p.coverage.get(item.category, p.coverage.get("*", 0.0))
        carried = self.range_rng.random() < share
        if not carried:
            return None
        dsku = f"{p.id}{index:07d}" if self.cheap_codes else code(self.range_rng, p.sku_pattern)
        day = self.day_rng
        if self.revision and day.random() < 0.01:
            return None  # dropped from today's feed
        stock = int(day.expovariate(1 / p.depth)) + 1 if day.random() < p.in_stock else 0
        cost = dec(float(item.cost) * p.price_level * day.uniform(0.97, 1.03))
        eta = ""
        if stock == 0 and day.random() < 0.6:
            eta = (FEED_DAY + datetime.timedelta(days=day.randint(2, 30))).isoformat()
        return dsku, stock, cost, eta


def write_feeds(
    out: Path,
    products: list[tuple[str, Item]],
    profiles: list[DistributorProfile],
    seed: int,
    revision: int,
    layout: str,
) -> tuple[dict[str, int], dict[tuple[str, str], tuple]]:
    """Writes every feed; returns rows per file and (for the sample) the offers by (distributor, sku)."""
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    cheap = layout != "sample"
    makers = [OfferMaker(p, seed, revision, cheap) for p in profiles]
    keep = layout == "sample"
    offers: dict[tuple[str, str], tuple] = {}
    counts: dict[str, int] = {}
    handles = {}
    writers = {}
    try:
        sitc = (out / SITC_FILE).open("w", encoding="utf-8", newline="")
        handles[SITC_FILE] = sitc
        sitc.write(SITC_HEADER + "\n")
        counts[SITC_FILE] = 0
        for profile in profiles:
            if layout == "sample" and profile.feed in MAPPED_LAYOUTS:
                file = MAPPED_LAYOUTS[profile.feed][0]
                handle = (out / file).open("w", encoding="utf-8", newline="")
                handles[file] = handle
                delimiter = {"westcoast": ",", "dandh": "\t", "asi": ";"}[profile.feed]
                writers[profile.id] = (file, csv.writer(handle, delimiter=delimiter, lineterminator="\n"))
                counts[file] = 0
                if MAPPED_HEADERS[profile.feed]:
                    writers[profile.id][1].writerow(MAPPED_HEADERS[profile.feed])
        write = sitc.write
        for index, (sku, item) in enumerate(products):
            for maker in makers:
                offer = maker.offer(index, item)
                if offer is None:
                    continue
                dsku, stock, cost, eta = offer
                did = maker.profile.id
                if keep:
                    offers[(did, sku)] = offer
                target = writers.get(did)
                if target is None:
                    write(f"{sku}|{did}|{stock}|{cost}|{dsku}|{item.category}|{eta}|{item.mpn}\n")
                    counts[SITC_FILE] += 1
                else:
                    target[1].writerow(mapped_row(maker.profile.feed, sku, item, dsku, stock, cost, eta))
                    counts[target[0]] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts, offers


def write_mappings(out: Path) -> None:
    (out / "mappings").mkdir(parents=True, exist_ok=True)
    for name, text in MAPPINGS.items():
        (out / MAPPED_LAYOUTS[name][1]).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1500, help="products in the catalogue (default 1500)")
    parser.add_argument(
        "--distributors",
        type=int,
        default=len(NAMED_DISTRIBUTORS),
        help=f"distributors (default {len(NAMED_DISTRIBUTORS)}; beyond that, synthetic UK ones)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--revision", type=int, default=0, help="feed day: same ranges, new stock and costs")
    parser.add_argument(
        "--layout",
        choices=("sample", "sitc"),
        default="sample",
        help="sample: some distributors in their own CSVs + example scenarios; "
        "sitc: every offer in the one Stock-in-the-Channel file (benchmarks)",
    )
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: data/)")
    args = parser.parse_args(argv)
    if args.products < 1 or args.distributors < 1:
        parser.error("--products and --distributors must be at least 1")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    products = make_products(args.products, args.seed)
    profiles = make_distributors(args.distributors, args.seed)
    write_products(out, products)
    (out / "distributors.json").write_text(
        json.dumps(distributors_json(profiles, args.layout), indent=2) + "\n", encoding="utf-8"
    )
    counts, offers = write_feeds(out, products, profiles, args.seed, args.revision, args.layout)
    if args.layout == "sample":
        write_mappings(out)
        from example_scenarios import write_scenarios

        write_scenarios(out, products, profiles, offers)
    print(json.dumps({"products": len(products), "distributors": len(profiles), "rows": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
