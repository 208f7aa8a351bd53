"""Dispatch e-mails and despatch reports: what a distributor tells us about despatch by e-mail or in a
file, made into tracking on the drop-ship delivery without a person when it is unambiguous.

Every message received at the dispatch address, every message routed into a drop-ship PO's thread from
outside the company, and every despatch report dropped in the despatch folder becomes one record here
(Orders Inbox → Dispatch e-mails): what was read (the engine's `fulfilment_engine.dispatch`), what was
done and why. For each purchase order it concerns (`purchase_order_dispatch.py` decides):
- ignored: not from the PO's distributor, nothing said about despatch, or said already — nothing changed;
- applied: the sender is the PO's distributor, its tracking numbers validate, and either the whole order
  went and the PO has one open drop-ship delivery, or the lines and quantities named match open moves —
  recorded through the PO's shipment method, as a cXML ship notice is;
- proposed: anything else — one activity on the PO ("Dispatch e-mail to check") and, here, the PO's open
  lines to pick, with Apply.
The same Message-Id twice is one record (Odoo's gateway drops the second copy, and the Message-Id is
unique here); a tracking number already on a delivery of the PO changes nothing again.
"""

import hashlib
import logging
from pathlib import Path

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import UserError

from fulfilment_engine.dispatch import message as dispatch_message
from fulfilment_engine.dispatch.attachments import Attachment
from fulfilment_engine.dispatch.claims import claims_of_reading, claims_of_report
from fulfilment_engine.dispatch.model import Report
from fulfilment_engine.dispatch.report import parse_report_mapping_text, read_report
from fulfilment_engine.errors import InputError

_logger = logging.getLogger(__name__)

MIME_CONTEXT_KEY = "channel_dispatch_mime"  # the received bytes, passed on by mail.thread's routing
REPORT_SUFFIXES = (".csv", ".xlsx", ".xlsm")


