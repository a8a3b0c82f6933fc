"""Configuration documents from JSON or TOML text, for every loader of them.

The approval policies (:mod:`crm_returns.approval_config`) and the retention
rules (:mod:`crm_returns.retention_config`) read their text the same way: text
only, a key given twice in one JSON object refused, every failure one problem
of the loader's own error, at the document's root.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

from crm_returns.approval_config._problems import Problem, quoted
from crm_returns.errors import InvalidPolicy

__all__ = ["json_document", "toml_document"]


def json_document(text: object, what: str, error: type[InvalidPolicy]) -> Any:
    """The plain data of JSON ``text``.

    Args:
        text: The text given.
        what: What it is, with its verb, for the message (``"a JSON policy is"``).
        error: The loader's error.

    Raises:
        InvalidPolicy: ``error``: not text, not JSON, or a key twice in one object.
    """
    if not isinstance(text, str):
        raise error([("", f"{what} text (str), not {type(text).__name__}")])
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except Problem as problem:
        raise error([("", str(problem))]) from problem
    except ValueError as failure:  # JSONDecodeError, or a number too long to convert
        raise error([("", f"not valid JSON: {failure}")]) from failure


def toml_document(text: object, what: str, error: type[InvalidPolicy]) -> Any:
    """The plain data of TOML ``text`` (see :func:`json_document`)."""
    if not isinstance(text, str):
        raise error([("", f"{what} text (str), not {type(text).__name__}")])
    try:
        return tomllib.loads(text)
    except ValueError as failure:  # TOMLDecodeError, or a number too long to convert
        raise error([("", f"not valid TOML: {failure}")]) from failure


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Problem(f"key {quoted(key)} appears twice in one JSON object")
        result[key] = value
    return result
