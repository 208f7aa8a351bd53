"""Dispatch e-mails through Odoo's own mail gateway (`mail.thread.message_process`), as an incoming mail
server or the MTA hands them over: the corpus of real MIME messages in the repository's
tests/dispatch/corpus (the same files the engine's reader is tested on), each with the outcome
expected.toml gives it — applied, proposed or ignored — and what that means on the purchase orders:
tracking and validated moves, one activity, or nothing changed at all.
"""

import email
import tempfile
import tomllib
from email.message import EmailMessage
from pathlib import Path

from odoo import Command
from odoo.tests import tagged

from .common import ChannelCase

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "tests" / "dispatch" / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
MESSAGES = {entry["file"]: entry for entry in EXPECTED["message"]}
ALIAS_DOMAIN = "northwind-it.co.uk"


def our_po_message_id(name):
    return f"<po-{name}.1772469600@northwind-it.co.uk>"


class DispatchWorld:
    """The world of expected.toml's [setup]: Northwind IT's dispatch address, its distributors, their
    codes for its products, and the open drop-ship purchase orders, as already e-mailed to them."""

    @classmethod
    def _setup_dispatch_world(cls):
        env = cls.env
        setup = EXPECTED["setup"]
        domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        cls.company = env.company
        cls.company.write({"alias_domain_id": domain.id, "channel_dispatch_alias": "dispatch"})
        cls.distributors = {}
        for index, entry in enumerate(setup["distributor"]):
            cls.distributors[entry["name"]] = env["res.partner"].create(
                {
                    "name": entry["name"],
                    "is_company": True,
                    "is_distributor": True,
                    "engine_id": f"D{index}",
                    "email": entry["email"],
                    "channel_dispatch_senders": entry.get("senders", False),
                    "supplier_rank": 1,
                }
            )
        cls.products = {
            entry["sku"]: env["product.product"].create(
                {"name": entry["name"], "default_code": entry["sku"], "type": "consu", "list_price": 100}
            )
            for entry in setup["product"]
        }
        cls.customer_dropship = env["res.partner"].create(
            {"name": "Acme Dental", "street": "2 Station Road", "city": "Stockport", "zip": "SK4 1AA"}
        )
        dropship = env["stock.picking.type"].search(
            [("code", "=", "dropship"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.purchases = {}
        for entry in setup["purchase"]:
            distributor = cls.distributors[entry["distributor"]]
            for sku, code, _qty in entry["lines"]:
                product = cls.products[sku]
                if not product.seller_ids.filtered(lambda s, d=distributor: s.partner_id == d):
                    env["product.supplierinfo"].create(
                        {
                            "partner_id": distributor.id,
                            "product_tmpl_id": product.product_tmpl_id.id,
                            "product_code": code,
                            "price": 50,
                        }
                    )
            po = env["purchase.order"].create(
                {
                    "partner_id": distributor.id,
                    "picking_type_id": dropship.id,
                    "dest_address_id": cls.customer_dropship.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.products[sku].id, "product_qty": qty, "price_unit": 50}
                        )
                        for sku, _code, qty in entry["lines"]
                    ],
                }
            )
            po.button_confirm()
            po._channel_mark_to_send()  # line numbers, as the Orders Inbox gives its POs; then e-mailed
            po.write(
                {
                    "name": entry["name"],
                    "partner_ref": entry.get("partner_ref", False),
                    "channel_send_state": "emailed",
                }
            )
            env["mail.message"].create(
                {
                    "model": "purchase.order",
                    "res_id": po.id,
                    "message_type": "email_outgoing",
                    "message_id": our_po_message_id(entry["name"]),
                    "subject": f"Purchase Order {entry['name']} from Northwind IT",
                    "body": "<p>Please supply the attached purchase order.</p>",
                }
            )
            cls.purchases[entry["name"]] = po

    def receive(self, name, raw=None):
        raw = raw if raw is not None else (CORPUS / name).read_bytes()
        return self.env["mail.thread"].message_process(False, raw)

    def record_of(self, name):
        message_id = next(
            line.split(":", 1)[1].strip()
            for line in (CORPUS / name).read_text(errors="replace").splitlines()
            if line.lower().startswith("message-id:")
        )
        return self.env["channel.dispatch.message"].search([("message_id", "=", message_id)])

    def deliveries_state(self):
        """What a dispatch message may change: every drop-ship delivery's state, tracking and done qty."""
        pickings = self.env["stock.picking"].search([("picking_type_code", "=", "dropship")], order="id")
        return [
            (p.id, p.state, p.carrier_tracking_ref, tuple(p.move_ids.mapped("quantity"))) for p in pickings
        ]

    def dispatch_activities(self, po):
        return po.activity_ids.filtered(lambda a: (a.summary or "").startswith("Dispatch e-mail"))


