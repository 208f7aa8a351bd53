"""The store connector's user: an API key for three JSON-2 methods, and no other way in.

How Odoo 19 decides what an API key can do: a key is its user (`res.users.apikeys._check_credentials`),
on every door that takes one — JSON-2 (`auth="bearer"`), /json/1, and the deprecated /xmlrpc/2 and
/jsonrpc, where the key is accepted in place of the password (`_check_credentials` below, non-interactive).
What the user may then do is its groups' model access and record rules, plus whatever public methods do
without checking. So the connector is fenced three ways, each enough on its own for what it covers:
- its group implies no other and is a user type of its own (res_groups.py): no model access at all;
- on the doors that authenticate by key (ir_http.py), a connector user reaches only
  `sale.order.channel_import_orders`, `channel_pending_updates` and `channel_updates_sent`, without
  `ids` or `context` — everything else answers Odoo's AccessError (403);
- the password doors (XML-RPC, JSON-RPC, the web login) refuse a connector user outright, here.
The three methods then check the caller and its stores (`sale.order._channel_connector_store`) and do
their work with elevated rights.

And who is a person (_channel_is_person): the user a failure may be given to as an activity — not the
store connector's user, not the superuser the crons run as, not a portal user.
"""

from odoo import api, models
from odoo.exceptions import AccessDenied
from odoo.fields import Command

from .res_groups import CONNECTOR_GROUP


class ResUsers(models.Model):
    _inherit = "res.users"

    def _check_credentials(self, credential, env):
        # self.env.user is the user signing in. A connector's key works on JSON-2 (ir_http.py) only.
        if self.env.user._channel_is_store_connector():
            raise AccessDenied()
        return super()._check_credentials(credential, env)

    @api.private
    def _channel_is_store_connector(self):
        self.ensure_one()
        return self.has_group(CONNECTOR_GROUP)

    @api.private
    def _channel_is_person(self):
        """An active internal user who reads the inbox: not the superuser that crons run as, not the
        technical user behind channel-sync's API key."""
        return bool(
            len(self) == 1
            and self.active
            and not self.share
            and not self._is_superuser()
            and not self._channel_is_store_connector()
        )

    @api.model
    @api.private
    def _channel_new_store_connector(self, login, name="channel-sync"):
        """(user, API key): a new store connector user — only *Orders Inbox: store connector*, so no user
        type and no model access — and a key without expiry for it (only sudo makes one). What an
        administrator runs in `odoo-bin shell` (docs/odoo.md); the tests and the demo make theirs so."""
        user = (
            self.sudo()
            .with_context(no_reset_password=True)
            .create(
                {"name": name, "login": login, "group_ids": [Command.set([self.env.ref(CONNECTOR_GROUP).id])]}
            )
        )
        key = self.env["res.users.apikeys"].with_user(user).sudo()._generate("rpc", name, None)
        return user, key
