"""Ingram's published OpenAPI (the trimmed copy beside this file) as the tests read it: operations, their
documented statuses, headers and examples, and a strict check of a JSON body against a schema — every key
must be one the schema declares, with the declared type, so a misspelt field name fails a test."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

SPEC_FILE = Path(__file__).parent / "openapi" / "reseller-orders-v6.yaml"


class _Loader(yaml.SafeLoader):
    """YAML without timestamps: the examples' dates stay the strings they are on the wire."""


_Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def spec() -> dict:
    return yaml.load(SPEC_FILE.read_text(encoding="utf-8"), Loader=_Loader)


def operation(path: str, method: str) -> dict:
    return spec()["paths"][path][method.lower()]


def statuses(path: str, method: str) -> set[int]:
    return {int(code) for code in operation(path, method)["responses"]}


def parameters(path: str, method: str, where: str, *, required: bool | None = None) -> set[str]:
    return {
        p["name"]
        for p in operation(path, method).get("parameters", [])
        if p["in"] == where and (required is None or bool(p.get("required")) == required)
    }


def request_examples(path: str, method: str) -> dict[str, dict]:
    content = operation(path, method)["requestBody"]["content"]["application/json"]
    return {name: example["value"] for name, example in content.get("examples", {}).items()}


def response_examples(path: str, method: str, status: int) -> dict[str, dict]:
    content = operation(path, method)["responses"][str(status)].get("content", {}).get("application/json", {})
    return {name: example["value"] for name, example in content.get("examples", {}).items()}


def request_schema(path: str, method: str) -> dict:
    return operation(path, method)["requestBody"]["content"]["application/json"]["schema"]


def response_schema(path: str, method: str, status: int) -> dict:
    return operation(path, method)["responses"][str(status)]["content"]["application/json"]["schema"]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


_TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float, Decimal),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def problems(instance, schema: dict, where: str = "$") -> list[str]:
    """What in `instance` the schema does not declare, or declares with another type."""
    schema = _resolve(schema)
    if instance is None:
        return [] if schema.get("nullable") or not schema.get("type") else [f"{where}: null"]
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind:
        fits = isinstance(instance, _TYPES[kind]) and (kind == "boolean") == isinstance(instance, bool)
        if not fits:
            return [f"{where}: {type(instance).__name__} where the schema says {kind}"]
    found = []
    if isinstance(instance, dict) and "properties" in schema:
        for key, value in instance.items():
            if key not in schema["properties"]:
                found.append(f"{where}.{key}: not in the schema")
            else:
                found += problems(value, schema["properties"][key], f"{where}.{key}")
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            found += problems(item, schema["items"], f"{where}[{index}]")
    return found
