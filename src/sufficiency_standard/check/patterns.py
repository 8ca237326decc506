"""What a field's pattern proves about the text it matches, so that typing can skip a test
the pattern already makes.

Patterns are read with Python's own parser of regular expressions (re._parser), which
reads what a standard's patterns use (character classes, groups, alternatives, repeats)
as polars' Rust engine does; anything it cannot prove is reported as not proved.
"""

from __future__ import annotations

import functools
import re
import re._parser as re_parser

# Every white space character (Python's, a superset of Unicode's White_Space that the
# Rust engine's \s is): none lies above U+3000.
_WHITE_SPACE = frozenset(map(ord, filter(str.isspace, map(chr, range(0x3001)))))


@functools.cache
def matches_only_plain_text(pattern: str) -> bool:
    """True when no text that `pattern` matches is blank or starts or ends with white
    space: the pattern is anchored at both ends, matches no empty text, and neither its
    first nor its last character can be white space. False when that cannot be proved."""
    try:
        items = list(re_parser.parse(pattern))
        matches_nothing = re.search(pattern, "") is not None
    except (re.error, RecursionError):
        return False
    op = re_parser  # the parser's opcodes
    anchored = (
        len(items) >= 2
        and items[0] in ((op.AT, op.AT_BEGINNING), (op.AT, op.AT_BEGINNING_STRING))
        and items[-1] in ((op.AT, op.AT_END), (op.AT, op.AT_END_STRING))
    )
    if matches_nothing or not anchored:  # unanchored, it is found inside other text too
        return False
    for from_end in (False, True):
        edge = _edge_characters(items, from_end)
        if edge is None or any(_may_be_white_space(code, argument) for code, argument in edge[0]):
            return False
    return True


_Item = tuple  # (opcode, argument), as re._parser gives them


def _edge_characters(items: list[_Item], from_end: bool) -> tuple[list[_Item], bool] | None:
    """The items that may match the first (or last) character of what `items` match, and
    whether they may match nothing; None for what is not understood."""
    op = re_parser  # the parser's opcodes
    found: list[_Item] = []
    for code, argument in reversed(items) if from_end else items:
        if code is op.AT:  # ^ and $: no character
            continue
        if code in (op.LITERAL, op.NOT_LITERAL, op.ANY, op.IN, op.CATEGORY):
            found.append((code, argument))
            return found, False
        if code is op.SUBPATTERN:  # (group, flags added, flags removed, items)
            parts = [list(argument[3])]
            optional = False
        elif code is op.BRANCH:  # (None, [items of each alternative])
            parts = [list(branch) for branch in argument[1]]
            optional = False
        elif code in (op.MAX_REPEAT, op.MIN_REPEAT):  # (least, most, items)
            parts = [list(argument[2])]
            optional = argument[0] == 0
        else:
            return None
        empty = optional
        for part in parts:
            edge = _edge_characters(part, from_end)
            if edge is None:
                return None
            found += edge[0]
            empty = empty or edge[1]
        if not empty:
            return found, False
    return found, True


def _may_be_white_space(code: object, argument: object) -> bool:
    """Whether one character item (re._parser's) may match a white space character."""
    op = re_parser
    if code is op.LITERAL:
        return argument in _WHITE_SPACE
    if code is op.RANGE:
        low, high = argument  # type: ignore[misc]
        return any(low <= space <= high for space in _WHITE_SPACE)
    if code is op.CATEGORY:
        return argument not in (op.CATEGORY_DIGIT, op.CATEGORY_WORD)
    if code is op.IN:
        items = list(argument)  # type: ignore[call-overload]
        return any(item[0] is op.NEGATE for item in items) or any(
            _may_be_white_space(*item) for item in items
        )
    return True  # any character, or all but one
