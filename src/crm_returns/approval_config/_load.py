"""Loading a policy: from plain data, from JSON text and from TOML text.

Each loader ends in :func:`load_policy`, which reads the document with the
converter of :mod:`._document` and reports every problem at once as
:class:`~crm_returns.errors.InvalidPolicy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cattrs.errors import BaseValidationError

from crm_returns.approval_config._document import Document, document_converter
from crm_returns.approval_config._problems import Problem, problems
from crm_returns.approval_config._text import json_document, toml_document
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.errors import CrmReturnsError, InvalidPolicy

__all__ = ["load_policy", "load_policy_json", "load_policy_toml"]


def load_policy(document: Mapping[str, Any]) -> ApprovalPolicy:
    """The approval policy ``document`` describes.

    Args:
        document: The policy as plain data, as :func:`json.load` or
            :func:`tomllib.load` return it.

    Raises:
        InvalidPolicy: A field is missing, unknown or bad; every problem is listed.
    """
    try:
        parsed = document_converter().structure(document, Document)
        return ApprovalPolicy(
            rules=parsed.steps,
            version=parsed.version,
            auto_approve_below=parsed.auto_approve_below,
            distinct_approvers=parsed.distinct_approvers,
        )
    except (BaseValidationError, Problem, CrmReturnsError) as error:
        raise InvalidPolicy(problems(error)) from error


def load_policy_json(text: str) -> ApprovalPolicy:
    """The approval policy in JSON ``text``.

    A key given twice in one object is an error, not a silent overwrite.

    Raises:
        InvalidPolicy: The text is not JSON, or the policy has bad fields.
    """
    return load_policy(json_document(text, "a JSON policy is", InvalidPolicy))


def load_policy_toml(text: str) -> ApprovalPolicy:
    """The approval policy in TOML ``text``.

    Raises:
        InvalidPolicy: The text is not TOML, or the policy has bad fields.
    """
    return load_policy(toml_document(text, "a TOML policy is", InvalidPolicy))
