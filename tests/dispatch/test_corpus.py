"""The corpus of dispatch e-mails through the engine's reader: each message reads as expected.toml says.

The same `.eml` files go through Odoo's mail gateway in the addon's tests; here they are read as the
bytes a mail server hands over."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from fulfilment_engine.dispatch.message import from_mime, po_pattern, read

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
MESSAGES = {entry["file"]: entry for entry in EXPECTED["message"]}


def test_every_message_has_its_expectation():
    assert sorted(MESSAGES) == sorted(path.name for path in CORPUS.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_reads_as_expected(name):
    expected = MESSAGES[name]
    reading = read((CORPUS / name).read_bytes(), po_pattern("P", 5))
    assert list(reading.po_refs) == expected["po_refs"]
    assert list(reading.order_numbers) == expected["order_numbers"]
    assert [[t.carrier, t.number] for t in reading.tracking] == expected["tracking"]
    assert [d.number for d in reading.doubtful] == expected.get("doubtful", [])
    lines = [
        [line.po, line.code, line.quantity] if line.po else [line.code, line.quantity]
        for line in reading.lines
    ]
    assert lines == [[*row[:-1], Decimal(row[-1])] for row in expected["lines"]]
    assert (reading.scope or "") == expected["scope"]
    for note in expected.get("notes", []):
        assert any(note in text for text in reading.notes), reading.notes


def test_known_codes_keep_running_text_to_the_po_lines():
    # "2 x CF100001" is read from text only when CF100001 is one of the PO's codes
    text = b"Subject: P00012\r\n\r\nSent today: 2 x CF100001 and 1 x RMA-2231 (returns label).\r\n"
    assert [line.code for line in read(text).lines] == ["CF100001", "RMA-2231"]
    assert [line.code for line in read(text, known_codes=["cf100001"]).lines] == ["cf100001"]


def test_incoming_carries_the_envelope():
    incoming = from_mime((CORPUS / "04_vip_pdf_partial.eml").read_bytes())
    assert incoming.message_id == "<corpus-04.1772528400@vip-computers.co.uk>"
    assert incoming.email_from == "VIP Despatch <despatch@vip-computers.co.uk>"
    assert [a.name for a in incoming.attachments] == ["DN-778812.pdf"]


def test_an_unreadable_attachment_is_named_not_dropped():
    message = (
        b"From: despatch@vip-computers.co.uk\r\nSubject: P00015\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
        b"See the note.\r\n--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="note.pdf"\r\n\r\nnot a pdf at all\r\n--b--\r\n'
    )
    reading = read(message)
    assert reading.po_refs == ("P00015",)
    assert any(note.startswith("attachment note.pdf: not a readable PDF") for note in reading.notes)
