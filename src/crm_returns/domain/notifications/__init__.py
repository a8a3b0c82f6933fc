"""Notifications: which event tells whom, on which channel, with which template.

Pure rules, no I/O: the notifiers that send e-mails and text messages by
these rules live in ``crm_returns.notifications``, the host's contacts come
through ``crm_returns.ports.ContactDirectory``.

- ``rules.py`` — the channels (e-mail, SMS), the recipients (the customer,
  the staff holding a role, a fixed address), one :class:`NotificationRule`
  and :class:`NotificationRules`, which answers "which rules does this event
  trigger?".
- ``defaults.py`` — :data:`DEFAULT_NOTIFICATION_RULES`, who is told what when
  the host says nothing: approvers on submission, the customer on approval,
  rejection, refund and completion, the warehouse on approval, finance on
  inspection.
"""

from crm_returns.domain.notifications.defaults import DEFAULT_NOTIFICATION_RULES
from crm_returns.domain.notifications.rules import (
    TEMPLATE_NAME_LIMIT,
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
    RecipientKind,
)

__all__ = [
    "DEFAULT_NOTIFICATION_RULES",
    "TEMPLATE_NAME_LIMIT",
    "NotificationChannel",
    "NotificationRule",
    "NotificationRules",
    "Recipient",
    "RecipientKind",
]