class ChannelDispatchMessage(models.Model):
    _name = "channel.dispatch.message"
    _description = "Dispatch e-mail or despatch report"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "subject"
    _primary_email = "email_from"

    message_id = fields.Char(string="Message-Id", required=True, readonly=True, copy=False)
    email_from = fields.Char(string="From", readonly=True)
    subject = fields.Char(readonly=True)
    source = fields.Selection(
        [
            ("alias", "Dispatch address"),
            ("reply", "Reply to a purchase order"),
            ("folder", "Despatch folder"),
        ],
        required=True,
        default="alias",
        readonly=True,
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    purchase_id = fields.Many2one("purchase.order", string="Purchase order", index="btree_not_null")
    purchase_ids = fields.Many2many("purchase.order", string="Purchase orders named")
    distributor_id = fields.Many2one("res.partner", string="Distributor")
    state = fields.Selection(
        [("applied", "Applied"), ("proposed", "To check"), ("ignored", "Ignored")],
        required=True,
        default="ignored",
        readonly=True,
    )
    reason = fields.Text(readonly=True)
    reading = fields.Text(string="What was read", readonly=True)
    tracking_numbers = fields.Char(help='As read, ", "-joined; Apply records what stands here.')
    carrier = fields.Char()
    picking_ids = fields.Many2many("stock.picking", string="Deliveries changed", readonly=True)
    line_ids = fields.One2many("channel.dispatch.message.line", "dispatch_id", string="Lines to ship")

    _message_id_unique = models.Constraint(
        "UNIQUE(message_id)", "This message was received already: one dispatch record per Message-Id."
    )

    # ----------------------------------------------------------------------------------- receiving

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A message to the dispatch address: one record, read and acted on."""
        values = {**(custom_values or {}), **self._channel_envelope(msg_dict, "alias")}
        record = self.create(values)
        record._channel_receive(msg_dict)
        return record

    def message_update(self, msg_dict, update_vals=None):
        """A reply to a dispatch record (a distributor answering its own despatch note, sent to us): a
        message of its own all the same, so a record of its own."""
        self.ensure_one()
        self._channel_receive_new(msg_dict, "alias", company=self.company_id)
        return super().message_update(msg_dict, update_vals=update_vals)

    @api.model
    def _channel_receive_new(self, msg_dict, source, company, purchase=None):
        """A record for a message received in another thread (a PO's, another dispatch record's)."""
        values = self._channel_envelope(msg_dict, source)
        if self.search_count([("message_id", "=", values["message_id"])]):
            return self.browse()
        record = self.create({**values, "company_id": company.id})
        record._channel_receive(msg_dict, purchase=purchase)
        return record

    @api.model
    def _detect_loop_sender_domain(self, email_from_normalized):
        """No loop detection here: Odoo drops mail from a sender that made 20 records within two hours
        (`mail.gateway.loop.threshold`), taking it for an auto-replier answering an auto-reply. The
        dispatch address never answers, so no loop can run through it, and a distributor sending its
        day's despatch notes must not lose the twenty-first."""
        return False

    @api.model
    def _channel_envelope(self, msg_dict, source):
        message_id = msg_dict.get("message_id")
        if not message_id:  # no Message-Id: one made from the content, so a copy is still one record
            digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in msg_dict.items())).encode())
            message_id = f"<dispatch-{digest.hexdigest()[:32]}@channel-fulfilment>"
        return {
            "message_id": message_id,
            "email_from": msg_dict.get("email_from") or "",
            "subject": msg_dict.get("subject") or "",
            "source": source,
        }

    @api.private
    def _channel_receive(self, msg_dict, purchase=None):
        """Read and act in a savepoint: whatever goes wrong, the record stays, `proposed` with the cause
        (a failure raised into the gateway would bounce the message and lose it)."""
        self.ensure_one()
        incoming = self._channel_incoming(msg_dict)
        try:
            with self.env.cr.savepoint():
                self._channel_process(incoming, purchase=purchase, msg_dict=msg_dict)
        except Exception as exc:
            _logger.exception("dispatch message %s could not be processed", self.message_id)
            self.write(
                {"state": "proposed", "reason": self.env._("Could not be read: %s", str(exc) or repr(exc))}
            )

    @api.model
    def _channel_incoming(self, msg_dict):
        """What the engine reads: the bytes as received when the gateway passed them on (Odoo's parsed
        body is sanitized HTML: a plain-text table loses its columns, quotes lose their classes), else
        the parsed message."""
        raw = self.env.context.get(MIME_CONTEXT_KEY)
        if raw:
            return dispatch_message.from_mime(raw)
        attachments = []
        for attachment in msg_dict.get("attachments") or ():
            content = attachment.content
            attachments.append(
                Attachment(
                    attachment.fname or "", "", content.encode() if isinstance(content, str) else content
                )
            )
        return dispatch_message.Incoming(
            subject=msg_dict.get("subject") or "",
            html=str(msg_dict.get("body") or ""),
            attachments=tuple(attachments),
            message_id=msg_dict.get("message_id") or "",
            email_from=msg_dict.get("email_from") or "",
        )

    # ----------------------------------------------------------------------------------- deciding

    @api.private
    def _channel_process(self, incoming, purchase=None, msg_dict=None, report=None, distributor=None):
        """Read; tie to purchase orders and a distributor; decide per purchase order; act."""
        self.ensure_one()
        env = self.env
        company = self.company_id
        pattern = company._channel_po_pattern()
        if distributor is None:
            distributor = env["res.partner"]._channel_dispatch_distributor(self.email_from, company)
        notes = []
        if report is None and distributor:
            report = self._channel_attached_report(incoming, distributor, pattern)
        if report is not None:
            reading = None
            claims = claims_of_report(report)
            notes += [str(bad) for bad in report.bad]
            summary = env._(
                "Despatch report %(name)s: %(rows)s rows", name=report.source, rows=len(report.rows)
            )
        else:
            reading = dispatch_message.read(incoming, pattern)
            claims = claims_of_reading(reading)
        purchases = env["purchase.order"]._channel_dispatch_purchases(claims, reading, distributor, company)
        if purchase and not purchases:
            purchases = purchase  # a reply in the PO's thread that does not name it
        if reading is not None:
            if purchases:  # read again knowing the products: running text names only these
                reading = dispatch_message.read(
                    incoming, pattern, known_codes=purchases._channel_dispatch_codes()
                )
                claims = claims_of_reading(reading)
            notes += list(reading.notes)
            summary = reading.summary()
        tracking = [t for claim in claims for t in claim.tracking]
        self.write(
            {
                "reading": summary,
                "tracking_numbers": ", ".join(dict.fromkeys(t.number for t in tracking)),
                "carrier": ", ".join(dict.fromkeys(t.carrier for t in tracking if t.carrier)),
                "distributor_id": distributor.id,
                "purchase_ids": [fields.Command.set(purchases.ids)],
                "purchase_id": purchases.id if len(purchases) == 1 else False,
            }
        )
        if msg_dict is not None and self.source == "alias":
            self._channel_post_on(purchases, msg_dict)
        elif report is not None and msg_dict is None:
            self._channel_note_report_on(purchases, report)
        outcomes = []
        named = {claim.po for claim in claims if claim.po}
        for po in purchases:
            claim = self._channel_claim_for(po, claims)
            outcomes.append((po, *po._channel_dispatch_decide(self, claim, distributor)))
        for ref in sorted(named - set(purchases.mapped("name"))):
            outcomes.append((None, "ignored", env._("%s is no open purchase order of ours.", ref)))
        if not purchases:
            reason = env._(
                "No purchase order of ours is named, by its reference or by the distributor's order number: "
                "nothing changed."
            )
            self._channel_conclude("ignored", [reason] + [r for _po, _s, r in outcomes] + notes)
            return
        states = {state for po, state, _reason in outcomes if po}
        state = "proposed" if "proposed" in states else "applied" if "applied" in states else "ignored"
        reasons = [
            f"{po.name}: {reason}" if po is not None and len(outcomes) > 1 else reason
            for po, _state, reason in outcomes
        ]
        self._channel_conclude(state, reasons + notes)

    @staticmethod
    def _channel_claim_for(po, claims):
        """The claim about `po`: the one naming it, else (a message naming none, found by its order
        number or its thread) the one naming no PO."""
        for claim in claims:
            if claim.po == po.name:
                return claim
        return next((claim for claim in claims if not claim.po), claims[0])

    def _channel_conclude(self, state, reasons):
        self.write({"state": state, "reason": "\n".join(r for r in reasons if r)})

    @api.private
    def _channel_attached_report(self, incoming, distributor, pattern):
        """Its CSV/XLSX attachments read through the distributor's despatch report mapping, or None when
        the distributor has no mapping or the message carries no report."""
        files = [a for a in incoming.attachments if a.name.lower().endswith(REPORT_SUFFIXES)]
        if not distributor.channel_despatch_mapping or not files:
            return None
        return self._channel_read_reports(distributor, [(a.name, a.content) for a in files], pattern)

    @api.model
    def _channel_read_reports(self, distributor, files, pattern):
        mapping = parse_report_mapping_text(
            distributor.channel_despatch_mapping, f"{distributor.name}: despatch report mapping"
        )
        rows, bad = [], []
        for name, content in files:
            try:
                report = read_report(content, name, mapping, pattern)
            except InputError as exc:
                bad.append(exc)
                continue
            rows += report.rows
            bad += report.bad
        refs = tuple(dict.fromkeys(row.po for row in rows))
        return Report(", ".join(name for name, _ in files), tuple(rows), tuple(bad), refs)

    @api.private
    def _channel_post_on(self, purchases, msg_dict):
        """The message itself in each PO's chatter (a reply in a PO's thread is posted there by Odoo)."""
        link = Markup('<p><a href="#" data-oe-model="%s" data-oe-id="%s">%s</a></p>') % (
            self._name,
            self.id,
            self.env._("Received at the dispatch address"),
        )
        attachments = [
            (a.fname, a.content.encode() if isinstance(a.content, str) else a.content)
            for a in msg_dict.get("attachments") or ()
            if a.fname
        ]
        for po in purchases:
            po.message_post(
                body=link + Markup(msg_dict.get("body") or ""),
                subject=msg_dict.get("subject"),
                email_from=msg_dict.get("email_from"),
                author_id=msg_dict.get("author_id"),
                message_type="email",
                subtype_xmlid="mail.mt_note",
                attachments=attachments,
            )

    @api.private
    def _channel_note_report_on(self, purchases, report):
        """A report from the despatch folder: each PO's chatter names the file and its rows."""
        for po in purchases:
            rows = "; ".join(
                f"{row.code} × {row.quantity.normalize():f} {row.carrier} {row.tracking}".strip()
                for row in report.rows_for(po.name)
            )
            po.message_post(
                body=self.env._("Despatch report %(file)s: %(rows)s", file=report.source, rows=rows),
                subtype_xmlid="mail.mt_note",
            )

    # ----------------------------------------------------------------------------------- a person

    def action_apply(self):
        """What a person picked: the quantities of the lines, with the tracking numbers and carrier above."""
        for record in self:
            if record.state == "applied":
                continue
            numbers = [n.strip() for n in (record.tracking_numbers or "").split(",") if n.strip()]
            picked = record.line_ids.filtered(lambda line: line.quantity > 0)
            if not numbers:
                raise UserError(self.env._("Enter the tracking number(s) before applying."))
            if not picked:
                raise UserError(self.env._("Pick at least one line with a quantity to ship."))
            for line in picked:
                if line.move_id.state in ("done", "cancel"):
                    raise UserError(
                        self.env._(
                            "%s was shipped or cancelled meanwhile: reload the lines.", line.product_id.name
                        )
                    )
                if line.move_id.product_uom.compare(line.quantity, line.remaining) > 0:
                    raise UserError(
                        self.env._(
                            "%(product)s: %(qty)s is more than the %(left)s left to ship.",
                            product=line.product_id.display_name,
                            qty=line.quantity,
                            left=line.remaining,
                        )
                    )
            answers = []
            for po in picked.purchase_id:
                quantities = {line.move_id: line.quantity for line in picked if line.purchase_id == po}
                shipment, problem = po._channel_dispatch_shipment(
                    record, quantities, numbers, record.carrier or ""
                )
                if problem:
                    raise UserError(problem)
                answers.append(po._channel_dispatch_apply(record, shipment))
                po._channel_dispatch_activity_done(record)
            applied_by = self.env._(
                "Applied by %(user)s: %(what)s", user=self.env.user.name, what=" ".join(answers)
            )
            record.write({"state": "applied", "reason": "\n".join(filter(None, [record.reason, applied_by]))})
            record.line_ids.unlink()
        return True

    @api.private
    def _channel_propose_lines(self, po, quantities):
        """The PO's open drop-ship moves as lines to pick, each with what was read for it (or 0)."""
        self.ensure_one()
        moves = po._channel_open_dropship_moves()
        self.line_ids.filtered(lambda line: line.purchase_id == po).unlink()
        self.write(
            {
                "line_ids": [
                    fields.Command.create(
                        {"purchase_id": po.id, "move_id": move.id, "quantity": quantities.get(move, 0.0)}
                    )
                    for move in moves
                ]
            }
        )

    # ----------------------------------------------------------------------------------- the folder

    @api.model
    def _cron_read_despatch_folder(self):
        """Despatch reports dropped in each company's despatch folder: `<folder>/<engine id>/*.csv|xlsx`,
        read with that distributor's mapping, then moved to `done/` (or `failed/` when unreadable)."""
        for company in self.env["res.company"].sudo().search([("channel_despatch_folder", "!=", False)]):
            root = Path(company.channel_despatch_folder)
            distributors = (
                self.env["res.partner"]
                .sudo()
                .search(
                    [
                        ("is_distributor", "=", True),
                        ("engine_id", "!=", False),
                        ("channel_despatch_mapping", "!=", False),
                        ("company_id", "in", (False, company.id)),
                    ]
                )
            )
            for distributor in distributors:
                folder = root / distributor.engine_id
                if not folder.is_dir():
                    continue
                files = sorted(
                    p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
                )
                for path in files:
                    done = self.with_company(company)._channel_read_despatch_file(company, distributor, path)
                    target = folder / ("done" if done else "failed")
                    target.mkdir(exist_ok=True)
                    path.rename(target / path.name)
                    self.env["ir.cron"]._commit_progress(1)  # the file moved: its record must stay

    @api.model
    def _channel_read_despatch_file(self, company, distributor, path):
        """One dropped report: one record (its content's digest is the Message-Id, so the same file
        dropped twice is read once). True when it was read."""
        content = path.read_bytes()
        message_id = f"<despatch-{hashlib.sha256(content).hexdigest()[:40]}@{distributor.engine_id}>"
        if self.search_count([("message_id", "=", message_id)]):
            return True
        record = self.create(
            {
                "message_id": message_id,
                "email_from": distributor.email or "",
                "subject": path.name,
                "source": "folder",
                "company_id": company.id,
            }
        )
        pattern = company._channel_po_pattern()
        try:
            with self.env.cr.savepoint():
                report = self._channel_read_reports(distributor, [(path.name, content)], pattern)
                if report.bad and not report.rows:
                    raise InputError(path.name, "; ".join(str(bad) for bad in report.bad))
                record._channel_process(None, report=report, distributor=distributor)
        except Exception as exc:
            _logger.info("despatch report %s could not be read: %s", path, exc)
            record.write({"state": "proposed", "reason": self.env._("Could not be read: %s", exc)})
            return False
        return True
