"""`fulfil` commands: catalogue (being written)."""

COMMANDS = []
