from odoo.tests import new_test_user, tagged
from odoo.tools import html2plaintext

from .common import ChannelCase, build_confirmation, build_ship_notice


@tagged("post_install", "-at_install")
class TestOrderStory(ChannelCase):
    """What a reseller sees on the order: `sending` from Ship until every purchase order reached its
    distributor, and a chatter note for the plan (choice, reason, runner-up) and for each step after."""

    def notes(self, order, since=None):
        """The order's notes in plain text, oldest first (after `since`, a set of message ids)."""
        messages = order.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_note") and m.body and m.id not in (since or ())
        )
        return [html2plaintext(m.body) for m in messages.sorted("id")]

    def test_the_plan_note_gives_each_choice_its_reason_and_runner_up(self):
        # Two docks: Westcoast 2 × 99.00 ships free (198.00); Ingram 2 × 95.00 + 9.95 freight = 199.95.
        # The cable: only Exertis has it.
        order = self._inbox_order([(self.dock, 2), (self.cable, 3)])
        order.action_plan()
        self.assertEqual(order.inbox_state, "ready", order.review_reason)
        [note] = [text for text in self.notes(order) if text.startswith("Planned:")]
        money = order.currency_id.format
        dock = order.allocation_ids.filtered(lambda a: a.line_id.product_id == self.dock)
        self.assertEqual(dock.distributor_id, self.westcoast)
        plain = html2plaintext(f"<p>{money(1.0)}</p>")  # how the note spells money, spaces and all
        self.assertTrue(note.startswith(f"Planned: goods {plain.replace('1.00', '204.00')} + freight "), note)
        self.assertIn(f"= {plain.replace('1.00', '208.95')}.", note)
        self.assertIn(
            f"USB-C dock: 2 × {plain.replace('1.00', '99.00')} from Westcoast, {dock.reason}. "
            f"Runner-up: Ingram Micro UK, the order would cost {plain.replace('1.00', '210.90')} "
            f"({plain.replace('1.00', '1.95')} more).",
            note,
        )
        self.assertIn("HDMI cable: 3 × ", note)
        self.assertIn("from Exertis", note)
        self.assertIn("Runner-up: none, no other distributor has it in stock.", note)

    def test_a_batch_gets_the_notes_an_order_shipped_alone_gets(self):
        """Ship on several orders posts their plan and Ship notes together: each is the message that
        message_post makes on an order shipped alone (author, parent, reply-to, company, subtype, …), and
        a person who follows an order's notes is notified of its notes as message_post notifies them."""
        note = self.env.ref("mail.mt_note")
        watcher = new_test_user(self.env, "story-wendy", groups="base.group_user", name="Wendy Watcher")
        followed_alone, alone = self._inbox_order([(self.dock, 1)]), self._inbox_order([(self.dock, 1)])
        batch = self._inbox_order([(self.dock, 1)]) | self._inbox_order([(self.mouse, 1)])
        for order in (followed_alone, batch[0]):
            order.message_subscribe(partner_ids=watcher.partner_id.ids, subtype_ids=note.ids)
        followed_alone.action_ship()
        alone.action_ship()
        batch.action_ship()
        compared = [
            "author_id",
            "email_from",
            "message_type",
            "subtype_id",
            "subject",
            "reply_to",
            "record_company_id",
            "record_alias_domain_id",
            "email_add_signature",
            "is_internal",
        ]

        def story(order):
            """The order's notes: what they say, how they were posted, where their parent sits in the
            order's thread, and who was notified."""
            thread = order.message_ids.sorted("id")
            notes = thread.filtered(lambda m: m.subtype_id == note and m.body)
            return [
                (
                    html2plaintext(m.body).split(":")[0],
                    # An e-mailed follower gives the message the order's name as its subject.
                    m.read(compared)[0]
                    | {"id": 0, "subject": (m.subject or "").replace(order.name, "ORDER")},
                    thread.ids.index(m.parent_id.id) if m.parent_id else None,
                    m.notification_ids.res_partner_id,
                )
                for m in notes
            ]

        self.assertEqual(
            [what for what, *_rest in story(alone)], ["Sales Order created", "Planned", "Shipped"]
        )
        self.assertEqual(story(batch[0]), story(followed_alone))
        self.assertEqual(story(batch[1]), story(alone))
        self.assertEqual([notified for *_rest, notified in story(batch[0])][1:], [watcher.partner_id] * 2)

    def test_sending_then_ordered_and_a_note_at_each_step(self):
        order = self._inbox_order([(self.laptop, 12), (self.mouse, 1)])
        order.action_plan()
        before = set(order.message_ids.ids)
        order.action_ship()
        self.assertEqual(order.inbox_state, "sending", "Ship done, the POs not sent yet")
        purchases = order.channel_purchase_ids
        po_ing = purchases.filtered(lambda po: po.partner_id == self.ingram)
        po_td = purchases.filtered(lambda po: po.partner_id == self.tdsynnex)
        [shipped] = self.notes(order, before)
        self.assertIn("Shipped: purchase orders created", shipped)
        self.assertIn(f"{po_ing.name} to Ingram Micro UK: ", shipped)
        self.assertIn(f"{po_td.name} to TD SYNNEX UK: ", shipped)

        before = set(order.message_ids.ids)
        po_ing._channel_send()
        self.assertEqual(order.inbox_state, "sending", "TD SYNNEX's purchase order is not out yet")
        po_td._channel_send()
        self.assertEqual(order.inbox_state, "ordered", "every purchase order reached its distributor")
        self.assertEqual(
            self.notes(order, before),
            [
                f"{po_ing.name} was e-mailed to Ingram Micro UK.",
                f"{po_td.name} was e-mailed to TD SYNNEX UK.",
            ],
        )

        before = set(order.message_ids.ids)
        documents = self.env["channel.cxml.document"]
        documents._channel_receive(build_confirmation(po_ing))
        self.assertEqual(self.notes(order, before), [f"Ingram Micro UK confirmed {po_ing.name}."])

        before = set(order.message_ids.ids)
        documents._channel_receive(build_ship_notice(po_td, tracking=("DPD123",), carrier="DPD"))
        picking = po_td.picking_ids
        self.assertEqual(
            self.notes(order, before),
            [
                f"Dispatched by TD SYNNEX UK ({po_td.name}, {picking.name}): tracking DPD123 "
                f"({picking.channel_carrier}).",
                f"TD SYNNEX UK confirmed {po_td.name}.",  # shipping is the strongest confirmation
            ],
        )

        before = set(order.message_ids.ids)
        invoice = order._channel_invoice()
        self.assertEqual(
            self.notes(order, before),
            [f"Invoiced: {invoice.name}, {invoice.currency_id.format(invoice.amount_total)}."],
        )
