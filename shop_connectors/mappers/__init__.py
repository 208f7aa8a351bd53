"""Pure functions: a store's order (as its API returns it) -> the normalised order of the Odoo contract
(shop_connectors/contract.py, docs/connectors-contract.md). No I/O, so they are tested on
recorded-looking payloads."""
