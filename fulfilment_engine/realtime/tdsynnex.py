"""TD SYNNEX XML price & availability ("SynnexXML").

Wire format (TD SYNNEX's XML P&A service, as its integrators use it):
- `POST /SynnexXML/PriceAvailability`, `Content-Type: application/xml`, body
  `<priceRequest><customerNo/><userName/><password/><skuList><synnexSKU/>|<mfgPN/><lineNumber/></skuList>…`
  (one `skuList` element per item).
- → `<priceResponse><customerNo/><userName/><PriceAvailabilityList>` per item with `synnexSKU`, `mfgPN`,
  `status` ("Active", "Not found", "Discontinued", …), `price`, `totalQuantity`, `AvailabilityByWarehouse`
  and the request's `lineNumber`. A refused login or request answers `<errorDetail>` instead.

Answers are parsed by `fulfilment_engine.xmlsafe` (entity resolution, network access and DTD loading off); a
document that carries a DOCTYPE at all is refused, so entity-expansion ("billion laughs") and external-entity
payloads never reach the parser's expansion machinery.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import httpx
from lxml import etree

from ..config import RealtimeConfig
from ..errors import DistributorRateLimited, DistributorTransientError, DistributorUnavailable
from ..xmlsafe import XmlNotWellFormed, XmlRefused, parse_untrusted
from .base import BatchAnswer, BatchedSource, Deadline, LiveFigure
from .http import describe_status, describe_transport_error, retry_after_seconds, short

PRICE_AVAILABILITY_PATH = "/SynnexXML/PriceAvailability"
MAX_ANSWER_BYTES = 5_000_000


class UnsafeXML(ValueError):
    """An answer refused as hostile (DTD, entities) or too large, rather than merely broken."""


def parse_xml(payload: bytes) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network. Raises ValueError on anything else."""
    try:
        return parse_untrusted(payload, max_bytes=MAX_ANSWER_BYTES, allow_doctype=False)
    except XmlNotWellFormed as exc:
        raise ValueError(str(exc)) from None
    except XmlRefused as exc:
        raise UnsafeXML(exc.reason) from None


def build_request(config: RealtimeConfig, parts: Sequence[str]) -> bytes:
    field = config.part_number_field or "synnexSKU"
    root = etree.Element("priceRequest")
    etree.SubElement(root, "customerNo").text = config.customer_number
    etree.SubElement(root, "userName").text = config.username
    etree.SubElement(root, "password").text = config.password
    for line_number, part in enumerate(parts, start=1):
        item = etree.SubElement(root, "skuList")
        etree.SubElement(item, field).text = part
        etree.SubElement(item, "lineNumber").text = str(line_number)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class TDSynnexSource(BatchedSource):
    protocol = "tdsynnex_xml"

    async def _fetch_chunk(self, parts: list[str], deadline: Deadline, currency: str = "") -> BatchAnswer:
        await self._permit(deadline)
        try:
            response = await self.client.post(
                self.config.url + PRICE_AVAILABILITY_PATH,
                content=build_request(self.config, parts),
                headers={"Content-Type": "application/xml", "Accept": "application/xml"},
            )
        except httpx.HTTPError as exc:
            raise DistributorTransientError(self.distributor, describe_transport_error(exc)) from None
        if response.status_code == 429:
            raise DistributorRateLimited(
                self.distributor, describe_status(response), retry_after_seconds(response)
            )
        if response.status_code != 200:
            kind = DistributorTransientError if response.status_code >= 500 else DistributorUnavailable
            raise kind(self.distributor, describe_status(response, short(response.text)))
        return self.parse_answer(response.content, parts)

    def parse_answer(self, payload: bytes, parts: list[str]) -> BatchAnswer:
        try:
            root = parse_xml(payload)
        except ValueError as exc:
            raise DistributorTransientError(self.distributor, f"malformed answer: {exc}") from None
        if root.tag != "priceResponse":
            raise DistributorTransientError(self.distributor, f"malformed answer: root element <{root.tag}>")
        error = root.findtext("errorDetail") or root.findtext("errorMessage")
        if error is not None:
            raise DistributorUnavailable(self.distributor, f"refused: {short(error) or 'errorDetail'}")
        by_line = {str(number): part for number, part in enumerate(parts, start=1)}
        field = self.config.part_number_field or "synnexSKU"
        by_part = {part.upper(): part for part in parts}
        figures: dict[str, LiveFigure] = {}
        failed: dict[str, str] = {}
        for item in root.iterfind("PriceAvailabilityList"):
            part = by_line.get((item.findtext("lineNumber") or "").strip())
            if part is None:
                part = by_part.get((item.findtext(field) or "").strip().upper())
            if part is None:
                continue
            status = (item.findtext("status") or "").strip()
            if status.lower() != "active":
                failed[part] = f"line status {status or 'missing'!r}"
                continue
            try:
                price = Decimal((item.findtext("price") or "").strip())
                quantity = Decimal((item.findtext("totalQuantity") or "").strip())
            except InvalidOperation:
                failed[part] = "line without a numeric price and totalQuantity"
                continue
            if not price.is_finite() or price < 0 or not quantity.is_finite() or quantity != int(quantity):
                failed[part] = "line with an invalid price or totalQuantity"
                continue
            figures[part] = LiveFigure(part, max(0, int(quantity)), price)
        for part in parts:
            if part not in figures and part not in failed:
                failed[part] = "missing from the answer"
        return BatchAnswer(figures, failed)
