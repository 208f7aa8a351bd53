"""An HTML e-mail body as lines of text and data tables, without what it quotes.

Quoted history is cut in two steps: the elements mail clients wrap it in (`blockquote`, Gmail's
`gmail_quote`, Outlook's reply header block and everything after it) are removed here; the text markers
("On … wrote:", "-----Original Message-----", Outlook's From/Sent/To/Subject lines) are left to
`quotes.new_part`, which reads the rendered text. Tables stand in the text as placeholder lines, so a table
below the cut is dropped with the rest.

A table whose first row names a product (or tracking) column and a quantity column is a data `Table`;
any other table (layout tables, "Carrier | DPD" label/value tables) is rendered as lines with its cells
separated by " | ", which the scanner reads as labels and values.
"""

from __future__ import annotations

import re

from lxml import etree, html

from .blocks import Table

PLACEHOLDER = "[[table {n}]]"
PLACEHOLDER_RE = re.compile(r"^\s*\[\[table (\d+)\]\]\s*$")

_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
    "article", "header", "footer", "pre", "hr", "address", "dl", "dt", "dd", "center", "blockquote",
}  # fmt: skip
_DROP_TAGS = ("script", "style", "head", "title", "noscript", "template")
# Outlook (desktop and web) starts the quoted message with one of these; all that follows is history.
_OUTLOOK_CUT = (
    "//*[@id='divRplyFwdMsg']",
    "//*[@id='appendonsend']",
    "//hr[@id='stopSpelling']",
    "//div[contains(translate(@style, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ ', 'abcdefghijklmnopqrstuvwxyz'),"
    " 'border-top:solid#e1e1e1')]",
    "//div[contains(translate(@style, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ ', 'abcdefghijklmnopqrstuvwxyz'),"
    " 'border-top:solid#b5c4df')]",
)


def html_lines(markup: str, is_data_header) -> tuple[list[str], list[Table], bool]:
    """(lines with table placeholders, the data tables, whether quoted history was removed)."""
    if not markup.strip():
        return [], [], False
    try:
        root = html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return list(re.sub(r"<[^>]+>", " ", markup).splitlines()), [], False
    for tag in _DROP_TAGS:
        for element in root.iter(tag):
            _remove(element)
    quoted = root.xpath("//blockquote | //*[contains(concat(' ', @class, ' '), ' gmail_quote ')]")
    for element in quoted:
        _remove(element)
    removed = _cut_outlook_history(root) or bool(quoted)

    tables: list[Table] = []
    lines: list[str] = [""]

    def text_of(element) -> str:
        return " ".join(" ".join(element.itertext()).split())

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "table" and not element.xpath(".//table"):
            rows = [[text_of(cell) for cell in row.xpath("./th | ./td")] for row in element.xpath(".//tr")]
            rows = [row for row in rows if any(row)]
            if rows and len(rows) > 1 and is_data_header(rows[0]):
                tables.append(Table("", tuple(rows[0]), tuple(tuple(row) for row in rows[1:])))
                lines.append(PLACEHOLDER.format(n=len(tables)))
                lines.append("")
            else:
                for row in rows:
                    lines.append(" | ".join(cell for cell in row if cell))
                lines.append("")
            _tail(element)
            return
        if tag in _BLOCK_TAGS:
            lines.append("")
        if element.text and tag not in _DROP_TAGS:
            lines[-1] += element.text
        for child in element:
            walk(child)
        if tag in ("td", "th"):
            lines[-1] += " | "
        if tag in _BLOCK_TAGS:
            lines.append("")
        _tail(element)

    def _tail(element) -> None:
        if element.tail:
            lines[-1] += element.tail

    body = root.find("body")
    walk(body if body is not None else root)
    return _squeeze([line.replace("\xa0", " ").rstrip(" |") for line in lines]), tables, removed


def _remove(element) -> None:
    """Remove an element but keep its tail text (what follows it in its parent)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _cut_outlook_history(root) -> bool:
    for xpath in _OUTLOOK_CUT:
        found = root.xpath(xpath)
        if not found:
            continue
        start = found[0]
        # everything after the marker in document order goes, then the marker itself
        node = start
        while node is not None and node.tag != "body":
            sibling = node.getnext()
            while sibling is not None:
                following = sibling.getnext()
                node.getparent().remove(sibling)
                sibling = following
            node = node.getparent()
        _remove(start)
        return True
    return False


def _squeeze(lines: list[str]) -> list[str]:
    """Collapse runs of blank lines to one, and strip spaces at line ends."""
    out: list[str] = []
    for line in lines:
        line = re.sub(r"[ \t]+", " ", line).strip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return out
