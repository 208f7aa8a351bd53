"""Hostile XML that a simulator sends and the tests feed our parsers, built in one place."""

from __future__ import annotations


def billion_laughs(root: str, body: str) -> bytes:
    """The entity-expansion attack: ten levels of entities, each ten of the level below (10⁹ "lol"s from
    under a kilobyte), declared in an internal DTD subset named `root`; `body` uses them as `&lol9;`."""
    entities = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        below = f"&lol{level - 1 if level > 1 else ''};"
        entities.append(f'<!ENTITY lol{level} "{below * 10}">')
    declarations = "".join(f"\n {entity}" for entity in entities)
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{declarations}\n]>\n{body}'.encode()
