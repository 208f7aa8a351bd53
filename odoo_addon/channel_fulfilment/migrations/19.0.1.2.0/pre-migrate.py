"""19.0.1.2.0: the store connector becomes a user type of its own that implies no group (res_groups.py).

Before, its group implied *Orders Inbox: user* (and with it Sales and Purchase) and its user was made as
an internal user. This runs before the module's new data and code are loaded, where Odoo refuses a user
with two user types:
- the group implies nothing any more;
- a connector user who is also an administrator (Settings) is a person: it keeps its groups and loses
  the connector group;
- every other connector user keeps the connector group alone (no internal user type, no model access).
Each user changed is logged with what it lost.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.fields import Command

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    connector = env.ref("channel_fulfilment.group_store_connector", raise_if_not_found=False)
    if not connector:
        return
    connector.implied_ids = [Command.clear()]
    users = env["res.users"].with_context(active_test=False).search([("group_ids", "in", connector.ids)])
    for user in users:
        if user.has_group("base.group_system"):
            user.group_ids = [Command.unlink(connector.id)]
            _logger.warning(
                "%s (%s) is an administrator: no longer a store connector (a user of its own now)",
                user.login,
                user.id,
            )
            continue
        lost = user.group_ids - connector
        if lost:
            user.group_ids = [Command.set(connector.ids)]
            _logger.warning(
                "store connector %s (%s): keeps only the store connector group, loses %s",
                user.login,
                user.id,
                ", ".join(lost.mapped("full_name")),
            )
