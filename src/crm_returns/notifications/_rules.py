"""Notification rules from data: a mapping or a TOML text, every problem reported with its path.

A rules document lists the rules; each names its event by CloudEvents type,
its channel, its recipients and its template::

    defaults = true          # keep the default rules, and add these

    [[rules]]
    event = "com.crm-returns.return.approved.v1"
    channel = "sms"
    recipients = ["warehouse", "+8613800138000"]
    template = "goods-expected"

A recipient is ``"customer"``, a role (one the access policy knows:
``approver``, ``warehouse``, ``finance``, ... and the host's own, given as
``roles``), or a fixed address: an e-mail address on an e-mail rule, an E.164
mobile number on an SMS rule.  Keys the format does not know are errors, so
that a misspelt key cannot silently drop a rule.  Every problem is reported
at once as :class:`~crm_returns.errors.InvalidNotificationRules`, each with
its path, such as ``rules[2].recipients[0]: unknown role 'boss'``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Final

import attrs

from crm_returns.cloudevents import EVENT_TYPES
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.notifications.defaults import DEFAULT_NOTIFICATION_RULES
from crm_returns.domain.notifications.rules import (
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
    is_email_address,
    is_phone_number,
)
from crm_returns.domain.policies import access
from crm_returns.errors import InvalidInput, InvalidNotificationRules, quoted

__all__ = ["RULE_LIMIT", "load_notification_rules", "load_notification_rules_toml"]

#: Most rules one document may hold.
RULE_LIMIT: Final = 1000

_QUOTE_LIMIT: Final = 40
_DOCUMENT_KEYS: Final = ("defaults", "rules")
_RULE_KEYS: Final = ("event", "channel", "recipients", "template")
_CUSTOMER: Final = "customer"


def _shown(value: object) -> str:
    """``value`` as a message shows it, in the document's terms, cut short if long."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return repr(value) if len(value) <= _QUOTE_LIMIT else f"{value[:_QUOTE_LIMIT]!r}..."
    if isinstance(value, int | float):
        text = repr(value)
        return f"the number {text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT] + '...'}"
    return f"a {type(value).__name__}"


@attrs.define
class _Reading:
    """What has gone wrong so far, each problem with its path."""

    roles: frozenset[str]
    problems: list[tuple[str, str]] = attrs.field(factory=list)

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def unknown_keys(self, table: Mapping[Any, Any], known: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in known:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"unknown key; the keys here are {', '.join(known)}")


def _event(value: object, path: str, reading: _Reading) -> type[ReturnEvent] | None:
    if not isinstance(value, str):
        reading.fail(path, f"must be an event type (a string), not {_shown(value)}")
        return None
    kind = EVENT_TYPES.get(value)
    if kind is None:
        guess = [name for name in EVENT_TYPES if f".{value}." in name]
        hint = f"; did you mean {guess[0]!r}?" if guess else "; see docs/events.md for the types"
        reading.fail(path, f"unknown event type {_shown(value)}{hint}")
    return kind


def _channel(value: object, path: str, reading: _Reading) -> NotificationChannel | None:
    try:
        return NotificationChannel(value)
    except ValueError:
        names = ", ".join(repr(channel.value) for channel in NotificationChannel)
        reading.fail(path, f"must be one of {names}, not {_shown(value)}")
        return None


def _recipient(
    value: object, channel: NotificationChannel | None, path: str, reading: _Reading
) -> Recipient | None:
    if not isinstance(value, str):
        reading.fail(path, f"must be a string, not {_shown(value)}")
        return None
    if value == _CUSTOMER:
        return Recipient.customer()
    if is_email_address(value) or is_phone_number(value):
        recipient = Recipient.address(value)
        if channel is not None and not recipient.reaches(channel):
            wanted = (
                "an e-mail address" if channel is NotificationChannel.EMAIL else "a mobile number"
            )
            reading.fail(
                path, f"{_shown(value)} cannot be reached by {channel.value}; give {wanted}"
            )
            return None
        return recipient
    if "@" in value or value.startswith("+"):
        reading.fail(
            path,
            f"{_shown(value)} is neither an e-mail address nor a mobile number in E.164 form "
            "(+8613800138000)",
        )
        return None
    if value not in reading.roles:
        known = ", ".join(sorted(reading.roles))
        reading.fail(path, f"unknown role {_shown(value)}; the roles are customer, {known}")
        return None
    try:
        return Recipient.role(value)
    except InvalidInput as error:
        reading.fail(path, str(error))
        return None


def _recipients(
    value: object, channel: NotificationChannel | None, path: str, reading: _Reading
) -> tuple[Recipient, ...] | None:
    if isinstance(value, str):
        value = [value]  # one recipient may be given alone
    if not isinstance(value, list | tuple):
        reading.fail(path, f"must be a list of recipients, not {_shown(value)}")
        return None
    if not value:
        reading.fail(path, "must name at least one recipient")
        return None
    found = [
        _recipient(item, channel, f"{path}[{index}]", reading) for index, item in enumerate(value)
    ]
    recipients = tuple(recipient for recipient in found if recipient is not None)
    return recipients if len(recipients) == len(found) else None


