"""What the UI tests add to the business-logic fixtures (tests/common.py): a user of each group and
an inbox order whose lines can only come from two different distributors."""

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import ChannelData

USERS = {
    # attribute: (login, name, groups)
    "inbox_user": ("inbox_user", "Ivy Inbox", "channel_fulfilment.group_inbox_user"),
    "inbox_manager": ("inbox_manager", "Max Manager", "channel_fulfilment.group_inbox_manager"),
    "sales_user": ("plain_sales", "Sam Sales", "sales_team.group_sale_salesman"),
    "purchase_user": ("plain_buyer", "Pat Purchase", "purchase.group_purchase_user"),
}


class InboxUiData(ChannelData):
    """Mixin for TransactionCase / HttpCase: call `_setup_inbox_data()` from setUpClass."""

    @classmethod
    def _setup_inbox_data(cls):
        cls._setup_channel_data()
        for attribute, (login, name, groups) in USERS.items():
            user = mail_new_test_user(
                cls.env,
                login=login,
                name=name,
                email=f"{login}@reseller.example",
                groups=f"base.group_user,{groups}",
            )
            setattr(cls, attribute, user)
        cls.tour_customer = cls.env["res.partner"].create(
            {
                "name": "Tour Customer Ltd",
                "is_company": True,
                "email": "buyer@customer.example",
                "street": "1 High Street",
                "city": "Manchester",
                "zip": "M1 1AE",
                "country_id": cls.env.ref("base.uk").id,
            }
        )

    @classmethod
    def _create_store_order(cls, external_id, lines=None, **values):
        """A paid order of the store "tour-shop". By default a cable (only Exertis has it) and a bag
        (only Westcoast): its plan always uses two distributors."""
        order = cls._inbox_order(
            lines or [(cls.cable, 2, 5.0), (cls.bag, 1, 45.0)],
            store="tour-shop",
            external_id=external_id,
            partner=cls.tour_customer,
        )
        if values:
            order.write(values)
        return order

    def line_for(self, order, product):
        return order.order_line.filtered(lambda line: line.product_id == product)
