"""A local TD SYNNEX XML P&A service (`POST /SynnexXML/PriceAvailability`) in the published shapes (see
`fulfilment_engine/realtime/tdsynnex.py`), with faults and a per-account rate limit."""

from __future__ import annotations

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..realtime.tdsynnex import parse_xml
from .behaviour import Behaviour, receive
from .distributor import SimulatedDistributor
from .hostile import billion_laughs
from .stock import StockTable

XML = "application/xml"

ENTITY_BOMB = billion_laughs(
    "lolz",
    "<priceResponse><PriceAvailabilityList><synnexSKU>&lol9;</synnexSKU><status>Active</status>\n"
    "<price>1.00</price><totalQuantity>1</totalQuantity><lineNumber>1</lineNumber>"
    "</PriceAvailabilityList></priceResponse>\n",
)


def _text(parent, tag: str, value) -> None:
    etree.SubElement(parent, tag).text = str(value)


class TDSynnexSimulator(SimulatedDistributor):
    protocol = "tdsynnex_xml"
    account_fields = ("customer_number", "username", "password")

    def __init__(
        self,
        stock: StockTable,
        *,
        customer_number: str = "1150897",
        username: str = "sim@example.com",
        password: str = "sim-password",
        behaviour: Behaviour | None = None,
    ):
        super().__init__(stock, behaviour)
        self.customer_number = customer_number
        self.username = username
        self.password = password

    def routes(self) -> list[Route]:
        return [Route("/SynnexXML/PriceAvailability", self.price_availability, methods=["POST"])]

    async def price_availability(self, request: Request) -> Response:
        behaviour, stats = self.behaviour, self.stats
        body, fault = await receive(request, behaviour, stats)
        if fault in ("500", "502", "503"):
            return Response(
                b"<html><body>Service Unavailable</body></html>",
                status_code=int(fault),
                media_type="text/html",
            )
        if fault == "malformed":
            return Response(
                b"<?xml version='1.0'?><priceResponse><PriceAvailabilityList><price>1", media_type=XML
            )
        if fault == "entity_bomb":
            return Response(ENTITY_BOMB, media_type=XML)

        try:
            root = parse_xml(body)
        except ValueError as exc:
            return self._error(f"Malformed request: {exc}", status=400)
        if root.tag != "priceRequest":
            return self._error("Root element must be priceRequest", status=400)
        customer = (root.findtext("customerNo") or "").strip()
        if (
            fault == "401"
            or customer != self.customer_number
            or (root.findtext("userName") or "").strip() != self.username
            or (root.findtext("password") or "") != self.password
        ):
            with stats.lock:
                stats.unauthorized += 1
            return self._error("Login failed: invalid customer number, user name or password")
        retry_after = behaviour.take_call(customer)
        if fault == "429" or retry_after is not None:
            with stats.lock:
                stats.rate_limited += 1
            seconds = max(1, int((retry_after or 1) + 0.999))
            return Response(
                b"<priceResponse><errorDetail>Too many requests</errorDetail></priceResponse>",
                status_code=429,
                media_type=XML,
                headers={"Retry-After": str(seconds)},
            )

        response = etree.Element("priceResponse")
        _text(response, "customerNo", self.customer_number)
        _text(response, "userName", self.username)
        items = root.findall("skuList")
        with stats.lock:
            stats.batch_sizes.append(len(items))
            stats.answered += 1
        for item in items:
            sku = (item.findtext("synnexSKU") or "").strip()
            mfg_pn = (item.findtext("mfgPN") or "").strip()
            line_number = (item.findtext("lineNumber") or "").strip()
            part = sku or self._by_mfg_pn(mfg_pn)
            with stats.lock:
                stats.parts_asked.append(sku or mfg_pn)
            line = self.stock.get(part) if part else None
            entry = etree.SubElement(response, "PriceAvailabilityList")
            _text(entry, "synnexSKU", part or sku)
            _text(entry, "mfgPN", line.mfg_pn if line else mfg_pn)
            _text(entry, "mfgCode", "676")
            if line is None or part in behaviour.failing_parts:
                _text(entry, "status", "Not found")
                _text(entry, "lineNumber", line_number)
                continue
            _text(entry, "status", "Active")
            _text(entry, "description", line.description)
            _text(entry, "GlobalProductStatusCode", "Active")
            _text(entry, "price", f"{line.price:.2f}")
            _text(entry, "totalQuantity", line.stock)
            warehouse = etree.SubElement(entry, "AvailabilityByWarehouse")
            info = etree.SubElement(warehouse, "warehouseInfo")
            _text(info, "number", "29")
            _text(info, "zipcode", "MK1 1AA")
            _text(info, "city", "Milton Keynes")
            _text(info, "addr", "1 Distribution Way")
            _text(warehouse, "qty", line.stock)
            _text(entry, "lineNumber", line_number)
        return Response(etree.tostring(response, xml_declaration=True, encoding="UTF-8"), media_type=XML)

    def _by_mfg_pn(self, mfg_pn: str) -> str:
        if not mfg_pn:
            return ""
        for part in self.stock.parts():
            line = self.stock.get(part)
            if line is not None and line.mfg_pn == mfg_pn:
                return part
        return ""

    @staticmethod
    def _error(detail: str, status: int = 200) -> Response:
        root = etree.Element("priceResponse")
        _text(root, "errorResponse", "Error")
        _text(root, "errorDetail", detail)
        return Response(
            etree.tostring(root, xml_declaration=True, encoding="UTF-8"), status_code=status, media_type=XML
        )
