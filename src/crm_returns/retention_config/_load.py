"""Loading retention rules: from plain data, from JSON text and from TOML text.

Each loader ends in :func:`load_retention`, which reads the document with the
converter of :mod:`._document` and reports every problem at once as
:class:`~crm_returns.errors.InvalidRetentionRules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from cattrs.errors import BaseValidationError

from crm_returns.approval_config._text import json_document, toml_document
from crm_returns.domain.retention import PROFILES, RetentionPolicy
from crm_returns.errors import CrmReturnsError, InvalidRetentionRules
from crm_returns.retention_config._document import Document, document_converter
from crm_returns.retention_config._problems import Problem, problems

__all__ = ["load_retention", "load_retention_json", "load_retention_toml"]


def _named_profile(document: object) -> RetentionPolicy | None:
    """The profile ``document`` names, if it names a shipped one (its rules are held to it)."""
    name = document.get("profile") if isinstance(document, Mapping) else None
    return PROFILES.get(name) if isinstance(name, str) else None


def load_retention(document: Mapping[str, Any]) -> RetentionPolicy:
    """The retention policy ``document`` describes: a profile with the rules it replaces.

    Args:
        document: The rules as plain data, as :func:`json.load` or
            :func:`tomllib.load` return them: ``profile`` (a name in
            :data:`~crm_returns.domain.retention.PROFILES`), optionally
            ``fiscal_year_end`` and ``rules``, a table of record classes whose
            rules replace the profile's (see :mod:`crm_returns.retention_config`).

    Raises:
        InvalidRetentionRules: A field is missing, unknown or bad, or a period
            is below the profile's legal minimum for its class; every problem
            is listed with its path.
    """
    try:
        parsed = document_converter(_named_profile(document)).structure(document, Document)
    except (BaseValidationError, Problem, CrmReturnsError) as error:
        raise InvalidRetentionRules(problems(error)) from error
    year_end = parsed.fiscal_year_end
    policy = parsed.profile.replacing(parsed.rules)
    return policy if year_end is None else attrs.evolve(policy, fiscal_year_end=year_end)


def load_retention_json(text: str) -> RetentionPolicy:
    """The retention policy in JSON ``text`` (see :func:`load_retention`).

    A key given twice in one object is an error, not a silent overwrite.

    Raises:
        InvalidRetentionRules: The text is not JSON, or the rules have bad fields.
    """
    return load_retention(json_document(text, "JSON retention rules are", InvalidRetentionRules))


def load_retention_toml(text: str) -> RetentionPolicy:
    """The retention policy in TOML ``text`` (see :func:`load_retention`).

    Raises:
        InvalidRetentionRules: The text is not TOML, or the rules have bad fields.
    """
    return load_retention(toml_document(text, "TOML retention rules are", InvalidRetentionRules))
