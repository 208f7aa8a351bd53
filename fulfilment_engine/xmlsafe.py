"""Parsing XML received from outside: one hardened lxml parser and the checks around it.

Received XML is hostile until proven otherwise. The parser resolves no entities, reaches no network and
loads no DTD; before libxml2 sees a document, a byte scan refuses the DTD constructs that carry entity
declarations (billion laughs, external entities reading local files), and after parsing the tree is checked
again for encodings the byte scan cannot read (UTF-16 and the like).

Two policies, because the two formats we receive differ:
- cXML documents carry a DOCTYPE naming the public DTD (never fetched), so `allow_doctype=True` accepts a
  DOCTYPE that only names an external DTD and refuses one with an internal subset;
- TD SYNNEX answers carry none, so `allow_doctype=False` refuses any DOCTYPE or entity declaration at all.

Failures are `XmlRefused` (hostile or too large) or its subclass `XmlNotWellFormed`; callers wrap them in
their own error types. Works with lxml 4.9 (Odoo's venv) and lxml 5/6.
"""

from __future__ import annotations

import re

from lxml import etree

_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[")
_ANY_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class XmlRefused(ValueError):
    """A received document that was not parsed; `where` is `document`, `DOCTYPE` or `line N`."""

    def __init__(self, where: str, reason: str):
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}")


class XmlNotWellFormed(XmlRefused):
    """Not XML at all (empty, truncated, mismatched tags): broken rather than hostile."""


def safe_parser() -> etree.XMLParser:
    """A fresh hardened parser: lxml parsers must not be shared between threads."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted(xml: bytes | str, *, max_bytes: int, allow_doctype: bool) -> etree._Element:
    """Parse a received document, refusing anything that could expand entities or reach out.

    `allow_doctype` accepts a DOCTYPE naming an external DTD (which is never loaded); without it any
    DOCTYPE or entity declaration is refused.
    """
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    if len(xml) > max_bytes:
        raise XmlRefused("document", f"{len(xml)} bytes is larger than {max_bytes} bytes")
    if not xml.strip():
        raise XmlNotWellFormed("document", "empty body")
    _refuse_dtd_bytes(xml, allow_doctype)
    try:
        root = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}" if exc.lineno else "document"
        raise XmlNotWellFormed(line, f"not well-formed XML: {exc.msg}") from None
    _refuse_dtd_in_tree(root, allow_doctype)
    for _ in root.iter(etree.Entity):
        raise XmlRefused("document", "entity references are refused")
    return root


def _refuse_dtd_bytes(xml: bytes, allow_doctype: bool) -> None:
    if allow_doctype:
        if _INTERNAL_SUBSET.search(xml):
            raise XmlRefused("DOCTYPE", "internal DTD subset (entity declarations) refused")
    elif _ANY_DTD.search(xml):
        raise XmlRefused("DOCTYPE", "document declares a DTD or entities, which are not accepted")


def _refuse_dtd_in_tree(root: etree._Element, allow_doctype: bool) -> None:
    """The byte scan again, on the parsed tree, for encodings the scan cannot read."""
    docinfo = root.getroottree().docinfo
    if allow_doctype:
        internal = docinfo.internalDTD
        if internal is not None and (internal.entities() or internal.elements()):
            raise XmlRefused("DOCTYPE", "internal DTD subset (entity declarations) refused")
    elif docinfo.doctype:
        raise XmlRefused("DOCTYPE", "document declares a DTD, which is not accepted")
