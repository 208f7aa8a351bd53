from . import channel_approve_wizard  # noqa: F401
