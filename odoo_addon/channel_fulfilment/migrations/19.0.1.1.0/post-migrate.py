"""19.0.1.1.0: cXML documents are stored with their SharedSecret masked; mask the ones stored before."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["channel.cxml.document"]._channel_redact_stored_secrets()
