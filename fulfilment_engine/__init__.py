"""Channel Fulfilment engine: distributor offers, real-time P&A, freight and the cheapest-plan planner.

Plain Python, no Odoo import. The Odoo addon, the store connectors and the HTTP service all call it.
"""

__version__ = "0.1.0"
