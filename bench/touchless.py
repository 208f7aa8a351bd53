"""The touchless rate: a stream of store orders over WooCommerce and Shopify, mostly clean, with the anomalies
resellers meet, run through the whole loop, and each order's outcome checked against what was injected.

    python -m bench touchless [--orders 1000] [--seed 10] [--json]

The store doubles → `channel-sync pull` (and `serve` for webhooks, each delivered twice) → a real Odoo 19
(a throwaway database, one odoo-bin, no cron threads) → the module's own crons, run as "Run Manually" runs
them → cXML OrderRequests over HTTP to the distributor simulators → their confirmations, ship notices and
InvoiceDetailRequests back to Odoo's inbound door; Ingram's orders over its Reseller API v6 (the Ingram
simulator), read back by the poll cron. The report counts purchase orders per channel. Every figure is
read back from Odoo (JSON-2), the store doubles and the simulators, never from the injection list alone.
Exit 0 when every clean order went through untouched, every anomaly was caught with its reason, and
nothing was lost or duplicated.

Counting (ARCHITECTURE "The touchless benchmark"): touchless = reached `sending` or later (or cancelled by
the store) with no review code; review = has review codes; other = the rest; wrong_reason = an anomaly whose
expected code is missing, or an anomaly expected to pass untouched that did not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
from rich.console import Console

from bench import _touchless_mail as mail_channel
from bench._odoo import answering, free_port, odoo_database, odoo_http, result_line
from bench._tables import figures_table
from bench.connectors import stamp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "loop"))
from test_loop import INBOUND_PATH, OUR_CREDENTIAL, Admin, invoice_for  # noqa: E402  (tests/loop)

sys.path.insert(0, str(ROOT / "tests" / "connectors"))
from conftest import SHOP_SECRET, WOO_SECRET, sync_toml  # noqa: E402  (tests/connectors)

from fulfilment_engine.documents.cxml import ConfirmationLine, Credential, parse_response  # noqa: E402
from fulfilment_engine.documents.transport import CONTENT_TYPE  # noqa: E402
from fulfilment_engine.simulators.cxml_supplier import CxmlSupplierSimulator  # noqa: E402
from fulfilment_engine.simulators.host import SimulatorHost  # noqa: E402
from fulfilment_engine.simulators.ingram import IngramSimulator  # noqa: E402
from fulfilment_engine.simulators.stock import StockLine, StockTable  # noqa: E402
from shop_connectors.doubles import ShopifyDouble, WooCommerceDouble, shopify_order, woo_order  # noqa: E402

SETUP_WORKER = ROOT / "tests" / "connectors" / "odoo_worker.py"
CATALOGUE_WORKER = ROOT / "bench" / "_odoo_touchless_worker.py"
STORES = ("woo-main", "shopify-main")
STORE_CURRENCY = "GBP"  # both store doubles' orders
DISTRIBUTORS = ("ING", "TD", "WC", "EX")
BILLED_SAMPLE = 20  # clean orders whose distributors confirm, ship and invoice at the PO price
PRICE_DIFFERENCE = Decimal("1.50")
LIVE_RISE = Decimal("1.10")  # TL-LIVE's real-time price at Ingram against its feed price
TOUCHLESS_STATES = ("sending", "ordered", "shipped", "invoiced", "done")
WAIT_S = 900

# anomaly: the review code it must raise, or None when the order must still go through untouched.
EXPECTED: dict[str, str | None] = {
    "unknown_sku": "unknown_sku",
    "no_stock": "no_stock",
    "price_moved": "price_moved",
    "margin": "margin",
    "no_address": "no_address",
    "undeliverable": "undeliverable",
    "webhook_twice": None,
    "tax_rounding": "total_mismatch",
    "cancelled": None,
    "distributor_rejected": "distributor_rejected",
    "distributor_down": "ship_failed",
    "bill_difference": None,
    # Orders for Ingram Micro, which takes them over its own API: each must go through untouched.
    "ingram_lost_answer": None,  # Ingram takes the first create and its answer is lost: adopted, not doubled
    "ingram_backorder": None,  # a unit on backorder: shown on the PO line, no person needed
    "ingram_partial_shipment": None,  # shipped in two parcels: a backorder delivery, then the rest
    "ingram_bill_difference": None,  # Ingram bills a line dearer: the order goes on, the bill waits
}
INGRAM_ANOMALY_SKUS = {
    "ingram_lost_answer": "TL-ING-LOST",
    "ingram_backorder": "TL-ING-BACK",
    "ingram_partial_shipment": "TL-ING-PART",
    "ingram_bill_difference": "TL-ING-BILL",
}
BILL_DIFFERENCES = ("bill_difference", "ingram_bill_difference")
API_DISTRIBUTORS = ("ING",)  # ordered over their own API (Ingram Micro Reseller API v6)
# res.partner.po_channel → its name in the report
CHANNEL_LABELS = {"cxml": "cXML", "ingram_v6": "Ingram Micro API", "email": "e-mail"}
ANOMALY_SHARE = 0.015
SIMULATED_ANOMALIES = ("distributor_rejected", "bill_difference")  # acted out by a distributor simulator


@dataclass
class StoreOrder:
    store: str
    external_id: str
    anomaly: str | None
    lines: list[tuple[str, int, str]]
    email: str
    payload: dict = field(default_factory=dict)


class BenchError(SystemExit):
    pass


# ------------------------------------------------------------------------------------------- the stream


def plan_stream(
    count: int,
    rng: random.Random,
    clean_costs: dict[str, float],
    ingram_costs: dict[str, float] | None = None,
    mail_skus: frozenset[str] = frozenset(),
) -> list[StoreOrder]:
    """`count` orders, each anomaly on max(1, 1.5 %) of them (at most one an order), both stores; the
    anomalies a distributor's simulator acts out (a rejected line, a dearer bill) never ride on
    `mail_skus` (stocked only by distributors on e-mail)."""
    per_anomaly = max(1, round(count * ANOMALY_SHARE))
    anomalies = [name for name in EXPECTED for _ in range(per_anomaly)]
    if len(anomalies) > count:
        raise BenchError(f"touchless: {count} orders cannot hold {len(anomalies)} anomalies")
    kinds: list[str | None] = anomalies + [None] * (count - len(anomalies))
    rng.shuffle(kinds)
    skus = sorted(clean_costs)
    orders = []
    occurrences: Counter[str] = Counter()
    for index, anomaly in enumerate(kinds):
        if anomaly:  # each anomaly on both stores in turn, half of them starting on each
            store = STORES[(list(EXPECTED).index(anomaly) + occurrences[anomaly]) % 2]
            occurrences[anomaly] += 1
        else:
            store = rng.choice(STORES)
        external_id = str((10_000 if store == "woo-main" else 20_000) + index + 1)
        lines = []
        pool = [sku for sku in skus if sku not in mail_skus] if anomaly in SIMULATED_ANOMALIES else skus
        for sku in rng.sample(pool, rng.randint(1, 3)):
            lines.append((sku, rng.randint(1, 3), f"{clean_costs[sku] * 1.6:.2f}"))
        if anomaly == "unknown_sku":
            lines.append((f"TL-UNKNOWN-{index}", 1, "20.00"))
        elif anomaly == "no_stock":
            lines = [("TL-NOSTOCK", 1, "48.00")]
        elif anomaly == "price_moved":  # sold well above even the moved price: only the move can stop it
            lines = [("TL-LIVE", 1, "160.00")]
        elif anomaly == "distributor_down":
            lines = [("TL-DOWN", 1, "56.00")]
        elif anomaly == "margin":
            sku = lines[0][0]
            lines = [(sku, 1, f"{clean_costs[sku] * 0.8:.2f}")]
        elif anomaly in INGRAM_ANOMALY_SKUS:
            sku = INGRAM_ANOMALY_SKUS[anomaly]
            lines = [(sku, 2, f"{(ingram_costs or {})[sku] * 1.6:.2f}")]
        email = f"customer{rng.randrange(300)}@example.com"
        orders.append(StoreOrder(store, external_id, anomaly, lines, email))
    return orders


def woo_payload(order: StoreOrder, modified: str) -> dict:
    payload = woo_order(int(order.external_id), modified=modified, email=order.email, lines=order.lines)
    if order.anomaly == "no_address":
        payload["billing"] = {key: "" for key in payload["billing"]} | {
            "first_name": "Ann",
            "last_name": "Smith",
            "email": order.email,
        }
        payload["shipping"] = {key: "" for key in payload["shipping"]}
    elif order.anomaly == "undeliverable":
        us = {"address_1": "500 Congress Ave", "city": "Austin", "state": "TX", "postcode": "78701"}
        payload["billing"] |= us | {"country": "US"}
        payload["shipping"] |= us | {"country": "US"}
    elif order.anomaly == "tax_rounding":
        payload["total"] = f"{Decimal(payload['total']) + Decimal('0.01'):.2f}"
    return payload


def shopify_payload(order: StoreOrder, modified: str) -> dict:
    # Shopify's prices include the 20 % VAT: the same net price as on WooCommerce.
    lines = tuple((sku, qty, f"{Decimal(price) * Decimal('1.2'):.2f}") for sku, qty, price in order.lines)
    payload = shopify_order(int(order.external_id), updated=modified, lines=lines, email=order.email)
    if order.anomaly == "no_address":
        payload["billingAddress"] = payload["shippingAddress"] = None
    elif order.anomaly == "undeliverable":
        us = {"address1": "500 Congress Ave", "city": "Austin", "zip": "78701", "provinceCode": "TX"}
        payload["shippingAddress"] = payload["shippingAddress"] | us | {"countryCodeV2": "US"}
        payload["billingAddress"] = payload["billingAddress"] | us | {"countryCodeV2": "US"}
    elif order.anomaly == "tax_rounding":
        amount = payload["totalPriceSet"]["shopMoney"]["amount"]
        payload["totalPriceSet"]["shopMoney"]["amount"] = f"{Decimal(amount) + Decimal('0.01'):.2f}"
    return payload


def place(order: StoreOrder, woo: WooCommerceDouble, shop: ShopifyDouble, modified: str) -> None:
    if order.store == "woo-main":
        order.payload = woo_payload(order, modified)
        woo.add_order(order.payload)
    else:
        order.payload = shopify_payload(order, modified)
        shop.add_order(order.payload)


def cancel_in_store(order: StoreOrder, woo: WooCommerceDouble, shop: ShopifyDouble) -> None:
    modified = stamp(0)
    if order.store == "woo-main":
        woo.touch(int(order.external_id), modified, status="cancelled")
    else:
        with shop.lock:
            stored = shop.orders[order.external_id]
            stored["cancelledAt"] = stored["updatedAt"] = modified
            stored["displayFinancialStatus"] = "VOIDED"


# ------------------------------------------------------------------------------------------- the loop


class Loop:
    """Drives Odoo as its administrator and the distributors as simulators; keeps what went wrong on the
    way (a cron that failed, a document refused) for the report instead of stopping."""

    def __init__(self, odoo: dict, sims: dict[str, CxmlSupplierSimulator], console: Console):
        self.admin = Admin(odoo)
        self.inbound = f"{odoo['url']}{INBOUND_PATH}"
        self.sims = sims
        self.console = console
        self.problems: list[str] = []
        self._crons: dict[str, int] = {}
        self.http = httpx.Client(timeout=120)

    def cron(self, xmlid: str) -> None:
        if xmlid not in self._crons:
            (data,) = self.admin.search_read(
                "ir.model.data", [("module", "=", "channel_fulfilment"), ("name", "=", xmlid)], ["res_id"]
            )
            self._crons[xmlid] = data["res_id"]
        answer = self.admin("ir.cron", "method_direct_trigger", ids=[self._crons[xmlid]])
        if isinstance(answer, dict):  # Odoo's client action carrying the job's exception
            message = answer.get("params", {}).get("message") or json.dumps(answer)[:300]
            self.problems.append(f"cron {xmlid} logged an error: {message}")

    def count(self, model: str, domain: list) -> int:
        return self.admin(model, "search_count", domain=domain)

    def drain_inbox(self) -> None:
        """The touchless cron until no new order is left (it stops itself when its time is up)."""
        for _ in range(200):
            self.cron("ir_cron_process_inbox")
            if not self.count("sale.order", [("is_inbox", "=", True), ("inbox_state", "=", "new")]):
                return
        self.problems.append("the inbox cron left new orders after 200 runs")

    def send_due(self) -> None:
        due = [("channel_send_state", "=", "to_send"), ("state", "=", "purchase")]
        for _ in range(200):
            self.cron("ir_cron_send_purchase_orders")
            now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            retry_due = ["|", ("channel_next_attempt_at", "=", False), ("channel_next_attempt_at", "<=", now)]
            waiting = [*due, *retry_due]
            if not self.count("purchase.order", waiting):
                return

    def wait_for_retries(self) -> None:
        """POs the send cron will try again (channel_next_attempt_at): wait for that moment, send again,
        until none is left to send (the last attempt fails them for good)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            pending = self.admin.search_read(
                "purchase.order",
                [("channel_send_state", "=", "to_send"), ("state", "=", "purchase")],
                ["channel_next_attempt_at"],
            )
            if not pending:
                return
            moments = [p["channel_next_attempt_at"] for p in pending if p["channel_next_attempt_at"]]
            if moments:
                latest = datetime.strptime(max(moments), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
                pause = (latest - datetime.now(UTC)).total_seconds() + 1
                self.console.print(f"waiting {max(pause, 0):.0f} s for the send retries")
                time.sleep(max(pause, 0))
            self.send_due()
        self.problems.append(f"purchase orders still to send after {WAIT_S} s")

    def purchase_orders(self, sale_ids: list[int]) -> list[dict]:
        fields = [
            "name",
            "partner_id",
            "channel_sale_id",
            "channel_send_state",
            "invoice_ids",
            "order_line",
            "amount_tax",
            "amount_untaxed",
        ]
        return self.admin.search_read(
            "purchase.order", [("channel_sale_id", "in", sale_ids)], fields, order="id"
        )

    def engine_of(self, pos: list[dict]) -> dict[int, str]:
        partners = {po["partner_id"][0] for po in pos}
        return {p["id"]: p["engine_id"] for p in self.admin.read("res.partner", partners, ["engine_id"])}

    def post(self, what: str, result) -> bool:
        ok = result.http_status == 200 and result.status is not None and result.status.code == 200
        if not ok:
            self.problems.append(f"{what}: HTTP {result.http_status} {result.body[:200]!r}")
        return ok

    def reject_a_line(self, po: dict, sim: CxmlSupplierSimulator) -> None:
        first = sim.order(po["name"]).order.lines[0]
        quantity = Decimal(first.quantity)
        line = ConfirmationLine(
            first.line_number, quantity, "reject", "discontinued", ordered_quantity=quantity
        )
        result = sim.post_confirmation(self.inbound, po["name"], "detail", lines=(line,), timeout=120)
        self.post(f"rejecting a line of {po['name']}", result)

    def ship_and_bill(self, po: dict, sim: CxmlSupplierSimulator, difference: Decimal) -> bool:
        """Confirm, ship with tracking, invoice (the first line `difference` dearer); True when Odoo took
        all three."""
        name = po["name"]
        tracking = f"1Z{name.replace('/', '')}"
        return (
            self.post(f"confirming {name}", sim.post_confirmation(self.inbound, name, timeout=120))
            and self.post(
                f"ship notice of {name}",
                sim.post_ship_notice(
                    self.inbound, name, carrier="UPS", tracking_numbers=(tracking,), timeout=120
                ),
            )
            and self.invoice(name, sim, difference)
        )

    def ingram_invoice(self, po: dict, ingram: IngramSimulator, difference: Decimal) -> None:
        """Ingram invoices what it shipped of `po` at the PO's tax rate and freight (its first line
        `difference` dearer); the poll cron reads it."""
        freight = self.admin.search_read(
            "purchase.order.line",
            [("order_id", "=", po["id"]), ("channel_charge_type", "=", "freight")],
            ["price_subtotal"],
        )
        untaxed = Decimal(str(po["amount_untaxed"]))
        rate = Decimal(str(po["amount_tax"])) / untaxed * 100 if untaxed else Decimal(0)
        ingram.book.tax_percent = rate.quantize(Decimal("0.0001"))
        ingram.book.freight = sum((Decimal(str(line["price_subtotal"])) for line in freight), Decimal(0))
        (placed,) = ingram.book.orders_for(po["name"])
        first = placed.lines[0]
        prices = {first.key: first.unit_price + difference} if difference else None
        if not ingram.book.invoice(po["name"], prices=prices):
            self.problems.append(f"Ingram had nothing shipped to invoice on {po['name']}")

    def invoice(self, name: str, sim: CxmlSupplierSimulator, difference: Decimal) -> bool:
        body = invoice_for(sim, name, price_difference=difference)
        response = self.http.post(self.inbound, content=body, headers={"Content-Type": CONTENT_TYPE})
        ok = response.status_code == 200 and parse_response(response.content).code == 200
        if not ok:
            self.problems.append(f"invoice of {name}: HTTP {response.status_code} {response.text[:200]}")
        return ok


def ingram_lifecycle(
    loop: Loop,
    ingram: IngramSimulator,
    pos: list[dict],
    sale_of: dict[int, StoreOrder],
    billed: set[int],
    rejected_done: set[int],
) -> dict[str, tuple[tuple[str, str], bool]]:
    """Ingram's side of the orders placed over its API, read back by the module's poll cron: a line it
    cancels (the rejection anomaly), a first parcel then the rest (partial shipment), shipping and
    invoicing the billed sample and the bill with a difference. Returns the POs invoiced, as `run` keeps
    them: PO name → (order key, with a difference)."""
    invoiced: dict[str, tuple[tuple[str, str], bool]] = {}
    partial, ship_all = [], []
    for po in pos:
        sale_id = po["channel_sale_id"][0]
        order = sale_of[sale_id]
        if po["channel_send_state"] not in ("sent", "accepted"):
            continue
        try:
            placed = ingram.book.orders_for(po["name"])
        except KeyError:
            loop.problems.append(f"{po['name']} was sent but Ingram has no order for it")
            continue
        first = placed[0].lines[0]
        if order.anomaly == "distributor_rejected" and sale_id not in rejected_done:
            ingram.book.cancel_line(po["name"], first.customer_line_number)
            rejected_done.add(sale_id)
        elif order.anomaly == "ingram_partial_shipment":
            ingram.book.ship(po["name"], {first.key: 1}, carrier_name="UPS")
            partial.append(po)
        elif order.anomaly in BILL_DIFFERENCES or sale_id in billed:
            ship_all.append(po)
    loop.cron("ir_cron_poll_distributor_orders")  # the cancelled lines and the first parcels
    for po in [*partial, *ship_all]:
        try:
            ingram.book.ship(po["name"], carrier_name="DPD")
        except ValueError as exc:
            loop.problems.append(f"Ingram could not ship {po['name']}: {exc}")
            continue
        order = sale_of[po["channel_sale_id"][0]]
        difference = PRICE_DIFFERENCE if order.anomaly in BILL_DIFFERENCES else Decimal(0)
        loop.ingram_invoice(po, ingram, difference)
        invoiced[po["name"]] = ((order.store, order.external_id), bool(difference))
    loop.cron("ir_cron_poll_distributor_orders")  # the rest shipped, the bills
    return invoiced


def configure(loop: Loop, down_url: str, engine_config: Path) -> None:
    """The reseller's setup: Ingram over its own API, the others by cXML at their endpoints (DN's is down),
    invoices on dispatch,
    two send attempts, Ingram's real-time check, a touchless rule for both stores with a 10 % margin
    floor, and each store's payment clearing journal."""
    admin = loop.admin
    for distributor in admin.search_read("res.partner", [("is_distributor", "=", True)], ["engine_id"]):
        if distributor["engine_id"] in API_DISTRIBUTORS:
            admin("res.partner", "write", ids=[distributor["id"]], vals={"po_channel": "ingram_v6"})
            continue
        if distributor["engine_id"] in mail_channel.MAIL:
            continue  # takes PDF purchase orders by e-mail (the default) and answers by e-mail
        sim = loop.sims.get(distributor["engine_id"])
        url = sim.url if sim else down_url
        admin("res.partner", "write", ids=[distributor["id"]], vals={"po_channel": "cxml", "cxml_url": url})
    (company,) = admin.search_read("res.company", [], ["id"], limit=1)
    admin(
        "res.company",
        "write",
        ids=[company["id"]],
        vals={
            "channel_auto_invoice_on_dispatch": True,
            "channel_cxml_max_attempts": 2,
            "channel_realtime_check": True,
            "channel_engine_config": str(engine_config),
        },
    )
    rule = {
        "name": "Paid store orders ship untouched",
        "sequence": 1,
        "channel_stores": ", ".join(STORES),
        "require_paid": True,
        "min_margin_percent": 10.0,
        "action": "ship",
    }
    admin("channel.fulfilment.rule", "create", vals_list=[rule])
    for code, platform, short in (("woo-main", "woocommerce", "WOOP"), ("shopify-main", "shopify", "SHPY")):
        (journal,) = admin(
            "account.journal",
            "create",
            vals_list=[{"name": f"{code} payments", "code": short, "type": "bank"}],
        )
        store = {"name": code, "code": code, "platform": platform, "payment_journal_id": journal}
        admin("channel.store", "create", vals_list=[store])


def channel_sync(config: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shop_connectors.cli", *args, "--config", str(config)]
    return subprocess.run(command, capture_output=True, text=True, timeout=3600)


@contextlib.contextmanager
def serving(config: Path, port: int):
    """`channel-sync serve`, ready once its first pull is done (healthz 200)."""
    command = [sys.executable, "-m", "shop_connectors.cli", "serve", "--config", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not answering(f"http://127.0.0.1:{port}/healthz", process, 600):
            raise BenchError(f"touchless: channel-sync serve did not become healthy on port {port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)


# ------------------------------------------------------------------------------------------- counting


def classify(order: dict, stuck: set[int]) -> str:
    """`stuck`: the orders with a purchase order that failed or was refused at its distributor; such an
    order may say `sending` but waits for a person all the same."""
    if order["review_codes"]:
        return "review"
    if order["id"] in stuck:
        return "other"
    if order["inbox_state"] in TOUCHLESS_STATES or order["inbox_state"] == "cancelled":
        return "touchless"
    return "other"


def outcome_ok(anomaly: str | None, order: dict, kind: str) -> bool:
    expected = EXPECTED.get(anomaly) if anomaly else None
    if expected:
        return expected in (order["review_codes"] or "").split()
    if anomaly == "cancelled":
        return order["inbox_state"] == "cancelled" and kind == "touchless"
    return kind == "touchless"


def count(stream, odoo_orders, stuck, woo, shop, sims, bills) -> dict:
    """The report from what Odoo, the stores and the simulators hold."""
    by_key: dict[tuple[str, str], list[dict]] = {}
    for order in odoo_orders:
        by_key.setdefault((order["channel_store"], order["channel_external_id"]), []).append(order)
    in_stores = [("woo-main", str(i)) for i in woo.orders] + [("shopify-main", str(i)) for i in shop.orders]
    lost = sum(1 for key in in_stores if key not in by_key)
    sent_names = Counter(r.order.order_id for sim in sims.values() for r in sim.orders)
    duplicated = (
        sum(len(found) - 1 for found in by_key.values())
        + sum(sim.duplicates for sim in sims.values())
        + sum(times - 1 for times in sent_names.values())
    )
    injected = {(o.store, o.external_id): o.anomaly for o in stream}
    kinds = Counter()
    anomalies = {name: {"injected": 0, "caught": 0, "wrong": 0, "codes": Counter()} for name in EXPECTED}
    clean = clean_touchless = wrong_reason = 0
    wrong: list[dict] = []
    for key in in_stores:
        found = by_key.get(key)
        if not found:
            continue
        order = found[0]
        kind = classify(order, stuck)
        kinds[kind] += 1
        anomaly = injected.get(key)
        if anomaly is None:
            clean += 1
            clean_touchless += kind == "touchless"
            continue
        entry = anomalies[anomaly]
        entry["injected"] += 1
        seen = order["review_codes"] or f"{order['inbox_state']}, no code"
        entry["codes"][seen] += 1
        if anomaly in BILL_DIFFERENCES:
            entry["caught"] += bills["difference_caught"].get(key, False)
            if kind != "touchless":
                wrong_reason += 1
            continue
        if outcome_ok(anomaly, order, kind):
            entry["caught"] += 1
        else:
            wrong_reason += 1
            reason = (order["review_reason"] or "").splitlines()[0][:160] if order["review_reason"] else ""
            wrong.append(
                {"store": key[0], "external_id": key[1], "anomaly": anomaly, "seen": seen, "reason": reason}
            )
    for entry in anomalies.values():
        entry["wrong"] = entry["injected"] - entry["caught"]
        entry["codes"] = dict(entry["codes"])
    return {
        "orders": len(in_stores),
        "clean": clean,
        "clean_touchless": clean_touchless,
        "touchless": kinds["touchless"],
        "review": kinds["review"],
        "other": kinds["other"],
        "lost": lost,
        "duplicated": duplicated,
        "wrong_reason": wrong_reason,
        "bills": bills["bills"],
        "bills_with_difference": bills["with_difference"],
        "bills_posted": bills["posted"],
        "bills_to_check": bills["to_check"],
        "bills_wrong": bills["wrong"],
        "anomalies": anomalies,
        "wrong_orders": wrong,
    }


def channel_orders(pos, po_channel, odoo_orders, sale_of, stuck) -> dict[str, dict]:
    """Per channel (how the distributor takes orders and says it shipped): the orders its purchase orders
    belong to, the clean ones among them, how many went through untouched and how many shipped."""
    state = {o["id"]: o for o in odoo_orders}
    orders_of: dict[str, set[int]] = {}
    for po in pos:
        orders_of.setdefault(po_channel[po["partner_id"][0]], set()).add(po["channel_sale_id"][0])
    counts = {}
    for channel, orders in orders_of.items():
        clean = [s for s in orders if sale_of[s].anomaly is None and s in state]
        counts[channel] = {
            "orders": len(orders),
            "clean": len(clean),
            "clean_touchless": sum(classify(state[s], stuck) == "touchless" for s in clean),
            "clean_shipped": sum(state[s]["inbox_state"] in ("shipped", "invoiced", "done") for s in clean),
        }
    return counts


def target_holds(report: dict) -> bool:
    return (
        report["clean_touchless"] == report["clean"]
        and not report["email"]["wrong"]
        and report["lost"] == report["duplicated"] == report["wrong_reason"] == 0
        and report["bills_wrong"] == 0
        and all(entry["caught"] == entry["injected"] for entry in report["anomalies"].values())
    )


# ------------------------------------------------------------------------------------------- run


def run(odoo: dict, orders: int = 1000, seed: int = 10, console: Console | None = None) -> dict:
    """The whole stream through the loop against the `odoo` fixture's Odoo (url, db, key, admin_key,
    database, as made by tests/connectors/odoo_worker.py setup); returns the report."""
    console = console or Console(stderr=True)
    started = time.perf_counter()
    rng = random.Random(seed)
    catalogue = json.loads(result_line(odoo["database"].run_worker(CATALOGUE_WORKER)))
    stream = plan_stream(
        orders, rng, catalogue["clean"], catalogue["ingram_only_costs"], frozenset(catalogue["mail"])
    )
    # Ingram UK quotes in pounds, the currency the stores sell in and the real-time check asks in (a
    # quote in another currency is discarded as "priced in X, the plan is in GBP").
    currency = STORE_CURRENCY
    table = {
        part: StockLine(int(stock), Decimal(str(price)), currency)
        for part, (stock, price) in catalogue["ingram_parts"].items()
    }
    moved = (Decimal(str(catalogue["live_cost"])) * LIVE_RISE).quantize(Decimal("0.01"))
    table[catalogue["live_part"]] = StockLine(table[catalogue["live_part"]].stock, moved, currency)
    ingram = IngramSimulator(StockTable(table))
    ingram_parts = catalogue["ingram_only"]
    ingram.lose_answer_parts = {ingram_parts["TL-ING-LOST"]}
    ingram.book.backorder_parts = {ingram_parts["TL-ING-BACK"]: 1}
    sims = {
        engine_id: CxmlSupplierSimulator(
            buyer=OUR_CREDENTIAL,
            supplier=Credential("NetworkID", f"{engine_id}-UK", f"{engine_id.lower()}-inbound-secret"),
        )
        for engine_id in DISTRIBUTORS
        if engine_id not in API_DISTRIBUTORS
    }
    host = SimulatorHost()
    host.add("ingram", ingram)
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="cf-touchless-") as folder:
        folder = Path(folder)
        host.start()
        stack.callback(host.stop)
        for sim in sims.values():
            sim.start()
            stack.callback(sim.stop)
        woo, shop = WooCommerceDouble(), ShopifyDouble()
        stack.callback(woo.close)
        stack.callback(shop.close)
        realtime = ingram.realtime_config()
        engine_config = folder / "fulfil.toml"
        engine_config.write_text(
            '[planner]\ndeadline_ms = 5000\n\n[[distributors]]\nid = "ING"\n\n[distributors.realtime]\n'
            + "".join(f'{key} = "{value}"\n' for key, value in realtime.items())
            # Orders over the same account; a lost create answer is given up on after 5 s.
            + "\n[distributors.orders]\nhttp_timeout_s = 5\n"
        )
        loop = Loop(odoo, sims, console)
        configure(loop, f"http://127.0.0.1:{free_port()}/cxml/orders", engine_config)
        dispatch_address = mail_channel.configure(loop.admin)

        # 1. The stores take their orders; channel-sync pull brings them in.
        hooked = [o for o in stream if o.anomaly == "webhook_twice"]
        pulled = [o for o in stream if o.anomaly != "webhook_twice"]
        for index, order in enumerate(pulled):
            place(order, woo, shop, stamp(1800 * (len(pulled) - index) / len(pulled) + 60))
        port = free_port()
        settings = f'listen = "127.0.0.1:{port}"\npull_every = "1h"\npush_every = "1h"'
        config = sync_toml(
            folder,
            odoo["url"],
            woo.url,
            shop.url,
            api_key=odoo["key"],
            database=odoo["db"],
            extra_sync=settings,
        )
        mark = time.perf_counter()
        result = channel_sync(config, "pull")
        if result.returncode != 0:
            loop.problems.append(f"channel-sync pull exited {result.returncode}: {result.stderr[-500:]}")
        console.print(f"pulled {len(pulled)} orders ({time.perf_counter() - mark:.0f} s)")

        # 2. Some are cancelled in the store before the inbox cron runs; the next pull brings that in.
        for order in stream:
            if order.anomaly == "cancelled":
                cancel_in_store(order, woo, shop)
        time.sleep(1.5)  # the cancellations fall inside the next pull's window, which ends at its start
        result = channel_sync(config, "pull")
        if result.returncode != 0:
            loop.problems.append(f"second pull exited {result.returncode}: {result.stderr[-500:]}")

        # 3. Orders that arrive by webhook, each delivered twice, through channel-sync serve.
        with serving(config, port) as serve_url:
            for order in hooked:
                place(order, woo, shop, stamp(0))
                if order.store == "woo-main":
                    body, headers = woo.webhook(int(order.external_id), WOO_SECRET)
                else:
                    body, headers = shop.webhook(order.external_id, SHOP_SECRET)
                for _ in range(2):
                    answer = httpx.post(f"{serve_url}/webhooks/{order.store}", content=body, headers=headers)
                    if answer.status_code != 200:
                        loop.problems.append(f"webhook of {order.external_id} answered {answer.status_code}")
            domain = [("channel_store", "in", list(STORES))]
            deadline = time.monotonic() + WAIT_S
            while loop.count("sale.order", domain) < len(stream) and time.monotonic() < deadline:
                time.sleep(1)
            time.sleep(2)  # a second delivery still being processed would show as a duplicate below

        # 4. The touchless cron plans and ships; the send cron sends the OrderRequests.
        mark = time.perf_counter()
        loop.drain_inbox()
        console.print(f"inbox cron drained ({time.perf_counter() - mark:.0f} s)")
        mark = time.perf_counter()
        loop.send_due()
        console.print(f"send cron done ({time.perf_counter() - mark:.0f} s)")

        # 5. The distributors answer: a rejected line; confirmations, ship notices and invoices.
        order_fields = [
            "channel_store",
            "channel_external_id",
            "inbox_state",
            "review_codes",
            "review_reason",
            "state",
        ]
        odoo_orders = loop.admin.search_read(
            "sale.order", [("channel_store", "in", list(STORES))], order_fields
        )
        ids = {(o["channel_store"], o["channel_external_id"]): o["id"] for o in odoo_orders}
        sale_of = {ids[(o.store, o.external_id)]: o for o in stream if (o.store, o.external_id) in ids}
        pos = loop.purchase_orders(list(sale_of))
        engine_of = loop.engine_of(pos) if pos else {}
        clean = [s for s, o in sale_of.items() if o.anomaly is None]
        billed = set(rng.sample(clean, min(BILLED_SAMPLE, len(clean))))
        bills = {
            "bills": 0,
            "with_difference": 0,
            "posted": 0,
            "to_check": 0,
            "wrong": 0,
            "difference_caught": {},
        }
        invoiced: dict[str, tuple[tuple[str, str], bool]] = {}  # PO name → (order key, with a difference)
        rejected_done: set[int] = set()
        by_api = [po for po in pos if engine_of[po["partner_id"][0]] in API_DISTRIBUTORS]
        invoiced.update(ingram_lifecycle(loop, ingram, by_api, sale_of, billed, rejected_done))
        for po in pos:
            sale_id = po["channel_sale_id"][0]
            order = sale_of[sale_id]
            sim = sims.get(engine_of[po["partner_id"][0]])
            if sim is None or po["channel_send_state"] != "sent":
                continue
            if order.anomaly == "distributor_rejected" and sale_id not in rejected_done:
                loop.reject_a_line(po, sim)
                rejected_done.add(sale_id)
            elif order.anomaly == "bill_difference" or sale_id in billed:
                difference = PRICE_DIFFERENCE if order.anomaly == "bill_difference" else Decimal(0)
                if loop.ship_and_bill(po, sim, difference):
                    invoiced[po["name"]] = ((order.store, order.external_id), bool(difference))

        # 5b. The distributors on e-mail answer with dispatch e-mails through Odoo's mail gateway.
        mark = time.perf_counter()
        mails = mail_channel.send(loop.admin, pos, engine_of, dispatch_address, rng)
        console.print(
            f"{len(mails)} dispatch e-mails through the mail gateway ({time.perf_counter() - mark:.0f} s)"
        )

        # 6. The distributor that is down: the retry comes due, its last attempt fails.
        loop.wait_for_retries()
        loop.drain_inbox()  # the sweep moves paid-and-billed orders on

        # 7. Read back.
        odoo_orders = loop.admin.search_read(
            "sale.order", [("channel_store", "in", list(STORES))], order_fields
        )
        stuck = set()
        final_pos = loop.purchase_orders(list(sale_of))
        partners = {po["partner_id"][0] for po in final_pos}
        po_channel = {
            p["id"]: p["po_channel"] for p in loop.admin.read("res.partner", list(partners), ["po_channel"])
        }
        channels: dict[str, Counter] = {}
        for po in final_pos:
            if po["channel_send_state"] in ("failed", "rejected"):
                stuck.add(po["channel_sale_id"][0])
            channel = channels.setdefault(po_channel[po["partner_id"][0]], Counter())
            channel["purchase_orders"] += 1
            channel["reached_distributor"] += po["channel_send_state"] in ("sent", "accepted", "emailed")
            channel["bills"] += len(po["invoice_ids"])
            if po["name"] not in invoiced:
                continue
            key, with_difference = invoiced[po["name"]]
            moves = loop.admin.read(
                "account.move",
                po["invoice_ids"],
                ["move_type", "state", "channel_review_state", "channel_review_reason"],
            )
            for move in (m for m in moves if m["move_type"] == "in_invoice"):
                bills["bills"] += 1
                bills["with_difference"] += with_difference
                posted = move["state"] == "posted" and move["channel_review_state"] == "ok"
                to_check = move["state"] == "draft" and move["channel_review_state"] == "review"
                bills["posted"] += posted
                bills["to_check"] += to_check
                if with_difference:
                    bills["difference_caught"][key] = to_check
                if not (to_check if with_difference else posted):
                    bills["wrong"] += 1
                    reason = (move["channel_review_reason"] or "")[:200]
                    expected = "in review" if with_difference else "posted"
                    loop.problems.append(
                        f"bill of {po['name']} ({key[0]} {key[1]}) should be {expected}: it is "
                        f"{move['state']}, review state {move['channel_review_state']}. {reason}".strip()
                    )
            if not any(m["move_type"] == "in_invoice" for m in moves):
                loop.problems.append(f"no bill on {po['name']} after its InvoiceDetailRequest")
                bills["wrong"] += 1
        report = count(stream, odoo_orders, stuck, woo, shop, sims, bills)
        at_ingram = Counter(o.customer_order_number for o in ingram.book.orders.values())
        report["duplicated"] += sum(times - 1 for times in at_ingram.values())
        report["channels"] = {name: dict(counts) for name, counts in sorted(channels.items())}
        for name, orders_of in channel_orders(final_pos, po_channel, odoo_orders, sale_of, stuck).items():
            report["channels"].setdefault(name, {}).update(orders_of)
        report["ingram_orders"] = len(ingram.book.orders)
        report["ingram_answers_lost"] = ingram.answers_lost
        report["email"] = mail_channel.read_back(loop.admin, mails)
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["seed"] = seed
    report["problems"] = loop.problems
    report["ingram_realtime_calls"] = ingram.stats.calls
    report["company_currency"] = catalogue["currency"]
    return report


def print_table(report: dict, console: Console) -> None:
    table = figures_table(
        f"Touchless: {report['orders']:,} store orders through the whole loop", ["", "orders"], no_wrap=True
    )
    for key in (
        "orders",
        "clean",
        "clean_touchless",
        "touchless",
        "review",
        "other",
        "lost",
        "duplicated",
        "wrong_reason",
        "bills",
        "bills_with_difference",
        "bills_posted",
        "bills_to_check",
        "bills_wrong",
    ):
        table.add_row(key.replace("_", " "), f"{report[key]:,}")
    table.add_row("wall time", f"{report['seconds']:.0f} s")
    console.print(table)
    breakdown = figures_table(
        "Anomalies injected and caught",
        ["anomaly", "expected", "injected", "caught", "wrong", "seen in Odoo"],
        no_wrap=True,
    )
    for name, entry in report["anomalies"].items():
        seen = ", ".join(f"{codes} ×{n}" for codes, n in sorted(entry["codes"].items()))
        breakdown.add_row(
            name,
            EXPECTED[name] or "untouched",
            str(entry["injected"]),
            str(entry["caught"]),
            str(entry["wrong"]),
            seen,
        )
    console.print(breakdown)
    channels = figures_table(
        "Purchase orders per channel",
        [
            "channel",
            "purchase orders",
            "reached the distributor",
            "bills",
            "orders",
            "clean",
            "clean touchless",
            "clean shipped",
        ],
        no_wrap=True,
    )
    for name, counts in report.get("channels", {}).items():
        channels.add_row(
            CHANNEL_LABELS.get(name, name),
            *(
                f"{counts.get(key, 0):,}"
                for key in (
                    "purchase_orders",
                    "reached_distributor",
                    "bills",
                    "orders",
                    "clean",
                    "clean_touchless",
                    "clean_shipped",
                )
            ),
        )
    console.print(channels)
    console.print(
        f"Ingram: {report.get('ingram_orders', 0):,} orders over its API, "
        f"{report.get('ingram_answers_lost', 0)} create answers lost on purpose (each adopted, none doubled)"
    )
    mail = report["email"]
    console.print(
        f"dispatch e-mails: {mail['dispatch_emails']} through the mail gateway — {mail['applied']} applied, "
        f"{mail['proposed']} to check, {mail['ignored']} ignored, {mail['lost']} lost, "
        f"{len(mail['wrong'])} wrong"
    )
    for wrong in mail["wrong"]:
        console.print(f"wrong dispatch e-mail: {wrong}")
    for order in report["wrong_orders"]:
        console.print(
            f"wrong: {order['store']} {order['external_id']} ({order['anomaly']}): {order['seen']}"
            + (f" — {order['reason']}" if order["reason"] else "")
        )
    for problem in report["problems"]:
        console.print(f"[yellow]{problem}[/yellow]")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench touchless", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print one JSON object, nothing else on stdout")
    parser.add_argument("--keep", action="store_true", help="keep the Odoo database afterwards")
    args = parser.parse_args(argv)
    console = Console(stderr=args.json, width=160 if args.json else None)
    with (
        odoo_database("touchless", console, keep=args.keep) as database,
        tempfile.TemporaryDirectory() as folder,
    ):
        keys = json.loads(result_line(database.run_worker(SETUP_WORKER, "setup")))
        log = Path(folder) / "odoo.log"
        with odoo_http(database, log) as url:
            odoo = {
                "url": url,
                "db": database.db,
                "key": keys["key"],
                "admin_key": keys["admin_key"],
                "database": database,
                "log": log,
            }
            report = run(odoo, args.orders, args.seed, console)
    print_table(report, console)  # on stderr with --json
    if args.json:
        print(json.dumps(report))
    return 0 if target_holds(report) else 1
