"""`fulfil` commands: catalogue and feeds.

    fulfil products import FILE…                        the product master (CSV)
    fulfil feeds import --format sitc|csv [--mapping F] [--strict] [--force] FILE…
    fulfil offers SKU [--json]                          every distributor's offer for one SKU
    fulfil distributors import FILE | distributors list [--json]
    fulfil sample load [--data DIR]                     the bundled sample data (data/)

Every command takes `--store URL` (or FULFIL_STORE). Exit status: 0 loaded (bad rows skipped are
listed, not fatal), 1 refused (--strict met a bad row, or a distributor's feed was refused), 2 bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import InputError
from ..feeds import FEED_FORMATS
from ..feeds.distributors import small_order_dict
from ..store import OfferStore, load_sample
from ..store.reports import BadRowListing, FeedReport

REFUSED_EXIT = 1

store_option = click.option(
    "--store",
    "store_url",
    envvar="FULFIL_STORE",
    metavar="URL",
    help="Offer store: a SQLAlchemy URL (sqlite:///file, postgresql://…) or a SQLite file path. "
    "Default: $FULFIL_STORE, else offers.sqlite in your data directory.",
)
rejects_option = click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write bad rows beyond the first 100 (default: a new temporary file).",
)


@contextmanager
def _progress() -> Iterator:
    """A progress bar on a terminal; nothing at all in a pipe or a log."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, int] = {}

    def update(what: str, done: int, total: int | None) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done, total=total)

    with bar:
        yield update


def _echo_bad_rows(listing: BadRowListing) -> None:
    for line in listing.lines():
        click.echo(line, err=True)


def _report_feed(report: FeedReport) -> int:
    _echo_bad_rows(report)
    if report.strict_refused:
        click.echo(
            f"fulfil: refused: --strict, and the feed has {report.bad_row_count} bad rows; "
            "nothing was changed",
            err=True,
        )
        return REFUSED_EXIT
    for outcome in report.distributors.values():
        click.echo(outcome.summary())
    for outcome in report.refused:
        click.echo(f"fulfil: refused {outcome.distributor}: {outcome.reason}", err=True)
    if not report.distributors:
        click.echo("no distributor rows in the feed; nothing changed")
    if report.nothing_loaded:
        click.echo("fulfil: nothing loaded: every row of the feed is bad", err=True)
        return REFUSED_EXIT
    return 0 if report.ok else REFUSED_EXIT


# ---------------------------------------------------------------------------------------------- products


@click.group("products")
def products() -> None:
    """The product master: our SKUs with part numbers, weights and sizes."""


@products.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Refuse the whole import (change nothing) on any bad row.")
@rejects_option
@store_option
def products_import(files, strict, rejects_path, store_url) -> None:
    """Load product master CSV FILEs (sku,mpn,brand,description,weight_kg,length_cm,width_cm,height_cm).

    Existing products are updated, new ones added; bad rows are listed as FILE:LINE: reason and skipped."""
    with OfferStore.open(store_url) as store, _progress() as progress:
        report = store.import_products(files, strict=strict, progress=progress, rejects_path=rejects_path)
    _echo_bad_rows(report)
    if report.strict_refused:
        click.echo(
            f"fulfil: refused: --strict, and there are {report.bad_row_count} bad rows; nothing was changed",
            err=True,
        )
        sys.exit(REFUSED_EXIT)
    click.echo(f"products: loaded {report.loaded}, rejected {report.bad_row_count}")
    if report.loaded == 0 and report.bad_row_count:  # as for feeds: every row bad is a failure
        click.echo("fulfil: nothing loaded: every row of the product master is bad", err=True)
        sys.exit(REFUSED_EXIT)


# ---------------------------------------------------------------------------------------------- feeds


@click.group("feeds")
def feeds() -> None:
    """Distributor stock and price feeds."""


@feeds.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "format_",
    type=click.Choice(FEED_FORMATS),
    default="sitc",
    show_default=True,
    help="sitc: Stock-in-the-Channel pipe-delimited; csv: a distributor's own CSV (needs --mapping).",
)
@click.option("--mapping", type=click.Path(dir_okay=False), help="Column mapping (TOML) for --format csv.")
@click.option("--strict", is_flag=True, help="Refuse the whole invocation (change nothing) on any bad row.")
@click.option(
    "--force",
    is_flag=True,
    help="Load even a feed that would zero more than half of a distributor's in-stock offers.",
)
@rejects_option
@store_option
def feeds_import(files, format_, mapping, strict, force, rejects_path, store_url) -> None:
    """Load distributor feed FILEs: each is a full feed for every distributor in it.

    A distributor's offers missing from its feed drop to stock 0. Bad rows are listed as FILE:LINE: reason
    and skipped. All FILEs load in one transaction."""
    if format_ == "csv" and not mapping:
        raise InputError("--mapping", "a csv feed needs a mapping file naming its columns")
    with OfferStore.open(store_url) as store, _progress() as progress:
        report = store.import_feeds(
            files,
            format=format_,
            mapping=mapping,
            strict=strict,
            force=force,
            progress=progress,
            rejects_path=rejects_path,
        )
    sys.exit(_report_feed(report))


