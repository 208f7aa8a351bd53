"""Carrier names as UK distributors write them, to one name each.

The names with a tracking rule in `tracking.RULES` come first; the others are carriers UK IT distributors
use whose numbers have no published shape (pallet networks, DX, APC): a number named with one of them is
taken as its tracking number only when the text calls it one (see `scan`). A carrier not listed at all
is still read from "Carrier: X" / "Courier: X" / "via X" and kept as written.
"""

from __future__ import annotations

import re

UPS = "UPS"
FEDEX = "FedEx"
DHL = "DHL Express"
DPD = "DPD"
ROYAL_MAIL = "Royal Mail"
PARCELFORCE = "Parcelforce"
EVRI = "Evri"
YODEL = "Yodel"
TNT = "TNT"

# alias (lower case, single spaces) → canonical name
ALIASES: dict[str, str] = {
    "ups": UPS,
    "united parcel service": UPS,
    "fedex": FEDEX,
    "fed ex": FEDEX,
    "federal express": FEDEX,
    "fedex express": FEDEX,
    "fedex ground": FEDEX,
    "dhl": DHL,
    "dhl express": DHL,
    "dhl worldwide express": DHL,
    "dpd": DPD,
    "dpd uk": DPD,
    "dpd local": DPD,
    "dpd next day": DPD,
    "royal mail": ROYAL_MAIL,
    "royalmail": ROYAL_MAIL,
    "royal mail tracked": ROYAL_MAIL,
    "royal mail special delivery": ROYAL_MAIL,
    "special delivery": ROYAL_MAIL,
    "parcelforce": PARCELFORCE,
    "parcel force": PARCELFORCE,
    "parcelforce worldwide": PARCELFORCE,
    "evri": EVRI,
    "hermes": EVRI,  # Evri was Hermes UK until 2022; old templates still say Hermes
    "yodel": YODEL,
    "tnt": TNT,
    "tnt express": TNT,
    # No published number shape: accepted only when the text names the number as tracking.
    "dhl parcel": "DHL Parcel UK",
    "dhl parcel uk": "DHL Parcel UK",
    "uk mail": "DHL Parcel UK",
    "apc overnight": "APC Overnight",
    "dx": "DX",
    "dx freight": "DX",
    "palletways": "Palletways",
    "pall-ex": "Pall-Ex",
    "pallex": "Pall-Ex",
    "tuffnells": "Tuffnells",
    "interlink": DPD,  # DPD Local's old name
    "gls": "GLS",
}

# A hyphen next to a name makes it part of a product name ("Back-UPS"), not a carrier.
_ALIAS_RE = re.compile(
    r"(?<![A-Za-z0-9\-])("
    + "|".join(sorted((re.escape(alias).replace(r"\ ", r"\s+") for alias in ALIASES), key=len, reverse=True))
    + r")(?![A-Za-z0-9\-])",
    re.IGNORECASE,
)
# "Carrier: Acme Freight", "Courier - Acme", "shipped via Acme Logistics", "Delivery service: Acme 24"
_NAMED_RE = re.compile(
    r"(?:\b(?:carrier|courier|haulier|delivery\s+(?:service|method|company)|shipping\s+method|service)"
    r"\s*(?:name)?\s*[:\-]\s*|\b(?:shipped|sent|despatched|dispatched|delivered)\s+(?:via|with|by)\s+"
    r"|\bvia\s+)"
    r"(?P<name>[A-Za-z][A-Za-z0-9&\-]*(?:[ ][A-Z][A-Za-z0-9&\-]*){0,2})",
    re.IGNORECASE,
)
# Words after "via" that are not carriers: "via our portal", "via email".
_NOT_CARRIERS = {
    "our", "the", "your", "email", "e-mail", "mail", "portal", "post", "web", "website", "phone",
    "a", "an", "courier", "carrier", "standard", "next", "normal", "separate", "this",
}  # fmt: skip


def canonical(name: str) -> str:
    """The one name of a carrier however written ("fed ex" → "FedEx"); an unknown name as written."""
    key = " ".join(name.lower().split())
    if key in ALIASES:
        return ALIASES[key]
    found = _ALIAS_RE.search(name)
    if found is not None:
        return ALIASES[" ".join(found.group(1).lower().split())]
    return " ".join(name.split())


def named_in(text: str) -> list[tuple[int, str]]:
    """Carriers named in `text`, with where each starts: known names anywhere, and any name after
    "Carrier:", "Courier:", "shipped via" … (so a carrier we have never heard of is still read)."""
    found: dict[int, str] = {}
    for match in _ALIAS_RE.finditer(text):
        found[match.start()] = ALIASES[" ".join(match.group(1).lower().split())]
    for match in _NAMED_RE.finditer(text):
        name = match.group("name").strip(" -")
        first = name.split()[0].lower()
        if first in _NOT_CARRIERS or any(match.start("name") <= at < match.end("name") for at in found):
            continue
        found[match.start("name")] = canonical(name)
    return sorted(found.items())
