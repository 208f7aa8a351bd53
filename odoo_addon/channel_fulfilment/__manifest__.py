# Channel Fulfilment — Orders Inbox over sale.order, distributor per line, Ship and Invoice.
# ruff: noqa: B018  (an Odoo manifest is a bare dict expression)
{
    "name": "Channel Fulfilment",
    "summary": "Orders Inbox: plan each line at the best distributor, drop-ship POs sent by cXML or e-mail",
    "version": "19.0.1.2.0",
    "license": "LGPL-3",
    "category": "Sales",
    "author": "Channel Fulfilment",
    "application": True,
    "depends": [
        "sale_management",
        "purchase",
        "stock_dropshipping",
        "stock_delivery",
        "account",
        "base_import",
        "rpc",  # JSON-2 (/json/2/<model>/<method>): how channel-sync reaches channel_import_orders
        "account_edi_ubl_cii",
    ],
    "external_dependencies": {"python": ["channel-fulfilment"]},  # the engine's distribution (pyproject name)
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "security/ir_rule.xml",
        "data/ir_cron.xml",
        "data/product_data.xml",
        "data/mail_template.xml",
        "data/dispatch_alias.xml",
        "views/res_partner_views.xml",
        "views/product_supplierinfo_views.xml",
        "views/sale_order_views.xml",
        "views/sale_order_store_views.xml",
        "views/purchase_order_views.xml",
        "views/channel_fulfilment_rule_views.xml",
        "views/channel_cxml_document_views.xml",
        "views/channel_dispatch_message_views.xml",
        "views/channel_store_views.xml",
        "views/res_config_settings_views.xml",
        "views/account_move_views.xml",
        "views/sale_order_margin_views.xml",
        "wizards/channel_approve_wizard_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["channel_fulfilment/static/tests/tours/**/*"],
    },
    "installable": True,
}
