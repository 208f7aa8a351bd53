"""Offer store fixtures: every store test runs on a SQLite file and on the real PostgreSQL server.

On PostgreSQL each test gets a schema of its own (through `search_path` in the URL), dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from fulfilment_engine.store import OfferStore

PRODUCTS = """sku,mpn,brand,description,weight_kg,length_cm,width_cm,height_cm
P1,CF226A,HP,"HP 26A black toner, 3,100 pages",1.1,36,14,12
P2,TN-2420,Brother,Brother TN-2420 toner,0.8,36,14,12
P3,21JK0083UK,Lenovo,"Lenovo ThinkPad E14 Gen 5 14"" i5",2.1,45,31,8
P4,XUB2493HS-B5,iiyama,iiyama ProLite 23.8 monitor,5.2,69,42,16
P5,CBS250-24T-4G-UK,Cisco,Cisco CBS250 24-port switch,3.1,44,30,8
P6,SMT1500IC,APC,APC Smart-UPS 1500VA,24.5,45,28,30
P7,HDMM2M,StarTech.com,HDMI cable 2 m,0.12,22,16,4
P8,CT1000MX500SSD1,Crucial,Crucial MX500 1TB,0.07,12,9,2
"""


def _psycopg_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def pg_schema_url(base: str) -> Iterator[str]:
    """A store URL on the PostgreSQL database `base`, in a schema of its own dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_psycopg_dsn(base), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_psycopg_dsn(base), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'offers.sqlite'}"
        return
    with pg_schema_url(request.getfixturevalue("pg_url")) as url:
        yield url


@pytest.fixture
def both_catalogues(pg_url, tmp_path, write):
    """{"sqlite": store, "postgresql": store}, each holding the products P1…P8: the same load on both."""
    products = write("products.csv", PRODUCTS)
    with pg_schema_url(pg_url) as url:
        stores = {
            "sqlite": OfferStore.open(f"sqlite:///{tmp_path / 'both.sqlite'}"),
            "postgresql": OfferStore.open(url),
        }
        try:
            for store in stores.values():
                assert store.import_products([products]).loaded == 8
            yield stores
        finally:
            for store in stores.values():
                store.close()


@pytest.fixture
def store(store_url):
    opened = OfferStore.open(store_url)
    yield opened
    opened.close()


@pytest.fixture
def write(tmp_path):
    """write("name.txt", text) -> the path of a new file holding `text`."""

    def write_file(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path

    return write_file


@pytest.fixture
def catalogue(store, write):
    """A store holding the eight products P1…P8."""
    report = store.import_products([write("products.csv", PRODUCTS)])
    assert report.loaded == 8 and report.bad_row_count == 0
    return store


@pytest.fixture
def stock_of(store):
    """stock_of(sku, distributor) -> its stock in the store, or None when there is no such offer."""

    def lookup(sku: str, distributor: str) -> int | None:
        found = store.offers_for([sku], [distributor])
        return found[0].stock if found else None

    return lookup
