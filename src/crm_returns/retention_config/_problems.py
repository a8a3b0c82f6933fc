"""What is wrong with a retention document, and where: the approval configuration's report.

A document of retention rules reports its problems exactly as an approval
policy does, so the report is shared: :class:`Problem` says what is wrong
with one value, cattrs' notes say where, and :func:`problems` turns the tree
of errors into ``(path, message)`` pairs, such as
``("rules.return_orders.minimum", "2 years is below the legal minimum of 3 years
(电子商务法 第三十一条)")``.

Two additions: :func:`shown` names JSON's ``null``, and :func:`noted_field`
notes a problem at its field as cattrs would have (a rule's table is read
field by field here, because its checks depend on the profile).
"""

from __future__ import annotations

from cattrs.errors import AttributeValidationNote

from crm_returns.approval_config._problems import (
    Problem,
    noted_at,
    plain,
    problems,
    quoted,
)
from crm_returns.approval_config._problems import shown as _shown

__all__ = ["Problem", "noted_at", "noted_field", "plain", "problems", "quoted", "shown"]


def shown(value: object) -> str:
    """``value`` described for a message, in the document's terms (JSON's ``null`` too)."""
    return "null" if value is None else _shown(value)


def noted_field(error: Exception, name: str) -> Exception:
    """``error`` noted as being about the field ``name`` of a table."""
    note = AttributeValidationNote(f"Structuring @ {name}", name, object)
    error.__notes__ = [*getattr(error, "__notes__", []), note]
    return error
