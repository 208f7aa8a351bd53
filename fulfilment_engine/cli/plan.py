"""`fulfil` commands: plan (being written)."""

COMMANDS = []
