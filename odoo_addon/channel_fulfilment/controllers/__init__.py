# ruff: noqa: F401  (Odoo loads the package through these imports)
from . import cxml_inbound
