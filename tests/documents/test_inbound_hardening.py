"""Careless and hostile input the parser itself settles: quantities that are not positive numbers, the
shared secret compared exactly, the one size limit, and the stored copy that never holds a secret in
whatever shape or encoding the document came."""

from __future__ import annotations

import pytest

from fulfilment_engine.documents import cxml

SECRET = "td-inbound-7731"
QUANTITY = b'<ShipNoticeItem quantity="2" lineNumber="2">'
REJECTED = b'<ConfirmationStatus quantity="1" type="reject">'


# ---------------------------------------------------------------------------------------------- quantities


@pytest.mark.parametrize("raw", ["-1", "0", "0.000", "-0", "1_000", "NaN", "Infinity", "two", "", "0x10"])
def test_a_ship_notice_quantity_must_be_a_number_above_zero(sample, raw):
    body = sample("ship_notice_partial.xml").replace(
        QUANTITY, QUANTITY.replace(b'"2"', f'"{raw}"'.encode(), 1)
    )
    with pytest.raises(cxml.CxmlMalformed) as caught:
        cxml.parse_inbound_request(body)
    assert caught.value.where.endswith("ShipNoticePortion/ShipNoticeItem[2]@quantity") or (
        raw == "" and "ShipNoticeItem[2]" in caught.value.where
    )


@pytest.mark.parametrize("raw", ["-2", "0", "1e", "١"])
def test_a_confirmed_or_rejected_quantity_must_be_a_number_above_zero(sample, raw):
    body = sample("confirmation_detail_backorder.xml").replace(
        REJECTED, REJECTED.replace(b'"1"', f'"{raw}"'.encode(), 1)
    )
    with pytest.raises(cxml.CxmlMalformed) as caught:
        cxml.parse_inbound_request(body)
    assert caught.value.where.endswith("ConfirmationItem[3]/ConfirmationStatus@quantity")


def test_fractional_and_exponent_quantities_are_numbers(sample):
    body = sample("ship_notice_partial.xml").replace(QUANTITY, QUANTITY.replace(b'"2"', b'"1.5E0"', 1))
    notice = cxml.parse_inbound_request(body)
    assert [str(line.quantity) for line in notice.lines][1] == "1.5"


# ---------------------------------------------------------------------------------------------- secret


def test_the_secret_is_compared_exactly_while_identity_and_domain_are_trimmed(sample):
    expected = cxml.Credential("DUNS", "219876543", SECRET)
    original = sample("ship_notice_partial.xml")
    assert cxml.verify_sender(cxml.parse_inbound_request(original).sender, expected)
    for padded in (f" {SECRET}", f"{SECRET}\n", f"\n        {SECRET}\n      "):
        body = original.replace(SECRET.encode(), padded.encode())
        assert not cxml.verify_sender(cxml.parse_inbound_request(body).sender, expected), repr(padded)
    roomy = original.replace(
        b"<Identity>219876543</Identity>", b"<Identity>\n 219876543 </Identity>"
    ).replace(b'<Credential domain="DUNS">', b'<Credential domain=" DUNS ">')
    assert cxml.verify_sender(cxml.parse_inbound_request(roomy).sender, expected)


# ---------------------------------------------------------------------------------------------- size


def test_one_size_limit_of_5_mib():
    assert cxml.MAX_DOCUMENT_BYTES == 5 * 1024 * 1024
    padding = b" " * (cxml.MAX_DOCUMENT_BYTES + 1 - len(b"<cXML/>"))
    with pytest.raises(cxml.CxmlMalformed, match="larger than 5242880 bytes"):
        cxml.parse_inbound_request(b"<cXML/>" + padding)


# ---------------------------------------------------------------------------------------------- stored copy

