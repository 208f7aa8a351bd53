"""The planner: the provably cheapest allocation of cart lines to distributors (goods + freight).

`plan(scenario, *, time_limit_s=None) -> Plan` is the one entry point; see solve.py for the objective
and milp.py for the model.
"""

from .solve import DEFAULT_TIME_LIMIT_S, plan

__all__ = ["DEFAULT_TIME_LIMIT_S", "plan"]
