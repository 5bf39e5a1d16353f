"""Indicators as expressions: a numerator and a denominator written over the register's
counts and the data elements a province defines, and a factor (100 for a percentage).

An expression is arithmetic (``+ - * /``, parentheses, numbers with ``.`` or ``,`` as the
decimal mark) over two kinds of names:

- a register count by its name in ``COUNTS`` (``births``, ``pregnancies``, ``population``
  …): the engine's tally of the unit and period, summed over its leaves;
- a data element as ``#{CODE}`` (``#{PREG_COUNSELLED}``): the values entered for the
  units under the unit, over the months of the period (``danso.datasets``).

An expression is checked when it is saved (``parse``): a name that is neither is refused
with where it stands.  ``Expression.evaluate`` gives None, never 0, when a data element it
reads has no value entered under the unit for the period (no data is no figure) or when
it divides by zero.  Pure: no Django.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from danso.indicators import tallies as keys

#: The register's counts an expression may name, by the tally key they read.
COUNTS: Final[dict[str, str]] = {
    "population": keys.POPULATION,
    "households": keys.HOUSEHOLDS,
    "women_15_49": keys.WOMEN_15_49,
    "elderly": keys.ELDERLY,
    "elderly_checked": keys.ELDERLY_CHECKED,
    "births": keys.BIRTHS,
    "births_boys": keys.BIRTHS_BOYS,
    "births_girls": keys.BIRTHS_GIRLS,
    "births_order_known": keys.BIRTHS_ORDER_KNOWN,
    "births_order2": keys.BIRTHS_ORDER2,
    "births_order3p": keys.BIRTHS_ORDER3P,
    "births_mother_under20": keys.BIRTHS_MOTHER_UNDER20,
    "deaths": keys.DEATHS,
    "pregnancies": keys.PREGNANCIES,
    "prenatal_mothers": keys.PRENATAL_MOTHERS,
    "prenatal_screened": keys.PRENATAL_SCREENED,
    "newborn_screened": keys.NEWBORN_SCREENED,
    "premarital_couples": keys.PREMARITAL_COUPLES,
    "premarital_checked": keys.PREMARITAL_CHECKED,
    "new_acceptors": keys.NEW_ACCEPTORS,
    "cpr_women": keys.CPR_WOMEN,
    "cpr_users": keys.CPR_USERS,
    "married": keys.MARRIED,
    "married_child": keys.MARRIED_CHILD,
    "divorced": keys.DIVORCED,
    "moved_in": keys.MOVED_IN,
    "moved_out": keys.MOVED_OUT,
}
#: What each count is, in Vietnamese, for the definitions screen and the documentation.
COUNT_NAMES_VI: Final[dict[str, str]] = {
    "population": "Dân số có đến ngày tham chiếu của kỳ",
    "households": "Số hộ có đến cuối kỳ",
    "women_15_49": "Số phụ nữ 15–49 tuổi có đến ngày tham chiếu",
    "elderly": "Số người từ 60 tuổi trở lên có đến ngày tham chiếu",
    "elderly_checked": "Số người từ 60 tuổi trở lên được khám sức khỏe trong kỳ",
    "births": "Số trẻ sinh sống trong kỳ",
    "births_boys": "Số bé trai sinh sống trong kỳ",
    "births_girls": "Số bé gái sinh sống trong kỳ",
    "births_order_known": "Số trẻ sinh ra đã biết thứ tự sinh",
    "births_order2": "Số trẻ sinh ra là con thứ 2",
    "births_order3p": "Số trẻ sinh ra là con thứ 3 trở lên",
    "births_mother_under20": "Số trẻ sinh ra có mẹ dưới 20 tuổi",
    "deaths": "Số người chết trong kỳ",
    "pregnancies": "Số thai phụ được ghi nhận mang thai trong kỳ",
    "prenatal_mothers": "Số bà mẹ sinh con trong kỳ",
    "prenatal_screened": "Số bà mẹ sinh con trong kỳ được sàng lọc trước sinh",
    "newborn_screened": "Số trẻ sinh trong kỳ được sàng lọc sơ sinh",
    "premarital_couples": "Số cặp kết hôn trong kỳ",
    "premarital_checked": "Số cặp kết hôn được tư vấn, khám sức khỏe trước kết hôn",
    "new_acceptors": "Số người mới sử dụng biện pháp tránh thai hiện đại",
    "cpr_women": "Số phụ nữ 15–49 tuổi có chồng có đến cuối kỳ",
    "cpr_users": "Số phụ nữ 15–49 tuổi có chồng đang sử dụng biện pháp hiện đại",
    "married": "Số người kết hôn trong kỳ",
    "married_child": "Số người tảo hôn trong kỳ",
    "divorced": "Số người ly hôn trong kỳ",
    "moved_in": "Số người chuyển đến trong kỳ",
    "moved_out": "Số người chuyển đi trong kỳ",
}

_ELEMENT = re.compile(r"#\{\s*([^}]*?)\s*\}")
ELEMENT_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
_ELEMENT_NAME = "__element_"
#: A decimal comma between digits (``0,15``) is a decimal point; nothing else is a comma.
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
MAX_LENGTH: Final = 500


class Fault(StrEnum):
    """Why an expression was refused (the screens and commands word it)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    SYNTAX = "syntax"
    UNKNOWN_COUNT = "unknown_count"
    BAD_ELEMENT = "bad_element"
    UNKNOWN_ELEMENT = "unknown_element"
    NOT_ALLOWED = "not_allowed"


