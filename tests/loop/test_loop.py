"""The whole loop against real parts (issue 10, first part), asserted step by step as a reseller or a store
would see it:

a WooCommerce and a Shopify order in the store doubles → `channel-sync pull` → the Orders Inbox of a real
Odoo 19 (odoo-bin over HTTP) → the touchless cron plans them and ships them under a touchless rule → the send
cron sends the cXML OrderRequests to the distributor simulators over HTTP → the simulators confirm, then
post ShipNoticeRequests to Odoo's inbound door → the drop-ship deliveries carry the tracking, the customer
invoices are posted and paid on each store's clearing journal → `channel-sync push` gives the stores the
tracking, then `completed` / one `fulfillmentCreate` → the distributors' InvoiceDetailRequests become bills
matched to the purchase orders and posted, one with a price difference waiting in Bills to check with the
reason → the orders reach `done` (the one with the difference once it is accepted).

Odoo is read and driven over JSON-2 as its administrator (the crons are run the way "Run Manually" runs
them); channel-sync talks to it as the store connector user. Skipped, naming what is missing, without Odoo.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "connectors"))

from conftest import sync_toml  # tests/connectors/conftest.py
from doubles import shopify_order, woo_order
from test_sync import recent, run

from fulfilment_engine.documents.cxml import Credential, parse_response
from fulfilment_engine.documents.transport import CONTENT_TYPE
from fulfilment_engine.simulators.cxml_supplier import CxmlSupplierSimulator

pytestmark = pytest.mark.odoo
ODOO_WHAT = "the loop end-to-end test"  # named by the `odoo` fixture when it skips

# What tests/connectors/odoo_worker.py setup (the addon tests' ChannelData) gives the distributors.
OUR_CREDENTIAL = Credential("NetworkID", "RESELLER-1", "our-outbound-secret")
DISTRIBUTORS = ("ING", "TD", "WC", "EX")
INBOUND_PATH = "/channel_fulfilment/cxml/inbound"
WAIT_S = 300  # the machine is shared and loaded: patient polling, never a timed assertion
PRICE_DIFFERENCE = Decimal("1.50")


class Admin:
    """Odoo's administrator over JSON-2 (what a person sees in the UI, read as records)."""

    def __init__(self, odoo):
        self.url, self.db, self.key = odoo["url"], odoo["db"], odoo["admin_key"]
        self.http = httpx.Client(timeout=600)

    def __call__(self, model, method, **kwargs):
        response = self.http.post(
            f"{self.url}/json/2/{model}/{method}",
            json=kwargs,
            headers={"Authorization": f"bearer {self.key}", "X-Odoo-Database": self.db},
        )
        assert response.status_code == 200, f"{model}.{method}: {response.status_code} {response.text}"
        return response.json()

    def read(self, model, ids, fields):
        return self(model, "read", ids=list(ids), fields=fields)

    def search_read(self, model, domain, fields, **kwargs):
        return self(model, "search_read", domain=domain, fields=fields, **kwargs)

    def run_cron(self, xmlid):
        """Run a cron now, as Settings › Scheduled Actions › Run Manually does (its own transaction)."""
        (data,) = self.search_read(
            "ir.model.data", [("module", "=", "channel_fulfilment"), ("name", "=", xmlid)], ["res_id"]
        )
        answer = self("ir.cron", "method_direct_trigger", ids=[data["res_id"]])
        # On an exception inside the job Odoo answers with a client action carrying the error.
        assert not isinstance(answer, dict), f"cron {xmlid} failed: {answer}"


