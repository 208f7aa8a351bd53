"""Who is a person: the user a failure may be given to (an activity), not the store connector's user,
the cron's (OdooBot) or a portal user."""

from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.private
    def _channel_is_person(self):
        """An active internal user who reads the inbox: not the superuser that crons run as, not the
        technical user behind channel-sync's API key."""
        self.ensure_one() if self else None
        return bool(
            self
            and self.active
            and not self.share
            and not self._is_superuser()
            and not self.has_group("channel_fulfilment.group_store_connector")
        )
