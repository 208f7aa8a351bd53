"""Service test support: the bundled sample data in a real store (SQLite file, or PostgreSQL), the real
simulators, and the service itself under uvicorn on an ephemeral port, talked to over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.feeds.distributors import small_order_dict
from fulfilment_engine.service import create_app, service_settings
from fulfilment_engine.service.demo import service_toml
from fulfilment_engine.service.server import BackgroundServer
from fulfilment_engine.store import OfferStore, load_sample

API_KEY = "cfk_test_key_0123456789"
OTHER_KEY = "cfk_second_shop_key"
SHOP_ORIGIN = "https://shop.example"


@pytest.fixture(scope="session")
def sample_sqlite_url(tmp_path_factory) -> str:
    """A SQLite store file loaded with the bundled sample data (the service only reads it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'offers.sqlite'}"
    with OfferStore.open(url) as store:
        assert load_sample(store).ok
    return url


@pytest.fixture(scope="session")
def sample_pg_url(pg_url) -> str:
    with OfferStore.open(pg_url) as store:
        assert load_sample(store).ok
    return pg_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sample_store_url(request) -> str:
    """The sample store on each backend in turn."""
    return request.getfixturevalue("sample_sqlite_url" if request.param == "sqlite" else "sample_pg_url")


@contextmanager
def running_service(
    store_url: str,
    config_toml: str = "",
    *,
    origins: tuple[str, ...] = (SHOP_ORIGIN,),
    service_extra: str = "",
) -> Iterator[httpx.Client]:
    """The service on 127.0.0.1:<free port>, configured by `config_toml` plus a [service] table accepting
    API_KEY and OTHER_KEY from `origins`, with the demo's delivery charges; yields an httpx client whose
    base URL is the service (no key set: each test says which it sends)."""
    service = service_toml((API_KEY, OTHER_KEY), origins, extra=service_extra)
    config = parse_config_text(config_toml + service, source="test fulfil.toml")
    app = create_app(config, service_settings(config.raw), store_url)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def service(sample_sqlite_url) -> Iterator[httpx.Client]:
    """The service over the SQLite sample store, no real-time distributors."""
    with running_service(sample_sqlite_url) as client:
        yield client


def auth(key: str = API_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def plan_request(cart: list[dict], country: str = "GB", currency: str = "GBP") -> dict:
    return {"currency": currency, "ship_to": {"country": country, "postcode": "M1 1AE"}, "cart": cart}


def scenario_from_store(store_url: str, request: dict) -> dict:
    """The scenario JSON (the `fulfil plan` contract) that a cart stands for, built straight from the
    store's records: the cart's products, the distributors shipping to the country (freight rules and
    small-order charges), their offers."""
    skus = sorted({line["sku"] for line in request["cart"]})
    country = request["ship_to"]["country"]
    with OfferStore.open(store_url) as store:
        products = store.products(skus)
        distributors = {d: r for d, r in store.distributors().items() if country in r.ships_to}
        offers = [o for o in store.offers_for(skus) if o.distributor in distributors]
    return {
        "currency": request.get("currency", "GBP"),
        "ship_to": request["ship_to"],
        "cart": request["cart"],
        "products": [
            {
                "sku": p.sku,
                "weight_kg": str(p.weight_kg),
                **{
                    k: str(getattr(p, k))
                    for k in ("length_cm", "width_cm", "height_cm")
                    if getattr(p, k) is not None
                },
            }
            for p in products.values()
        ],
        "distributors": [
            {
                "id": r.id,
                "name": r.name,
                **({"freight": json.loads(r.freight_json)} if r.freight_json else {}),
                **({"small_order": small_order_dict(r.small_order)} if r.small_order else {}),
            }
            for r in distributors.values()
        ],
        "offers": [
            {
                "distributor": o.distributor,
                "sku": o.sku,
                "stock": o.stock,
                "cost": str(o.cost),
                "distributor_sku": o.part_number,
            }
            for o in offers
        ],
    }


SERVICE_FIELDS = ("delivery_charge", "delivery_policy", "demo")


def plan_part(answer: dict) -> dict:
    """The response without the service's own fields: what `fulfil plan` would print."""
    return {k: v for k, v in answer.items() if k not in SERVICE_FIELDS}


WIDGET_DIR = Path(__file__).resolve().parents[2] / "examples" / "cart-widget"


class Kit:
    """The helpers above, as one fixture (test modules cannot import conftest under importlib mode)."""

    API_KEY = API_KEY
    OTHER_KEY = OTHER_KEY
    SHOP_ORIGIN = SHOP_ORIGIN
    WIDGET_DIR = WIDGET_DIR
    running_service = staticmethod(running_service)
    auth = staticmethod(auth)
    plan_request = staticmethod(plan_request)
    scenario_from_store = staticmethod(scenario_from_store)
    plan_part = staticmethod(plan_part)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