class ExpressionError(ValueError):
    """An expression that cannot be saved: ``fault`` says why, ``detail`` what (a name, a
    code, the text near the fault)."""

    def __init__(self, fault: Fault, detail: str = "") -> None:
        super().__init__(f"{fault}: {detail}")
        self.fault = fault
        self.detail = detail


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, the register counts and the data elements it
    reads (``counts`` by their names in ``COUNTS``, ``elements`` by code)."""

    text: str
    tree: ast.expr = field(compare=False, repr=False)
    counts: frozenset[str] = frozenset()
    elements: frozenset[str] = frozenset()

    def evaluate(
        self, tally: Mapping[str, float], elements: Mapping[str, float | None]
    ) -> float | None:
        """The expression's value for a unit's summed ``tally`` and its data elements'
        totals (None where nothing was entered): None if any element it reads has no
        value, or if it divides by zero."""
        return _evaluate(self.tree, tally, elements)


def parse(text: str, known_elements: frozenset[str] | set[str] | None = None) -> Expression:
    """``text`` checked; ``known_elements`` (when given) are the data element codes that
    exist.  Raises ``ExpressionError``."""
    text = (text or "").strip()
    if not text:
        raise ExpressionError(Fault.EMPTY)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(Fault.TOO_LONG, str(MAX_LENGTH))
    elements: set[str] = set()

    def element(match: re.Match[str]) -> str:
        code = match.group(1)
        if not ELEMENT_CODE.match(code):
            raise ExpressionError(Fault.BAD_ELEMENT, code)
        if known_elements is not None and code not in known_elements:
            raise ExpressionError(Fault.UNKNOWN_ELEMENT, code)
        elements.add(code)
        return f" {_ELEMENT_NAME}{code} "

    source = _DECIMAL_COMMA.sub(".", _ELEMENT.sub(element, text))
    if "#" in source or "{" in source or "}" in source:
        raise ExpressionError(Fault.SYNTAX, text)
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as error:
        raise ExpressionError(Fault.SYNTAX, text) from error
    counts: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id.startswith(_ELEMENT_NAME):
                continue
            if node.id not in COUNTS:
                raise ExpressionError(Fault.UNKNOWN_COUNT, node.id)
            counts.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError(Fault.NOT_ALLOWED, repr(node.value))
        elif not isinstance(
            node,
            ast.BinOp
            | ast.UnaryOp
            | ast.Add
            | ast.Sub
            | ast.Mult
            | ast.Div
            | ast.USub
            | ast.UAdd
            | ast.Load,
        ):
            raise ExpressionError(Fault.NOT_ALLOWED, ast.unparse(node) if _is_expr(node) else "")
    return Expression(text, tree, frozenset(counts), frozenset(elements))


def _is_expr(node: ast.AST) -> bool:
    return isinstance(node, ast.expr)


def _evaluate(
    node: ast.expr, tally: Mapping[str, float], elements: Mapping[str, float | None]
) -> float | None:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # checked by ``parse``
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id.startswith(_ELEMENT_NAME):
            return elements.get(node.id[len(_ELEMENT_NAME) :])
        return float(tally.get(COUNTS[node.id], 0))
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, tally, elements)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    assert isinstance(node, ast.BinOp)
    left = _evaluate(node.left, tally, elements)
    right = _evaluate(node.right, tally, elements)
    if left is None or right is None:
        return None
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        return None
    return left / right


def element_codes(*texts: str) -> frozenset[str]:
    """The data element codes named in ``texts`` (unchecked: for reading stored ones)."""
    return frozenset(code for text in texts for code in _ELEMENT.findall(text or ""))


#: The catalogue's indicators written as expressions (numerator, denominator, factor):
#: the engine computes them itself (with their intervals), and these say the same thing
#: in the words an officer uses to define one (a test holds the two together).  Rates
#: per 1,000 of periods shorter than a year are annualised (× 365 / days) besides.  The
#: TFR and the ASFRs (5 × Σ births of a group ÷ women of the group) have no expression.
CATALOGUE_EXPRESSIONS: Final[dict[str, tuple[str, str, int]]] = {
    "CBR": ("births", "population", 1000),
    "CDR": ("deaths", "population", 1000),
    "GFR": ("births", "women_15_49", 1000),
    "BIRTH3P": ("births_order3p", "births_order_known", 100),
    "SRB": ("births_boys", "births_girls", 100),
    "PRENATAL": ("prenatal_screened", "prenatal_mothers", 100),
    "NEWBORN": ("newborn_screened", "births", 100),
    "PREMARITAL": ("premarital_checked", "premarital_couples", 100),
    "ELDERLY": ("elderly_checked", "elderly", 100),
    "NEWFP": ("new_acceptors", "", 1),
    "CPR": ("cpr_users", "cpr_women", 100),
}
#: The catalogue's rates that are annualised for periods shorter than a year.
ANNUALISED: Final = frozenset({"CBR", "CDR", "GFR"})
