"""Pure functions: a store's order (as its API returns it) -> the normalised order of the Odoo contract
(briefs: connectors-contract, section 1). No I/O, so they are tested on recorded-looking payloads."""
