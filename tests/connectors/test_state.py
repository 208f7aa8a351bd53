"""The connector's state on both databases it runs on (a SQLite file, PostgreSQL when shared): a page of
pulled orders stored in one go without storing a version twice, and an import call's bindings and done
entries recorded together."""

from __future__ import annotations

import uuid

import pytest

from shop_connectors.state import State


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request, tmp_path):
    url = f"sqlite:///{tmp_path}/state.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    state = State(url)
    yield state
    state.close()


def test_a_pulled_page_is_stored_once_beside_what_webhooks_stored(state):
    store = f"s-{uuid.uuid4().hex[:8]}"  # the PostgreSQL database is the test session's, shared
    assert state.receive(store, "webhook", b'{"id": 2}', order_id="2", modified="2026-12-08T10:00:00Z")
    assert not state.receive(store, "webhook", b'{"id": 2}', order_id="2", modified="2026-12-08T10:00:00Z")
    page = [
        (b'{"id": 1, "v": 1}', "1", "2026-12-08T09:00:00Z"),
        (b'{"id": 2, "v": 1}', "2", "2026-12-08T10:00:00Z"),  # the version the webhook brought
        (b'{"id": 3, "v": 1}', "3", "2026-12-08T11:00:00Z"),
        (b'{"id": 3, "v": 1}', "3", "2026-12-08T11:00:00Z"),  # twice in one page
    ]
    assert state.receive_many(store, "pull", page) == 2
    assert state.receive_many(store, "pull", page) == 0  # the next pull's overlap
    assert state.receive_many(store, "pull", []) == 0
    pending = state.pending(store)
    assert [(e.source, e.order_id) for e in pending] == [("webhook", "2"), ("pull", "1"), ("pull", "3")]
    assert state.receive_many(store, "pull", [(b'{"id": 1, "v": 2}', "1", "2026-12-08T12:00:00Z")]) == 1


def test_an_import_call_records_its_bindings_and_done_entries_together(state):
    store = f"s-{uuid.uuid4().hex[:8]}"
    state.receive_many(
        store, "pull", [(f'{{"id": {n}}}'.encode(), str(n), f"2026-12-08T0{n}:00:00Z") for n in (1, 2, 3)]
    )
    ids = {e.order_id: e.id for e in state.pending(store)}
    state.imported(
        store,
        [("1", "2026-12-08T01:00:00Z", "h1", 11), ("2", "2026-12-08T02:00:00Z", "h2", 12)],
        [ids["1"], ids["2"]],
    )
    assert [e.order_id for e in state.pending(store)] == ["3"]
    assert state.counts(store) == {"done": 2, "pending": 1}
    # a later version of order 2 moves its binding on; order 3 is bound for the first time
    state.imported(
        store, [("2", "2026-12-08T05:00:00Z", "h2b", 12), ("3", "2026-12-08T03:00:00Z", "h3", 13)], [ids["3"]]
    )
    known = state.known_orders(store, ["1", "2", "3", "4"])
    assert {k: (v["modified"], v["hash"], v["odoo_id"]) for k, v in known.items()} == {
        "1": ("2026-12-08T01:00:00Z", "h1", 11),
        "2": ("2026-12-08T05:00:00Z", "h2b", 12),
        "3": ("2026-12-08T03:00:00Z", "h3", 13),
    }
    assert state.counts(store) == {"done": 3}
