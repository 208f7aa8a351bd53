"""The Ingram orders client over real HTTP against the simulator: what it sends is what Ingram's OpenAPI
declares; one order at Ingram per purchase order whatever is lost on the way; tokens, throttling and
outages handled; every exchange returned as a record with secrets masked; Ingram's documented answers
read as Ingram wrote them."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import pytest

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.distributors import ingram_orders
from fulfilment_engine.distributors.ingram_orders import IngramOrders
from fulfilment_engine.errors import (
    CancelRefused,
    ConfigError,
    OrderAnswerLost,
    OrderNotFound,
    OrderRejected,
    OrderUnavailable,
)
from fulfilment_engine.realtime.ratelimit import RateSpec, TokenBucketLimiter

from . import spec

OPERATION_PATHS = {
    "create": ("/resellers/v6/orders", "post"),
    "search": ("/resellers/v6/orders/search", "get"),
    "details": ("/resellers/v6.1/orders/{ordernumber}", "get"),
    "cancel": ("/resellers/v6/orders/{OrderNumber}", "delete"),
    "invoice search": ("/resellers/v6/invoices", "get"),
    "invoice": ("/resellers/v6.1/invoices/{invoiceNumber}", "get"),
}


def test_what_the_client_sends_is_what_the_spec_declares(ingram, orders, purchase_order):
    po = purchase_order()
    placed = orders.place_order(po).value
    ingram.book.ship(po.order_number)
    ingram.book.invoice(po.order_number)
    orders.order_status(placed.order_numbers[0])
    (summary,) = orders.find_invoices(po.order_number).value
    orders.invoice(summary.invoice_number)

    seen = set()
    for operation, headers, body in ingram.order_requests:
        path, method = OPERATION_PATHS[operation]
        seen.add(operation)
        sent = {name.lower() for name in headers}
        declared = {name.lower() for name in spec.parameters(path, method, "header")}
        required = {name.lower() for name in spec.parameters(path, method, "header", required=True)}
        assert required <= sent, (operation, required - sent)
        assert {h for h in sent if h.startswith("im-")} <= declared, operation
        assert len(headers["im-correlationid"]) <= 32
        if body:
            assert not spec.problems(json.loads(body), spec.request_schema(path, method)), operation
    assert seen == {"search", "create", "details", "invoice search", "invoice"}
    create_body = json.loads(next(body for op, _h, body in ingram.order_requests if op == "create"))
    assert create_body["customerOrderNumber"] == po.order_number
    assert create_body["endCustomerOrderNumber"] == "WOO-1042"
    assert (
        create_body["shipToInfo"]["addressLine2"] == "Unit 4"
        and create_body["shipToInfo"]["contact"] == "Jane Smith"
    )
    assert [
        (line["customerLineNumber"], line["ingramPartNumber"], line["quantity"])
        for line in create_body["lines"]
    ] == [
        ("1", "ING-LAPTOP", 2),
        ("2", "ING-DOCK", 1),
    ]
    correlation_ids = [h["im-correlationid"] for _op, h, _b in ingram.order_requests]
    assert len(set(correlation_ids)) == len(correlation_ids)


def test_a_placed_order_comes_back_with_its_lines_and_every_exchange_recorded_with_secrets_masked(
    ingram, orders, purchase_order
):
    reply = orders.place_order(purchase_order())
    placed = reply.value
    assert len(placed.order_numbers) == 1 and not placed.adopted
    assert [(ln.line_number, ln.part_number, ln.confirmed, ln.backordered) for ln in placed.lines] == [
        (1, "ING-LAPTOP", 2, 0),
        (2, "ING-DOCK", 1, 0),
    ]
    assert [(r.operation, r.method, r.status) for r in reply.records] == [
        ("token", "GET", 200),
        ("search", "GET", 204),
        ("create", "POST", 201),
    ]
    token, search, create = reply.records
    assert "client_secret=********" in token.url and ingram.client_secret not in token.url
    assert '"access_token": "********"' in token.response_body.replace('":"', '": "')
    assert create.request_headers["Authorization"] == "Bearer ********"
    assert create.correlation_id == create.request_headers["IM-CorrelationID"] != search.correlation_id
    assert json.loads(create.request_body)["lines"][0]["ingramPartNumber"] == "ING-LAPTOP"
    assert placed.order_numbers[0] in create.response_body
    assert all(ingram.client_secret not in (r.url + r.request_body + r.response_body) for r in reply.records)


@pytest.mark.parametrize("fault", ["lost", "lost_500"])
def test_a_create_whose_answer_is_lost_is_found_by_search_and_adopted_never_made_twice(
    ingram, orders, purchase_order, fault
):
    po = purchase_order()
    ingram.fail_next("create", fault)
    reply = orders.place_order(po)
    assert reply.value.adopted
    assert ingram.book.creates == 1
    assert reply.value.order_numbers == tuple(o.number for o in ingram.book.orders_for(po.order_number))
    assert [(r.operation, r.status) for r in reply.records][-4:] == [
        ("search", 204),
        ("create", 0 if fault == "lost" else 500),
        ("search", 200),
        ("details", 200),
    ]


def test_a_create_that_timed_out_unprocessed_is_not_retried_blindly_and_the_next_attempt_creates_once(
    ingram, orders, purchase_order
):
    po = purchase_order()
    ingram.fail_next("create", "timeout")
    with pytest.raises(OrderAnswerLost) as lost:
        orders.place_order(po)
    assert ingram.book.creates == 0
    assert [r.operation for r in lost.value.records] == ["token", "search", "create", "search"]
    again = orders.place_order(po)
    assert not again.value.adopted and ingram.book.creates == 1


def test_a_worker_that_crashed_after_sending_adopts_the_order_on_its_next_run(
    ingram, orders, config, http, sleeps, purchase_order
):
    po = purchase_order()
    first = orders.place_order(po)  # sent and answered; the worker dies before committing what it learnt
    restarted = IngramOrders("ING", config.distributors["ING"].orders, http, sleep=sleeps)
    second = restarted.place_order(po)
    assert second.value.adopted and second.value.order_numbers == first.value.order_numbers
    assert ingram.book.creates == 1


def test_no_create_without_a_search_and_a_duplicate_refusal_is_resolved_by_adopting(
    ingram, orders, purchase_order
):
    po = purchase_order()
    orders.create_order(po)
    ingram.fail_next("search", "503", "503", "503")  # the search fails for good…
    with pytest.raises(OrderUnavailable):
        orders.place_order(po)
    assert ingram.book.creates == 1  # …and nothing is created without it
    ingram.fail_next("search", "stale")  # a search index behind the create: Ingram refuses the duplicate
    reply = orders.place_order(po)
    assert reply.value.adopted and ingram.book.creates == 1
    assert [(r.operation, r.status) for r in reply.records] == [
        ("search", 204),
        ("create", 400),
        ("search", 200),
        ("details", 200),
    ]


def test_throttling_waits_the_retry_after_and_an_expired_token_is_renewed_once(
    ingram, orders, sleeps, purchase_order
):
    ingram.fail_next("search", "429")
    orders.place_order(purchase_order())
    assert sleeps.waits == [1.0]
    ingram.expire_tokens()
    orders.find_orders("P1")
    assert ingram.stats.token_calls == 2 and ingram.stats.unauthorized == 1
    ingram.expire_tokens()
    ingram.fail_next("search", "401", "401")
    with pytest.raises(OrderUnavailable, match="token refused"):
        orders.find_orders("P1")


def test_reads_retry_a_5xx_and_give_up_with_the_reason_after_three(ingram, orders, sleeps, purchase_order):
    po = purchase_order()
    number = orders.place_order(po).value.order_numbers[0]
    ingram.fail_next("details", "503", "502")
    assert orders.order_status(number).value.order_number == number
    assert len(sleeps.waits) == 2
    ingram.fail_next("details", "500", "500", "500")
    with pytest.raises(OrderUnavailable, match="HTTP 500"):
        orders.order_status(number)
    with pytest.raises(OrderNotFound):
        orders.order_status("20-NOPE")


def test_a_400_naming_a_field_is_a_rejection_with_ingrams_words(ingram, orders, purchase_order):
    with pytest.raises(OrderRejected) as refused:
        orders.place_order(purchase_order(city="Llanfairpwllgwyngyll-gogerychwyrndrobwll"))
    assert refused.value.fields[0][0] == "shipToInfo.city"
    assert "shipToInfo.city: must be text of at most 25 characters" in refused.value.reason
    assert ingram.book.creates == 0


def test_rejected_lines_split_orders_and_backorders_come_back_line_by_line(ingram, orders, purchase_order):
    ingram.behaviour.failing_parts = {"ING-MOUSE"}
    ingram.book.direct_ship_parts = {"ING-DOCK"}
    ingram.book.backorder_parts = {"ING-LAPTOP": 1}
    po = purchase_order(lines=(("ING-LAPTOP", 3), ("ING-DOCK", 1), ("ING-MOUSE", 5)))
    placed = orders.place_order(po).value
    assert len(placed.order_numbers) == 2
    assert [(r.line_number, r.part_number, r.quantity, r.code) for r in placed.rejected] == [
        (3, "ING-MOUSE", 5, "EN")
    ]
    assert "SKU-NOTFOUND" in placed.rejected[0].reason
    laptop = next(ln for ln in placed.lines if ln.part_number == "ING-LAPTOP")
    assert (laptop.confirmed, laptop.backordered, laptop.status) == (2, 1, "Backordered")


def test_status_shows_shipments_with_carrier_tracking_serials_and_the_backorder_date(
    ingram, orders, purchase_order
):
    ingram.book.backorder_parts = {"ING-DOCK": 1}
    po = purchase_order(lines=(("ING-LAPTOP", 3), ("ING-DOCK", 2)))
    (number,) = orders.place_order(po).value.order_numbers
    ingram.book.ship(
        po.order_number, {1: 2}, carrier_code="UP", carrier_name="UPS", tracking_numbers=("1ZA", "1ZB")
    )
    ingram.book.ship(
        po.order_number, {2: 1}, carrier_code="DP", carrier_name="DPD", tracking_numbers=("155",)
    )
    status = orders.order_status(number).value
    assert [
        (
            s.carrier,
            s.tracking_numbers,
            [(ln.line_number, ln.quantity, len(ln.serial_numbers)) for ln in s.lines],
        )
        for s in status.shipments
    ] == [
        ("UPS", ("1ZA", "1ZB"), [(1, 2, 2)]),
        ("DPD", ("155",), [(2, 1, 1)]),
    ]
    assert len({s.key for s in status.shipments}) == 2
    dock = status.lines[1]
    assert (dock.confirmed, dock.backordered) == (1, 1) and dock.estimated_ship_date > date.today()
    assert orders.order_status(number).value.shipments == status.shipments  # stable keys across reads
    shipment = status.shipments[0].as_shipment(po.order_number)
    assert (shipment.shipment_id, shipment.carrier, shipment.tracking_numbers) == (
        status.shipments[0].key,
        "UPS",
        ("1ZA", "1ZB"),
    )
    assert [(ln.order_id, ln.line_number, ln.quantity) for ln in shipment.lines] == [(po.order_number, 1, 2)]


def test_cancel_before_shipping_and_the_refusal_after(ingram, orders, purchase_order):
    first, second = purchase_order(), purchase_order()
    (one,) = orders.place_order(first).value.order_numbers
    (two,) = orders.place_order(second).value.order_numbers
    ingram.book.ship(second.order_number, {1: 1})
    orders.cancel_order(one)
    assert orders.order_status(one).value.lines[0].cancelled
    with pytest.raises(CancelRefused, match="released to the warehouse") as refused:
        orders.cancel_order(two)
    assert refused.value.records[-1].status == 405


def test_invoices_by_our_order_number_with_a_changed_price_and_serial_numbers(ingram, orders, purchase_order):
    ingram.book.freight = Decimal("9.95")
    po = purchase_order()
    orders.place_order(po)
    ingram.book.ship(po.order_number, serial_numbers={1: ("SN1", "SN2")})
    (made,) = ingram.book.invoice(po.order_number, prices={2: Decimal("97.50")})
    (summary,) = orders.find_invoices(po.order_number).value
    assert summary.invoice_number == made
    invoice = orders.invoice(made).value
    assert [(ln.line_number, ln.quantity, ln.unit_price, ln.serial_numbers) for ln in invoice.lines] == [
        (1, Decimal(2), Decimal("650.0"), ("SN1", "SN2")),
        (2, Decimal(1), Decimal("97.5"), invoice.lines[1].serial_numbers),
    ]
    assert [(c.description, c.amount) for c in invoice.charges] == [("FREIGHT OUT", Decimal("9.95"))]
    assert invoice.net_amount == Decimal("1407.45") and invoice.tax_amount == Decimal("281.49")
    assert invoice.customer_order_number == po.order_number and not invoice.is_credit
    assert orders.find_invoices("P-NONE").value == ()


def test_order_calls_spend_the_account_budget_the_realtime_queries_spend(
    ingram, config, http, sleeps, purchase_order
):
    dist = config.distributors["ING"]
    assert dist.orders.account == dist.realtime.account
    limiter = TokenBucketLimiter()
    account = dataclasses.replace(dist.orders, rate_limit=3, rate_limit_burst=3, max_wait_s=0.0)
    client = IngramOrders("ING", account, http, limiter=limiter, sleep=sleeps)
    client.place_order(purchase_order())  # a search and a create: two of the three calls
    granted, _wait = limiter.try_take(
        dist.realtime.account, RateSpec(3, 60.0, 3)
    )  # a P&A call takes the last
    assert granted
    with pytest.raises(OrderUnavailable, match="account limit"):
        client.find_orders("P1")


# ------------------------------------------------------------------------------------- documented answers


def test_the_documented_answers_read_as_ingram_wrote_them():
    split = spec.response_examples("/resellers/v6/orders", "post", 201)["Combined Order(Stock + Diret Ship)"]
    placed = ingram_orders.parse_created(json.loads(json.dumps(split), parse_float=Decimal))
    assert placed.order_numbers == ("20-RFKM1", "20-RFKM2")
    assert [(ln.line_number, ln.backordered, ln.order_number) for ln in placed.lines] == [
        (1, 1, "20-RFKM1"),
        (2, 0, "20-RFKM2"),
    ]

    partial = spec.response_examples("/resellers/v6/orders", "post", 207)["Partial Success"]
    rejected = ingram_orders.parse_created(partial).rejected
    assert [(r.line_number, r.part_number, r.code, r.reason) for r in rejected] == [
        (1, "DF4128MW", "EN", "SKU-NOTFOUND DF4128MW")
    ]

    details = spec.response_examples("/resellers/v6.1/orders/{ordernumber}", "get", 200)["Success"]
    status = ingram_orders.parse_order_details(details)
    (shipment,) = status.shipments
    assert (
        shipment.carrier,
        shipment.tracking_numbers,
        shipment.delivery_number,
        shipment.invoice_number,
    ) == ("VIRTUAL", ("390064340282",), "23423423", "20RD3QV11")
    assert shipment.lines[0].serial_numbers == ("Q2EV-5SJ3-E6LN",) and status.lines[0].line_number == 1

    search = spec.response_examples("/resellers/v6/orders/search", "get", 200)["Success - 200"]
    assert [
        (f.order_number, f.customer_order_number, f.status)
        for f in ingram_orders.parse_found_orders(search["orders"])
    ] == [("20-RD128", "MyPONumber", "OPEN")]

    found = spec.response_examples("/resellers/v6/invoices", "get", 200)["Success - 200"]
    assert [i.invoice_number for i in ingram_orders.parse_invoice_summaries(found["invoices"])] == [
        "40MKTRW11"
    ]

    invoice = ingram_orders.parse_invoice(
        spec.response_examples("/resellers/v6.1/invoices/{invoiceNumber}", "get", 200)["Success"]
    )
    (line,) = invoice.lines
    assert (line.part_number, line.quantity, line.unit_price, line.serial_numbers) == (
        "05QC29",
        Decimal(1),
        Decimal("533.33"),
        ("2TEPYT", "2TER09"),
    )
    assert [(c.description, c.amount) for c in invoice.charges] == [("FREIGHT OUT", Decimal("31.9"))]
    assert (invoice.net_amount, invoice.amount_due, invoice.currency) == (
        Decimal("533.33"),
        Decimal("533.33"),
        "USD",
    )


# ---------------------------------------------------------------------------------------------- config


def test_orders_keys_fall_back_to_the_realtime_account_and_can_be_overridden():
    text = """
