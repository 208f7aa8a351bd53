"""The webhook door of `channel-sync serve`, tried as an attacker would (issue 15, §3): the process itself
over real HTTP — raw sockets where the framing matters — and its SQLite state as it is on disk."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import sqlite3
import stat

import httpx
import pytest
from conftest import SHOP_SECRET, WOO_SECRET, sync_toml
from doubles import woo_order
from sqlalchemy import select, update
from test_serve import channel_sync_serve, wait_for
from test_sync import free_port, recent, run, sign

from shop_connectors import config as config_module
from shop_connectors.errors import ConfigError
from shop_connectors.state import State, import_keys, inbox, iso, now

MiB = 1024 * 1024
WOO_SIGNATURE = "X-WC-Webhook-Signature"
HEALTH_TOKEN = "a-health-token-only-the-monitoring-knows"


@contextlib.contextmanager
def serving(tmp_path, fake_odoo, woo, shop, extra_sync: str = "", state: str | None = None):
    """`channel-sync serve` on a free port (pulls hourly: what arrives here came by webhook); yields its
    port and its state."""
    port = free_port()
    config = sync_toml(
        tmp_path,
        fake_odoo.url,
        woo.url,
        shop.url,
        extra_sync=f'listen = "127.0.0.1:{port}"\npull_every = "1h"\npush_every = "1h"\n{extra_sync}',
        state=state,
    )
    with channel_sync_serve(config) as process:
        if not wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code in (200, 503)):
            process.kill()
            raise AssertionError(f"channel-sync serve did not start: {process.communicate()[0]}")
        state = State(config_module.load(str(config)).sync.state)
        yield port, state
        state.close()


@pytest.fixture
def door(tmp_path, fake_odoo, woo, shop):
    with serving(tmp_path, fake_odoo, woo, shop) as served:
        yield served


def bodies(state: State) -> list[bytes]:
    """Every body in the inbox, whatever its status (the worker may have processed it already)."""
    with state.engine.connect() as conn:
        return list(conn.execute(select(inbox.c.body).order_by(inbox.c.id)).scalars())


def rows(state: State) -> int:
    return len(bodies(state))


def raw_exchange(port: int, head: str, parts, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """Sends the request head and then `parts` (stopping quietly if the server closes), and reads one
    answer. Nothing here waits for the server to read the whole body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        with contextlib.suppress(OSError):
            for part in parts:
                sock.sendall(part)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"the server closed without an answer (got {data!r})"
            data += chunk
        status_head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = status_head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        while len(body) < int(headers.get("content-length", 0)):
            body += sock.recv(65536)
        return int(status_line.split()[1]), headers, body


def chunked(body: bytes, piece: int = 64 * 1024):
    for start in range(0, len(body), piece):
        part = body[start : start + piece]
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"


def big_signed_order(size: int) -> bytes:
    """A WooCommerce order JSON padded (in a meta field, as plugins do) to about `size` bytes."""
    order = woo_order(90, modified=recent(1))
    order["meta_data"] = [{"id": 1, "key": "_padding", "value": "x" * size}]
    return json.dumps(order).encode()


def test_a_content_length_above_max_body_is_answered_413_before_the_body_is_sent(door):
    port, state = door
    status, headers, body = raw_exchange(
        port,
        "POST /webhooks/woo-main HTTP/1.1\nHost: t\nContent-Type: application/json\n"
        f"{WOO_SIGNATURE}: {sign(WOO_SECRET, b'')}\nContent-Length: {100 * MiB}\n",
        [b"{" + b" " * 1024],  # 1 KiB of the announced 100 MiB: the answer must not wait for the rest
    )
    assert status == 413 and headers["connection"] == "close"
    assert b"max_body" in body and rows(state) == 0


def test_a_chunked_body_is_counted_while_read_and_refused_past_max_body(door):
    port, state = door
    order = big_signed_order(2 * MiB + 64 * 1024)  # over the default max_body, 2 MiB
    head = (
        "POST /webhooks/woo-main HTTP/1.1\nHost: t\nContent-Type: application/json\n"
        f"{WOO_SIGNATURE}: {sign(WOO_SECRET, order)}\nTransfer-Encoding: chunked\n"
    )
    # Never the closing chunk: only a server that stops reading at max_body + 1 can answer this.
    status, headers, _ = raw_exchange(port, head, chunked(order))
    assert status == 413 and headers["connection"] == "close"
    assert rows(state) == 0
    small = big_signed_order(100 * 1024)
    head = head.replace(sign(WOO_SECRET, order), sign(WOO_SECRET, small))
    status, _, answer = raw_exchange(port, head, [*chunked(small), b"0\r\n\r\n"])
    assert (status, json.loads(answer)) == (200, {"stored": True})
    assert bodies(state) == [small]


