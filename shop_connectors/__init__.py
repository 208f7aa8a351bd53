"""Store connectors: WooCommerce and Shopify orders into Odoo, status and tracking back to the store.

Shaped like OCA `connector` without its framework: a backend per store (`backend.StoreConfig`), bindings
(`state`: store + external id -> what Odoo has, unique), and one folder per platform (`platforms/woocommerce`,
`platforms/shopify`: its adapter, the only code that knows its wire format; its pure mapper, store order ->
normalised order of `contract`; its push, Odoo's updates in the store's terms; its webhook rules), chosen
once per store through the registry in `platforms/__init__.py`. The sync above them (`sync`), the webhook
receiver (`webhooks`) and the command line (`cli`) on top.
"""
