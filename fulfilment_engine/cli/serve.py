"""`fulfil` commands: serve (being written)."""

COMMANDS = []
