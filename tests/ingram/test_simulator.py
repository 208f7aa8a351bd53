"""The Ingram simulator's order lifecycle against Ingram's published OpenAPI: the documented request
examples replayed over real HTTP and answered with the documented statuses, in bodies whose every field
name the spec declares; the documented answers' line states reproduced; the documented error shapes."""

from __future__ import annotations

import httpx
import pytest

from fulfilment_engine.simulators import StockTable

from . import spec
from .conftest import EXAMPLE_STOCK

ORDERS = "/resellers/v6/orders"
DETAILS = "/resellers/v6.1/orders/{ordernumber}"
SEARCH = "/resellers/v6/orders/search"
CANCEL = "/resellers/v6/orders/{OrderNumber}"
INVOICES = "/resellers/v6/invoices"
INVOICE = "/resellers/v6.1/invoices/{invoiceNumber}"

# Request example → the documented answer it pairs with. Ingram's examples are of separate sandbox calls,
# so only what the request decides is compared: each line's part, status and quantities, and the split.
PAIRED = {
    "Order with Header Comments": (201, "Order with Header Comments Response"),
    "Ship Complete Order": (201, "Ship Complete Order Response"),
    "Backordered Request": (201, "Backordered response"),
    "Shipping Instructions and Signature Required": (201, "Shipping Instruction and Signature Required"),
    "Order with CarrierCode & Freight Acount Number": (201, "Carrier Code & Fright Account Number Response"),
    "Direct Ship with EndUser Info": (201, "Direct Ship with EndUser Info"),
    "Combined Order(Stock + Direct ship)": (201, "Combined Order(Stock + Diret Ship)"),
    "Ship from warehouseid": (201, "Ship from warehouseid Response"),
    "Partial Order and Special Bid Number": (207, "Partial Order and special bid Number"),
}
# Examples the published schema itself refuses: a line ordered by customerPartNumber alone (we require
# ingramPartNumber) and a quantity written "1," (a string where the schema says integer).
REFUSED = {
    "Order with CPN - SAP": "lines[0].ingramPartNumber",
    "Govt fields with End User Info": "lines[0].quantity",
}


@pytest.fixture
def example_ingram(sims):
    simulator = sims.add_ingram("ING", StockTable(dict(EXAMPLE_STOCK)), customer_number="20-222222")
    # As in the documented answers: these ship from the vendor (orderType "D"), so the "Combined Order"
    # example splits into a stocked order and a direct-ship one.
    simulator.book.direct_ship_parts = {"RQ6000", "4U0212", "YZ1478"}
    return simulator


def _token(sim, http) -> str:
    answer = http.get(
        sim.url + "/oauth/oauth20/token",
        params={
            "grant_type": "client_credentials",
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
        },
    )
    assert answer.status_code == 200
    assert not spec.problems(answer.json(), spec.response_schema("/oauth/oauth20/token", "get", 200))
    return answer.json()["access_token"]


def _headers(sim, token, *, application=False, **override) -> dict:
    headers = {
        "Authorization": f"Bearer {token}",
        "IM-CustomerNumber": sim.customer_number,
        "IM-CountryCode": "US",
        "IM-CorrelationID": "fbac82ba-cf0a-4bcf-fc03-0c5084",
        "IM-SenderID": "MyCompany",
    }
    if application:
        headers["IM-ApplicationID"] = "MyCompany"
    headers.update(override)
    return {k: v for k, v in headers.items() if v is not None}


def _line_view(body: dict) -> list[tuple]:
    return [
        (
            order["orderType"],
            line["ingramPartNumber"],
            line["lineStatus"],
            line["quantityOrdered"],
            line["quantityConfirmed"],
            line["quantityBackOrdered"],
        )
        for order in body["orders"]
        for line in order["lines"]
    ]


def test_every_documented_create_example_gets_a_documented_status_and_a_schema_true_answer(
    example_ingram, http
):
    token = _token(example_ingram, http)
    examples = spec.request_examples(ORDERS, "post")
    documented = {
        **spec.response_examples(ORDERS, "post", 201),
        **spec.response_examples(ORDERS, "post", 207),
    }
    assert set(PAIRED) | set(REFUSED) <= set(examples)
    for name, request in examples.items():
        answer = http.post(example_ingram.url + ORDERS, json=request, headers=_headers(example_ingram, token))
        assert answer.status_code in spec.statuses(ORDERS, "post"), name
        assert answer.headers["IM-CorrelationID"] == "fbac82ba-cf0a-4bcf-fc03-0c5084"
        if name in REFUSED:
            assert answer.status_code == 400, name
            assert not spec.problems(answer.json(), spec.response_schema(ORDERS, "post", 400))
            assert REFUSED[name] in [f["field"] for f in answer.json()["errors"][0]["fields"]]
            continue
        assert answer.status_code in (201, 207), (name, answer.text)
        body = answer.json()
        assert not spec.problems(body, spec.response_schema(ORDERS, "post", answer.status_code)), name
        assert body["customerOrderNumber"] == request["customerOrderNumber"]
        if name in PAIRED:
            status, pair = PAIRED[name]
            assert answer.status_code == status, name
            assert _line_view(body) == _line_view(documented[pair]), name
            assert body["orderSplit"] == documented[pair]["orderSplit"], name
            rejected = [r for o in documented[pair]["orders"] for r in o.get("rejectedLineItems", [])]
            ours = [r for o in body["orders"] for r in o.get("rejectedLineItems", [])]
            assert [(r["ingramPartNumber"], r["rejectCode"], r["rejectReason"]) for r in ours] == [
                (r["ingramPartNumber"], r["rejectCode"], r["rejectReason"]) for r in rejected
            ]


