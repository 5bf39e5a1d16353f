"""A ``DISTINCT`` over chosen columns must not carry the model's ordering: Django adds the
``Meta.ordering`` columns to the ``SELECT DISTINCT``, and "the leaves with a household
placed" became one row a placement (91,226 rows into Python for 319 leaves, a third of a
second on every dashboard after an event).  Every ``.values(…)``/``.values_list(…)``
chain that ends in ``.distinct()`` says ``.order_by()`` (or its own order) in the chain."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "danso"


def _chain(node: ast.expr) -> list[str]:
    """The method names called along ``node``'s chain, outermost first."""
    names: list[str] = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        names.append(node.func.attr)
        node = node.func.value
    return names


def _unordered_distincts(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "distinct"
            and not node.args
        ):
            continue
        chain = _chain(node)
        if {"values", "values_list"} & set(chain) and "order_by" not in chain:
            found.append(node.lineno)
    return found


def test_every_distinct_read_of_columns_drops_the_models_ordering() -> None:
    offenders = [
        f"{path.relative_to(SOURCE.parent)}:{line}"
        for path in sorted(SOURCE.rglob("*.py"))
        if "migrations" not in path.parts
        for line in _unordered_distincts(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


def test_the_check_finds_an_unordered_distinct() -> None:
    bad = ast.parse("x = Event.objects.filter(a=1).values_list('person_id').distinct()")
    good = ast.parse("x = Event.objects.order_by().values_list('person_id').distinct()")
    assert _unordered_distincts(bad) == [1]
    assert _unordered_distincts(good) == []
