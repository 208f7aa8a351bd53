"""Shopify's calculated query cost, by the rules of its *GraphQL Admin API rate limits* page
(https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits), over a schema read with graphql-core.

What a field costs depends on what it returns: a scalar or an enum 0, an object 1, an interface or a
union the maximum over its possible types, a connection "sized by `first` and `last`": 2, plus `first`
(or `last`) times the cost of one node — an edge costs nothing beyond its node, so
`products(first: 1) { edges { node { title } } }` costs 3 and `customers(first: 10) { nodes { phone } }`
12 — and connections nested in it multiply through. A mutation costs 10, whatever it selects. A query
whose *requested* cost is over 1,000 points is refused whole (`MAX_COST_EXCEEDED`), before it runs.

The *actual* cost follows the same rules over what came back: an object that is null costs nothing, a
connection counts the nodes it returned instead of `first`. Shopify takes the requested cost from the
bucket before running a query and gives back the difference afterwards.

Two choices where the page is silent, both on the safe side (they can only price a query higher):
- `pageInfo` is an object like any other, 1, counted once per connection (not per node);
- a plain list of objects (`Order.fulfillments`, `LineItem.taxLines`) costs like one object, or, when
  its `first` argument truncates it, `first` objects.
Shopify also "reserves the right to set manual costs on fields"; a query priced here under the cap by a
wide margin stays under it there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    build_schema,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    parse,
)
from graphql.execution import get_argument_values, get_directive_values, get_variable_values
from graphql.utilities import get_operation_ast

MAX_QUERY_COST = 1000  # "A single query may not exceed a cost of 1,000 points, regardless of plan limits."
MUTATION_COST = 10
CONNECTION_COST = 2
OBJECT_COST = 1
SCHEMA_FILE = Path(__file__).with_name("admin.graphql")


class QueryCostError(ValueError):
    """A query the cost rules cannot price (Shopify refuses it too): its `message` is Shopify's words."""


@cache
def admin_schema() -> GraphQLSchema:
    """The part of Shopify's Admin API schema the double serves (admin.graphql)."""
    return build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=256)
def parsed(query: str) -> DocumentNode:
    return parse(query)


def requested_cost(
    query: str | DocumentNode,
    variables: Mapping[str, Any] | None = None,
    schema: GraphQLSchema | None = None,
    operation_name: str | None = None,
) -> int:
    """The cost Shopify asks the bucket for before running `query` with `variables`."""
    return _Pricer(query, variables, schema, operation_name).requested()


def actual_cost(
    query: str | DocumentNode,
    data: Mapping[str, Any] | None,
    variables: Mapping[str, Any] | None = None,
    schema: GraphQLSchema | None = None,
    operation_name: str | None = None,
) -> int:
    """The cost of what `query` returned (`data`, the response's `data` object)."""
    return _Pricer(query, variables, schema, operation_name).actual(data or {})


def is_connection(type_: Any) -> bool:
    named = get_named_type(type_)
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and "pageInfo" in named.fields
    )