def wait_for(what, probe, timeout_s=WAIT_S):
    """Poll `probe` until it returns something truthy; fail naming `what` and the last value seen."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what} after {timeout_s} s; last seen: {value!r}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def simulators():
    """One cXML order endpoint per distributor, signing what it posts with the inbound secret Odoo has."""
    sims = {
        engine_id: CxmlSupplierSimulator(
            buyer=OUR_CREDENTIAL,
            supplier=Credential("NetworkID", f"{engine_id}-UK", f"{engine_id.lower()}-inbound-secret"),
        ).start()
        for engine_id in DISTRIBUTORS
    }
    yield sims
    for sim in sims.values():
        sim.stop()


def configure(admin, simulators):
    """What the reseller sets up once: distributors ordered by cXML at their endpoints, invoices on
    dispatch, a touchless rule for both stores, and each store's payment clearing journal."""
    distributors = admin.search_read("res.partner", [("is_distributor", "=", True)], ["engine_id"])
    assert sorted(d["engine_id"] for d in distributors) == sorted(DISTRIBUTORS)
    for distributor in distributors:
        admin(
            "res.partner",
            "write",
            ids=[distributor["id"]],
            vals={"po_channel": "cxml", "cxml_url": simulators[distributor["engine_id"]].url},
        )
    (company,) = admin.search_read("res.company", [], ["id"], limit=1)
    admin("res.company", "write", ids=[company["id"]], vals={"channel_auto_invoice_on_dispatch": True})
    admin("channel.fulfilment.rule", "search", domain=[])  # readable by the administrator
    admin(
        "channel.fulfilment.rule",
        "create",
        vals_list=[
            {
                "name": "Paid store orders ship untouched",
                "sequence": 1,
                "channel_stores": "woo-main, shopify-main",
                "require_paid": True,
                "min_margin_percent": 10.0,
                "action": "ship",
            }
        ],
    )
    journals = {}
    for code, platform, short in (("woo-main", "woocommerce", "WOOP"), ("shopify-main", "shopify", "SHPY")):
        (journal,) = admin(
            "account.journal",
            "create",
            vals_list=[{"name": f"{code} payments", "code": short, "type": "bank"}],
        )
        admin(
            "channel.store",
            "create",
            vals_list=[{"name": code, "code": code, "platform": platform, "payment_journal_id": journal}],
        )
        journals[code] = journal
    return journals


def invoice_for(sim, po_name, *, price_difference=Decimal(0)):
    """The InvoiceDetailRequest the distributor sends for what it received and shipped: every line at the
    ordered price (the first one `price_difference` dearer) and the order's freight."""
    return sim.invoice_request(po_name, price_difference=price_difference)


ORDER_FIELDS = [
    "name",
    "channel_store",
    "channel_external_id",
    "amount_total",
    "inbox_state",
    "review_reason",
    "state",
    "channel_purchase_ids",
    "invoice_ids",
]


