"""One adapter per platform: the only code that knows a store's wire format."""
