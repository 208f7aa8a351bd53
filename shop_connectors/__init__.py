"""Store connectors: WooCommerce and Shopify orders into Odoo, status and tracking back to the store."""