def _template(value: object, path: str, reading: _Reading) -> str | None:
    if not isinstance(value, str):
        reading.fail(path, f"must be a template name (a string), not {_shown(value)}")
        return None
    return value  # the rule checks its form


def _rule(value: object, path: str, reading: _Reading) -> NotificationRule | None:
    if not isinstance(value, Mapping):
        reading.fail(
            path, f"must be a table with the keys {', '.join(_RULE_KEYS)}, not {_shown(value)}"
        )
        return None
    reading.unknown_keys(value, _RULE_KEYS, path)
    for key in _RULE_KEYS:
        if key not in value:
            reading.fail(f"{path}.{key}", "is required")
    if any(key not in value for key in _RULE_KEYS):
        return None
    before = len(reading.problems)
    event = _event(value["event"], f"{path}.event", reading)
    channel = _channel(value["channel"], f"{path}.channel", reading)
    recipients = _recipients(value["recipients"], channel, f"{path}.recipients", reading)
    template = _template(value["template"], f"{path}.template", reading)
    if len(reading.problems) > before or event is None or channel is None or recipients is None:
        return None
    try:
        return NotificationRule(
            event=event, channel=channel, recipients=recipients, template=str(template)
        )
    except InvalidInput as error:
        reading.fail(f"{path}.template", str(error))
        return None


def _rules(value: object, reading: _Reading) -> Iterator[NotificationRule]:
    if not isinstance(value, list | tuple):
        reading.fail("rules", f"must be a list of rules ([[rules]] in TOML), not {_shown(value)}")
        return
    if len(value) > RULE_LIMIT:
        reading.fail("rules", f"has {len(value)} rules; the limit is {RULE_LIMIT}")
        return
    for index, item in enumerate(value):
        rule = _rule(item, f"rules[{index}]", reading)
        if rule is not None:
            yield rule


def _known_roles(roles: object) -> frozenset[str]:
    if roles is None:
        return frozenset(access.DEFAULT_ROLES)
    if isinstance(roles, str | bytes | Mapping) or not isinstance(roles, Collection):
        raise InvalidInput(f"roles must be a collection of role names, got {quoted(roles)}")
    if not all(isinstance(role, str) for role in roles):
        raise InvalidInput(f"roles must be role names (strings), got {quoted(roles)}")
    return frozenset(roles)


def load_notification_rules(
    document: Mapping[str, Any], roles: Collection[str] | None = None
) -> NotificationRules:
    """The notification rules ``document`` describes.

    Args:
        document: The rules as plain data, as :func:`tomllib.load` or
            :func:`json.load` return them: ``rules``, a list of tables with
            ``event``, ``channel``, ``recipients`` and ``template``, and
            ``defaults`` (``true`` to add them to
            :data:`~crm_returns.DEFAULT_NOTIFICATION_RULES`; ``false``, the
            default, to replace those).
        roles: The roles a recipient may name; the roles of
            :data:`~crm_returns.DEFAULT_ROLES` by default.  Give the host's own
            when its access policy has others.

    Raises:
        InvalidNotificationRules: A key is missing, unknown or bad; every
            problem is listed with its path.
    """
    reading = _Reading(roles=_known_roles(roles) - {_CUSTOMER})
    if not isinstance(document, Mapping):
        raise InvalidNotificationRules(
            [
                (
                    "",
                    f"must be a table with the keys defaults, rules, not {_shown(document)}",
                )
            ]
        )
    reading.unknown_keys(document, _DOCUMENT_KEYS, "")
    defaults = document.get("defaults", False)
    if not isinstance(defaults, bool):
        reading.fail("defaults", f"must be true or false, not {_shown(defaults)}")
    rules = tuple(_rules(document.get("rules", []), reading))
    if reading.problems:
        raise InvalidNotificationRules(reading.problems)
    loaded = NotificationRules(rules)
    return DEFAULT_NOTIFICATION_RULES + loaded if defaults is True else loaded


def load_notification_rules_toml(
    text: str, roles: Collection[str] | None = None
) -> NotificationRules:
    """The notification rules in TOML ``text`` (see :func:`load_notification_rules`).

    Raises:
        InvalidNotificationRules: The text is not TOML, or the rules have bad fields.
    """
    if not isinstance(text, str):
        raise InvalidNotificationRules(
            [("", f"TOML rules are text (str), not {type(text).__name__}")]
        )
    try:
        document = tomllib.loads(text)
    except ValueError as error:  # TOMLDecodeError, or a number too long to convert
        raise InvalidNotificationRules([("", f"not valid TOML: {error}")]) from error
    return load_notification_rules(document, roles)
