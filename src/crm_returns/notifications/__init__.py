"""Notifications: e-mails and text messages by rules and templates (the ``notifications`` extra).

The rules (which event tells whom, on which channel, with which template) are
pure values in :mod:`crm_returns.domain.notifications`; this package loads
them from data, renders them with Jinja2 templates and sends them as relay
destinations::

    from crm_returns.notifications import EmailNotifier, load_notification_rules_toml

    rules = load_notification_rules_toml(text)  # or DEFAULT_NOTIFICATION_RULES
    email = EmailNotifier(mailer, contacts, sender="returns@shop.example", rules=rules)
    service.relay([email, sms]).run_until_idle()

Where each part lives:

- ``_rules.py`` — rules from a mapping or TOML text, every problem with its
  path (:class:`~crm_returns.errors.InvalidNotificationRules`);
- ``templates/<language>/<template>.toml`` — the shipped templates, zh-CN
  and en, one file per template with a table per channel;
- ``_loading.py`` — loading and overriding templates, compiling them
  (Jinja2 sandbox, ``StrictUndefined``, autoescaped HTML);
- ``_templates.py`` — the compiled templates: rendering them, and checking
  them against the rules;
- ``_parameters.py`` — what a template may use (the event's CloudEvent
  ``data``, ``recipient``, the filters) and the shapes it is checked against;
- ``_check.py`` — the check that refuses an unknown parameter at load time;
- ``_audience.py`` — recipients to addresses through the host's contacts,
  and the stable id of each send;
- ``_notifiers.py`` — :class:`EmailNotifier` and :class:`SmsNotifier`.

``docs/notifications.md`` describes the formats and the parameters.
"""

from crm_returns.notifications._loading import load_notification_templates
from crm_returns.notifications._notifiers import EmailNotifier, SmsNotifier
from crm_returns.notifications._rules import (
    RULE_LIMIT,
    load_notification_rules,
    load_notification_rules_toml,
)
from crm_returns.notifications._templates import (
    DEFAULT_LANGUAGE,
    EmailText,
    NotificationTemplates,
    SmsText,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "RULE_LIMIT",
    "EmailNotifier",
    "EmailText",
    "NotificationTemplates",
    "SmsNotifier",
    "SmsText",
    "load_notification_rules",
    "load_notification_rules_toml",
    "load_notification_templates",
]
