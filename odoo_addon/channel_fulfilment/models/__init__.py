# ruff: noqa: F401  (Odoo loads the package through these imports)
# isort: skip_file
from . import (
    channel_cxml_document,
    channel_cxml_inbound,
    channel_freight_band,
    channel_fulfilment_rule,
    channel_store,
    product_product,
    product_supplierinfo,
    purchase_order,
    purchase_order_line,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
    sale_order_line,
    sale_order_line_allocation,
    sale_order_plan,
    sale_order_ship,
    stock_picking,
    stock_rule,
)
from . import (
    account_move,
    account_move_edi,
    channel_cxml_invoice,
    purchase_order_bills,
    sale_order_accounting,
)  # accounting
