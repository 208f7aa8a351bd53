"""`OfferStore`: the catalogue, distributors and their offers in one SQL database (SQLite or PostgreSQL)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from ..domain import Offer, Product
from ..errors import StoreError
from ..feeds.distributors import DistributorRecord
from . import distributor_import, feed_import, product_import, reading, upgrade
from .engine import default_store_url, make_engine, normalise_url
from .schema import metadata

P = ParamSpec("P")
R = TypeVar("R")


def _database_errors(method):
    """A database that fails (gone away, disk full, locked too long) is one clear StoreError, not a trace."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except DBAPIError as exc:
            raise StoreError(f"offer store {self.url}: {str(exc.orig).strip().splitlines()[0]}") from exc

    return wrapper


def _on_engine(load: Callable[Concatenate[Engine, P], R]) -> Callable[Concatenate[OfferStore, P], R]:
    """A store method that runs `load(store.engine, ...)`, its database failures one StoreError."""

    @functools.wraps(load)
    def method(self: OfferStore, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return load(self.engine, *args, **kwargs)

    return _database_errors(method)


class OfferStore:
    """Open with `OfferStore.open(url)`; every method is one short transaction of its own."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> OfferStore:
        """`url`, else `FULFIL_STORE`, else the default SQLite file; creates the tables when missing and
        adds the columns a store made by an earlier version lacks. `create=False` (commands that only
        read) refuses a SQLite file that does not exist rather than making one at a mistyped path."""
        url = normalise_url(url) if url else default_store_url()
        if not create:
            _must_exist(url)
        engine = make_engine(url)
        try:
            metadata.create_all(engine)
            upgrade.add_missing_columns(engine)
        except OperationalError as exc:
            engine.dispose()
            raise StoreError(
                f"cannot open the offer store {engine.url.render_as_string()}: {exc.orig}"
            ) from None
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot open the offer store {engine.url.render_as_string()}: {exc}") from None
        return cls(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> OfferStore:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------ loading

    # The loaders are the modules' functions, run on this store's engine (same parameters and reports).
    import_products = _on_engine(product_import.import_products)
    import_feeds = _on_engine(feed_import.import_feeds)
    import_distributors = _on_engine(distributor_import.import_distributors)

    # ------------------------------------------------------------------------------------------ reading

    @_database_errors
    def offers_for(
        self, skus: Iterable[str], distributors: Iterable[str] | None = None, *, now: datetime | None = None
    ) -> list[Offer]:
        """Every offer of these SKUs (stock-0 ones too), ordered by SKU then distributor; `age_s` is the age
        of the distributor's last full feed."""
        with self.engine.connect() as conn:
            return reading.read_offers(conn, skus, distributors, now)

    @_database_errors
    def products(self, skus: Iterable[str] | None = None) -> dict[str, Product]:
        with self.engine.connect() as conn:
            return reading.read_products(conn, skus)

    @_database_errors
    def distributors(self) -> dict[str, DistributorRecord]:
        with self.engine.connect() as conn:
            return reading.read_distributors(conn)

    @_database_errors
    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return reading.is_empty(conn)


def _must_exist(url: str) -> None:
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return
    if not Path(database).expanduser().is_file():
        raise StoreError(
            f"no offer store at {database}: load one first (`fulfil sample load` for the bundled sample, "
            "or `fulfil products import` and `fulfil feeds import`), or name another with --store"
        )
