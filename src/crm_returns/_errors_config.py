"""The errors of configuration documents: an approval policy, rules, templates, a service level.

Re-exported by :mod:`crm_returns.errors`; import them from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from crm_returns.errors import InvalidInput

__all__ = [
    "InvalidDestinations",
    "InvalidNotificationRules",
    "InvalidPolicy",
    "InvalidRetentionRules",
    "InvalidServiceLevel",
    "InvalidTemplates",
]


class InvalidPolicy(InvalidInput):
    """A configuration document has bad fields; every problem found is listed.

    Raised as it is for an approval policy; its kinds say which other
    document is wrong (:class:`InvalidNotificationRules`,
    :class:`InvalidRetentionRules`, :class:`InvalidTemplates`).  The message
    has one line per problem, each starting with the path of the field, such as
    ``steps[1].conditions.refund_at_least.CNY``.

    Attributes:
        problems: ``(path, what is wrong)`` pairs in document order; the path
            is empty for a problem with the document as a whole.
    """

    #: What the document is, as the message names it.
    document: ClassVar[str] = "approval policy"

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        lines = [f"{path}: {message}" if path else message for path, message in self.problems]
        if len(lines) == 1:
            text = f"invalid {self.document}: {lines[0]}"
        else:
            text = f"invalid {self.document}, {len(lines)} problems:\n" + "\n".join(
                f"  {line}" for line in lines
            )
        super().__init__(text)


class InvalidDestinations(InvalidPolicy):
    """A destinations file (``crm-returns events relay --destinations``) has bad fields."""

    document: ClassVar[str] = "destinations file"


class InvalidNotificationRules(InvalidPolicy):
    """A notification rules document has bad fields; every problem found is listed.

    Paths name the rule and its field, such as ``rules[2].recipients[0]``.
    """

    document: ClassVar[str] = "notification rules"


class InvalidRetentionRules(InvalidPolicy):
    """A retention rules document has bad fields; every problem found is listed.

    Paths name the record class and its field, such as
    ``rules.return_orders.minimum`` (``rules.customers[1].maximum`` when a
    class has several rules).  A period below the legal minimum of the
    profile's rule for that class is one of these problems: its message names
    the legal minimum and its legal basis.
    """

    document: ClassVar[str] = "retention rules"


class InvalidServiceLevel(InvalidPolicy):
    """A service level document has bad fields; every problem found is listed.

    Paths name the stage and the unit, such as ``ship_back.days``.
    """

    document: ClassVar[str] = "service level"


class InvalidTemplates(InvalidPolicy):
    """Notification templates are wrong; every problem found is listed.

    Raised when templates are loaded or meet their rules (when a notifier is
    built), never when a message is sent: a template that does not parse,
    uses a parameter its event does not have or a filter that does not
    exist, or lacks a part, or a rule whose template is missing.  Paths name
    the language, the template, the channel and the part, such as
    ``en.return-approved.email.subject``.
    """

    document: ClassVar[str] = "notification templates"
