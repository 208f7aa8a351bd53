"""Rows whose text cannot be trusted: a NUL byte, or bytes that are not in the file's encoding.

Feeds are decoded with `errors="surrogateescape"`: a byte the encoding does not know arrives as a lone
surrogate (U+DC80…U+DCFF) in its field instead of stopping the whole file, so the one row holding it is
a bad row naming its field, and the rest of the file loads. A NUL byte (a file padded with zeros by an
interrupted download, say) is refused the same way: databases cannot store it in text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Sequence

_SUSPECT = re.compile("[\x00\udc80-\udcff]")

has_suspect_text = _SUSPECT.search  # a quick look at a whole line before naming the field


def encoding_label(encoding: str) -> str:
    """How to name an encoding to a person: "UTF-8" for every spelling of it, else as configured."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return "UTF-8" if name in ("utf-8", "utf-8-sig") else encoding


def text_problem(fields: Sequence[str], field_name: Callable[[int], str], encoding: str) -> str | None:
    """Why the text of a row cannot be used (naming the field, counted from 1), or None when it can."""
    for index, value in enumerate(fields):
        found = _SUSPECT.search(value)
        if found is None:
            continue
        char = found.group()
        where = f"field {index + 1}{_named(field_name(index))}"
        if char == "\x00":
            return f"NUL byte in {where}"
        return f"not valid {encoding_label(encoding)} in {where}: byte 0x{ord(char) - 0xDC00:02X}"
    return None


def clean(value: str) -> str | None:
    """`value` when it is trustworthy text, else None (say, a distributor id to count a bad row under)."""
    return None if _SUSPECT.search(value) else value


def _named(name: str) -> str:
    if _SUSPECT.search(name):  # a header name in the wrong encoding: show it escaped
        name = name.encode("unicode_escape", "backslashreplace").decode("ascii")
    return f" ({name})" if name else ""
