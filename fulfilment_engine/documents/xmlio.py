"""Safe XML in, exact text out: the parser every received document goes through, a reader that
names the element path of whatever is missing, value formatting, and schema validation.

Received XML is hostile until proven otherwise: it goes through `fulfilment_engine.xmlsafe`. cXML
documents carry a DOCTYPE naming the public DTD (never fetched); a DOCTYPE with an internal subset — where
entity declarations live (billion laughs, external entities reading local files) — is refused outright.
Works with lxml 4.9 (Odoo's venv) and lxml 5/6.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from ..xmlsafe import XmlRefused, parse_untrusted, safe_parser
from .errors import CxmlBuildError, CxmlInvalid, CxmlMalformed

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The one size limit for a received document (docs/cxml.md): distributors post small XML documents.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
SCHEMA_PATH = Path(__file__).with_name("schema") / "cxml-1.2-subset.rng"

_CENT = Decimal("0.01")
_PRICE_PLACES = Decimal("0.0001")


# ---------------------------------------------------------------------------------------------- parsing


def parse_xml(xml: bytes | str) -> etree._Element:
    """Parse a received document, refusing anything that could expand entities or reach out."""
    try:
        return parse_untrusted(xml, max_bytes=MAX_DOCUMENT_BYTES, allow_doctype=True)
    except XmlRefused as exc:
        raise CxmlMalformed(exc.where, exc.reason) from None


class Node:
    """An element plus its path from the root, so every complaint says exactly where."""

    __slots__ = ("el", "path")

    def __init__(self, el: etree._Element, path: str):
        self.el = el
        self.path = path

    @classmethod
    def root(cls, el: etree._Element) -> Node:
        return cls(el, str(el.tag))

    def fail(self, message: str) -> CxmlMalformed:
        return CxmlMalformed(self.path, message)

    # -- children
    def all(self, tag: str) -> list[Node]:
        found = [c for c in self.el if c.tag == tag]
        if len(found) == 1:
            return [Node(found[0], f"{self.path}/{tag}")]
        return [Node(c, f"{self.path}/{tag}[{i}]") for i, c in enumerate(found, 1)]

    def opt(self, tag: str) -> Node | None:
        found = self.all(tag)
        return found[0] if found else None

    def child(self, tag: str) -> Node:
        found = self.opt(tag)
        if found is None:
            raise self.fail(f"missing element {tag}")
        return found

    def find(self, *tags: str) -> Node | None:
        """The first element down a chain of tags, or None where the chain breaks."""
        node: Node | None = self
        for tag in tags:
            node = node.opt(tag) if node is not None else None
        return node

    # -- text and attributes
    def text(self) -> str:
        return "".join(self.el.itertext()).strip()

    def required_text(self) -> str:
        value = self.text()
        if not value:
            raise self.fail("empty")
        return value

    def attr(self, name: str, default: str | None = None) -> str:
        value = self.el.get(name)
        if value is None or not value.strip():
            if default is None:
                raise self.fail(f"missing attribute {name}")
            return default
        return value.strip()

    def choice_attr(self, name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.attr(name, default)
        if value not in allowed:
            raise self.fail(f"attribute {name}={value!r} is not one of {', '.join(allowed)}")
        return value

    def decimal_attr(self, name: str) -> Decimal:
        return to_decimal(self.attr(name), f"{self.path}@{name}")

    def quantity_attr(self, name: str) -> Decimal:
        """A quantity we act on: a finite number above zero (whether fractions make sense is the
        product's business, checked where the product is known)."""
        value = self.decimal_attr(name)
        if value <= 0:
            raise CxmlMalformed(f"{self.path}@{name}", f"{self.el.get(name)!r} is not a quantity above zero")
        return value

    def int_attr(self, name: str) -> int:
        raw = self.attr(name)
        if not (raw.isascii() and raw.isdigit()):
            raise self.fail(f"attribute {name}={raw!r} is not a whole number")
        return int(raw)

    def datetime_attr(self, name: str) -> datetime:
        return to_datetime(self.attr(name), f"{self.path}@{name}")

    def opt_datetime_attr(self, name: str) -> datetime | None:
        raw = self.el.get(name)
        if raw is None or not raw.strip():
            return None
        return to_datetime(raw.strip(), f"{self.path}@{name}")


# A number as XML writes one: Python's Decimal also takes "1_000", "Infinity" and "NaN", which no
# distributor means.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def to_decimal(raw: str, where: str) -> Decimal:
    if not _NUMBER.fullmatch(raw.strip()):
        raise CxmlMalformed(where, f"{raw!r} is not a number")
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise CxmlMalformed(where, f"{raw!r} is not a number") from None
    if not value.is_finite():
        raise CxmlMalformed(where, f"{raw!r} is not a number")
    return value


def to_datetime(raw: str, where: str) -> datetime:
    """ISO 8601 as cXML's datetime.tz. A value without offset is read as UTC; a bare date as midnight UTC."""
    try:
        if len(raw) == 10:
            value = datetime.combine(date.fromisoformat(raw), datetime.min.time())
        else:
            value = datetime.fromisoformat(raw)
    except ValueError:
        raise CxmlMalformed(where, f"{raw!r} is not an ISO 8601 date-time") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------------- writing


def sub(parent: etree._Element, tag: str, content: str | None = None, /, **attrs: str) -> etree._Element:
    """A child element with text `content` and attributes (`xml_lang` stands for xml:lang)."""
    el = etree.SubElement(parent, tag)
    for key, value in attrs.items():
        el.set(XML_LANG if key == "xml_lang" else key, value)
    if content is not None:
        el.text = content
    return el


def money_text(value: Decimal) -> str:
    """An amount to the penny (half-up), as totals and charges are."""
    return str(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def price_text(value: Decimal) -> str:
    """A unit price: 2 decimals, or up to 4 when the price has them (volume pricing of cheap parts)."""
    value = Decimal(value)
    if value == value.quantize(_CENT):
        return money_text(value)
    return str(value.quantize(_PRICE_PLACES, rounding=ROUND_HALF_UP).normalize())


def quantity_text(value: Decimal | int) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def datetime_text(value: datetime, where: str) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CxmlBuildError(
            where, "a time zone is required (Odoo datetimes are naive UTC: add tzinfo=timezone.utc)"
        )
    return value.isoformat(timespec="seconds")


def serialize(root: etree._Element, dtd: str, version: str) -> bytes:
    doctype = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{version}/{dtd}">'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype, pretty_print=True)


# ---------------------------------------------------------------------------------------------- schema

_validators = threading.local()  # lxml validators are not safe to share between threads


def _schema() -> etree.RelaxNG:
    schema = getattr(_validators, "schema", None)
    if schema is None:
        schema = etree.RelaxNG(etree.parse(str(SCHEMA_PATH), safe_parser()))
        _validators.schema = schema
    return schema


def schema_errors(xml: bytes | etree._Element) -> list[str]:
    """Every violation of the cXML subset schema, as `line N: message` (empty when valid)."""
    root = parse_xml(xml) if isinstance(xml, bytes | str) else xml
    schema = _schema()
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def validate(xml: bytes | etree._Element) -> None:
    """Raise CxmlInvalid naming the first violations of the cXML subset schema."""
    errors = schema_errors(xml)
    if errors:
        raise CxmlInvalid("schema " + SCHEMA_PATH.name, "; ".join(errors[:5]))


def iter_text(nodes: list[Node]) -> Iterator[str]:
    for node in nodes:
        text = node.text()
        if text:
            yield text
