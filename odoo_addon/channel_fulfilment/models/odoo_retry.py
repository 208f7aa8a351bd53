"""What Odoo retries a whole request for: the one list every `except Exception` must let through.

Odoo's `retrying` (odoo/service/model.py) serves a request again from the start, in a fresh transaction,
after PostgreSQL's concurrency failures — a serialization failure, a deadlock, a lock it could not get
(`LockNotAvailable`: NOWAIT, or a lock_timeout) — and after `ConcurrencyError`, which our code raises when
it finds that a concurrent transaction won (the import's duplicate order or customer). Caught by a
per-record savepoint and recorded as that record's failure, they would be an error where the retry,
seeing the winner's commit, simply succeeds.

`quiet_sql_errors()` keeps out of the log the error Odoo logs for a statement expected to fail in such a
race (the unique key another transaction just took, a row another session holds), for the current thread
only. Odoo's `mute_logger` swaps the logger's handlers and restores what it found on entry: two threads of
a threaded server (odoo-bin without --workers, Odoo's default) inside it at once restore each other's
state, which leaves one unmuted and, once both are out, the logger muted for good. A filter reading a
thread-local depth shares no such state.
"""

import contextlib
import logging
import threading

from odoo.exceptions import ConcurrencyError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

RETRIED_BY_ODOO = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, ConcurrencyError)


class _QuietThreads(logging.Filter):
    """Drops the records logged by a thread while it is inside quiet_sql_errors()."""

    def __init__(self):
        super().__init__()
        self.local = threading.local()

    def filter(self, record):
        return not getattr(self.local, "depth", 0)


_QUIET = _QuietThreads()
logging.getLogger("odoo.sql_db").addFilter(_QUIET)


@contextlib.contextmanager
def quiet_sql_errors():
    """odoo.sql_db's records of this thread dropped inside the block (see the module's docstring)."""
    _QUIET.local.depth = getattr(_QUIET.local, "depth", 0) + 1
    try:
        yield
    finally:
        _QUIET.local.depth -= 1
