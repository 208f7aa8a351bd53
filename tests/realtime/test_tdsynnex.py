"""TD SYNNEX XML adapter against the local simulator, and the XML parser's refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.realtime import RealtimeGateway
from fulfilment_engine.realtime.tdsynnex import UnsafeXML, parse_xml


async def test_request_shape_and_answer(sims, client, stock_of, offers_for, config_for):
    tds = sims.add_tdsynnex(
        "TDS", stock_of(3, price="12.34"), customer_number="7654321", username="buyer@example.com"
    )
    gateway = RealtimeGateway(config_for(sims), client)

    result = await gateway.refresh(offers_for("TDS", ["P0", "P2"]))

    request = etree.fromstring(tds.stats.last_body)
    assert request.tag == "priceRequest"
    assert request.findtext("customerNo") == "7654321"
    assert request.findtext("userName") == "buyer@example.com"
    assert request.findtext("password") == tds.password
    assert [(i.findtext("synnexSKU"), i.findtext("lineNumber")) for i in request.findall("skuList")] == [
        ("P0", "1"),
        ("P2", "2"),
    ]
    assert tds.stats.last_headers["content-type"] == "application/xml"
    assert [(o.stock, o.cost, o.source, o.age_s) for o in result.offers] == [
        (5, Decimal("12.34"), "realtime", 0.0),
        (7, Decimal("12.34"), "realtime", 0.0),
    ]


async def test_a_line_not_found_stays_on_its_feed_figure(sims, client, stock_of, offers_for, config_for):
    sims.add_tdsynnex("TDS", stock_of(2))
    gateway = RealtimeGateway(config_for(sims), client)

    result = await gateway.refresh(offers_for("TDS", ["P0", "NOPE"]))

    assert result.offers[0].source == "realtime"
    assert (result.offers[1].source, result.offers[1].stale, result.offers[1].stock) == ("feed", True, 1)
    assert "Not found" in result.outcomes["TDS"].reason


async def test_mfg_part_numbers_can_be_sent_instead_of_synnex_skus(sims, client, offers_for):
    from fulfilment_engine.simulators import StockTable

    tds = sims.add_tdsynnex(
        "TDS", StockTable.from_dict({"1031808": {"stock": 4, "price": "27.12", "mfg_pn": "52107201"}})
    )
    text = sims.config_toml().replace(
        'protocol = "tdsynnex_xml"', 'protocol = "tdsynnex_xml"\npart_number_field = "mfgPN"'
    )
    gateway = RealtimeGateway(parse_config_text(text), client)

    result = await gateway.refresh(offers_for("TDS", ["52107201"]))

    assert etree.fromstring(tds.stats.last_body).findtext("skuList/mfgPN") == "52107201"
    assert (result.offers[0].stock, result.offers[0].cost) == (4, Decimal("27.12"))


async def test_refused_login_is_a_stale_distributor_with_the_reason(sims, client, stock_of, offers_for):
    sims.add_tdsynnex("TDS", stock_of(1))
    text = sims.config_toml().replace(f'password = "{sims["TDS"].password}"', 'password = "wrong"')
    gateway = RealtimeGateway(parse_config_text(text), client)

    result = await gateway.refresh(offers_for("TDS", ["P0"]))

    assert result.offers[0].stale
    assert "Login failed" in result.outcomes["TDS"].reason


@pytest.mark.parametrize("fault", ["malformed", "entity_bomb"])
async def test_malformed_and_entity_expansion_answers_are_refused_safely(
    sims, client, stock_of, offers_for, config_for, fault
):
    tds = sims.add_tdsynnex("TDS", stock_of(1))
    tds.behaviour.then(fault, fault)
    gateway = RealtimeGateway(config_for(sims, max_retries=1, deadline_ms=2000), client)

    result = await gateway.refresh(offers_for("TDS", ["P0"]))

    assert result.offers[0].stale and result.offers[0].source == "feed"
    reason = result.outcomes["TDS"].reason
    assert "malformed answer" in reason
    if fault == "entity_bomb":
        assert "DTD or entities" in reason


def test_parser_refuses_external_entities_and_dtds():
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><priceResponse>&x;</priceResponse>"""
    with pytest.raises(UnsafeXML):
        parse_xml(xxe)
    with pytest.raises(ValueError, match="not well-formed"):
        parse_xml(b"<priceResponse><unclosed></priceResponse>")
    assert (
        parse_xml(b"<priceResponse><customerNo>1</customerNo></priceResponse>").findtext("customerNo") == "1"
    )
