"""The touchless benchmark's distributors on e-mail (bench/touchless.py): VIP Computers (VP) and Target
Components (TG) take our PDF purchase orders by e-mail and answer with dispatch e-mails — VIP a plain-text
despatch note, Target a CSV despatch report read through the mapping set on it — sent to the reseller's
dispatch address through Odoo's own mail gateway (`mail.thread.message_process` over JSON-2, what
odoo-mailgate or an incoming mail server calls). Not a benchmark on its own (the name starts with "_").

Most dispatch e-mails are clean and must be applied without a person. A few are not: a part despatch
naming no lines and a mistyped tracking number must wait for a person (proposed), and a stranger naming a
real purchase order must change nothing (ignored). Each e-mail's outcome is read back from Odoo and held
to what it should be.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from fulfilment_engine.dispatch import carriers
from fulfilment_engine.dispatch.message import from_mime
from fulfilment_engine.simulators.dispatch_mail import DispatchMailer, MailDistributor

ALIAS_DOMAIN = "reseller.example"
MAIL = {
    "VP": MailDistributor(
        "VIP Computers", "VIP Despatch <despatch@vip.example>", "text", carriers.ROYAL_MAIL
    ),
    "TG": MailDistributor(
        "Target Components", "Target Reports <reports@target.example>", "csv", carriers.TNT
    ),
}
# Target's report as its simulator writes it (fulfilment_engine/simulators/dispatch_mail.py, layout "csv")
TARGET_MAPPING = """\
[columns]
po = "Your Order No"
part_number = "Part Code"
quantity = "Qty"
carrier = "Courier"
tracking = "Consignment No"
"""
UNCLEAR_SHARE = 0.05  # of the e-mail POs: a part despatch naming no lines, and as many mistyped numbers


@dataclass
class DispatchMail:
    po: str
    kind: str  # "despatch", "part_without_lines", "mistyped", "stranger"
    message_id: str
    tracking: str
    expected: str  # applied, proposed or ignored


def configure(admin) -> str:
    """The reseller's e-mail domain (its dispatch address follows, Odoo's rule for a first alias domain)
    and Target's despatch report mapping; returns the dispatch address."""
    (domain,) = admin("mail.alias.domain", "create", vals_list=[{"name": ALIAS_DOMAIN}])
    (company,) = admin.search_read("res.company", [], ["id"], limit=1)
    admin("res.company", "write", ids=[company["id"]], vals={"alias_domain_id": domain})
    (target,) = admin.search_read("res.partner", [("engine_id", "=", "TG")], ["id"])
    admin("res.partner", "write", ids=[target["id"]], vals={"channel_despatch_mapping": TARGET_MAPPING})
    (company,) = admin.read("res.company", [company["id"]], ["channel_dispatch_alias_id"])
    (alias,) = admin.read("mail.alias", [company["channel_dispatch_alias_id"][0]], ["alias_full_name"])
    return alias["alias_full_name"]


def send(
    admin, pos: list[dict], engine_of: dict[int, str], address: str, rng: random.Random
) -> list[DispatchMail]:
    """Dispatch e-mails for the e-mail distributors' POs that were e-mailed: one each, a few unclear, and
    first of all a stranger naming one of them."""
    mail_pos = [
        po for po in pos if engine_of[po["partner_id"][0]] in MAIL and po["channel_send_state"] == "emailed"
    ]
    if not mail_pos:
        return []
    codes = _lines(admin, mail_pos, engine_of)
    mailer = DispatchMailer(address, seed=rng.randrange(1000), domain="mail.vip-target.example")
    unclear = max(1, round(len(mail_pos) * UNCLEAR_SHARE))
    shuffled = rng.sample(mail_pos, len(mail_pos))
    part = {po["name"] for po in shuffled[:unclear]}
    mistyped = {po["name"] for po in shuffled[unclear : 2 * unclear]}
    sent = []
    target = shuffled[-1]["name"]  # a PO that also gets its true despatch, after the stranger's
    raw, number = mailer.stranger(target)
    sent.append(_process(admin, raw, target, "stranger", number, "ignored"))
    for po in mail_pos:
        distributor = MAIL[engine_of[po["partner_id"][0]]]
        name = po["name"]
        if name in part:
            raw, number = mailer.part_without_lines(distributor, name)
            sent.append(_process(admin, raw, name, "part_without_lines", number, "proposed"))
        elif name in mistyped:
            raw, number = mailer.mistyped(distributor, name)
            sent.append(_process(admin, raw, name, "mistyped", number, "proposed"))
        else:
            raw, number = mailer.despatch(distributor, name, codes[po["id"]])
            sent.append(_process(admin, raw, name, "despatch", number, "applied"))
    return sent


