"""`make demo-odoo`: the whole loop in a real Odoo 19 that a reseller can click through.

A fresh database with channel_fulfilment, the bundled sample catalogue and distributors loaded into it
(the module's offer refresh from the offer store `fulfil sample load` fills), Ingram Micro's purchase
orders going over its own API (the Ingram Reseller API v6 simulator, which confirms, ships and invoices
them for the module's poll to read) and every other distributor's by cXML to a distributor simulator that
confirms and ships them, a touchless
rule, the WooCommerce and Shopify doubles with `channel-sync serve` between them and Odoo, and a stream
of store orders arriving. Odoo stays up until Ctrl-C; the database stays too (it is said where).

Each step is a small function so that an end-to-end test can reuse them. Needs ODOO_HOME (default
/opt/odoo19), ODOO_PYTHON (default /opt/odoo19-venv/bin/python) and PostgreSQL (ODOO_DB_HOST,
ODOO_DB_USER: 127.0.0.1, root).

    python -m tools.demo_odoo [--database cf_demo] [--http-port 8069] [--every 20] [--orders N]
                              [--exit-after-processed] [--timeout S]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

from bench import _odoo
from fulfilment_engine.documents.cxml import Credential
from fulfilment_engine.simulators.cxml_supplier import CxmlSupplierSimulator
from fulfilment_engine.simulators.host import SimulatorHost
from fulfilment_engine.simulators.ingram import IngramSimulator
from fulfilment_engine.simulators.stock import StockTable
from shop_connectors.doubles import ShopifyDouble, WooCommerceDouble, shopify_order, woo_order

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("demo_odoo_worker.py")
INBOUND_PATH = "/channel_fulfilment/cxml/inbound"
OUR_IDENTITY, OUR_SECRET = "DEMO-RESELLER", "demo-outbound-secret"
WOO_SECRET, SHOP_SECRET = "demo-woo-webhook-secret", "demo-shopify-app-secret"
API_DISTRIBUTOR = "ING"  # the sample distributor that takes its orders over its own API (Ingram Micro)
CUSTOMERS = [
    ("ann@example.com", "Ann"),
    ("bob@example.com", "Bob"),
    ("cat@example.com", "Cat"),
    ("dan@example.com", "Dan"),
    ("eve@example.com", "Eve"),
]


class DemoError(Exception):
    """A step of the demo failed; the message says which and why."""


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def say(message: str) -> None:
    print(message, flush=True)


# ------------------------------------------------------------------------------------------- the parts


def load_offer_store(workdir: Path) -> str:
    """The bundled sample in a SQLite offer store (what `fulfil sample load` does); returns its URL."""
    from fulfilment_engine.store import OfferStore, load_sample

    url = f"sqlite:///{workdir / 'offers.sqlite'}"
    store = OfferStore.open(url)
    try:
        report = load_sample(store, ROOT / "data")
        if not report.ok:
            raise DemoError(f"loading the sample data into {url} failed: {report}")
    finally:
        store.close()
    return url


def start_distributor_simulators() -> dict[str, CxmlSupplierSimulator]:
    """One cXML order endpoint per sample distributor but the API one (engine id → simulator)."""
    distributors = json.loads((ROOT / "data" / "distributors.json").read_text())
    return {
        d["id"]: CxmlSupplierSimulator(
            buyer=Credential("NetworkID", OUR_IDENTITY, OUR_SECRET),
            supplier=Credential("NetworkID", f"{d['id']}-SIM", f"{d['id'].lower()}-inbound-secret"),
        ).start()
        for d in distributors
        if d["id"] != API_DISTRIBUTOR
    }


def start_ingram_simulator(offer_store: str, workdir: Path) -> tuple[SimulatorHost, IngramSimulator, Path]:
    """Ingram's Reseller API v6 on 127.0.0.1, holding Ingram's sample offers, and the fulfil.toml that
    points the module at it (the account for its orders and real-time queries alike)."""
    from fulfilment_engine.store import OfferStore

    store = OfferStore.open(offer_store)
    try:
        offers = store.offers_for(store.products(), [API_DISTRIBUTOR])
    finally:
        store.close()
    ingram = IngramSimulator(StockTable.from_offers(offers, API_DISTRIBUTOR))
    # Its invoices carry 20 % VAT (the simulator's default), as the UK chart taxes the demo's purchases.
    host = SimulatorHost()
    host.add("ingram", ingram)
    host.start()
    config = workdir / "fulfil.toml"
    config.write_text(
        f'[[distributors]]\nid = "{API_DISTRIBUTOR}"\n\n[distributors.realtime]\n'
        + "".join(f'{key} = "{value}"\n' for key, value in ingram.realtime_config().items())
        + "\n[distributors.orders]\nhttp_timeout_s = 10\n"
    )
    return host, ingram, config


def create_database(db: str, workdir: Path) -> _odoo.OdooDatabase:
    """A fresh `db` with channel_fulfilment installed (an older demo database of that name is dropped).

    The database is made with its company in the United Kingdom (`odoo-bin db init --country GB`), so
    that installing accounting brings the UK chart of accounts (l10n_uk) and its VAT, as a UK reseller's
    database has it: 20 % on sales and on UK distributors' purchases, none on imports."""
    home, python = _odoo.find_odoo("demo-odoo")
    addons = ",".join([str(home / "addons"), str(home / "odoo" / "addons"), str(ROOT / "odoo_addon")])
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(home), os.environ.get("PYTHONPATH")])),
    )
    data_dir = workdir / "odoo-data"
    _odoo.sql(python, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    connection = ["--db_host", _odoo.DB_HOST, "--db_user", _odoo.DB_USER, "--data-dir", str(data_dir)]
    init = [str(python), str(home / "odoo-bin"), "db", "--addons-path", addons, *connection]
    init += ["init", db, "--country", "GB", "--username", "admin", "--password", "admin"]
    install = [str(python), str(home / "odoo-bin"), "--addons-path", addons, "-d", db, *connection]
    install += ["-i", "channel_fulfilment", "--stop-after-init", "--without-demo", "--log-level", "warn"]
    try:
        _odoo.run(init, env, home, "creating the database", "demo-odoo")
        _odoo.run(install, env, home, "installing channel_fulfilment", "demo-odoo")
    except SystemExit as failed:
        raise DemoError(str(failed)) from None
    return _odoo.OdooDatabase("demo-odoo", home, python, db, addons, env, data_dir)


def set_up_data(
    database: _odoo.OdooDatabase,
    offer_store: str,
    sims: dict[str, CxmlSupplierSimulator],
    engine_config: Path | None = None,
) -> dict:
    """Company, taxes, distributors (cXML to the simulators, Ingram over its API), catalogue and offers,
    touchless rule, connector user: see demo_odoo_worker.py. Returns its RESULT (API keys, products on
    sale)."""
    settings = {
        "data_dir": str(ROOT / "data"),
        "offer_store": offer_store,
        "engine_config": str(engine_config) if engine_config else "",
        "api_distributors": [API_DISTRIBUTOR] if engine_config else [],
        "cxml": {
            engine_id: {
                "url": sim.url,
                "identity": sim.supplier.identity,
                "inbound_secret": sim.supplier.shared_secret,
                "buyer_identity": OUR_IDENTITY,
                "buyer_secret": OUR_SECRET,
            }
            for engine_id, sim in sims.items()
        },
    }
    try:
        return json.loads(_odoo.result_line(database.run_worker(WORKER, json.dumps(settings))))
    except SystemExit as failed:
        raise DemoError(str(failed)) from None


@contextlib.contextmanager
def odoo_server(
    database: _odoo.OdooDatabase, port: int, log: Path, *, timeout_s: float = 180
) -> Iterator[str]:
    """`odoo-bin` serving the database with its crons on (the touchless inbox and the sending run there);
    yields its URL, stops it afterwards."""
    command = [str(database.python), str(database.home / "odoo-bin"), "--addons-path", database.addons]
    command += ["-d", database.db, "--db-filter", f"^{database.db}$"]
    command += ["--db_host", _odoo.DB_HOST, "--db_user", _odoo.DB_USER, "--data-dir", str(database.data_dir)]
    command += ["--http-interface", "127.0.0.1", "--http-port", str(port), "--workers", "0"]
    command += ["--max-cron-threads", "1", "--logfile", str(log)]
    server = subprocess.Popen(command, env=database.env, cwd=database.home)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/web/health", server, timeout_s, f"Odoo on {url} (log: {log})")
        yield url
    finally:
        stop_process(server)


@contextlib.contextmanager
def channel_sync(config: Path, log: Path, health_url: str) -> Iterator[subprocess.Popen]:
    """`channel-sync serve` between the store doubles and Odoo."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "shop_connectors.cli", "--config", str(config), "serve"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(health_url, process, 60, f"channel-sync serve (log: {log})", any_status=True)
        yield process
    finally:
        stop_process(process)


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float, what: str, any_status=False) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            status = httpx.get(url, timeout=5).status_code
            if status == 200 or any_status:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise DemoError(f"{what} stopped (exit {process.returncode})")
        if time.monotonic() > deadline:
            raise DemoError(f"{what} did not answer within {timeout_s:.0f} s")
        time.sleep(0.5)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # both odoo-bin and uvicorn shut down cleanly on SIGINT
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def write_sync_toml(
    workdir: Path, odoo_url: str, db: str, key: str, woo: str, shop: str, listen: int
) -> Path:
    path = workdir / "sync.toml"
    path.write_text(
        f"""[odoo]
url = "{odoo_url}"
database = "{db}"
api_key = "{key}"

[sync]
state = "sqlite:///{workdir / "sync-state.sqlite"}"
listen = "127.0.0.1:{listen}"
pull_every = "30s"
push_every = "15s"

[[stores]]
id = "woo-main"
platform = "woocommerce"
url = "{woo}"
consumer_key = "ck_test"
consumer_secret = "cs_test"
webhook_secret = "{WOO_SECRET}"

[[stores]]
id = "shopify-main"
platform = "shopify"
url = "{shop}"
access_token = "shpat_test"
webhook_secret = "{SHOP_SECRET}"
"""
    )
    return path


# ------------------------------------------------------------------------------------------- the stream


# What every sixth demo order carries, so that the inbox shows a review a person must look at, each with its
# reason and code (with_anomaly).
ANOMALIES = ("unknown_sku", "margin", "no_address", "undeliverable")


def with_anomaly(number: int, lines: tuple, which: int, **order_args) -> dict:
    """A WooCommerce order the touchless rules must not ship (ANOMALIES[which] is the code it will get): an
    unknown SKU, a price under cost, no address, or an address in Australia (no sample distributor
    delivers there)."""
    code = ANOMALIES[which]
    (sku, quantity, price), *rest = lines
    if code == "unknown_sku":
        lines = ((f"NOPE-{number}", quantity, price), *rest)
    elif code == "margin":  # sold at half the list price: under the distributors' cost
        lines = ((sku, quantity, f"{float(price) / 2:.2f}"), *rest)
    order = woo_order(number, lines=lines, **order_args)
    if code == "no_address":
        for address in (order["billing"], order["shipping"]):
            address.update(address_1="", address_2="", city="", postcode="")
    elif code == "undeliverable":  # Australia, where no sample distributor delivers
        order["shipping"].update(
            address_1="1 Macquarie Street", city="Sydney", state="NSW", postcode="2000", country="AU"
        )
    return order


@dataclass
class OrderStream:
    """Store orders into the doubles: WooCommerce ones announced by a signed webhook (in at once),
    Shopify ones left for channel-sync's poll (the safety net), alternately."""

    woo: WooCommerceDouble
    shop: ShopifyDouble
    on_sale: list[dict]
    webhook_url: str
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    fed: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1001))

    def feed_one(self) -> tuple[str, str]:
        number = next(self._ids)
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        email, _name = CUSTOMERS[number % len(CUSTOMERS)]
        picks = self.rng.sample(self.on_sale, k=min(len(self.on_sale), self.rng.choice((1, 1, 2))))
        if len(self.fed) % 2 == 0:
            lines = tuple((p["sku"], self.rng.choice((1, 1, 2)), f"{p['price']:.2f}") for p in picks)
            if len(self.fed) % 6 == 4:  # the 5th, 11th, ... order: something a person must look at
                which = (len(self.fed) // 6) % len(ANOMALIES)
                order = with_anomaly(number, lines, which, modified=now, email=email)
            else:
                order = woo_order(number, modified=now, email=email, lines=lines)
            self.woo.add_order(order)
            body, headers = self.woo.webhook(number, WOO_SECRET)
            httpx.post(f"{self.webhook_url}/webhooks/woo-main", content=body, headers=headers, timeout=10)
            key = ("woo-main", str(number))
        else:
            lines = tuple((p["sku"], 1, f"{p['price'] * 1.2:.2f}") for p in picks)  # UK shop: VAT included
            self.shop.add_order(shopify_order(number, updated=now, email=email, lines=lines))
            key = ("shopify-main", str(number))
        self.fed.append(key)
        return key

    def store_events(self, seen: dict) -> list[str]:
        """What the stores received back from channel-sync since last time (`seen` keeps the counts)."""
        events = []
        with self.woo.lock:
            for order_id, order in self.woo.orders.items():
                notes = self.woo.notes.get(order_id, [])
                for note in notes[seen.get(("note", order_id), 0) :]:
                    events.append(f"WooCommerce #{order_id} got a customer note: {note['note']}")
                seen[("note", order_id)] = len(notes)
                if order["status"] != seen.setdefault(("status", order_id), order["status"]):
                    events.append(f"WooCommerce #{order_id} is now {order['status']}")
                    seen[("status", order_id)] = order["status"]
        with self.shop.lock:
            fulfillments = self.shop.received_fulfillments
            for sent in fulfillments[seen.get("fulfillments", 0) :]:
                numbers = ", ".join(sent.get("trackingInfo", {}).get("numbers", []))
                events.append(f"Shopify got a fulfillment with tracking {numbers}")
            seen["fulfillments"] = len(fulfillments)
        return events


class Odoo:
    """The driver's JSON-2 calls, as the admin (to read what happened and to nudge the inbox cron)."""

    def __init__(self, url: str, db: str, key: str):
        self.url, self.db = url, db
        self.client = httpx.Client(
            timeout=60, headers={"Authorization": f"bearer {key}", "X-Odoo-Database": db}
        )

    def call(self, model: str, method: str, **kwargs):
        response = self.client.post(f"{self.url}/json/2/{model}/{method}", json=kwargs)
        if response.status_code != 200:
            raise DemoError(f"Odoo {model}.{method}: HTTP {response.status_code} {response.text[:300]}")
        return response.json()

    def store_orders(self) -> list[dict]:
        return self.call(
            "sale.order",
            "search_read",
            domain=[("channel_store", "in", ["woo-main", "shopify-main"])],
            fields=["name", "channel_store", "channel_external_id", "inbox_state", "review_codes"],
        )

    def run_inbox_now(self, cron_id: int) -> None:
        """The inbox cron runs each minute; a nudge makes the demo move within seconds."""
        with contextlib.suppress(DemoError):  # "already executing": the cron thread has it
            self.call("ir.cron", "method_direct_trigger", ids=[cron_id])

    def run_cron_now(self, xmlid: str) -> None:
        """A channel_fulfilment scheduled action now (the poll runs every 30 minutes by itself)."""
        (data,) = self.call(
            "ir.model.data",
            "search_read",
            domain=[("module", "=", "channel_fulfilment"), ("name", "=", xmlid)],
            fields=["res_id"],
        )
        self.run_inbox_now(data["res_id"])

    def freight_of(self, po_name: str) -> Decimal:
        """The freight on purchase order `po_name`: what the distributor bills on top of the goods."""
        lines = self.call(
            "purchase.order.line",
            "search_read",
            domain=[("order_id.name", "=", po_name), ("channel_charge_type", "=", "freight")],
            fields=["price_subtotal"],
        )
        return sum((Decimal(str(line["price_subtotal"])) for line in lines), Decimal(0))


@dataclass
class Distributors:
    """The simulators' side of the loop: each order received is confirmed, shipped a little later with a
    tracking number, then invoiced a little later still, all posted to Odoo's inbound cXML door (Ingram,
    over its own API, ships and invoices at once, read by the module's poll). The first cXML invoice,
    and every fifth after it, bills the first line dearer than ordered (DIFFERENCE a unit): it waits in
    *Bills to check*; the others post, and the order's margin shows in *Margins*."""

    sims: dict[str, CxmlSupplierSimulator]
    inbound_url: str
    ship_after_s: float = 10.0
    confirmed: dict[tuple[str, str], float] = field(default_factory=dict)
    shipped: dict[tuple[str, str], float] = field(default_factory=dict)
    invoiced: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    ingram: IngramSimulator | None = None  # Ingram over its API: the module's poll reads what it did
    odoo: Odoo | None = None

    DIFFERENCE = Decimal("5.00")

    def received(self) -> int:
        at_ingram = {o.customer_order_number for o in self.ingram.book.orders.values()} if self.ingram else ()
        return sum(len(sim.orders) for sim in self.sims.values()) + len(at_ingram)

    def answer_ingram(self) -> list[str]:
        """Ingram confirmed each order when it took it; a little later it ships and invoices it (billing
        the PO's freight), and the module's poll cron is nudged to read it."""
        events = []
        for order in list(self.ingram.book.orders.values()):
            key = (API_DISTRIBUTOR, order.customer_order_number)
            if key not in self.confirmed:
                self.confirmed[key] = time.monotonic()
                events.append(
                    f"{API_DISTRIBUTOR} took {order.customer_order_number} over its API as {order.number}"
                )
            elif key not in self.shipped and time.monotonic() - self.confirmed[key] >= self.ship_after_s:
                self.ingram.book.freight = self.odoo.freight_of(order.customer_order_number)
                with contextlib.suppress(ValueError):  # nothing confirmed left (a backorder)
                    self.ingram.book.ship(order.number, carrier_name="DPD")
                self.ingram.book.invoice(order.number)
                self.shipped[key] = time.monotonic()
                self.invoiced[key] = Decimal(0)  # at the ordered prices
                events.append(f"{API_DISTRIBUTOR} shipped and invoiced {order.customer_order_number}")
                self.odoo.run_cron_now("ir_cron_poll_distributor_orders")
        return events

    def answer(self) -> list[str]:
        events = self.answer_ingram() if self.ingram and self.odoo else []
        for engine_id, sim in self.sims.items():
            for received in sim.orders:
                order_id = received.order.order_id
                key = (engine_id, order_id)
                if key not in self.confirmed:
                    sim.post_confirmation(self.inbound_url, order_id, timeout=30)
                    self.confirmed[key] = time.monotonic()
                    events.append(f"{engine_id} received and confirmed {order_id}")
                elif key not in self.shipped:
                    if time.monotonic() - self.confirmed[key] >= self.ship_after_s:
                        events.append(self.ship(engine_id, sim, order_id))
                        self.shipped[key] = time.monotonic()
                elif key not in self.invoiced and time.monotonic() - self.shipped[key] >= self.ship_after_s:
                    by_cxml = sum(1 for invoiced in self.invoiced if invoiced[0] != API_DISTRIBUTOR)
                    difference = self.DIFFERENCE if by_cxml % 5 == 0 else Decimal(0)
                    sim.post_invoice(self.inbound_url, order_id, price_difference=difference, timeout=30)
                    self.invoiced[key] = difference
                    over = f" (line 1 billed {difference} a unit over the PO)" if difference else ""
                    events.append(f"{engine_id} invoiced {order_id}{over}")
        return events

    def ship(self, engine_id: str, sim: CxmlSupplierSimulator, order_id: str) -> str:
        number = f"DEMO{random.randrange(10**9):09d}"
        sim.post_ship_notice(
            self.inbound_url,
            order_id,
            carrier="DPD",
            tracking_numbers=(number,),
            tracking_url=f"https://track.dpd.example/{number}",
            timeout=30,
        )
        return f"{engine_id} shipped {order_id} (DPD {number})"


# ------------------------------------------------------------------------------------------- the demo


def print_welcome(odoo_url: str, db: str, result: dict, woo: str, shop: str) -> None:
    say(
        f"""
Demo in Odoo is up: {odoo_url}/odoo  (database {db}, login admin, password admin)
  loaded: {result["distributors"]} distributors, {result["products"]} products, offers {result["offers"]}
  stores: WooCommerce double {woo}, Shopify double {shop};
          channel-sync serve between them and Odoo
What to look at:
  Orders Inbox > Inbox: store orders arrive (WooCommerce at once by webhook, Shopify within 30 s by poll),
    the touchless rule plans and ships them (New -> Ready -> Sending -> Ordered -> Shipped);
  open an order: the chatter says which distributor the plan chose, at what cost, and the runner-up;
  Orders Inbox > Needs review: every sixth order is one the rules must not ship untouched (an unknown SKU,
    a price under cost, no address, an address nobody delivers to), with the reason in words, its code
    and the one action that resolves it;
  Orders Inbox > Purchase orders: one drop-ship PO per distributor, sent by cXML — Ingram Micro's over its
    own API (the PO's Distributor tab lists every call); the simulators confirm, ship with DPD tracking
    (which channel-sync pushes back to the store), then invoice;
  Orders Inbox > Bills to check: a distributor invoice billed dearer than its PO (the first by cXML, then
    every fifth), with the difference in words; the others post by themselves;
  Orders Inbox > Reporting > Margins: each billed order's margin as planned and as billed (list, graph).
Ctrl-C stops everything; the database {db} stays
  (drop it with: dropdb -h {_odoo.DB_HOST} -U {_odoo.DB_USER} {db}).
"""
    )


def run_demo(args: argparse.Namespace) -> int:
    if args.http_port and port_in_use(args.http_port):
        raise DemoError(
            f"port {args.http_port} is in use: choose another with --http-port N "
            '(make demo-odoo DEMO_ARGS="--http-port N"; 0: any free port)'
        )
    workdir = Path(tempfile.mkdtemp(prefix="cf-demo-odoo-"))
    say(f"demo-odoo: working folder {workdir}")
    say("demo-odoo: loading the sample catalogue into the offer store…")
    offer_store = load_offer_store(workdir)
    sims = start_distributor_simulators()
    ingram_host, ingram, engine_config = start_ingram_simulator(offer_store, workdir)
    woo, shop = WooCommerceDouble(), ShopifyDouble()
    try:
        say(f"demo-odoo: creating database {args.database} with channel_fulfilment (a minute or two)…")
        database = create_database(args.database, workdir)
        say("demo-odoo: loading distributors, catalogue and offers into Odoo…")
        result = set_up_data(database, offer_store, sims, engine_config)
        if not result["on_sale"]:
            raise DemoError("no sample product has stock at a UK distributor: nothing to sell")
        port = args.http_port or _odoo.free_port()
        with odoo_server(database, port, workdir / "odoo.log") as odoo_url:
            listen = _odoo.free_port()
            config = write_sync_toml(
                workdir, odoo_url, args.database, result["key"], woo.url, shop.url, listen
            )
            sync_url = f"http://127.0.0.1:{listen}"
            with channel_sync(config, workdir / "channel-sync.log", f"{sync_url}/healthz"):
                print_welcome(odoo_url, args.database, result, woo.url, shop.url)
                return drive(args, odoo_url, result, woo, shop, sims, sync_url, ingram)
    finally:
        woo.close()
        shop.close()
        for sim in sims.values():
            sim.stop()
        ingram_host.stop()
        say(f"demo-odoo: logs in {workdir}")
        say(
            f"demo-odoo: stopped; database {args.database} kept "
            f"(drop it with: dropdb -h {_odoo.DB_HOST} -U {_odoo.DB_USER} {args.database})"
        )


def processed(stream: OrderStream, states: dict, distributors: Distributors, orders: int) -> bool:
    """Every order fed is in the Orders Inbox, a distributor has received a purchase order, and two
    invoices went back (one at the ordered prices, one dearer: both sides of the accountant's work)."""
    return (
        len(stream.fed) == orders
        and set(stream.fed) <= set(states)
        and distributors.received() >= 1
        and Decimal(0) in distributors.invoiced.values()
        and any(distributors.invoiced.values())
    )


def drive(args, odoo_url: str, result: dict, woo, shop, sims, sync_url: str, ingram=None) -> int:
    """Feeds orders every `args.every` s, lets the distributors answer, reports what changed; returns the
    exit code (0 on Ctrl-C, or once `--exit-after-processed` is met; 1 on `--timeout`)."""
    stream = OrderStream(woo, shop, result["on_sale"], sync_url)
    odoo = Odoo(odoo_url, args.database, result["admin_key"])
    distributors = Distributors(
        sims, f"{odoo_url}{INBOUND_PATH}", ship_after_s=args.ship_after, ingram=ingram, odoo=odoo
    )
    started = next_order = time.monotonic()
    states: dict[tuple[str, str], str] = {}
    store_seen: dict = {}
    try:
        while True:
            moment = time.monotonic()
            if moment >= next_order and (args.orders is None or len(stream.fed) < args.orders):
                store, number = stream.feed_one()
                say(f"store order {store} #{number} placed")
                next_order = moment + args.every
            odoo.run_inbox_now(result["inbox_cron"])
            for event in distributors.answer() + stream.store_events(store_seen):
                say(event)
            for order in odoo.store_orders():
                key = (order["channel_store"], order["channel_external_id"])
                if states.get(key) != order["inbox_state"]:
                    states[key] = order["inbox_state"]
                    codes = f" ({order['review_codes']})" if order["review_codes"] else ""
                    say(f"Odoo {order['name']} from {key[0]} #{key[1]}: {order['inbox_state']}{codes}")
            if args.exit_after_processed and processed(stream, states, distributors, args.orders):
                summary = {
                    "fed": len(stream.fed),
                    "in_odoo": len(states),
                    "received_by_distributors": distributors.received(),
                    "shipped_by_distributors": len(distributors.shipped),
                    "invoiced_by_distributors": len(distributors.invoiced),
                    "states": sorted(states.values()),
                }
                say("DEMO-RESULT " + json.dumps(summary))
                return 0
            if args.timeout and moment - started > args.timeout:
                say(f"demo-odoo: --timeout {args.timeout:.0f} s reached before the orders were processed")
                return 1
            time.sleep(2)
    except KeyboardInterrupt:
        say("demo-odoo: Ctrl-C, stopping…")
        return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="demo-odoo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="cf_demo", help="the demo database (replaced if it exists)")
    parser.add_argument("--http-port", type=int, default=8069, help="Odoo's port (0: any free port)")
    parser.add_argument("--every", type=float, default=20.0, help="seconds between store orders")
    parser.add_argument("--orders", type=int, help="stop feeding after this many orders")
    parser.add_argument("--ship-after", type=float, default=20.0, help="seconds a distributor takes to ship")
    parser.add_argument(
        "--exit-after-processed",
        action="store_true",
        help="exit 0 once the --orders are in the Orders Inbox, a distributor has received a PO and two "
        "invoices came back",
    )
    parser.add_argument("--timeout", type=float, help="give up (exit 1) after this many seconds")
    args = parser.parse_args(argv)
    if args.exit_after_processed and not args.orders:
        parser.error("--exit-after-processed needs --orders N")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run_demo(args)
    except DemoError as error:
        print(f"demo-odoo: {error}", file=sys.stderr)
        return 1
    except SystemExit as missing:  # bench._odoo.find_odoo: Odoo 19 not found
        print(f"{missing}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("demo-odoo: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
