# ruff: noqa: F401  (Odoo loads the package through these imports)
from . import controllers, models, wizards