def test_the_documented_400_example_is_reproduced_for_a_bad_country_code(example_ingram, http):
    token = _token(example_ingram, http)
    request = spec.request_examples(ORDERS, "post")["Order with Header Comments"]
    answer = http.post(
        example_ingram.url + ORDERS,
        json=request,
        headers=_headers(example_ingram, token, **{"IM-CountryCode": "USA"}),
    )
    documented = spec.response_examples(ORDERS, "post", 400)["Error"]["errors"][0]
    assert answer.status_code == 400
    ours = answer.json()["errors"][0]
    assert (ours["type"], ours["fields"]) == (documented["type"], documented["fields"])
    assert example_ingram.book.creates == 0


@pytest.mark.parametrize(
    ("path", "method", "application"),
    [
        (ORDERS, "post", False),
        (SEARCH, "get", False),
        (DETAILS, "get", False),
        (CANCEL, "delete", False),
        (INVOICES, "get", True),
        (INVOICE, "get", True),
    ],
)
def test_each_operation_refuses_a_call_without_a_header_the_spec_requires(
    example_ingram, http, path, method, application
):
    token = _token(example_ingram, http)
    required = spec.parameters(path, method, "header", required=True)
    assert ("IM-ApplicationID" in required) == application
    url = example_ingram.url + path.replace("{ordernumber}", "20-00001").replace(
        "{OrderNumber}", "20-00001"
    ).replace("{invoiceNumber}", "X1")
    for header in sorted(required):
        answer = http.request(
            method,
            url,
            headers=_headers(example_ingram, token, application=application, **{header: None}),
            json={} if method == "post" else None,
        )
        assert answer.status_code == 400, header
        assert [f["field"] for f in answer.json()["errors"][0]["fields"]] == [header]


def test_an_order_lives_confirmed_backordered_shipped_in_parts_and_invoiced(ingram, http):
    token = _token(ingram, http)
    ingram.book.backorder_parts = {"ING-DOCK": 1}
    request = {
        "customerOrderNumber": "P00042",
        "endCustomerOrderNumber": "WOO-1042",
        "acceptBackOrder": True,
        "shipToInfo": {
            "contact": "Jane Smith",
            "companyName": "Acme Ltd",
            "addressLine1": "1 High Street",
            "city": "Manchester",
            "postalCode": "M1 1AE",
            "countryCode": "GB",
        },
        "lines": [
            {"customerLineNumber": "1", "ingramPartNumber": "ING-LAPTOP", "quantity": 3},
            {"customerLineNumber": "2", "ingramPartNumber": "ING-DOCK", "quantity": 1},
        ],
    }
    created = http.post(
        ingram.url + ORDERS, json=request, headers=_headers(ingram, token, **{"IM-CountryCode": "GB"})
    )
    assert created.status_code == 201
    number = created.json()["orders"][0]["ingramOrderNumber"]

    ingram.book.ship(
        "P00042", {1: 2}, carrier_code="UP", carrier_name="UPS", tracking_numbers=("1Z999AA10123456784",)
    )
    ingram.book.invoice("P00042", prices={1: "655.00"})
    details = http.get(ingram.url + f"/resellers/v6.1/orders/{number}", headers=_headers(ingram, token))
    assert details.status_code == 200
    body = details.json()
    assert not spec.problems(body, spec.response_schema(DETAILS, "get", 200))
    laptop, dock = body["lines"]
    assert (laptop["lineStatus"], laptop["quantityConfirmed"], laptop["quantityBackOrdered"]) == (
        "In Progress",
        3,
        0,
    )
    shipped = laptop["shipmentDetails"][0]
    carrier = shipped["carrierDetails"][0]
    assert (shipped["quantity"], carrier["carrierName"], carrier["trackingDetails"][0]["trackingNumber"]) == (
        2,
        "UPS",
        "1Z999AA10123456784",
    )
    assert len(carrier["trackingDetails"][0]["serialNumbers"]) == 2
    assert shipped["invoiceNumber"]
    assert (
        laptop["shipmentDetails"][1]["quantity"] == 1 and "carrierDetails" not in laptop["shipmentDetails"][1]
    )
    assert (dock["lineStatus"], dock["quantityBackOrdered"]) == ("Backordered", 1) and dock[
        "backOrderETADate"
    ]

    search = http.get(
        ingram.url + SEARCH, params={"customerOrderNumber": "P00042"}, headers=_headers(ingram, token)
    )
    assert search.status_code == 200
    assert not spec.problems(search.json(), spec.response_schema(SEARCH, "get", 200))
    assert [o["ingramOrderNumber"] for o in search.json()["orders"]] == [number]
    nothing = http.get(
        ingram.url + SEARCH, params={"customerOrderNumber": "P99999"}, headers=_headers(ingram, token)
    )
    assert nothing.status_code == 204 and 204 in spec.statuses(SEARCH, "get")

    invoices = http.get(
        ingram.url + INVOICES,
        params={"customerOrderNumber": "P00042"},
        headers=_headers(ingram, token, application=True),
    )
    assert invoices.status_code == 200
    assert not spec.problems(invoices.json(), spec.response_schema(INVOICES, "get", 200))
    (summary,) = invoices.json()["invoices"]
    invoice = http.get(
        ingram.url + f"/resellers/v6.1/invoices/{summary['invoiceNumber']}",
        params={"includeSerialNumbers": "true"},
        headers=_headers(ingram, token, application=True),
    )
    assert invoice.status_code == 200
    assert not spec.problems(invoice.json(), spec.response_schema(INVOICE, "get", 200))
    (line,) = invoice.json()["lines"]
    assert (line["customerLineNumber"], line["quantity"], line["unitPrice"]) == ("1", 2, 655.0)
    assert len(line["serialNumbers"]) == 2
    assert invoice.json()["summary"]["totals"]["netInvoiceAmount"] == 1310.0