[[distributors]]
id = "ING"
[distributors.realtime]
protocol = "ingram_v6"
url = "https://api.ingrammicro.com:443"
client_id = "id"
client_secret = "secret"
customer_number = "20-222222"
sender_id = "Reseller"
rate_limit = 60
[distributors.orders]
country_code = "gb"
http_timeout_s = 45

[[distributors]]
id = "ORD"
[distributors.orders]
protocol = "ingram_v6"
url = "https://api.ingrammicro.com:443/sandbox"
client_id = "o"
client_secret = "s"
customer_number = "20-999999"
application_id = "Accounts"

[[distributors]]
id = "TDS"
[distributors.realtime]
protocol = "tdsynnex_xml"
url = "https://ec.uk.tdsynnex.example"
customer_number = "1"
username = "u"
password = "p"
"""
    config = parse_config_text(text)
    ing = config.distributors["ING"].orders
    assert (ing.url, ing.client_id, ing.customer_number, ing.country_code, ing.application_id) == (
        "https://api.ingrammicro.com:443",
        "id",
        "20-222222",
        "GB",
        "Reseller",
    )
    assert (ing.rate_limit, ing.http_timeout_s, ing.account) == (
        60,
        45,
        config.distributors["ING"].realtime.account,
    )
    ordered = config.distributors["ORD"].orders
    assert (ordered.application_id, ordered.sender_id, ordered.country_code) == ("Accounts", "", "GB")
    assert config.distributors["TDS"].orders is None
    with pytest.raises(ConfigError, match=r"distributors\[0\]\.orders\.client_secret: is required"):
        parse_config_text(
            '[[distributors]]\nid = "X"\n[distributors.orders]\nprotocol = "ingram_v6"\n'
            'url = "https://x"\nclient_id = "a"\ncustomer_number = "1"\n'
        )
    with pytest.raises(ConfigError, match=r"orders\.sender: unknown key"):
        parse_config_text(text.replace('country_code = "gb"', 'sender = "x"'))


def test_an_ingram_invoice_reads_as_the_cxml_invoice_the_bill_matcher_takes(ingram, orders, purchase_order):
    from fulfilment_engine.documents import invoice as cxml_invoice
    from fulfilment_engine.documents.model import Credential

    ingram.book.freight = Decimal("9.95")
    po = purchase_order()
    orders.place_order(po)
    ingram.book.ship(po.order_number)
    (number,) = ingram.book.invoice(po.order_number, prices={2: Decimal("97.50")})
    document = orders.invoice(number).value.as_invoice_document(Credential("NetworkID", "ING"))
    assert (document.invoice_id, document.purpose, document.order_ids) == (
        number,
        "standard",
        (po.order_number,),
    )
    assert [(ln.line_number, ln.quantity, ln.unit_price) for ln in document.lines] == [
        (1, Decimal(2), Decimal("650.0")),
        (2, Decimal(1), Decimal("97.5")),
    ]
    assert (document.subtotal, document.shipping, document.tax) == (
        Decimal("1397.50"),
        Decimal("9.95"),
        Decimal("281.49"),
    )
    assert document.net == document.due == Decimal("1688.94")  # cXML's NetAmount includes tax
    again = cxml_invoice.parse_invoice_detail_request(cxml_invoice.build_invoice_detail_request(document))
    assert (again.invoice_id, again.net, [ln.line_number for ln in again.lines]) == (
        number,
        document.net,
        [1, 2],
    )


def test_the_simulator_loses_the_first_answer_for_orders_of_a_chosen_part(ingram, orders, purchase_order):
    ingram.lose_answer_parts = {"ING-MOUSE"}
    aimed = orders.place_order(purchase_order(lines=(("ING-MOUSE", 1),)))
    other = orders.place_order(purchase_order(lines=(("ING-DOCK", 1),)))
    assert aimed.value.adopted and [r.status for r in aimed.records if r.operation == "create"] == [0]
    assert not other.value.adopted
    assert ingram.book.creates == 2
