"""Reading one e-mail: its subject, the new part of its body (HTML or text) and its attachments.

`Incoming` is the message as any mail system hands it over — the subject, a text and/or HTML body and the
attachments — so the reader serves a raw MIME message (`from_mime`) and Odoo's parsed message dict alike.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, replace
from email.message import EmailMessage

from . import attachments as attachment_reader
from .attachments import Attachment, Unreadable
from .blocks import Block, Table, TextBlock
from .html import PLACEHOLDER_RE, html_lines
from .model import Reading
from .quotes import new_part
from .scan import is_table_header, scan

_IGNORED_TYPES = ("image/", "application/pkcs7-signature", "application/x-pkcs7-signature", "text/calendar")


@dataclass(frozen=True)
class Incoming:
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    message_id: str = ""
    email_from: str = ""


def from_mime(raw: bytes | str | EmailMessage) -> Incoming:
    """An `Incoming` from a whole MIME message (bytes as received, or already parsed)."""
    if isinstance(raw, EmailMessage):
        message = raw
    elif isinstance(raw, bytes):
        message = email.message_from_bytes(raw, policy=email.policy.default)
    else:
        message = email.message_from_string(raw, policy=email.policy.default)
    text = html = ""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is not None:
            content = _content(part)
            if kind == "plain":
                text = content
            else:
                html = content
    found = []
    for part in message.iter_attachments():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True) or b""
        found.append(Attachment(part.get_filename() or "", part.get_content_type(), payload))
    return Incoming(
        subject=str(message.get("Subject", "") or ""),
        text=text,
        html=html,
        attachments=tuple(found),
        message_id=str(message.get("Message-Id", "") or "").strip(),
        email_from=str(message.get("From", "") or ""),
    )


def _content(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError):  # an unknown or lying charset: read it as UK mail usually is
        return attachment_reader.decode_text(part.get_payload(decode=True) or b"")


def blocks(incoming: Incoming) -> tuple[list[Block], list[str]]:
    """(the blocks to scan, notes for a person on what was left aside)."""
    notes: list[str] = []
    out: list[Block] = [TextBlock("subject", (incoming.subject,))]
    if incoming.html.strip():
        body, cut = _html_blocks(incoming.html, "body")
    else:
        lines, cut = new_part(incoming.text)
        body = [TextBlock("body", tuple(lines))]
    if cut:
        notes.append("the quoted history below the reply was not read")
    out.extend(body)
    for attachment in incoming.attachments:
        if attachment.content_type.startswith(_IGNORED_TYPES) or (
            not attachment.name and attachment_reader.kind(attachment) is None
        ):
            continue
        try:
            out.extend(
                attachment_reader.blocks_of(
                    attachment, lambda markup, where: _html_blocks(markup, where)[0], is_table_header
                )
            )
        except Unreadable as exc:
            notes.append(f"attachment {attachment.name or attachment.content_type}: {exc}")
    return out, notes


def _html_blocks(markup: str, where: str) -> tuple[list[Block], bool]:
    lines, tables, removed = html_lines(markup, lambda row: is_table_header([cell for cell in row if cell]))
    kept, cut = new_part("\n".join(lines))
    cut = cut or removed
    out: list[Block] = []
    text: list[str] = []
    for line in kept:
        placeholder = PLACEHOLDER_RE.match(line)
        if placeholder is None:
            text.append(line)
            continue
        table = tables[int(placeholder.group(1)) - 1]
        out.append(replace(table, where=f"{where} table {placeholder.group(1)}"))
    return [TextBlock(where, tuple(text)), *out], cut


def po_pattern(prefix: str = "P", padding: int = 5) -> re.Pattern[str]:
    """Our purchase order names as Odoo's purchase sequence makes them (prefix "P", 5 digits: P00012)."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}\d{{{padding},}}(?![A-Za-z0-9])", re.IGNORECASE)


def read(
    incoming: Incoming | bytes | str,
    pattern: re.Pattern[str] | None = None,
    known_codes=None,
) -> Reading:
    """What one e-mail says about despatch (see `scan` for the rules)."""
    if not isinstance(incoming, Incoming):
        incoming = from_mime(incoming)
    found, notes = blocks(incoming)
    reading = scan(found, pattern or po_pattern(), known_codes)
    return replace(reading, notes=tuple(notes))


__all__ = ["Attachment", "Incoming", "Table", "blocks", "from_mime", "po_pattern", "read"]