def test_the_loop_from_store_order_to_done(odoo, stores, simulators, tmp_path_factory):
    woo, shop = stores
    admin = Admin(odoo)
    journals = configure(admin, simulators)
    inbound = f"{odoo['url']}{INBOUND_PATH}"

    # 1. An order in each store.
    woo.add_order(
        woo_order(501, modified=recent(5), lines=(("SKU-DOCK", 1, "150.00"), ("SKU-MOUSE", 2, "25.00")))
    )
    shop.add_order(shopify_order(601, updated=recent(5), lines=(("SKU-DOCK", 2, "180.00"),)))

    # 2. channel-sync pull brings them into the Orders Inbox, new, to the penny.
    config = sync_toml(
        tmp_path_factory.mktemp("loop"),
        odoo["url"],
        woo.url,
        shop.url,
        api_key=odoo["key"],
        database=odoo["db"],
    )
    pulled = run(config, "pull")
    assert pulled.returncode == 0, pulled.stderr

    def orders():
        found = admin.search_read(
            "sale.order", [("channel_store", "in", ["woo-main", "shopify-main"])], ORDER_FIELDS, order="id"
        )
        return {o["channel_store"]: o for o in found}

    inbox = orders()
    assert sorted(inbox) == ["shopify-main", "woo-main"]
    assert inbox["woo-main"]["channel_external_id"] == "501"
    assert Decimal(str(inbox["woo-main"]["amount_total"])) == Decimal(woo.orders[501]["total"])
    assert Decimal(str(inbox["shopify-main"]["amount_total"])) == Decimal(
        shop.orders["601"]["totalPriceSet"]["shopMoney"]["amount"]
    )
    assert {o["inbox_state"] for o in inbox.values()} == {"new"}, inbox

    # 3. The touchless cron plans and ships both: drop-ship purchase orders, queued to send.
    admin.run_cron("ir_cron_process_inbox")
    inbox = orders()
    for store, order in inbox.items():
        assert order["inbox_state"] == "sending", (store, order["inbox_state"], order["review_reason"])
        assert order["state"] == "sale" and order["channel_purchase_ids"], order
    po_ids = [po for order in inbox.values() for po in order["channel_purchase_ids"]]
    po_fields = ["name", "partner_id", "channel_send_state", "channel_sale_id", "picking_ids", "invoice_ids"]
    pos = admin.read("purchase.order", po_ids, po_fields)
    assert {po["channel_send_state"] for po in pos} == {"to_send"}, pos
    engine_of = {
        p["id"]: p["engine_id"]
        for p in admin.read("res.partner", {po["partner_id"][0] for po in pos}, ["engine_id"])
    }
    sim_of = {po["name"]: simulators[engine_of[po["partner_id"][0]]] for po in pos}
    assert not any(sim.orders for sim in simulators.values()), "nothing is sent before the send cron"

    # 4. The send cron sends each OrderRequest over HTTP to its distributor, once.
    admin.run_cron("ir_cron_send_purchase_orders")
    pos = admin.read("purchase.order", po_ids, po_fields)
    assert {po["channel_send_state"] for po in pos} == {"sent"}, pos
    for name, sim in sim_of.items():
        assert [r.order.order_id for r in sim.orders].count(name) == 1, (name, sim.orders)
        assert sim.duplicates == 0
    assert {o["inbox_state"] for o in orders().values()} == {"ordered"}

    # 5. The distributors confirm, then ship with tracking: the drop-ship deliveries carry it.
    tracking = {}
    for name, sim in sim_of.items():
        confirmed = sim.post_confirmation(inbound, name, timeout=120)
        assert (confirmed.http_status, confirmed.status.code) == (200, 200), confirmed.body
    pos = admin.read("purchase.order", po_ids, po_fields)
    assert {po["channel_send_state"] for po in pos} == {"accepted"}, pos
    for name, sim in sim_of.items():
        tracking[name] = f"1Z{name.replace('/', '')}"
        shipped = sim.post_ship_notice(
            inbound,
            name,
            carrier="UPS",
            tracking_numbers=(tracking[name],),
            tracking_url=f"https://ups.example/track?n={tracking[name]}",
            timeout=120,
        )
        assert (shipped.http_status, shipped.status.code) == (200, 200), shipped.body
    pos = admin.read("purchase.order", po_ids, po_fields)
    for po in pos:
        pickings = admin.read("stock.picking", po["picking_ids"], ["state", "carrier_tracking_ref"])
        assert [(p["state"], p["carrier_tracking_ref"]) for p in pickings] == [
            ("done", tracking[po["name"]])
        ], po["name"]

    # 6. Shipped and invoiced on dispatch: each customer invoice posted and paid on its store's journal.
    inbox = orders()
    for store, order in inbox.items():
        assert order["inbox_state"] == "invoiced", (store, order["inbox_state"])
        (invoice,) = admin.read(
            "account.move",
            order["invoice_ids"],
            ["state", "move_type", "payment_state", "amount_total", "matched_payment_ids"],
        )
        assert (invoice["state"], invoice["move_type"]) == ("posted", "out_invoice")
        assert invoice["payment_state"] in ("paid", "in_payment"), (store, invoice)
        assert Decimal(str(invoice["amount_total"])) == Decimal(str(order["amount_total"]))
        payments = admin.read("account.payment", invoice["matched_payment_ids"], ["journal_id", "amount"])
        assert [(p["journal_id"][0], Decimal(str(p["amount"]))) for p in payments] == [
            (journals[store], Decimal(str(invoice["amount_total"])))
        ], store

    # 7. channel-sync push: the tracking to both stores, then WooCommerce `completed`.
    for _ in range(2):  # tracking first; `completed` once Odoo has the tracking acknowledged
        pushed = run(config, "push")
        assert pushed.returncode == 0, pushed.stderr
    woo_tracking = next(
        tracking[po["name"]] for po in pos if po["channel_sale_id"][0] == inbox["woo-main"]["id"]
    )
    shop_tracking = next(
        tracking[po["name"]] for po in pos if po["channel_sale_id"][0] == inbox["shopify-main"]["id"]
    )
    notes = woo.notes.get(501, [])
    assert len(notes) == 1 and woo_tracking in notes[0]["note"] and notes[0]["customer_note"], notes
    assert woo.orders[501]["status"] == "completed"
    assert len([w for w in woo.writes if w[1] == "orders/501" and w[2].get("status") == "completed"]) == 1
    assert len(shop.received_fulfillments) == 1, shop.received_fulfillments
    assert shop.received_fulfillments[0]["trackingInfo"]["numbers"] == [shop_tracking]

    # 8. The distributors invoice: bills matched and posted; the Shopify order's with a price difference
    # waits in Bills to check with the reason, keeping that order from done.
    differing = next(po["name"] for po in pos if po["channel_sale_id"][0] == inbox["shopify-main"]["id"])
    for name, sim in sim_of.items():
        body = invoice_for(sim, name, price_difference=PRICE_DIFFERENCE if name == differing else Decimal(0))
        response = httpx.post(inbound, content=body, headers={"Content-Type": CONTENT_TYPE}, timeout=120)
        assert response.status_code == 200 and parse_response(response.content).code == 200, response.text
    bill_fields = ["state", "channel_review_state", "channel_review_reason", "invoice_line_ids", "ref"]
    for po in admin.read("purchase.order", po_ids, po_fields):
        (bill,) = admin.read("account.move", po["invoice_ids"], bill_fields)
        assert bill["ref"] == f"INV-{po['name']}"
        lines = admin.read("account.move.line", bill["invoice_line_ids"], ["purchase_line_id"])
        assert all(line["purchase_line_id"] for line in lines), (po["name"], lines)
        if po["name"] == differing:
            assert (bill["state"], bill["channel_review_state"]) == ("draft", "review"), bill
            first = sim_of[differing].order(differing).order.lines[0]
            billed = first.unit_price + PRICE_DIFFERENCE
            assert f"billed {Decimal(first.quantity):g} ×" in bill["channel_review_reason"], bill
            assert f"{billed:.2f}" in bill["channel_review_reason"], bill
            review_bill = bill
        else:
            assert (bill["state"], bill["channel_review_state"]) == ("posted", "ok"), bill
    to_check = admin.search_read("account.move", [("channel_review_state", "=", "review")], ["id"])
    assert [b["id"] for b in to_check] == [review_bill["id"]]
    admin.run_cron("ir_cron_process_inbox")  # the sweep moves paid-and-billed orders on
    inbox = orders()
    assert inbox["woo-main"]["inbox_state"] == "done"
    assert inbox["shopify-main"]["inbox_state"] == "invoiced", "a bill in review keeps its order from done"

    # 9. The accountant accepts the difference: the bill is posted and the last order is done.
    admin("account.move", "action_channel_accept_difference", ids=[review_bill["id"]])
    (bill,) = admin.read("account.move", [review_bill["id"]], ["state", "channel_review_state"])
    assert (bill["state"], bill["channel_review_state"]) == ("posted", "accepted")
    wait_for("both orders done", lambda: {o["inbox_state"] for o in orders().values()} == {"done"})