class _Pricer:
    def __init__(
        self,
        query: str | DocumentNode,
        variables: Mapping[str, Any] | None,
        schema: GraphQLSchema | None,
        operation_name: str | None,
    ):
        self.schema = schema or admin_schema()
        self.document = parsed(query) if isinstance(query, str) else query
        operation = get_operation_ast(self.document, operation_name)
        if operation is None:
            raise QueryCostError(f"no operation named {operation_name!r} in the query")
        self.operation = operation
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), dict(variables or {})
        )
        if isinstance(coerced, list):
            raise QueryCostError("; ".join(error.message for error in coerced))
        self.variables = coerced
        self.fragments = {
            d.name.value: d for d in self.document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        root = (
            self.schema.mutation_type
            if operation.operation == OperationType.MUTATION
            else self.schema.query_type
        )
        if root is None:
            raise QueryCostError(f"the schema has no {operation.operation.value} type")
        self.root = root

    # -- requested ---------------------------------------------------------------------------------------
    def requested(self) -> int:
        if self.operation.operation == OperationType.MUTATION:
            return MUTATION_COST * sum(1 for _ in self._fields(self.operation.selection_set, self.root))
        return self._selection(self.operation.selection_set, self.root)

    def _selection(self, selection_set: SelectionSetNode | None, parent: Any) -> int:
        """The selection's cost on `parent`; on an interface or union, the most expensive possible type."""
        if selection_set is None:
            return 0
        if is_abstract_type(parent):
            return max(
                (
                    self._selection(selection_set, possible)
                    for possible in self.schema.get_possible_types(parent)
                ),
                default=0,
            )
        return sum(self._field(node, parent) for node in self._fields(selection_set, parent))

    def _field(self, node: FieldNode, parent: GraphQLObjectType) -> int:
        if node.name.value.startswith("__"):
            return 0  # __typename
        field = parent.fields[node.name.value]
        returned = get_named_type(field.type)
        if is_leaf_type(returned):
            return 0
        arguments = get_argument_values(field, node, self.variables)
        if is_connection(returned):
            per_node, once = self._connection_parts(node, returned)
            return CONNECTION_COST + _page_size(node, arguments) * per_node + once
        one = OBJECT_COST + self._selection(node.selection_set, returned)
        size = _list_size(field.type, arguments)
        return one if size is None else size * one

    def _connection_parts(self, node: FieldNode, connection: GraphQLObjectType) -> tuple[int, int]:
        """(the cost of one node, the cost of what the connection returns once, e.g. pageInfo)."""
        per_node = once = 0
        for child in self._fields(node.selection_set, connection):
            name = child.name.value
            item = get_named_type(connection.fields[name].type) if name in connection.fields else None
            if name == "nodes":
                per_node += OBJECT_COST + self._selection(child.selection_set, item)
            elif name == "edges":
                per_node += self._selection(child.selection_set, item)  # the edge is free, its node is not
            else:
                once += self._field(child, connection)
        return per_node, once

    # -- actual ------------------------------------------------------------------------------------------
    def actual(self, data: Mapping[str, Any]) -> int:
        if self.operation.operation == OperationType.MUTATION:
            return self.requested()
        return self._returned(self.operation.selection_set, self.root, data)

    def _returned(self, selection_set: SelectionSetNode | None, parent: Any, data: Mapping[str, Any]) -> int:
        if selection_set is None:
            return 0
        if is_abstract_type(parent):
            typename = data.get("__typename")
            possible = [t for t in self.schema.get_possible_types(parent) if typename in (None, t.name)]
            return max((self._returned(selection_set, t, data) for t in possible), default=0)
        return sum(
            self._field_returned(node, parent, data.get(_key(node)))
            for node in self._fields(selection_set, parent)
        )

    def _field_returned(self, node: FieldNode, parent: GraphQLObjectType, value: Any) -> int:
        if node.name.value.startswith("__") or value is None:
            return 0
        field = parent.fields[node.name.value]
        returned = get_named_type(field.type)
        if is_leaf_type(returned):
            return 0
        if is_connection(returned):
            total = CONNECTION_COST
            for child in self._fields(node.selection_set, returned):
                name = child.name.value
                item = get_named_type(returned.fields[name].type) if name in returned.fields else None
                found = value.get(_key(child))
                if name == "nodes":
                    total += sum(
                        OBJECT_COST + self._returned(child.selection_set, item, n) for n in found or ()
                    )
                elif name == "edges":
                    total += sum(self._returned(child.selection_set, item, e) for e in found or ())
                else:
                    total += self._field_returned(child, returned, found)
            return total
        if isinstance(value, list):
            costs = [
                OBJECT_COST + self._returned(node.selection_set, returned, item) for item in value if item
            ]
            if _list_size(field.type, get_argument_values(field, node, self.variables)) is None:
                return max(costs, default=0)  # priced as one object when requested
            return sum(costs)
        return OBJECT_COST + self._returned(node.selection_set, returned, value)

    # -- selections --------------------------------------------------------------------------------------
    def _fields(
        self, selection_set: SelectionSetNode | None, parent: GraphQLObjectType
    ) -> Iterator[FieldNode]:
        """The fields selected on `parent`, through the fragments that apply to it."""
        for selection in selection_set.selections if selection_set else ():
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                yield selection
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    raise QueryCostError(f"Fragment {selection.name.value} was used, but not defined")
                condition, selections = fragment.type_condition, fragment.selection_set
            elif isinstance(selection, InlineFragmentNode):
                condition, selections = selection.type_condition, selection.selection_set
            else:  # pragma: no cover - the language has no other selection
                continue
            if condition is None or self._applies(condition.name.value, parent):
                yield from self._fields(selections, parent)

    def _applies(self, type_name: str, parent: GraphQLObjectType) -> bool:
        condition = self.schema.get_type(type_name)
        if condition is None:
            raise QueryCostError(f"No such type {type_name}, so it can't be a fragment condition")
        return condition is parent or (
            is_abstract_type(condition) and self.schema.is_sub_type(condition, parent)
        )

    def _included(self, selection: Any) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, selection, self.variables)
        include = get_directive_values(GraphQLIncludeDirective, selection, self.variables)
        return not (skip and skip["if"]) and not (include and not include["if"])


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _page_size(node: FieldNode, arguments: Mapping[str, Any]) -> int:
    size = arguments.get("first")
    if size is None:
        size = arguments.get("last")
    if size is None:
        raise QueryCostError("you must provide one of first or last")
    if size < 0:
        raise QueryCostError(f"{node.name.value}: first and last cannot be negative")
    return size


def _list_size(type_: Any, arguments: Mapping[str, Any]) -> int | None:
    """How many objects a plain list field can return when its `first`/`last` says so, else None."""
    if is_non_null_type(type_):
        type_ = type_.of_type
    if not is_list_type(type_):
        return None
    size = arguments.get("first")
    return size if size is not None else arguments.get("last")
