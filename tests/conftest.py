"""Shared fixtures: a real PostgreSQL database per test session, created and dropped here."""

from __future__ import annotations

import os
import uuid

import pytest

PG_ADMIN_DSN = os.environ.get("FULFIL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_url():
    """SQLAlchemy URL of a fresh PostgreSQL database, dropped at the end of the session."""
    import psycopg

    name = f"cf_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # the suite needs it: fail, do not skip
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def odoo(request, tmp_path_factory):
    """A real Odoo 19 for the test module: a fresh database with channel_fulfilment, the addon tests' store
    data and a `group_store_connector` user with an admin-made API key (tests/connectors/odoo_worker.py
    setup), served by odoo-bin over HTTP. Yields url, db, key (the connector's), admin_key, database.
    Skipped, naming what is missing and what did not run (the module's ODOO_WHAT), when Odoo is not found;
    fails when Odoo logged an ERROR meanwhile. The database is dropped after the module."""
    import json
    from pathlib import Path

    from rich.console import Console

    from bench import _odoo

    what = getattr(request.module, "ODOO_WHAT", request.module.__name__)
    try:
        _odoo.find_odoo(what)
    except SystemExit as missing:
        pytest.skip(f"{missing}; it did NOT run against a real Odoo 19")
    worker = Path(__file__).parent / "connectors" / "odoo_worker.py"
    try:
        with _odoo.odoo_database(what, Console(quiet=True)) as database:
            result = json.loads(_odoo.result_line(database.run_worker(worker, "setup")))
            log = tmp_path_factory.mktemp("odoo") / "odoo.log"
            with _odoo.odoo_http(database, log) as url:
                yield {
                    "url": url,
                    "db": database.db,
                    "key": result["key"],
                    "admin_key": result["admin_key"],
                    "database": database,
                    "log": log,
                }
            errors = [
                line
                for line in log.read_text(errors="replace").splitlines()
                if " ERROR " in line or " CRITICAL " in line
            ]
            assert not errors, f"Odoo logged errors during {what} ({log}):\n" + "\n".join(errors)
    except SystemExit as failed:  # bench._odoo reports a failed install this way
        pytest.fail(str(failed))


@pytest.fixture(scope="module")
def stores():
    """The WooCommerce and Shopify doubles (tests/connectors/doubles.py), shared by a module's tests."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "connectors"))
    from doubles import ShopifyDouble, WooCommerceDouble

    woo, shop = WooCommerceDouble(), ShopifyDouble()
    yield woo, shop
    woo.close()
    shop.close()
