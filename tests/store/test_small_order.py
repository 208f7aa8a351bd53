"""Distributors' small-order charges in the offer store: read from distributors.json, kept, read back and
handed to the planner; a store made before the column existed gains it when opened, on both backends."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import Boolean, Column, MetaData, String, Table, Text, create_engine, inspect

from fulfilment_engine.domain import SmallOrderCharge
from fulfilment_engine.errors import InputError
from fulfilment_engine.store import OfferStore
from fulfilment_engine.store.schema import Key, UTCDateTime, offers, products
from fulfilment_engine.store.upgrade import add_missing_columns

DEFINITIONS = [
    {
        "id": "TGT",
        "name": "Target Components",
        "ships_to": ["GB"],
        "freight": {"type": "flat", "charge": "6.50", "free_over": "100.00"},
        "small_order": {"below": "40.00", "charge": "4.50"},
    },
    {"id": "VIP", "name": "VIP Computer Centre", "small_order": {"below": 25, "charge": 3.5}},
    {"id": "ING", "name": "Ingram Micro UK", "freight": {"type": "flat", "charge": "9.95"}},
]


def test_definitions_keep_their_small_order_charge(store, write):
    store.import_distributors(write("d.json", json.dumps(DEFINITIONS)))
    found = store.distributors()
    assert found["TGT"].small_order == SmallOrderCharge(below=Decimal("40.00"), charge=Decimal("4.50"))
    # JSON numbers are read exactly, as in a scenario.
    assert found["VIP"].small_order == SmallOrderCharge(below=Decimal(25), charge=Decimal("3.5"))
    assert found["ING"].small_order is None
    # The planner's distributor carries it, with the freight rule.
    tgt = found["TGT"].as_distributor()
    assert (tgt.small_order, tgt.freight) == (found["TGT"].small_order, found["TGT"].freight)
    assert found["ING"].as_distributor().small_order is None


def test_importing_the_definitions_again_changes_or_removes_the_charge(store, write):
    store.import_distributors(write("d.json", json.dumps(DEFINITIONS)))
    changed = [
        {**DEFINITIONS[0], "small_order": {"below": "50.00", "charge": "5.00"}},
        {k: v for k, v in DEFINITIONS[1].items() if k != "small_order"},
    ]
    store.import_distributors(write("d2.json", json.dumps(changed)))
    found = store.distributors()
    assert found["TGT"].small_order == SmallOrderCharge(Decimal("50.00"), Decimal("5.00"))
    assert found["VIP"].small_order is None, "a charge taken out of the definitions is gone"
    assert found["ING"].small_order is None


@pytest.mark.parametrize(
    ("small_order", "where", "message"),
    [
        ("4.50", "$[0].small_order", "must be an object, got the text '4.50'"),
        (
            {"below": "forty", "charge": "4.50"},
            "$[0].small_order.below",
            'must be a decimal string such as "12.50"',
        ),
        ({"below": "40.00"}, "$[0].small_order.charge", "is required"),
        ({"below": "40.00", "charge": "-1"}, "$[0].small_order.charge", "must be at least 0, got -1"),
    ],
)
def test_a_bad_small_order_charge_names_the_file_and_json_path(store, write, small_order, where, message):
    path = write("d.json", json.dumps([{"id": "X", "small_order": small_order}]))
    with pytest.raises(InputError) as error:
        store.import_distributors(path)
    assert str(error.value).startswith(f"{path}: {where}: {message}")
    assert store.distributors() == {}, "nothing of a bad file is loaded"


# ---------------------------------------------------------------------------------------------- upgrade


def _previous_distributors(metadata: MetaData) -> Table:
    """The distributors table as the release before small-order charges created it."""
    return Table(
        "distributors",
        metadata,
        Column("id", Key, primary_key=True),
        Column("name", String, nullable=False),
        Column("region", String, nullable=False, default=""),
        Column("ships_to", String, nullable=False, default=""),
        Column("freight", Text),
        Column("realtime", Boolean, nullable=False, default=False),
        Column("feed_loaded_at", UTCDateTime),
    )


def _previous_store(url: str) -> None:
    """A store as the previous release left it: its tables, a distributor with a freight rule, a product
    and an offer."""
    previous = MetaData()
    distributors = _previous_distributors(previous)
    products.to_metadata(previous)
    offers.to_metadata(previous)
    engine = create_engine(url)
    try:
        previous.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                distributors.insert(),
                [
                    {
                        "id": "ING",
                        "name": "Ingram Micro UK",
                        "region": "UK",
                        "ships_to": "GB,IE",
                        "freight": '{"type":"flat","charge":"9.95","free_over":"250.00"}',
                        "realtime": True,
                    }
                ],
            )
            conn.execute(products.insert(), [{"sku": "P1", "weight_kg": Decimal("1.1")}])
            conn.execute(
                offers.insert(), [{"sku": "P1", "distributor": "ING", "stock": 4, "cost": Decimal("10.00")}]
            )
        assert "small_order" not in {c["name"] for c in inspect(engine).get_columns("distributors")}
    finally:
        engine.dispose()


def test_a_store_made_before_small_order_charges_gains_the_column_when_opened(store_url, write):
    _previous_store(store_url)

    with OfferStore.open(store_url) as store:
        columns = {c["name"] for c in inspect(store.engine).get_columns("distributors")}
        assert "small_order" in columns
        # What was there reads as before, without a charge.
        (ing,) = store.distributors().values()
        assert (ing.id, ing.ships_to, ing.realtime, ing.small_order) == ("ING", ("GB", "IE"), True, None)
        assert ing.freight is not None and ing.freight.charge == Decimal("9.95")
        assert [(o.distributor, o.stock, o.cost) for o in store.offers_for(["P1"])] == [
            ("ING", 4, Decimal("10.00"))
        ]
        # And new definitions keep their charge.
        store.import_distributors(
            write("d.json", json.dumps([{"id": "ING", "small_order": {"below": "30", "charge": "2.00"}}]))
        )
        assert store.distributors()["ING"].small_order == SmallOrderCharge(Decimal(30), Decimal("2.00"))
        assert add_missing_columns(store.engine) == [], "an up-to-date store is left as it is"

    with OfferStore.open(store_url) as again:  # opening it again changes nothing
        assert again.distributors()["ING"].small_order == SmallOrderCharge(Decimal(30), Decimal("2.00"))


def test_the_upgrade_adds_the_column_once(store_url):
    _previous_store(store_url)
    engine = create_engine(store_url)
    try:
        assert add_missing_columns(engine) == ["distributors.small_order"]
        assert add_missing_columns(engine) == []
    finally:
        engine.dispose()