def test_max_body_is_a_size_in_sync_toml(tmp_path, fake_odoo, woo, shop):
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, extra_sync='max_body = "512KiB"')
    assert config_module.load(str(config)).sync.max_body == 512 * 1024
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, extra_sync='max_body = "2 MB"')
    with pytest.raises(ConfigError, match=r"\[sync\]\.max_body.*2 MB"):
        config_module.load(str(config))
    with serving(tmp_path, fake_odoo, woo, shop, 'max_body = "64KiB"') as (port, state):
        url = f"http://127.0.0.1:{port}/webhooks/woo-main"
        over, under = big_signed_order(70 * 1024), big_signed_order(60 * 1024)
        refused = httpx.post(url, content=over, headers={WOO_SIGNATURE: sign(WOO_SECRET, over)})
        taken = httpx.post(url, content=under, headers={WOO_SIGNATURE: sign(WOO_SECRET, under)})
        assert (refused.status_code, taken.status_code) == (413, 200) and rows(state) == 1


def test_an_unknown_store_gets_the_very_401_of_a_bad_signature(door):
    port, state = door
    base = f"http://127.0.0.1:{port}/webhooks"
    body = json.dumps(woo_order(5, modified=recent(1))).encode()

    def answer(store: str, headers: dict) -> tuple[int, list, bytes]:
        response = httpx.post(f"{base}/{store}", content=body, headers=headers)
        kept = sorted((k, v) for k, v in response.headers.items() if k != "date")
        return response.status_code, kept, response.content

    wrong = {WOO_SIGNATURE: sign("not-the-secret", body)}
    bad_signature = answer("woo-main", wrong)
    assert bad_signature[0] == 401
    assert answer("no-such-store", wrong) == bad_signature
    assert answer("no-such-store", {WOO_SIGNATURE: sign(WOO_SECRET, body)}) == bad_signature
    assert answer("no-such-store", {"X-Shopify-Hmac-Sha256": sign(SHOP_SECRET, body)}) == bad_signature
    unsigned = answer("no-such-store", {})
    assert unsigned == answer("woo-main", {}) == answer("shopify-main", {}) == bad_signature
    assert rows(state) == 0
    # WooCommerce's creation ping (unsigned, a form body) still gets exactly 200.
    ping = httpx.post(
        f"{base}/woo-main",
        content=b"webhook_id=42",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (ping.status_code, ping.content) == (200, b"") and rows(state) == 0


def test_healthz_says_only_ok_unless_given_the_health_token(tmp_path, fake_odoo, woo, shop):
    with serving(tmp_path, fake_odoo, woo, shop, f'health_token = "{HEALTH_TOKEN}"') as (port, _state):
        url = f"http://127.0.0.1:{port}/healthz"
        assert wait_for(lambda: httpx.get(url).status_code == 200)  # both stores pulled at start
        anonymous = httpx.get(url)
        assert anonymous.json() == {"ok": True}
        wrong = httpx.get(url, headers={"Authorization": "Bearer guess"})
        assert (wrong.status_code, wrong.json()) == (200, {"ok": True})
        told = httpx.get(url, headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})
        assert told.status_code == 200 and set(told.json()["stores"]) == {"woo-main", "shopify-main"}
        assert told.json()["stores"]["woo-main"]["last_good_pull"]


def test_a_signed_body_without_an_order_version_is_stored_once_by_its_content(door):
    port, state = door
    url = f"http://127.0.0.1:{port}/webhooks/woo-main"
    for body in (b'{"action": "woocommerce_order_refunded", "arg": 5}', b'{"id": 6, "note": "no time"}'):
        headers = {WOO_SIGNATURE: sign(WOO_SECRET, body), "X-WC-Webhook-Delivery-ID": "1"}
        first = httpx.post(url, content=body, headers=headers)
        again = httpx.post(url, content=body, headers={**headers, "X-WC-Webhook-Delivery-ID": "2"})
        assert first.json() == {"stored": True} and again.json() == {"stored": False}
    assert rows(state) == 2


def test_a_signed_body_that_is_not_a_json_object_is_refused_and_not_stored(door):
    port, state = door
    url = f"http://127.0.0.1:{port}/webhooks/woo-main"
    for body in (
        b"action=woocommerce_order_refunded&arg=5",
        b"[1, 2, 3]",
        b'"an order"',
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
    ):
        answer = httpx.post(url, content=body, headers={WOO_SIGNATURE: sign(WOO_SECRET, body)})
        assert answer.status_code == 400, body[:40]
    # The signature comes first: the same bodies unsigned are a 401.
    assert httpx.post(url, content=b"[1, 2, 3]", headers={WOO_SIGNATURE: "x"}).status_code == 401
    assert rows(state) == 0