SECRET_SHAPES = [
    b"<SharedSecret>td-inbound-7731</SharedSecret >",
    b'<SharedSecret xml:lang="en">td-inbound-7731</SharedSecret>',
    b"<SharedSecret\n>td-inbound-7731</SharedSecret\n>",
    b"<SharedSecret><![CDATA[td-inbound-7731]]></SharedSecret>",
    b"<SharedSecret>td-&#105;nbound-7731</SharedSecret>",
    b"<SharedSecret>td-inbound<!-- split -->-7731</SharedSecret>",
    b"<SharedSecret>td-<b>inbound</b>-7731</SharedSecret>",
]


@pytest.mark.parametrize("shape", SECRET_SHAPES)
def test_the_stored_copy_masks_every_shape_of_shared_secret(sample, shape):
    body = sample("ship_notice_partial.xml").replace(b"<SharedSecret>td-inbound-7731</SharedSecret>", shape)
    copy = cxml.stored_copy(body)
    assert copy.raw is None
    for piece in ("td-inbound-7731", "inbound", "7731"):
        assert piece not in copy.text
    assert f"<SharedSecret>{cxml.SECRET_MASK}</SharedSecret>" in copy.text.replace(' xml:lang="en"', "")
    # Everything else is what was sent.
    assert cxml.parse_inbound_request(copy.text.encode()).shipment_id == "TD-DN-88120031"


@pytest.mark.parametrize("encoding", ["UTF-16", "UTF-16-LE", "UTF-32", "ISO-8859-1", "windows-1252"])
def test_the_stored_copy_of_any_encoding_is_its_text_in_utf8(sample, encoding):
    text = (
        sample("ship_notice_partial.xml")
        .decode()
        .replace('encoding="UTF-8"', f'encoding="{encoding}"')
        .replace("TD SYNNEX Tamworth DC", "Entrepôt Café Zürich")
    )
    body = text.encode(encoding)
    if encoding == "UTF-16-LE":
        body = text.replace('encoding="UTF-16-LE"', 'encoding="UTF-16"').encode("utf-16-le")
    assert cxml.verify_sender(
        cxml.parse_inbound_request(body).sender, cxml.Credential("DUNS", "219876543", SECRET)
    )
    copy = cxml.stored_copy(body)
    assert "Entrepôt Café Zürich" in copy.text
    assert SECRET not in copy.text
    assert "\0" not in copy.text
    # The encoding it came in is recorded (libxml2 names UTF-32 by the byte order it found).
    assert copy.encoding.upper().replace("-", "").startswith(encoding.upper().replace("-", "")[:5])
    assert copy.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "ISO-8859-1"])
def test_a_document_that_does_not_parse_is_kept_as_bytes_with_its_secret_blanked(encoding):
    broken = (
        f"<cXML><Header><Sender><Credential><SharedSecret >{SECRET}</SharedSecret><Identity>Zé</Identity>"
    )
    body = (f'<?xml version="1.0" encoding="{encoding}"?>' + broken).encode(encoding)
    copy = cxml.stored_copy(body)
    assert copy.text is None
    assert SECRET.encode(encoding).removeprefix(b"\xff\xfe") not in copy.raw
    assert copy.raw.decode(encoding).endswith(
        f"<SharedSecret >{cxml.SECRET_MASK}</SharedSecret><Identity>Zé</Identity>"
    )
    # No end tag: blanked to the end of the document, nothing of the secret kept.
    unterminated = cxml.stored_copy(f"<cXML><SharedSecret>{SECRET}\n<Other>".encode())
    assert unterminated.raw == f"<cXML><SharedSecret>{cxml.SECRET_MASK}".encode()
    # Bytes that are not text in the encoding stay exactly as they were.
    garbage = b"\xff\xfe\xfdnot xml <SharedSecret>x</SharedSecret> \x80\x81"
    assert cxml.stored_copy(garbage.replace(b"\xff\xfe", b"\xfa\xfb")).raw == garbage.replace(
        b"\xff\xfe", b"\xfa\xfb"
    ).replace(b">x<", f">{cxml.SECRET_MASK}<".encode())
