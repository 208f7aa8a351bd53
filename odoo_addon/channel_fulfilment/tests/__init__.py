# isort: skip_file
# One import line per engineer, so parallel edits do not collide.
from . import test_concurrency, test_import, test_inbound, test_inbound_http, test_invoice  # noqa: F401
from . import test_offer_refresh, test_planning, test_realtime, test_sending, test_ship, test_touchless  # noqa: F401
from . import test_security, test_tour, test_views  # noqa: F401 — UI tests (views, security, tours)
from . import test_small_order  # noqa: F401 — small order charges planned as Ship adds them
from . import test_after_ship, test_gaps, test_secrets  # noqa: F401 — the audit's gaps (odoo-fixes)
from . import test_currency  # noqa: F401 — distributors' freight and charges in the order's currency (odoo-currency)
from . import test_channel_store  # noqa: F401 — web stores, connector group, review codes (foundation)
from . import test_delivery_countries, test_order_story  # noqa: F401 — delivery countries, the order's story (loop-groundwork)
from . import test_store_import, test_store_updates  # noqa: F401 — store orders in, tracking back (connectors-odoo)
from . import test_inbound_concurrency, test_inbound_door, test_inbound_rules  # noqa: F401 — the cXML door hardened (harden-cxml)
from . import test_bills  # noqa: F401 — distributor bills, customer payments, margins (accounting)
from . import test_review_desk  # noqa: F401 — the review desk: each review code and its one action (review-desk)
from . import test_store_connector_access, test_store_hostile_data  # noqa: F401 — the store door (store-door)
from . import test_dispatch_mail, test_invoice_by_mail  # noqa: F401 — dispatch e-mails and despatch reports, invoices by e-mail (dispatch)
from . import test_distributor_api  # noqa: F401 — Ingram Micro over its own API
from . import test_quiet_sql_errors  # noqa: F401 — expected SQL errors kept out of the log, thread by thread (import-speed2)
