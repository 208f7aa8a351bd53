"""The store connector is a user type of its own, beside internal, portal and public users.

Odoo keeps its user types disjoint (`_get_user_type_groups`: a user is at most one of them, checked from
the user's side and from the group's). Adding *Orders Inbox: store connector* to them makes Odoo refuse a
person who is also the connector — an administrator who gave the group to themselves would otherwise
lose every door but three JSON-2 methods (ir_http.py, res_users.py) — and the connector's user is a
share user with no user type's model access (no `base.group_user`, whose access rights are many).
"""

from odoo import models

CONNECTOR_GROUP = "channel_fulfilment.group_store_connector"


class ResGroups(models.Model):
    _inherit = "res.groups"

    def _get_user_type_groups(self):
        connector = self.env["ir.model.data"]._xmlid_to_res_id(CONNECTOR_GROUP, raise_if_not_found=False)
        groups = super()._get_user_type_groups()
        return groups | self.sudo().browse(connector) if connector else groups
