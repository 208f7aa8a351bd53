"""Only the new part of a reply counts: the history it quotes is our own PO e-mail (or an older despatch
note), whose numbers must not be read again as this message's.

Where the quote starts is found by `mail-parser-reply` (MIT; "On … wrote:" in many languages, Outlook's
From/Sent/To/Subject header block, "-----Original Message-----", underscore separators). That library
tidies the text as it reads it (it strips every line), so its answer is used to find the cut, and the
lines kept are the original ones: column-aligned tables keep their columns. Lines quoted with ">" that
are left above the cut (an answer written between quoted lines) are dropped too.
"""

from __future__ import annotations

from mailparser_reply import EmailReplyParser

# English first; the others are there because UK distributors' group mail systems are often not English.
LANGUAGES = ("en", "de", "fr", "nl", "es", "it")


def new_part(text: str) -> tuple[list[str], bool]:
    """(the lines of `text` above any quoted history, whether something was cut)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    latest = EmailReplyParser(languages=list(LANGUAGES)).parse_reply(text) or ""
    wanted = [line.strip() for line in latest.split("\n") if line.strip()]
    kept: list[str] = []
    cut = False
    position = 0
    for index, line in enumerate(lines):
        if position >= len(wanted):
            cut = any(rest.strip() for rest in lines[index:])
            break
        if line.strip() and line.strip() == wanted[position]:
            position += 1
        elif line.strip() and wanted[position].startswith(line.strip()):
            # the library split a line of underscores off the text before it: same place, keep it
            position += 1
        kept.append(line)
    without_quoted = [line for line in kept if not line.lstrip().startswith(">")]
    return without_quoted, cut or len(without_quoted) != len(kept)