@tagged("post_install", "-at_install")
class TestDispatchCorpus(DispatchWorld, ChannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_dispatch_world()

    def test_the_install_made_the_dispatch_address(self):
        alias = self.company.channel_dispatch_alias_id
        self.assertEqual(alias.alias_full_name, f"dispatch@{ALIAS_DOMAIN}")
        self.assertEqual(alias.alias_model_id.model, "channel.dispatch.message")

    def _check(self, name):
        expected = MESSAGES[name]
        before = self.deliveries_state()
        self.receive(name)
        record = self.record_of(name)
        self.assertEqual(len(record), 1, f"{name}: one dispatch record")
        self.assertEqual(record.state, expected["outcome"], f"{name}: {record.reason}")
        if "reason" in expected:
            self.assertIn(expected["reason"], record.reason)
        applied = expected.get("applied") or (expected["po_refs"] if expected["outcome"] == "applied" else [])
        for po_name, po in self.purchases.items():
            done = po.picking_ids.filtered(lambda p: p.state == "done")
            if po_name in applied:
                numbers = {t[1] for t in expected["tracking"]}
                self.assertTrue(done, f"{name}: {po_name} shipped")
                recorded = {n.strip() for n in (done.carrier_tracking_ref or "").split(",")}
                self.assertTrue(recorded & numbers, f"{name}: tracking on {po_name}")
            else:
                self.assertFalse(done, f"{name}: nothing shipped on {po_name}")
        if expected["outcome"] != "applied" and not expected.get("applied"):
            self.assertEqual(self.deliveries_state(), before, f"{name}: no delivery changed")
        for po_name in expected["po_refs"]:
            po = self.purchases.get(po_name)
            if po is None:
                continue
            activities = self.dispatch_activities(po)
            if expected["outcome"] == "proposed" and po_name not in applied:
                self.assertEqual(len(activities), 1, f"{name}: one activity on {po_name}")
            else:
                self.assertFalse(activities, f"{name}: no activity on {po_name}")
            self.assertTrue(
                po.message_ids.filtered(lambda m: m.subject == record.subject),
                f"{name}: the message is in {po_name}'s chatter",
            )
        return record

    def test_01_westcoast_text_full(self):
        record = self._check("01_westcoast_text_full.eml")
        # its aligned table read as received (Odoo's parsed body would have lost the columns)
        self.assertIn("lines: 2 × WC-LS27C390, 1 × WC-920004536", record.reading)
        picking = self.purchases["P00012"].picking_ids
        self.assertEqual(picking.carrier_tracking_ref, "15501234567890")
        self.assertEqual(picking.channel_carrier, "DPD")

    def test_02_tdsynnex_html_table(self):
        self._check("02_tdsynnex_html_table.eml")

    def test_03_exertis_outlook_reply(self):
        record = self._check("03_exertis_outlook_reply.eml")
        self.assertEqual(record.source, "reply")

    def test_04_vip_pdf_partial(self):
        self._check("04_vip_pdf_partial.eml")
        po = self.purchases["P00015"]
        done = po.picking_ids.filtered(lambda p: p.state == "done")
        backorder = po.picking_ids - done
        self.assertEqual(sorted(done.move_ids.mapped("quantity")), [1.0, 1.0])
        self.assertEqual(backorder.move_ids.product_id.default_code, "CF100001")
        self.assertEqual(backorder.move_ids.product_uom_qty, 1.0)

    def test_05_target_csv_report(self):
        self._check("05_target_csv_report.eml")

    def test_06_westcoast_partial_no_lines(self):
        record = self._check("06_westcoast_partial_no_lines.eml")
        self.assertEqual(len(record.line_ids), 2, "the PO's open lines, to pick")

    def test_07_tdsynnex_invoice(self):
        self._check("07_tdsynnex_invoice.eml")

    def test_08_exertis_out_of_office(self):
        self._check("08_exertis_out_of_office.eml")

    def test_09_stranger_names_po(self):
        self._check("09_stranger_names_po.eml")

    def test_10_westcoast_gmail_quote(self):
        self._check("10_westcoast_gmail_quote.eml")
        self.assertEqual(self.purchases["P00012"].picking_ids.carrier_tracking_ref, "15501234567893")

    def test_11_vip_bad_check_digit(self):
        self._check("11_vip_bad_check_digit.eml")

    def test_12_palletways_unknown_carrier(self):
        self._check("12_palletways_unknown_carrier.eml")
        self.assertEqual(self.purchases["P00021"].picking_ids.channel_carrier, "Palletways")

    def test_13_westcoast_order_number_only(self):
        self._check("13_westcoast_order_number_only.eml")

    def test_14_tdsynnex_two_pos(self):
        self._check("14_tdsynnex_two_pos.eml")

    def test_15_exertis_xlsx_report(self):
        self._check("15_exertis_xlsx_report.eml")

    def test_16_vip_text_reply_quoted(self):
        record = self._check("16_vip_text_reply_quoted.eml")
        self.assertEqual(record.source, "reply")

    def test_every_corpus_message_has_its_test(self):
        tested = {name[5:] for name in dir(self) if name.startswith("test_") and name[5:7].isdigit()}
        self.assertEqual(tested, {name.removesuffix(".eml") for name in MESSAGES})

    # -- twice, strangers, a person -------------------------------------------------------------------

    def test_the_same_message_twice_changes_nothing_twice(self):
        self.receive("01_westcoast_text_full.eml")
        after_first = self.deliveries_state()
        self.assertFalse(self.receive("01_westcoast_text_full.eml"), "the gateway drops the copy")
        self.assertEqual(len(self.record_of("01_westcoast_text_full.eml")), 1)
        # the same despatch again under another Message-Id: the tracking is on the delivery already
        raw = (CORPUS / "01_westcoast_text_full.eml").read_bytes().replace(b"<corpus-01.", b"<again-01.")
        self.receive(None, raw)
        again = self.env["channel.dispatch.message"].search([("message_id", "like", "again-01.")])
        self.assertEqual(again.state, "ignored")
        self.assertIn("already", again.reason)
        self.assertEqual(self.deliveries_state(), after_first)

    def test_a_distributors_busy_day_is_not_taken_for_a_mail_loop(self):
        """Odoo's gateway drops the 21st message from one sender within two hours on other models."""
        for number in range(25):
            message = EmailMessage()
            message["From"] = "Westcoast Despatch <despatch@westcoast.co.uk>"
            message["To"] = f"dispatch@{ALIAS_DOMAIN}"
            message["Subject"] = f"Order acknowledgement {number}"
            message["Message-ID"] = f"<busy-{number}@westcoast.co.uk>"
            message.set_content(f"Your order P00012 is being picked ({number}).")
            self.receive(None, bytes(message))
        records = self.env["channel.dispatch.message"].search([("message_id", "like", "<busy-")])
        self.assertEqual(len(records), 25)

    def test_a_stranger_changes_nothing_even_from_the_distributor_domain_list(self):
        westcoast = self.distributors["Westcoast Ltd"]
        westcoast.channel_dispatch_senders = "despatch@westcoast.co.uk"  # Sam is no longer a sender
        before = self.deliveries_state()
        self.receive("10_westcoast_gmail_quote.eml")
        record = self.record_of("10_westcoast_gmail_quote.eml")
        self.assertEqual((record.state, self.deliveries_state()), ("ignored", before), record.reason)
        self.assertIn("Not from Westcoast Ltd", record.reason)

    def test_a_person_picks_the_lines_and_applies(self):
        self.receive("06_westcoast_partial_no_lines.eml")
        record = self.record_of("06_westcoast_partial_no_lines.eml")
        po = self.purchases["P00020"]
        laser = record.line_ids.filtered(lambda line: line.product_id.default_code == "CF100003")
        laser.quantity = 2
        record.action_apply()
        self.assertEqual(record.state, "applied")
        done = po.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(
            (done.carrier_tracking_ref, done.move_ids.product_id.default_code), ("15501234567891", "CF100003")
        )
        self.assertFalse(self.dispatch_activities(po), "the activity is done")
        self.assertEqual((po.picking_ids - done).move_ids.product_id.default_code, "CF100004")

    def _target_maps_its_reports(self):
        target = self.distributors["Target Components"]
        target.channel_despatch_mapping = (REPO / "data" / "despatch-mappings" / "target.toml").read_text()
        return target

    def test_a_despatch_report_through_the_distributors_mapping(self):
        self._target_maps_its_reports()
        self.receive("05_target_csv_report.eml")
        record = self.record_of("05_target_csv_report.eml")
        self.assertEqual(record.state, "applied", record.reason)
        self.assertIn("P00099 is no open purchase order of ours", record.reason)
        for name, number in (("P00016", "183928252"), ("P00017", "480253470")):
            picking = self.purchases[name].picking_ids
            self.assertEqual((picking.state, picking.carrier_tracking_ref), ("done", number))

    def test_a_report_row_with_a_bad_tracking_number_is_listed_with_its_line(self):
        self._target_maps_its_reports()
        report = (
            "Despatch Date,Your Order No,Target Order No,Part Code,Description,Qty,Courier,Consignment No\r\n"
            "03/03/2026,P00016,T-880121,920-004536,Logitech MK270 Combo,5,TNT,183928252\r\n"
            "03/03/2026,P00017,T-880122,BX700UI,APC Back-UPS 700VA,1,TNT,480253471\r\n"
        )
        message = EmailMessage()
        message["From"] = "Target Reports <reports@target-reports.co.uk>"
        message["To"] = f"dispatch@{ALIAS_DOMAIN}"
        message["Subject"] = "Target Components - Daily Despatch Report 04/03/2026"
        message["Message-ID"] = "<report-0403@target-reports.co.uk>"
        message.set_content("Please find attached your daily despatch report.")
        message.add_attachment(report.encode(), maintype="text", subtype="csv", filename="Despatch_0403.csv")
        self.receive(None, bytes(message))
        record = self.env["channel.dispatch.message"].search(
            [("message_id", "=", "<report-0403@target-reports.co.uk>")]
        )
        self.assertEqual(record.state, "applied", record.reason)
        self.assertIn(
            "Despatch_0403.csv:3: tracking '480253471' is not a valid TNT number (shape or check digit)",
            record.reason,
        )
        self.assertEqual(self.purchases["P00016"].picking_ids.state, "done")
        self.assertEqual(self.purchases["P00017"].picking_ids.state, "assigned", "its only row was bad")

    def test_reports_dropped_in_the_despatch_folder(self):
        target = self._target_maps_its_reports()
        content = next(
            part.get_payload(decode=True)
            for part in email.message_from_bytes((CORPUS / "05_target_csv_report.eml").read_bytes()).walk()
            if part.get_filename()
        )
        with tempfile.TemporaryDirectory() as folder:
            self.company.channel_despatch_folder = folder
            inbox = Path(folder, target.engine_id)
            inbox.mkdir()
            (inbox / "report-0303.csv").write_bytes(content)
            (inbox / "again-0303.csv").write_bytes(content)  # the same file twice: read once
            (inbox / "broken.xlsx").write_bytes(b"not a workbook")
            cron = self.env.ref("channel_fulfilment.ir_cron_read_despatch_folder")
            with self.enter_registry_test_mode():
                cron.method_direct_trigger()
            self.assertEqual(
                sorted(p.name for p in (inbox / "done").iterdir()), ["again-0303.csv", "report-0303.csv"]
            )
            self.assertEqual([p.name for p in (inbox / "failed").iterdir()], ["broken.xlsx"])
        records = self.env["channel.dispatch.message"].search([("source", "=", "folder")])
        self.assertEqual(sorted(records.mapped("state")), ["applied", "proposed"])
        broken = records.filtered(lambda r: r.subject == "broken.xlsx")
        self.assertIn("not a readable XLSX workbook", broken.reason)
        for name in ("P00016", "P00017"):
            self.assertEqual(self.purchases[name].picking_ids.state, "done")
        # the first of the two copies read (in name order) is the one named
        self.assertTrue(
            self.purchases["P00016"].message_ids.filtered(
                lambda m: "Despatch report again-0303.csv: 920-004536 × 5 TNT 183928252" in m.body
            )
        )


@tagged("post_install", "-at_install")
class TestDispatchAddress(ChannelCase):
    def settings(self, company=None):
        return self.env["res.config.settings"].with_company(company or self.company).create({})

    def test_a_company_without_an_e__mail_domain_gets_its_address_when_it_has_one(self):
        self.assertFalse(self.env["mail.alias.domain"].search([]), "a fresh database has no alias domain")
        alias = self.company.channel_dispatch_alias_id
        self.assertEqual((alias.alias_name, alias.alias_domain_id.id), ("dispatch", False))
        self.assertIn("has no e-mail domain", self.settings().channel_dispatch_address)
        # Odoo's rule: the first alias domain made goes to every company and every alias without one
        self.env["mail.alias.domain"].create({"name": "northwind.example"})
        self.assertEqual(alias.alias_full_name, "dispatch@northwind.example")
        self.assertEqual(self.settings().channel_dispatch_address, "dispatch@northwind.example")
        settings = self.settings()
        settings.channel_dispatch_alias = "despatch"
        settings.execute()
        self.assertEqual(self.company.channel_dispatch_alias_id.alias_full_name, "despatch@northwind.example")

    def test_two_companies_on_one_domain_need_two_names(self):
        domain = self.env["mail.alias.domain"].create({"name": "group.example"})
        other = self.env["res.company"].create({"name": "Southwind IT Ltd", "alias_domain_id": domain.id})
        self.company.channel_dispatch_alias = "dispatch"
        self.assertEqual(self.company.channel_dispatch_alias_id.alias_full_name, "dispatch@group.example")
        self.assertFalse(other.channel_dispatch_alias_id)
        self.assertIn("used by another document", self.settings(other).channel_dispatch_address)
        other.channel_dispatch_alias = "dispatch-south"
        self.assertEqual(other.channel_dispatch_alias_id.alias_full_name, "dispatch-south@group.example")

    def test_a_dispatch_e_mail_takes_an_inbox_order_to_shipped_and_invoiced(self):
        """Everything a ship notice triggers: the order's progress, the invoice on dispatch."""
        self.company.channel_auto_invoice_on_dispatch = True
        domain = self.env["mail.alias.domain"].create({"name": "reseller-dispatch.example"})
        self.company.alias_domain_id = domain
        order = self._inbox_order([(self.bag, 2)])
        order.action_ship()
        po = order.channel_purchase_ids
        po._channel_send()
        self.assertEqual((po.partner_id, po.channel_send_state), (self.westcoast, "emailed"))
        message = EmailMessage()
        message["From"] = "Westcoast Despatch <despatch@wc.example>"
        message["To"] = "dispatch@reseller-dispatch.example"
        message["Subject"] = f"Despatch Confirmation - Your Order {po.name}"
        message["Message-ID"] = "<despatch-1@wc.example>"
        message.set_content(
            f"Your order {po.name} has been despatched in full.\n"
            "Carrier: DPD\nConsignment No: 15501234567895\n"
        )
        self.env["mail.thread"].message_process(False, bytes(message))
        record = self.env["channel.dispatch.message"].search([("message_id", "=", "<despatch-1@wc.example>")])
        self.assertEqual(record.state, "applied", record.reason)
        self.assertEqual(po.picking_ids.carrier_tracking_ref, "15501234567895")
        self.assertIn(order.inbox_state, ("shipped", "invoiced"))
        self.assertTrue(order.invoice_ids, "invoiced on dispatch")
