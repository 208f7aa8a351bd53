"""send_order_request over real HTTP against the cXML supplier simulator: recorded once, duplicates,
credentials, and every injected fault mapped to retryable or final."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from fulfilment_engine.documents import cxml


def test_order_is_accepted_and_recorded(supplier, purchase_order, build_order, http):
    body = build_order(purchase_order)
    status = cxml.send_order_request(supplier.url, body, client=http, timeout=5)

    assert (status.code, status.text, status.ok) == (200, "OK", True)
    assert status.message == "order PO00042 received"
    assert [r.order.order_id for r in supplier.orders] == ["PO00042"]
    received = supplier.order("PO00042")
    assert received.payload_id == "PO00042.r0@acme.example"
    assert received.order == purchase_order
    assert received.body == body


def test_the_same_payload_id_sent_twice_is_recorded_once(supplier, purchase_order, build_order, http):
    body = build_order(purchase_order)
    first = cxml.send_order_request(supplier.url, body, client=http, timeout=5)
    second = cxml.send_order_request(supplier.url, body, client=http, timeout=5)

    assert first.ok and second.ok
    assert "duplicate payloadID PO00042.r0@acme.example" in second.message
    assert len(supplier.orders) == 1
    assert (supplier.requests_received, supplier.duplicates) == (2, 1)


def test_a_new_revision_is_a_new_document(supplier, purchase_order, build_order, http):
    cxml.send_order_request(supplier.url, build_order(purchase_order), client=http, timeout=5)
    update = dataclasses.replace(
        purchase_order, order_type="update", previous_payload_id="PO00042.r0@acme.example"
    )
    body = build_order(update, payload_id=cxml.payload_id_for("PO00042", "acme.example", revision=1))
    cxml.send_order_request(supplier.url, body, client=http, timeout=5)
    assert [r.order.order_type for r in supplier.orders] == ["new", "update"]
    assert supplier.order("PO00042").payload_id == "PO00042.r1@acme.example"


@pytest.mark.parametrize("mirror", [False, True], ids=["cxml-401-in-http-200", "http-401"])
def test_a_wrong_shared_secret_is_refused_with_401(purchase_order, build_order, http, creds, mirror, request):
    supplier = request.getfixturevalue("strict_http_supplier" if mirror else "supplier")
    wrong = cxml.Credential(creds.our_sender.domain, creds.our_sender.identity, "guess")
    with pytest.raises(cxml.CxmlUnauthorized) as caught:
        cxml.send_order_request(
            supplier.url, build_order(purchase_order, sender=wrong), client=http, timeout=5
        )
    assert caught.value.status.code == 401 and caught.value.http_status == (401 if mirror else 200)
    assert not caught.value.retryable
    assert supplier.orders == ()


def test_a_malformed_document_is_answered_400(supplier, http):
    with pytest.raises(cxml.CxmlRejected) as caught:
        cxml.send_order_request(supplier.url, b"<cXML><Header/>", client=http, timeout=5)
    assert caught.value.status.code == 400
    assert "not well-formed XML" in caught.value.status.message
    assert not caught.value.retryable


def test_an_order_for_another_supplier_is_refused(supplier, purchase_order, build_order, http):
    body = build_order(purchase_order, to=cxml.Credential("NetworkID", "TECHDATA-UK"))
    with pytest.raises(cxml.CxmlRejected, match="To identity 'TECHDATA-UK' is not this supplier"):
        cxml.send_order_request(supplier.url, body, client=http, timeout=5)


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("http_500", cxml.CxmlTransientError, None),
        ("cxml_500", cxml.CxmlTransientError, 500),
        ("garbage", cxml.CxmlTransientError, None),
        ("drop", cxml.CxmlTransientError, None),
        ("reject", cxml.CxmlRejected, 406),
    ],
)
def test_faults_map_to_retryable_or_final_errors(
    supplier, purchase_order, build_order, http, fault, error, code
):
    body = build_order(purchase_order)
    supplier.inject(fault)
    with pytest.raises(error) as caught:
        cxml.send_order_request(supplier.url, body, client=http, timeout=5)
    assert type(caught.value) is error
    assert caught.value.retryable is (error is cxml.CxmlTransientError)
    assert (caught.value.status.code if caught.value.status else None) == code
    assert supplier.orders == ()

    # The fault was for one call only: the retry of the same document goes through, once.
    assert cxml.send_order_request(supplier.url, body, client=http, timeout=5).ok
    assert len(supplier.orders) == 1


def test_http_500_with_mirrored_status_is_retryable(strict_http_supplier, purchase_order, build_order, http):
    strict_http_supplier.inject("cxml_500")
    with pytest.raises(cxml.CxmlTransientError) as caught:
        cxml.send_order_request(strict_http_supplier.url, build_order(purchase_order), client=http, timeout=5)
    assert (caught.value.http_status, caught.value.status.code) == (500, 500)


def test_a_timeout_after_the_order_arrived_is_retried_without_a_second_order(
    supplier, purchase_order, build_order, http
):
    body = build_order(purchase_order)
    supplier.inject("timeout", delay_s=3.0, record=True)
    with pytest.raises(cxml.CxmlTransientError, match=r"no answer within 0\.3 s"):
        cxml.send_order_request(supplier.url, body, client=http, timeout=0.3)
    assert len(supplier.orders) == 1  # it did arrive; only the answer was late

    retry = cxml.send_order_request(supplier.url, body, client=http, timeout=5)
    assert retry.ok and "duplicate payloadID" in retry.message
    assert len(supplier.orders) == 1 and supplier.duplicates == 1


def test_an_unreachable_endpoint_is_retryable(purchase_order, build_order, http):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(cxml.CxmlTransientError, match="cannot reach the distributor"):
        cxml.send_order_request(
            f"http://127.0.0.1:{port}/cxml", build_order(purchase_order), client=http, timeout=2
        )


def test_throttling_and_a_wrong_path_are_classified(supplier, purchase_order, build_order, http):
    body = build_order(purchase_order)
    supplier.inject("http_429")
    with pytest.raises(cxml.CxmlTransientError) as caught:
        cxml.send_order_request(supplier.url, body, client=http, timeout=5)
    assert (caught.value.http_status, caught.value.retry_after) == (429, 30.0)

    with pytest.raises(cxml.CxmlRejected) as caught:
        cxml.send_order_request(supplier.url + "/wrong", body, client=http, timeout=5)
    assert caught.value.http_status == 404 and not caught.value.retryable
    assert supplier.orders == ()
