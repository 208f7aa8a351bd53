"""The SITC reader's bulk path against a plain per-line reference.

`SitcFile` reads blocks of bytes, lets numpy pick out the lines the per-row checker would take as they
stand, and runs only the others through the checker. Whatever the file, that must give exactly the rows
and bad rows that reading it line by line with the csv module and `offer_row` gives, and the segments
must number every line once, in order (PostgreSQL COPYs them and numbers rows as they arrive).
"""

from __future__ import annotations

import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fulfilment_engine.feeds import sitc
from fulfilment_engine.feeds.offer_rows import Reject, offer_row
from fulfilment_engine.feeds.sitc import SITC_FIELDS, PlainLines, SitcFile, SkippedLines, read_sitc
from fulfilment_engine.feeds.source import is_blank
from fulfilment_engine.feeds.text_checks import text_problem

HEADER = "|".join(SITC_FIELDS)
SHUFFLED_HEADER = (
    "eta|Distributor_ID|brand_sku|cost|product_id|stock|distributor_sku|distributor_category|extra"
)


def reference(data: bytes, max_line: int) -> tuple[list[tuple], list[tuple]]:
    """Line by line: universal line ends, the csv module to split, `offer_row` to check."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rows, bad = [], []
    width, order, names = 8, list(range(8)), list(SITC_FIELDS)
    started = False
    for number, raw in enumerate(lines, 1):
        if len(raw) > max_line:
            bad.append((number, None, f"line longer than {max_line} bytes"))
            started = True
            continue
        text = raw.decode("utf-8", "surrogateescape")
        fields = next(csv.reader([text], delimiter="|", quoting=csv.QUOTE_NONE), [])
        if is_blank(fields):
            continue
        if not started:
            started = True
            lowered = [f.strip().lower() for f in fields]
            if "product_id" in lowered:
                width, names = len(fields), [f.strip() for f in fields]
                order = [lowered.index(name) for name in SITC_FIELDS]
                continue
        problem = text_problem(fields, lambda i, names=names: names[i] if i < len(names) else "", "utf-8")
        at = order[1]
        if problem:
            named = fields[at].strip() if len(fields) > at else ""
            trustworthy = not any(c == "\x00" or "\udc80" <= c <= "\udcff" for c in named)
            bad.append((number, named if trustworthy and named else None, problem))
            continue
        if len(fields) != width:
            named = fields[at].strip() if len(fields) > at else ""
            bad.append(
                (number, named or None, f"expected {width} fields separated by '|', got {len(fields)}")
            )
            continue
        row = offer_row(0, number, *(fields[i] for i in order))
        if type(row) is Reject:
            bad.append(tuple(row))
        else:
            rows.append(row)
    return rows, bad


FIELD_VALUES = [
    "P1", "P2", "ING", "TDS", "", " ", "  x ", "12", "0012", "0", "999999999", "1234567890", "1.5",
    "12.50", "000000000001.25", "1234567890123", "123456789012.5", "1.0000", "12.34567", "1.123456789",
    ".5", "5.", "1..2", "1.2.3", "-1",
    "+3", "1e3", "1_000", "abc", "NaN", "Toner & Ink", "Tóner", "\x00", "a\\b", "\\N", "\\.", "\t", "x\ty",
    "\u00a0", "\u2003", "\x1c", "\x7f", '"q"', "1 2",
]  # fmt: skip
RAW_BYTES = [b"\xe9", b"\xff\xfe", b"\xc3", b"\xef\xbb\xbf"]


@st.composite
def feed_bytes(draw) -> bytes:
    header = draw(st.sampled_from([None, HEADER, SHUFFLED_HEADER, " Product_ID |" + HEADER[11:]]))
    endings = draw(st.lists(st.sampled_from([b"\n", b"\r\n", b"\r"]), min_size=1, max_size=2))
    out = [b"\xef\xbb\xbf"] if draw(st.booleans()) else []
    if header is not None:
        out += [header.encode(), endings[0]]
    for _ in range(draw(st.integers(0, 30))):
        if draw(st.integers(0, 9)) == 0:  # blank-ish lines
            out += [draw(st.sampled_from([b"", b"  ", b"\t"])), draw(st.sampled_from(endings))]
            continue
        width = draw(st.sampled_from([8, 8, 8, 8, 9, 7, 1]))
        fields = []
        for position in range(width):
            if draw(st.integers(0, 12)) == 0:
                fields.append(draw(st.sampled_from(RAW_BYTES)))
            elif position in (2, 3) and draw(st.booleans()):
                fields.append(draw(st.sampled_from(["1", "57", "0012", "213.84", "9.5", "100"])).encode())
            else:
                fields.append(draw(st.sampled_from(FIELD_VALUES)).encode())
        out += [b"|".join(fields), draw(st.sampled_from(endings))]
    data = b"".join(out)
    if data and draw(st.booleans()):
        data = data.rstrip(b"\r\n")  # no line end after the last line
    return data


def read_all(path, max_line):
    bad: list[tuple] = []
    segments = []
    with SitcFile(path, 0, lambda r: bad.append(tuple(r))) as feed:
        first = feed.first_line
        segments = list(feed.segments())
    with SitcFile(path, 0, lambda r: None) as feed:
        rows = list(feed.rows())
    return first, segments, rows, bad


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=feed_bytes(), block=st.sampled_from([3, 7, 64, 1 << 20]), max_line=st.sampled_from([100, 1 << 20])
)
def test_the_bulk_path_reads_exactly_what_the_per_line_checker_reads(
    tmp_path, monkeypatch, data, block, max_line
):
    monkeypatch.setattr(sitc, "BLOCK_BYTES", block)
    monkeypatch.setattr(sitc, "MAX_LINE_BYTES", max_line)
    path = tmp_path / "feed.txt"
    path.write_bytes(data)
    expected_rows, expected_bad = reference(data, max_line)

    first, segments, rows, bad = read_all(path, max_line)

    assert rows == expected_rows
    assert bad == expected_bad
    # Segments cover every line from the first one, once and in order: COPY numbers rows by arrival.
    line = first
    for segment in segments:
        if isinstance(segment, PlainLines):
            assert segment.first_line == line and segment.data.count(b"\n") == segment.count
            line += segment.count
        elif isinstance(segment, SkippedLines):
            assert segment.first_line == line
            line += segment.count
        else:
            assert segment[1] == line
            line += 1


def test_plain_lines_are_most_lines_of_an_ordinary_feed(tmp_path):
    path = tmp_path / "feed.txt"
    path.write_text(
        HEADER + "\n" + "".join(f"CF{i:06d}|ING|{i % 50}|{i}.99|I-{i}|Toner||CF{i}A\n" for i in range(1000))
    )
    with SitcFile(path, 0, lambda r: None) as feed:
        segments = list(feed.segments())
    assert [type(s) for s in segments] == [PlainLines]
    assert segments[0].first_line == 2 and segments[0].count == 1000


def test_a_line_longer_than_the_limit_is_a_bad_row_and_the_next_one_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(sitc, "BLOCK_BYTES", 16)
    monkeypatch.setattr(sitc, "MAX_LINE_BYTES", 40)
    path = tmp_path / "feed.txt"
    path.write_bytes(b"P1|ING|1|1.00||||\n" + b"x" * 200 + b"\r\nP2|ING|2|2.00||||\n")
    bad: list[Reject] = []
    rows = list(read_sitc(path, 0, bad.append))
    assert [(b.line, b.reason) for b in bad] == [(2, "line longer than 40 bytes")]
    assert [(r[1], r[3]) for r in rows] == [(1, "P1"), (3, "P2")]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_line_ends_of_every_kind_number_lines_alike(tmp_path, ending):
    path = tmp_path / "feed.txt"
    path.write_bytes(ending.join([HEADER.encode(), b"P1|ING|1|1.00||||", b"", b"P2|ING|x|1.00||||"]))
    bad: list[Reject] = []
    rows = list(read_sitc(path, 0, bad.append))
    assert [r[1] for r in rows] == [2]
    assert [(b.line, b.reason) for b in bad] == [(4, "stock 'x' is not a whole number")]


def test_reading_is_done_in_blocks_not_the_whole_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sitc, "BLOCK_BYTES", 1024)
    path = tmp_path / "feed.txt"
    path.write_text("".join(f"P{i}|ING|1|1.00||||\n" for i in range(2000)))
    with SitcFile(path, 0, lambda r: None) as feed:
        sizes = [len(s.data) for s in feed.segments() if isinstance(s, PlainLines)]
    assert len(sizes) > 20 and max(sizes) <= 1024 + 32  # a block, and the line it cut
    assert sum(sizes) == path.stat().st_size
