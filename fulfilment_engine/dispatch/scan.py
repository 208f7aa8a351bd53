"""Finding, in the blocks of one message, our PO references, the distributor's order numbers, tracking
numbers with their carrier, the lines despatched and whether the whole order went.

A number is a tracking number only with reason to think so, because a despatch e-mail is full of numbers
that fit some carrier's length and, one time in 7 to 11, its check digit too (telephone, VAT, account and
order numbers):
- a number whose shape says it (UPS "1Z…", UPU S10 "AB123456785GB", TNT "GE…WW") with a good check
  digit is taken wherever it stands;
- any other number must be named as a tracking / consignment / waybill number (a label before it on its
  line or above it, or its table column), or stand with a carrier's name; it is then checked against
  that carrier's rules (or, with no carrier named, against every rule with a check digit);
- a number whose nearest label calls it something else (Tel, VAT, Order, Account, Ref…) never is.
A number named as tracking that no rule confirms is `Doubtful`: kept, shown, and enough to stop the
message being applied without a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from . import carriers, tracking
from .blocks import Block, Table, TextBlock, aligned_rows, cells
from .model import DispatchLine, Doubtful, Reading, Scope, TrackingNumber

# Labels, longest phrases first so "tracking ref" is tracking and "ref" alone is not.
_TRACKING_LABEL = (
    r"tracking\s*(?:(?:number|no|num|ref(?:erence)?|id|code|details)s?\b|#)?|tracking"
    r"|track(?:\s*(?:&|and)\s*trace)?(?:\s*(?:number|no|ref))?"
    r"|consignment\s*(?:(?:number|no|ref(?:erence)?|note)s?\b)?|con\s*(?:note|no)\b|connote"
    r"|awb|air\s*way\s*bills?|airway\s*bills?|waybills?|way\s*bills?"
    r"|parcel\s*(?:number|no|id|ref(?:erence)?)s?\b|shipment\s*(?:number|no|id)\b|trk"
)
_ORDER_LABEL = (
    r"sales\s*order\s*(?:number|no|ref)?|order\s*(?:number|no|ref(?:erence)?)\b|order\s*#|order"
    r"|our\s*ref(?:erence)?|so\s*(?:number|no)\b|so\b|confirmation\s*(?:number|no)\b"
    r"|your\s*(?:ref(?:erence)?|order|po)|customer\s*(?:ref(?:erence)?|po|order)(?:\s*(?:number|no))?"
    r"|p\.?\s*o\.?\s*(?:number|no|ref)?\b|purchase\s*order(?:\s*(?:number|no|ref))?"
)
_OTHER_LABEL = (
    r"tel(?:ephone)?|phone|fax|mob(?:ile)?|call|ring|helpline|hotline|queries|enquiries|contact"
    r"|vat\s*(?:reg(?:istration)?\s*)?(?:number|no)?|company\s*(?:reg(?:istration)?\s*)?(?:number|no)?"
    r"|reg(?:istered)?\s*(?:no|number)|registration|account\s*(?:number|no)?|acc(?:ount)?\s*no|a/c"
    r"|invoice\s*(?:number|no)?|inv\s*no|ref(?:erence)?|cust(?:omer)?\s*(?:no|number|account)?"
    r"|post\s*code|postcode|sort\s*code|iban|swift|serial\s*(?:number|no)?|s/n|date|qty|quantity"
    r"|price|total|weight|eori|duns|licen[cs]e|box|ticket|case|rma|credit"
)
_LABEL_RE = re.compile(
    rf"(?<![A-Za-z])(?:(?P<tracking>{_TRACKING_LABEL})|(?P<order>{_ORDER_LABEL})|(?P<other>{_OTHER_LABEL}))"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)
# A candidate: letters-and-digits words separated by single spaces or hyphens, as numbers are printed
# ("1Z 999 AA1 01 2345 6784", "JD0002 2123 4567 8901").
_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_PHONE = re.compile(r"^(?:\+|00)\d|^0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}$|^0[1-9]\d{8,9}$")
_CODE = r"[A-Za-z0-9][A-Za-z0-9\-/#.+]{1,38}[A-Za-z0-9#]"

_FULL_RE = re.compile(
    r"\b(?:de|di)?spatched\s+in\s+full\b|\bshipped\s+in\s+full\b|\bsent\s+in\s+full\b|\bin\s+full\b"
    r"|\ball\s+(?:items|lines|goods|products|parts)\b|\bentire\s+order\b|\bwhole\s+order\b"
    r"|\bfully\s+(?:de|di)?spatched\b|\bfully\s+shipped\b|\bcomplete\s+(?:order|despatch|dispatch|shipment)\b"
    r"|\b(?:is|are|now|has\s+been|order|shipment|despatch|dispatch)\s+complete\b",
    re.IGNORECASE,
)
_PARTIAL_RE = re.compile(
    r"\bpart(?:ial(?:ly)?)?[\s-]*(?:de|di)?spatch(?:ed)?\b|\bpart(?:ial(?:ly)?)?[\s-]*(?:shipment|shipped|delivery)\b"
    r"|\bpartial(?:ly)?\b|\bbalance\s+to\s+follow\b|\bremaining\s+(?:items|lines|goods|stock)\b|\bto\s+follow\b"
    r"|\bback[\s-]?order(?:ed|s)?\b|\bnot\s+(?:yet\s+)?(?:de|di)?spatched\b|\bnot\s+(?:yet\s+)?shipped\b"
    r"|\bincomplete\b|\bsplit\s+(?:delivery|shipment|despatch|dispatch)\b|\boutstanding\s+(?:items|lines|qty|quantity)\b",
    re.IGNORECASE,
)

# Table headings.
_H_OUR_CODE = re.compile(
    r"\b(?:sku|your\s*(?:code|part|sku)|customer\s*(?:code|part|sku)|our\s*code)\b", re.I
)
_H_CODE = re.compile(
    r"\b(?:part\s*(?:no|number|#|code)?|mfr|mpn|manufacturer|vendor\s*part|product\s*(?:code|id|no)"
    r"|stock\s*code|item\s*(?:code|no|number)?|code|article)\b",
    re.I,
)
_H_SHIPPED = re.compile(
    r"\b(?:qty\s*(?:de|di)?sp(?:atched)?|qty\s*shipped|qty\s*sent|(?:de|di)?spatched(?:\s*qty)?|shipped(?:\s*qty)?"
    r"|qty\s*this\s*(?:delivery|despatch|shipment))\b",
    re.I,
)
_H_QTY = re.compile(r"\b(?:qty|quantity|units|qnty)\b", re.I)
_H_NOT_SHIPPED = re.compile(
    r"\b(?:ordered|outstanding|back\s*order|b/o|to\s*follow|remaining|balance)\b", re.I
)
_H_TRACKING = re.compile(rf"(?<![A-Za-z])(?:{_TRACKING_LABEL})(?![A-Za-z])", re.I)
_H_CARRIER = re.compile(r"\b(?:carrier|courier|haulier|service|delivery\s*method|shipped\s*via)\b", re.I)
_H_DESCRIPTION = re.compile(r"\b(?:description|desc|product\s*name|name)\b", re.I)


@dataclass(frozen=True)
class _Label:
    kind: str  # "tracking", "order", "other"
    start: int
    end: int


def _labels(line: str) -> list[_Label]:
    found = []
    for match in _LABEL_RE.finditer(line):
        kind = match.lastgroup or "other"
        found.append(_Label(kind, match.start(), match.end()))
    return found


class _Scanner:
    def __init__(self, po_pattern: re.Pattern[str], known_codes: Iterable[str] | None):
        self.po_pattern = po_pattern
        self.known = {_code_key(code): code for code in known_codes} if known_codes is not None else None
        self.po_refs: dict[str, None] = {}
        self.order_numbers: dict[str, None] = {}
        self.tracking: dict[str, TrackingNumber] = {}
        self.doubtful: dict[str, Doubtful] = {}
        self.lines: list[DispatchLine] = []
        self.carriers: dict[str, None] = {}
        self.full = False
        self.partial = False
        self.default_carrier: str | None = None

    # -- the whole message ------------------------------------------------------------------------
    def run(self, blocks: list[Block]) -> Reading:
        blocks = [part for block in blocks for part in _with_text_tables(block)]
        for block in blocks:
            for text in _texts(block):
                for _, name in carriers.named_in(text):
                    self.carriers[name] = None
        named = list(self.carriers)
        self.default_carrier = named[0] if len(named) == 1 else None
        for block in blocks:
            if isinstance(block, Table):
                self._table(block)
            else:
                self._text(block)
        scope: Scope | None = "partial" if self.partial else "full" if self.full else None
        for number in self.tracking:
            self.doubtful.pop(number, None)
        return Reading(
            po_refs=tuple(self.po_refs),
            order_numbers=tuple(n for n in self.order_numbers if n not in self.po_refs),
            tracking=tuple(self.tracking.values()),
            doubtful=tuple(self.doubtful.values()),
            lines=tuple(_merged(self.lines)),
            scope=scope,
            carriers=tuple(self.carriers),
        )

    # -- text -------------------------------------------------------------------------------------
    def _text(self, block: TextBlock) -> None:
        previous: str | None = None
        for line in block.lines:
            if not line.strip():
                continue
            self._words(line)
            self._order_numbers(line)
            self._tracking_in_line(line, previous, block.where)
            self._lines_in_text(line, block.where)
            previous = line

    def _words(self, text: str) -> None:
        for match in self.po_pattern.finditer(text):
            self.po_refs[match.group(0).upper()] = None
        if _PARTIAL_RE.search(text):
            self.partial = True
        elif _FULL_RE.search(text):
            self.full = True

    def _order_numbers(self, line: str) -> None:
        for label in _labels(line):
            if label.kind != "order":
                continue
            value = re.match(r"\s*(?:[:#.]|no\.?|number)?\s*[:#]?\s*(" + _CODE + ")", line[label.end :], re.I)
            if value is None:
                continue
            number = value.group(1).upper().rstrip(".")
            if any(c.isdigit() for c in number) and not self.po_pattern.fullmatch(number):
                self.order_numbers[number] = None

    def _tracking_in_line(self, line: str, previous: str | None, where: str) -> None:
        labels = _labels(line)
        named = carriers.named_in(line)
        for start, end, raw in _candidates(line):
            label = _last_before(labels, start)
            carrier = _nearest(named, start)
            label_line_carrier = None
            if previous is not None and label is None and not line[:start].strip(" \t:-*•"):
                label = _above(_labels(previous), start, end)
            if previous is not None and carrier is None:
                label_line_carrier = _nearest(carriers.named_in(previous), start)
            self._consider(
                raw,
                labelled=label is not None and label.kind == "tracking",
                refused=label is not None and label.kind != "tracking",
                carrier=carrier or label_line_carrier,
                where=where,
            )
        # "Carrier: Acme Freight, tracking: AF-000123" — a carrier we have no rule for, its number as written
        for label in labels:
            if label.kind != "tracking":
                continue
            value = re.match(r"\s*(?:[:#\-]\s*)?(" + _CODE + ")", line[label.end :])
            if value is None:
                continue
            number = value.group(1)
            carrier = _nearest(named, label.start) or self.default_carrier
            if carrier is None or carrier in tracking.CARRIERS_WITH_RULES:
                continue
            self._consider(number, labelled=True, refused=False, carrier=carrier, where=where)

    def _consider(
        self, raw: str, *, labelled: bool, refused: bool, carrier: str | None, where: str
    ) -> str | None:
        """The number as accepted (now or before) or None: a refused number is left, a doubtful one kept."""
        number = tracking.normalise(raw)
        if number in self.tracking:
            return number
        if self.po_pattern.fullmatch(number) or len(number) < 6:
            return None
        evident = tracking.evident(number)
        if evident is not None and not refused:
            return self._accept(tracking.post_carrier(evident, number), number, True, where)
        if refused or not any(c.isdigit() for c in number):
            return None
        if _PHONE.search(raw.strip()) and not (labelled and carrier):
            return None  # written as a telephone number: never tracking unless named with a carrier
        if carrier is None and labelled:
            carrier = self.default_carrier
        if carrier is not None and carrier in tracking.CARRIERS_WITH_RULES:
            rules = tracking.matches(number, carrier)
            if rules:
                return self._accept(carrier, number, rules[0].strength != "shape", where)
            if labelled:
                self.doubtful[number] = Doubtful(
                    number, f"not a valid {carrier} number (shape or check digit)", where
                )
            return None
        if carrier is not None:  # a carrier with no rule: the text's word for it is all there is
            if labelled and _plausible(number):
                return self._accept(carrier, number, False, where)
            return None
        if not labelled:
            return None
        checked = {rule.carrier for rule in tracking.matches(number) if rule.strength == "checked"}
        if len(checked) == 1:
            return self._accept(checked.pop(), number, True, where)
        reason = (
            "fits several carriers' check digits and no carrier is named"
            if checked
            else "no carrier named and no carrier's check digit fits it"
        )
        self.doubtful[number] = Doubtful(number, reason, where)
        return None

    def _accept(self, carrier: str, number: str, checked: bool, where: str) -> str:
        self.tracking.setdefault(number, TrackingNumber(carrier, number, checked, where))
        self.carriers.setdefault(carrier, None)
        return number

    def _lines_in_text(self, line: str, where: str) -> None:
        for code, quantity in _text_line_items(line):
            key = _code_key(code)
            if self.po_pattern.fullmatch(code.upper()) or key in self.tracking or key in self.order_numbers:
                continue
            if self.known is not None:
                if key not in self.known:
                    continue
                code = self.known[key]
            self.lines.append(DispatchLine((code,), quantity, where=where))

    @staticmethod
    def _remainder(row, columns: dict[int, str], shipped: Decimal | None) -> bool:
        """Whether a row says some of it did not go: something outstanding, or less shipped than ordered."""
        for index, kind in columns.items():
            value = _quantity(row[index]) if index < len(row) else None
            if value is None:
                continue
            if kind == "not_shipped" and value > 0:
                return True
            if kind == "ordered" and shipped is not None and value > shipped:
                return True
        return False

    # -- tables -----------------------------------------------------------------------------------
    def _table(self, table: Table) -> None:
        header = table.header
        self._words(" ".join(header))
        columns = _columns(header)
        for row in table.rows:
            text = " | ".join(cell for cell in row if cell)
            self._words(text)
            for index, cell in enumerate(row):
                if index < len(header) and columns.get(index) in ("tracking", "carrier"):
                    continue
                if cell.strip():
                    self._order_numbers(f"{header[index] if index < len(header) else ''}: {cell}")
                    self._tracking_in_line(
                        cell, f"{header[index]}:" if index < len(header) else None, table.where
                    )
            row_carrier = None
            for index, kind in columns.items():
                if kind == "carrier" and index < len(row) and row[index].strip():
                    row_carrier = carriers.canonical(row[index])
                    self.carriers.setdefault(row_carrier, None)
            row_tracking = ""
            for index, kind in columns.items():
                if kind != "tracking" or index >= len(row) or not row[index].strip():
                    continue
                heading_carrier = _nearest(carriers.named_in(header[index]), 0)
                for raw in re.split(r"[,;/]|\s{2,}|\n", row[index]):
                    if raw.strip():
                        accepted = self._consider(
                            raw.strip(),
                            labelled=True,
                            refused=False,
                            carrier=row_carrier or heading_carrier or self.default_carrier,
                            where=table.where,
                        )
                        row_tracking = row_tracking or accepted or ""
            self._table_line(row, columns, row_tracking, row_carrier, table.where)

    def _table_line(self, row, columns, row_tracking: str, row_carrier: str | None, where: str) -> None:
        codes = []
        for kind in ("our_code", "code"):
            for index, column_kind in columns.items():
                if column_kind == kind and index < len(row) and row[index].strip():
                    codes.append(row[index].strip())
        quantity = None
        for kind in ("shipped", "qty"):
            for index, column_kind in columns.items():
                if column_kind == kind and index < len(row) and quantity is None:
                    quantity = _quantity(row[index])
            if quantity is not None:
                break
        if self._remainder(row, columns, quantity):
            self.partial = True
        if not codes or quantity is None:
            return
        if quantity == 0:
            self.partial = True  # a line listed with nothing despatched: the order did not all go
            return
        if self.known is not None:
            known = [self.known[_code_key(code)] for code in codes if _code_key(code) in self.known]
            codes = known or codes
        po = next((m.group(0).upper() for cell in row for m in self.po_pattern.finditer(cell)), "")
        self.lines.append(
            DispatchLine(tuple(dict.fromkeys(codes)), quantity, row_tracking, row_carrier or "", where, po)
        )


def _columns(header: tuple[str, ...]) -> dict[int, str]:
    """What each column of a table holds, from its heading."""
    kinds: dict[int, str] = {}
    for index, heading in enumerate(header):
        heading = heading.strip()
        if not heading:
            continue
        if _H_TRACKING.search(heading):
            kinds[index] = "tracking"
        elif _H_CARRIER.search(heading):
            kinds[index] = "carrier"
        elif _H_NOT_SHIPPED.search(heading) and not _H_SHIPPED.search(heading.replace("ordered", "")):
            kinds[index] = "ordered" if re.search(r"\bordered\b", heading, re.I) else "not_shipped"
        elif _H_SHIPPED.search(heading):
            kinds[index] = "shipped"
        elif _H_QTY.search(heading):
            kinds[index] = "qty"
        elif _H_OUR_CODE.search(heading):
            kinds[index] = "our_code"
        elif _H_DESCRIPTION.search(heading):
            kinds[index] = "description"
        elif _H_CODE.search(heading):
            kinds[index] = "code"
    return kinds


def is_table_header(cells_text: list[str]) -> bool:
    kinds = set(_columns(tuple(cells_text)).values())
    return (bool(kinds & {"code", "our_code"}) and bool(kinds & {"qty", "shipped"})) or (
        "tracking" in kinds and len(cells_text) >= 2 and bool(kinds - {"tracking"})
    )


def _with_text_tables(block: Block) -> list[Block]:
    """A text block, with any column-aligned table in it (a header line naming a code column and a
    quantity column, the rows under it until a blank line) taken out as a `Table`."""
    if isinstance(block, Table):
        return [block]
    out: list[Block] = []
    rest: list[str] = []
    lines = list(block.lines)
    index = 0
    count = 0
    while index < len(lines):
        line = lines[index]
        heads = [text for _, _, text in cells(line)]
        if len(heads) >= 2 and is_table_header(heads):
            body = []
            index += 1
            while index < len(lines) and lines[index].strip() and len(cells(lines[index])) >= 2:
                body.append(lines[index])
                index += 1
            if body:
                count += 1
                out.append(
                    Table(f"{block.where} table {count}", tuple(heads), tuple(aligned_rows(line, body)))
                )
                continue
            rest.append(line)
            continue
        rest.append(line)
        index += 1
    return [TextBlock(block.where, tuple(rest)), *out]


def _texts(block: Block) -> list[str]:
    """The text that can name a carrier: all of a text block; a table's headings and carrier column
    (a product description naming "APC Back-UPS" names no carrier)."""
    if isinstance(block, TextBlock):
        return list(block.lines)
    carrier_columns = [i for i, kind in _columns(block.header).items() if kind == "carrier"]
    return [" | ".join(block.header)] + [
        row[i] for row in block.rows for i in carrier_columns if i < len(row)
    ]


def _candidates(line: str) -> list[tuple[int, int, str]]:
    """Spans of `line` that could be a number: for each word holding a digit, the longest run of words
    printed as groups of one number (single spaces between) that a tracking rule accepts, else the word
    as printed ("AF-000123" is one word). A word of letters only joins a run only when the run then has
    an evident shape (S10's "AB … GB", Yodel's "JJD …"), so "DHL AWB 3318810025" stays three words."""
    words = list(_WORD.finditer(line))
    found: list[tuple[int, int, str]] = []
    index = 0
    while index < len(words):
        word = words[index]
        best = None
        end_index = index
        for last in range(index, min(index + 8, len(words))):
            if last > index and line[words[last - 1].end() : words[last].start()] != " ":
                break
            pieces = [w.group() for w in words[index : last + 1]]
            if any(piece.isalpha() and not piece.isupper() for piece in pieces):
                break
            text = line[word.start() : words[last].end()]
            rules = tracking.matches(text)
            if any(piece.isalpha() for piece in pieces):
                rules = [
                    rule
                    for rule in rules
                    if rule.strength == "evident"
                    or (pieces[0] in ("JJD", "JD") and rule.carrier == carriers.YODEL)
                ]
            if rules:
                best, end_index = (word.start(), words[last].end(), text), last
        if best is not None and end_index > index:
            found.append(best)
            index = end_index + 1
            continue
        if any(c.isdigit() for c in word.group()):
            found.append((word.start(), word.end(), word.group()))
        index += 1
    return found


def _last_before(labels: list[_Label], start: int) -> _Label | None:
    before = [label for label in labels if label.end <= start]
    return before[-1] if before else None


def _above(labels: list[_Label], start: int, end: int) -> _Label | None:
    """The label above a value: on a label line ending with ":" the last one, else (column-aligned
    headings) the last one starting before the value ends."""
    candidates = [label for label in labels if label.start <= end]
    return candidates[-1] if candidates else None


def _nearest(named: list[tuple[int, str]], at: int) -> str | None:
    """The carrier named nearest before `at`, else the first after it."""
    before = [name for start, name in named if start <= at]
    if before:
        return before[-1]
    return named[0][1] if named else None


def _plausible(number: str) -> bool:
    """A number a carrier we have no rule for might print: 6–30 letters and digits, at least 4 digits."""
    return 6 <= len(number) <= 30 and sum(c.isdigit() for c in number) >= 4


def _quantity(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "")
    if not re.fullmatch(r"\d{1,7}(?:\.\d{1,4})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


_ITEM_PATTERNS = [
    re.compile(rf"(?<![\w.])(?P<qty>\d{{1,5}})\s*(?:x|×|off|of)\s+(?P<code>{_CODE})", re.I),
    re.compile(rf"(?<![\w])(?P<code>{_CODE})\s*(?:x|×)\s*(?P<qty>\d{{1,5}})\b", re.I),
    re.compile(
        rf"(?<![\w])(?P<code>{_CODE})\s*[-–:,(]?\s*(?:qty|quantity)\s*(?:despatched|dispatched|shipped)?\s*[:=]?\s*"
        r"(?P<qty>\d{1,5})\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:qty|quantity)\s*[:=]?\s*(?P<qty>\d{{1,5}})\s*(?:x\s*)?(?:of\s+)?(?P<code>{_CODE})", re.I
    ),
    re.compile(
        rf"\b(?:sku|part\s*(?:no|number|#)?|product\s*code|item\s*code|stock\s*code)\s*[:#]?\s*(?P<code>{_CODE})"
        r"[^\n]*?\b(?:qty|quantity|(?:de|di)?spatched|shipped)\s*[:=]?\s*(?P<qty>\d{1,5})\b",
        re.I,
    ),
]


def _text_line_items(line: str) -> list[tuple[str, Decimal]]:
    found: dict[str, Decimal] = {}
    for pattern in _ITEM_PATTERNS:
        for match in pattern.finditer(line):
            code = match.group("code").rstrip(".,;:")
            if not any(c.isdigit() for c in code) or (not any(c.isalpha() for c in code) and len(code) < 5):
                continue
            if code.lower() in ("qty", "quantity"):
                continue
            found.setdefault(code, Decimal(match.group("qty")))
    return list(found.items())


def _code_key(code: str) -> str:
    return re.sub(r"\s+", "", code).upper()


def _merged(lines: list[DispatchLine]) -> list[DispatchLine]:
    """Each product as the first place that names it says (a PDF repeating the body's table does not
    double it); within that place its rows add up (one product in two parcels)."""
    out: dict[tuple[str, str], DispatchLine] = {}
    for line in lines:
        key = (line.po, _code_key(line.code))
        previous = out.get(key)
        if previous is None:
            out[key] = line
        elif previous.where == line.where:
            tracking_numbers = ", ".join(t for t in dict.fromkeys((previous.tracking, line.tracking)) if t)
            out[key] = replace(
                previous, quantity=previous.quantity + line.quantity, tracking=tracking_numbers
            )
    return list(out.values())


def scan(
    blocks: list[Block], po_pattern: re.Pattern[str], known_codes: Iterable[str] | None = None
) -> Reading:
    """Read `blocks` (already stripped of quoted replies). `known_codes` (SKUs and part numbers of the
    PO's lines, when known) limits the products taken from running text to those; tables are read
    whatever they hold."""
    return _Scanner(po_pattern, known_codes).run(blocks)
