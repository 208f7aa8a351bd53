# isort: skip_file
# One import line per engineer, so parallel edits do not collide.
from . import test_inbound, test_inbound_http, test_planning, test_sending, test_ship  # noqa: F401 — business logic
from . import test_security, test_tour, test_views  # noqa: F401 — UI tests (views, security, tours)