# ---------------------------------------------------------------------------------------------- offers


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def _cost_text(cost: Decimal) -> str:
    """At least pence ("5" in a feed shows as "5.00"); a sub-penny cost keeps its places."""
    return str(cost if cost.as_tuple().exponent < -2 else cost.quantize(Decimal("0.01")))


@click.command("offers")
@click.argument("sku")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option(
    "--distributor", "only", multiple=True, metavar="ID", help="Only these distributors (repeatable)."
)
@store_option
def offers(sku, as_json, only, store_url) -> None:
    """Every distributor's offer for SKU: stock, cost, part number, and the age of the feed it came from."""
    with OfferStore.open(store_url, create=False) as store:
        found = store.offers_for([sku], only or None)
        if not found and sku not in store.products([sku]):
            if not store.distributors():
                raise InputError(
                    sku,
                    "unknown SKU: the offer store is empty — load the bundled sample with "
                    "`fulfil sample load`, or import your product master and feeds",
                )
            raise InputError(sku, "unknown SKU: it is not in the product master and no feed lists it")
        names = {d.id: d.name for d in store.distributors().values()}
    rows = [
        {
            "distributor": o.distributor,
            "sku": o.sku,
            "distributor_sku": o.part_number,
            "stock": o.stock,
            "cost": _cost_text(o.cost),
            "source": o.source,
            "age_s": None if o.age_s is None else round(o.age_s, 1),
        }
        for o in found
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no distributor lists {sku}")
        return
    table = Table(title=f"Offers for {sku}")
    for heading, justify in (
        ("Distributor", "left"),
        ("Name", "left"),
        ("Part number", "left"),
        ("Stock", "right"),
        ("Cost", "right"),
        ("Source", "left"),
        ("Feed age", "right"),
    ):
        table.add_column(heading, justify=justify)
    for row in rows:
        table.add_row(
            row["distributor"],
            names.get(row["distributor"], ""),
            row["distributor_sku"],
            str(row["stock"]),
            row["cost"],
            row["source"],
            _age(row["age_s"]),
        )
    Console().print(table)


# ---------------------------------------------------------------------------------------------- distributors


@click.group("distributors")
def distributors() -> None:
    """Distributor definitions: names, where they ship, freight rules; feed ages."""


@distributors.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@store_option
def distributors_import(file, store_url) -> None:
    """Load distributor definitions (a JSON list, as data/distributors.json)."""
    with OfferStore.open(store_url) as store:
        records = store.import_distributors(file)
    click.echo(f"distributors: loaded {len(records)} ({', '.join(r.id for r in records)})")


@distributors.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@store_option
def distributors_list(as_json, store_url) -> None:
    """Every distributor in the store with its last full feed's time."""
    with OfferStore.open(store_url, create=False) as store:
        records = store.distributors()
    rows = [
        {
            "id": r.id,
            "name": r.name,
            "region": r.region,
            "ships_to": list(r.ships_to),
            "realtime": r.realtime,
            "freight": None if r.freight_json is None else json.loads(r.freight_json),
            "small_order": None if r.small_order is None else small_order_dict(r.small_order),
            "feed_loaded_at": None if r.feed_loaded_at is None else r.feed_loaded_at.isoformat(),
        }
        for r in records.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Distributors")
    headings = ("Id", "Name", "Region", "Ships to", "Real-time", "Freight", "Small order", "Last feed (UTC)")
    for heading in headings:
        table.add_column(heading)
    for row, record in zip(rows, records.values(), strict=True):
        table.add_row(
            row["id"],
            row["name"],
            row["region"],
            " ".join(row["ships_to"]),
            "yes" if row["realtime"] else "",
            record.freight.type if record.freight else "free",
            (f"{record.small_order.charge} under {record.small_order.below}" if record.small_order else ""),
            (row["feed_loaded_at"] or "never")[:19].replace("T", " "),
        )
    Console().print(table)


# ---------------------------------------------------------------------------------------------- sample


@click.group("sample")
def sample() -> None:
    """The bundled sample catalogue (data/)."""


@sample.command("load")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, exists=True),
    help="The sample data folder (default: data/ of this source tree, or $FULFIL_DATA).",
)
@store_option
def sample_load(data_dir, store_url) -> None:
    """Load the sample products, distributors and every distributor's feed into the store."""
    with OfferStore.open(store_url) as store, _progress() as progress:
        report = load_sample(store, data_dir, progress=progress)
        click.echo(f"store: {store.url}")
    click.echo(f"products: loaded {report.products.loaded}, rejected {report.products.bad_row_count}")
    status = 0
    for feed in report.feeds:
        status |= _report_feed(feed)
    sys.exit(status)


COMMANDS = [products, feeds, offers, distributors, sample]