def test_cancel_answers_200_before_shipping_then_the_documented_405_and_404(ingram, http):
    token = _token(ingram, http)
    documented_405 = spec.response_examples(CANCEL, "delete", 405)["405 - Method Not Allowed"]["errors"][0]
    documented_404 = spec.response_examples(CANCEL, "delete", 404)["404 - Not Found"]["errors"][0]
    numbers = []
    for po in ("P1", "P2"):
        request = {
            "customerOrderNumber": po,
            "lines": [{"customerLineNumber": "1", "ingramPartNumber": "ING-MOUSE", "quantity": 2}],
        }
        numbers.append(
            http.post(ingram.url + ORDERS, json=request, headers=_headers(ingram, token)).json()["orders"][0][
                "ingramOrderNumber"
            ]
        )
    ingram.book.ship("P2")

    ok = http.delete(ingram.url + f"{ORDERS}/{numbers[0]}", headers=_headers(ingram, token))
    assert ok.status_code == 200 and ok.content == b""
    assert ingram.book.orders[numbers[0]].status == "Canceled"
    refused = http.delete(ingram.url + f"{ORDERS}/{numbers[1]}", headers=_headers(ingram, token))
    assert refused.status_code == 405 and 405 in spec.statuses(CANCEL, "delete")
    assert set(refused.json()["errors"][0]) == set(documented_405)
    assert "released to the warehouse" in refused.json()["errors"][0]["message"]
    unknown = http.delete(ingram.url + f"{ORDERS}/20-ZZZZZ", headers=_headers(ingram, token))
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["message"] == documented_404["message"]


def test_a_second_order_with_one_customer_order_number_is_refused_unless_allowed(ingram, http):
    token = _token(ingram, http)
    request = {
        "customerOrderNumber": "P7",
        "lines": [{"customerLineNumber": "1", "ingramPartNumber": "ING-MOUSE", "quantity": 1}],
    }
    assert http.post(ingram.url + ORDERS, json=request, headers=_headers(ingram, token)).status_code == 201
    again = http.post(ingram.url + ORDERS, json=request, headers=_headers(ingram, token))
    assert again.status_code == 400
    assert again.json()["errors"][0]["fields"][0]["field"] == "customerOrderNumber"
    allowed = {
        **request,
        "additionalAttributes": [
            {"attributeName": "allowDuplicateCustomerOrderNumber", "attributeValue": "true"}
        ],
    }
    assert http.post(ingram.url + ORDERS, json=allowed, headers=_headers(ingram, token)).status_code == 201
    assert ingram.book.creates == 2


def test_faults_lost_answer_throttle_expired_token(ingram, http):
    token = _token(ingram, http)
    request = {
        "customerOrderNumber": "P8",
        "lines": [{"customerLineNumber": "1", "ingramPartNumber": "ING-MOUSE", "quantity": 1}],
    }
    ingram.fail_next("create", "lost")
    with pytest.raises(httpx.ReadTimeout):
        http.post(ingram.url + ORDERS, json=request, headers=_headers(ingram, token), timeout=0.5)
    assert ingram.book.creates == 1  # processed: only the answer was lost

    ingram.fail_next("search", "429")
    throttled = http.get(
        ingram.url + SEARCH, params={"customerOrderNumber": "P8"}, headers=_headers(ingram, token)
    )
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1

    ingram.expire_tokens()
    expired = http.get(
        ingram.url + SEARCH, params={"customerOrderNumber": "P8"}, headers=_headers(ingram, token)
    )
    assert expired.status_code == 401
