"""Typed tables: a TOML table checked against what it configures.

The expected type of each key is read off the thing the table configures (a function's
or class's annotated keyword arguments, else their defaults' types, or a dataclass's
fields), so a new argument needs no schema edit. Unknown keys get a `difflib`
suggestion; ints pass where floats are expected and lists where tuples are.
"""

import dataclasses
import difflib
import inspect
import types
import typing

from ganzoo.errors import RecipeError


def type_name(expected):
    if expected is typing.Any:
        return "any value"
    args = typing.get_args(expected)
    if args:
        return " or ".join(type_name(a) for a in args)
    return {type(None): "none", list: "a list"}.get(expected, expected.__name__)


def matches(value, expected):
    """Whether a TOML value has the expected type (ints pass as floats, lists as tuples)."""
    if expected is typing.Any:
        return True
    if typing.get_origin(expected) in (typing.Union, types.UnionType):
        return any(matches(value, option) for option in typing.get_args(expected))
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected in (list, tuple):
        return isinstance(value, list)
    return isinstance(value, expected)


def parameter_types(function, skip=()):
    """Keyword name -> expected type, from annotations, else from the default's type."""
    expected = {}
    for name, p in inspect.signature(function, eval_str=True).parameters.items():
        if name in skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.annotation is not p.empty:
            expected[name] = p.annotation
        elif p.default is p.empty or p.default is None:
            expected[name] = typing.Any
        else:
            expected[name] = list if isinstance(p.default, tuple) else type(p.default)
    return expected


def required_parameters(function, skip=()):
    return [
        name
        for name, p in inspect.signature(function).parameters.items()
        if name not in skip
        and p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def check_table(table, expected, where, required=()):
    """Raises RecipeError for an unknown key, a value of the wrong type, a missing key."""
    for key, value in table.items():
        if key not in expected:
            close = difflib.get_close_matches(key, expected, n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise RecipeError(
                f"{where}: unknown key {key!r}.{hint} Known keys: {', '.join(sorted(expected))}."
            )
        if not matches(value, expected[key]):
            raise RecipeError(
                f"{where}: {key!r} must be {type_name(expected[key])}; received {value!r}."
            )
    for key in required:
        if key not in table:
            raise RecipeError(f"{where}: missing key {key!r}.")


def options(cls, table, where):
    """A table checked against a dataclass's fields, as an instance of it."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    required = [f.name for f in fields if f.default is dataclasses.MISSING]
    check_table(table, {f.name: hints[f.name] for f in fields}, where, required)
    return cls(**table)