def _lines(admin, pos: list[dict], engine_of: dict[int, str]) -> dict[int, list[tuple[str, int]]]:
    """{PO id: [(the distributor's code, quantity)]}: what the PDF purchase order asked each for."""
    lines = admin.search_read(
        "purchase.order.line",
        [("order_id", "in", [po["id"] for po in pos]), ("channel_charge_type", "=", False)],
        ["order_id", "product_id", "product_qty"],
    )
    skus = {
        p["id"]: p["default_code"]
        for p in admin.read("product.product", {line["product_id"][0] for line in lines}, ["default_code"])
    }
    engine = {po["id"]: engine_of[po["partner_id"][0]] for po in pos}
    found: dict[int, list[tuple[str, int]]] = {po["id"]: [] for po in pos}
    for line in lines:
        po_id = line["order_id"][0]
        # the feed's part numbers (tests/common.offered_product): "<engine id>-<sku>"
        found[po_id].append((f"{engine[po_id]}-{skus[line['product_id'][0]]}", int(line["product_qty"])))
    return found


def _process(admin, raw: bytes, po: str, kind: str, number: str, expected: str) -> DispatchMail:
    """The message into Odoo's mail gateway, as odoo-mailgate hands it over (`model` False: the routes
    decide), over JSON-2 (Admin's own call takes `model` as its first argument, so it is posted here)."""
    response = admin.http.post(
        f"{admin.url}/json/2/mail.thread/message_process",
        json={"model": False, "message": raw.decode()},
        headers={"Authorization": f"bearer {admin.key}", "X-Odoo-Database": admin.db},
    )
    if response.status_code != 200:
        raise RuntimeError(f"message_process: {response.status_code} {response.text[:300]}")
    return DispatchMail(po, kind, from_mime(raw).message_id, number, expected)


def read_back(admin, sent: list[DispatchMail]) -> dict:
    """Each e-mail's outcome as Odoo recorded it, against the one it should have had."""
    records = {
        r["message_id"]: r
        for r in admin.search_read(
            "channel.dispatch.message",
            [("message_id", "in", [mail.message_id for mail in sent])],
            ["message_id", "state", "reason", "picking_ids"],
        )
    }
    pickings = admin.search_read(
        "stock.picking",
        [("picking_type_code", "=", "dropship"), ("carrier_tracking_ref", "!=", False)],
        ["carrier_tracking_ref", "state"],
    )
    on_deliveries = {
        n.strip() for p in pickings if p["state"] == "done" for n in p["carrier_tracking_ref"].split(",")
    }
    outcome = {
        "dispatch_emails": len(sent),
        "applied": 0,
        "proposed": 0,
        "ignored": 0,
        "lost": 0,
        "wrong": [],
    }
    for mail in sent:
        record = records.get(mail.message_id)
        if record is None:
            outcome["lost"] += 1
            outcome["wrong"].append(f"{mail.kind} for {mail.po}: no dispatch record")
            continue
        outcome[record["state"]] += 1
        tracked = mail.tracking in on_deliveries
        if record["state"] != mail.expected or tracked != (mail.expected == "applied"):
            reason = (record["reason"] or "").splitlines()[0][:160] if record["reason"] else ""
            outcome["wrong"].append(
                f"{mail.kind} for {mail.po}: {record['state']} (expected {mail.expected}), tracking "
                f"{'on' if tracked else 'not on'} a delivery — {reason}"
            )
    return outcome
