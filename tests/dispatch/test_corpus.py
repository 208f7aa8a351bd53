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


def _claims(name):
    from fulfilment_engine.dispatch.claims import claims_of_reading

    return claims_of_reading(read((CORPUS / name).read_bytes()))


def test_a_table_naming_several_pos_gives_each_its_rows_and_their_tracking():
    claims = _claims("14_tdsynnex_two_pos.eml")
    assert [(c.po, [t.number for t in c.tracking], [line.code for line in c.lines]) for c in claims] == [
        ("P00013", ["772410985611"], ["W1A53A#B19", "KVR26S19S8/16"]),
        ("P00018", ["798854003124"], ["920-004536"]),
    ]


def test_one_po_or_none_is_one_claim_with_everything_read():
    (claim,) = _claims("04_vip_pdf_partial.eml")
    assert (claim.po, claim.scope, len(claim.lines), claim.says_despatch) == ("P00015", "partial", 2, True)
    (claim,) = _claims("13_westcoast_order_number_only.eml")
    assert (claim.po, [t.number for t in claim.tracking]) == ("", ["15501234567894"])
    (claim,) = _claims("07_tdsynnex_invoice.eml")
    assert not claim.says_despatch  # an invoice names a PO and a line, and nothing despatched


def test_a_report_gives_each_po_its_rows():
    from fulfilment_engine.dispatch.claims import claims_of_report
    from fulfilment_engine.dispatch.report import load_report_mapping, read_report

    attachment = from_mime((CORPUS / "05_target_csv_report.eml").read_bytes()).attachments[0]
    mapping = load_report_mapping(CORPUS.parents[2] / "data/despatch-mappings/target.toml")
    claims = claims_of_report(read_report(attachment.content, attachment.name, mapping, po_pattern()))
    assert [(c.po, c.tracking[0].number, c.lines[0].code, c.lines[0].quantity) for c in claims] == [
        ("P00016", "183928252", "920-004536", Decimal(5)),
        ("P00017", "480253470", "BX700UI", Decimal(1)),
        ("P00099", "778812346", "KVR26S19S8/16", Decimal(2)),
    ]
