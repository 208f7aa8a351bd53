from . import test_inbound, test_planning, test_security, test_sending, test_ship, test_tour, test_views  # noqa: F401 — business-logic tests  # noqa: F401 — UI tests (views, security, tours)