def test_processed_inbox_rows_are_pruned_after_keep_inbox(tmp_path, fake_odoo, woo):
    woo.add_order(woo_order(1, modified=recent(5)))
    config = sync_toml(tmp_path, fake_odoo.url, woo.url)
    state = State(config_module.load(str(config)).sync.state)
    assert run(config, "pull").returncode == 0  # order 1 imported: its row done, its binding written
    for number in (2, 3, 4):
        body = json.dumps({"id": number}).encode()
        state.receive("woo-main", "webhook", body, order_id=str(number), modified=recent(10))
    state.finish([e.id for e in state.pending("woo-main") if e.order_id in ("2", "4")])
    state.finish([e.id for e in state.pending("woo-main") if e.order_id == "3"], "parked", "kept")
    with state.engine.begin() as conn:  # 1, 2 and 3 received eight days ago, beyond the default seven
        conn.execute(
            update(inbox)
            .where(inbox.c.order_id.in_(["1", "2", "3"]))
            .values(received_at=iso(now() - dt.timedelta(days=8)))
        )
        before = {r.order_id: r.id for r in conn.execute(select(inbox.c.order_id, inbox.c.id))}
    assert run(config, "pull").returncode == 0
    with state.engine.connect() as conn:
        left = set(conn.execute(select(inbox.c.id)).scalars())
        bound = list(conn.execute(select(import_keys.c.order_id)).scalars())
    # The old processed rows went; the parked one (for a person) and the recent one stay.
    assert before["1"] not in left and before["2"] not in left
    assert {before["3"], before["4"]} <= left
    assert bound == ["1"] and fake_odoo.creates == [("woo-main", "1")]  # order 1 not imported again


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_state_is_created_readable_by_its_owner_only(tmp_path, fake_odoo, woo, shop):
    folder = tmp_path / "state-folder"
    url = f"sqlite:///{folder / 'state.sqlite'}"
    with serving(tmp_path, fake_odoo, woo, shop, state=url) as (port, _state):
        body = json.dumps(woo_order(8, modified=recent(1))).encode()
        sent = httpx.post(
            f"http://127.0.0.1:{port}/webhooks/woo-main",
            content=body,
            headers={WOO_SIGNATURE: sign(WOO_SECRET, body)},
        )
        assert sent.status_code == 200
        files = {p.name: mode(p) for p in folder.iterdir()}
        assert mode(folder) == 0o700
        assert files == {"state.sqlite": 0o600, "state.sqlite-wal": 0o600, "state.sqlite-shm": 0o600}


OLD_INBOX = """CREATE TABLE inbox (id INTEGER NOT NULL PRIMARY KEY, store VARCHAR(64) NOT NULL,
source VARCHAR(16) NOT NULL, event_id VARCHAR(128), order_id VARCHAR(64), modified VARCHAR(32),
body BLOB NOT NULL, received_at VARCHAR(32) NOT NULL, status VARCHAR(16) NOT NULL, attempts INTEGER NOT NULL,
error TEXT, CONSTRAINT inbox_event_uniq UNIQUE (store, event_id),
CONSTRAINT inbox_version_uniq UNIQUE (store, order_id, modified))"""


def test_an_existing_state_keeps_working_and_is_narrowed_to_its_owner(tmp_path, fake_odoo, woo):
    """A state written by the version before (inbox without the body's hash, world-readable files)."""
    path = tmp_path / "state.sqlite"
    woo.add_order(woo_order(3, modified=recent(2)))
    body, _ = woo.webhook(3, WOO_SECRET)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(OLD_INBOX)
        db.execute(
            "INSERT INTO inbox (store, source, order_id, modified, body, received_at, status, attempts) "
            "VALUES ('woo-main', 'webhook', '3', ?, ?, ?, 'pending', 0)",
            (recent(2), body, recent(1)),
        )
    path.chmod(0o644)
    config = sync_toml(tmp_path, fake_odoo.url, woo.url)
    assert run(config, "pull").returncode == 0
    assert ("woo-main", "3") in fake_odoo.orders and mode(path) == 0o600
    state = State(f"sqlite:///{path}")
    versionless = b'{"note": "no id"}'
    assert state.receive("woo-main", "webhook", versionless, order_id=None, modified=None)
    assert not state.receive("woo-main", "webhook", versionless, order_id=None, modified=None)
