"""The copy we keep of a received document: faithful to what was sent, except its shared secret.

A document that parses is kept as its parsed tree written back as UTF-8 with every `SharedSecret`
element's content replaced by `SECRET_MASK`, whatever the element looks like in the text (attributes, a
space before `>`, CDATA, entities) and whatever the encoding it came in (recorded beside it). Masking the
tree rather than matching a pattern over text is what makes "every" true.

A document that does not parse has no tree: its bytes are kept, with every span that starts like a
`SharedSecret` element blanked up to its end tag (or to the end of the document when there is none).
Callers keep those bytes where only managers read them.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from ..xmlsafe import XmlRefused, parse_untrusted
from .xmlio import MAX_DOCUMENT_BYTES

SECRET_MASK = "********"

_SECRET_SPAN = re.compile(r"(<SharedSecret\b[^>]*?(?<!/)>)(.*?)(</SharedSecret\s*>|\Z)", re.DOTALL)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# The first bytes of a document without a byte order mark, as the XML specification's appendix F reads them.
_SNIFFED = (
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF8, "UTF-8"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (b"\0\0\0<", "UTF-32-BE"),
    (b"<\0\0\0", "UTF-32-LE"),
    (b"\0<\0?", "UTF-16-BE"),
    (b"<\0?\0", "UTF-16-LE"),
)


@dataclass(frozen=True)
class StoredCopy:
    """`text`: the masked tree as UTF-8 text, or None when the document did not parse; `raw`: then its
    bytes with the secret spans blanked; `encoding`: what the document was received in."""

    text: str | None
    encoding: str
    raw: bytes | None = None


def stored_copy(xml: bytes) -> StoredCopy:
    try:
        root = parse_untrusted(xml, max_bytes=MAX_DOCUMENT_BYTES, allow_doctype=True)
    except XmlRefused:
        return StoredCopy(None, sniff_encoding(xml), blank_secret_spans(xml))
    mask_secrets(root)
    tree = root.getroottree()
    text = etree.tostring(tree, encoding="unicode")
    return StoredCopy('<?xml version="1.0" encoding="UTF-8"?>\n' + text, tree.docinfo.encoding or "UTF-8")


def mask_secrets(root: etree._Element) -> None:
    """Every SharedSecret element of the tree, wherever it is, holds the mask and nothing else."""
    for element in root.iter("SharedSecret"):
        for child in list(element):
            element.remove(child)
        element.text = SECRET_MASK


def sniff_encoding(xml: bytes) -> str:
    for start, name in _SNIFFED:
        if xml.startswith(start):
            return name
    declared = _DECLARED_ENCODING.match(xml)
    if declared:
        name = declared.group(1).decode("ascii")
        try:
            codecs.lookup(name)
        except LookupError:
            return "UTF-8"
        return name
    return "UTF-8"


def blank_secret_spans(xml: bytes) -> bytes:
    """`xml` (which may not be XML at all) with the content of anything like a SharedSecret blanked."""
    encoding = sniff_encoding(xml)
    # surrogateescape keeps bytes that are not valid in the encoding exactly as they were; encodings
    # wider than a byte cannot do that, and replace them instead.
    errors = "surrogateescape" if codecs.lookup(encoding).name not in _WIDE else "replace"
    text = xml.decode(encoding, errors=errors)
    blanked = _SECRET_SPAN.sub(lambda m: m.group(1) + SECRET_MASK + m.group(3), text)
    return blanked.encode(encoding, errors=errors if errors == "surrogateescape" else "strict")


_WIDE = {codecs.lookup(f"utf-{bits}{order}").name for bits in (16, 32) for order in ("", "-be", "-le")}
