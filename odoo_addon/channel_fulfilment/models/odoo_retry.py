"""What Odoo retries a whole request for: the one list every `except Exception` must let through.

Odoo's `retrying` (odoo/service/model.py) serves a request again from the start, in a fresh transaction,
after PostgreSQL's concurrency failures — a serialization failure, a deadlock, a lock it could not get
(`LockNotAvailable`: NOWAIT, or a lock_timeout) — and after `ConcurrencyError`, which our code raises when
it finds that a concurrent transaction won (the import's duplicate order or customer). Caught by a
per-record savepoint and recorded as that record's failure, they would be an error where the retry,
seeing the winner's commit, simply succeeds.
"""

from odoo.exceptions import ConcurrencyError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

RETRIED_BY_ODOO = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError)
