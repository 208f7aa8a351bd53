"""Store connectors: WooCommerce and Shopify orders into Odoo, status and tracking back to the store.

Shaped like OCA `connector` without its framework: a backend per store (`config.StoreConfig`), bindings
(`state`: store + external id -> what Odoo has, unique), an adapter per platform (`adapters/`, the only
code that knows a platform's wire format), pure mappers (`mappers/`: store order -> normalised order), the
sync above them (`sync`), the webhook receiver (`webhooks`) and the command line (`cli`) on top.
"""
