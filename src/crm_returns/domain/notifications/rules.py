"""Which event notifies whom, on which channel, with which template: the rule values.

A :class:`NotificationRule` says: when a return emits an event of this class,
send this template on this channel to these recipients.  A recipient is the
return's customer, every member of staff who holds a role (``approver``,
``warehouse``, ``finance``, ...: the host's :class:`ContactDirectory` says who
they are), or one fixed address (an e-mail address, or a mobile number in
E.164 form such as ``+8613800138000``).  :class:`NotificationRules` holds the
rules and answers which of them an event triggers.
"""

from __future__ import annotations

import enum
import re
from typing import Any, Final

import attrs

from crm_returns.domain._checks import usable, values_of
from crm_returns.domain.events import ReturnEvent
from crm_returns.errors import InvalidInput, quoted

__all__ = [
    "ADDRESS_LIMIT",
    "TEMPLATE_NAME_LIMIT",
    "NotificationChannel",
    "NotificationRule",
    "NotificationRules",
    "Recipient",
    "RecipientKind",
    "is_email_address",
    "is_phone_number",
]

#: Longest template name or role name, in characters.
TEMPLATE_NAME_LIMIT: Final = 64

#: Longest fixed address (RFC 5321 allows 254 characters in a path).
ADDRESS_LIMIT: Final = 254

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")


class NotificationChannel(enum.Enum):
    """How a notification reaches its recipient."""

    #: An e-mail: subject, plain text and HTML (a ``Mailer`` sends it).
    EMAIL = "email"
    #: A text message from a gateway template (an ``SmsGateway`` sends it).
    SMS = "sms"


class RecipientKind(enum.Enum):
    """Who a recipient is."""

    #: The return's customer, as the host's contact directory knows them.
    CUSTOMER = "customer"
    #: Every member of staff who holds a role.
    ROLE = "role"
    #: One fixed address: an e-mail address or an E.164 mobile number.
    ADDRESS = "address"


def is_email_address(text: str) -> bool:
    """Whether ``text`` has the shape of an e-mail address (``name@domain.tld``)."""
    return _EMAIL.fullmatch(text) is not None


def is_phone_number(text: str) -> bool:
    """Whether ``text`` is a mobile number in E.164 form (``+`` and 7 to 15 digits)."""
    return _PHONE.fullmatch(text) is not None


def _recipient_value(instance: Recipient, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"value must be a string, got {type(value).__name__}")
    usable(value, "value")
    kind = instance.kind
    if kind is RecipientKind.CUSTOMER and value:
        raise InvalidInput(f"the customer needs no value, got {quoted(value)}")
    if kind is RecipientKind.ROLE and not (
        _NAME.fullmatch(value) and len(value) <= TEMPLATE_NAME_LIMIT
    ):
        raise InvalidInput(
            f"a role is lower-case letters, digits, '_' and '-', at most "
            f"{TEMPLATE_NAME_LIMIT} characters, got {quoted(value)}"
        )
    if kind is RecipientKind.ADDRESS and not (
        len(value) <= ADDRESS_LIMIT and (is_email_address(value) or is_phone_number(value))
    ):
        raise InvalidInput(
            "an address is an e-mail address or a mobile number in E.164 form "
            f"(+8613800138000), got {quoted(value)}"
        )


def _kind(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, RecipientKind):
        raise InvalidInput(f"kind must be a RecipientKind, got {type(value).__name__}")


@attrs.frozen
class Recipient:
    """Who a rule notifies: the customer, the staff holding a role, or a fixed address.

    Build one with :meth:`customer`, :meth:`role` or :meth:`address`.  Its
    text form (``str(recipient)``) is how a rules document names it:
    ``customer``, the role's name, or the address.

    Attributes:
        kind: Who it is.
        value: The role's name, or the address; empty for the customer.
    """

    kind: RecipientKind = attrs.field(validator=_kind)
    value: str = attrs.field(default="", validator=_recipient_value)

    @classmethod
    def customer(cls) -> Recipient:
        """The return's customer."""
        return cls(RecipientKind.CUSTOMER)

    @classmethod
    def role(cls, name: str) -> Recipient:
        """Every member of staff who holds the role ``name``."""
        return cls(RecipientKind.ROLE, name)

    @classmethod
    def address(cls, address: str) -> Recipient:
        """One fixed e-mail address or E.164 mobile number."""
        return cls(RecipientKind.ADDRESS, address)

    def reaches(self, channel: NotificationChannel) -> bool:
        """Whether this recipient can be reached on ``channel`` at all.

        A fixed e-mail address cannot take a text message, nor a mobile
        number an e-mail; the customer and staff can take either.
        """
        if self.kind is not RecipientKind.ADDRESS:
            return True
        if channel is NotificationChannel.EMAIL:
            return is_email_address(self.value)
        return is_phone_number(self.value)

    def __str__(self) -> str:
        return "customer" if self.kind is RecipientKind.CUSTOMER else self.value


def _event(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (
        isinstance(value, type) and issubclass(value, ReturnEvent) and value is not ReturnEvent
    ):
        raise InvalidInput(
            f"event must be a class of return event (such as ReturnApproved), got {quoted(value)}"
        )


def _channel(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, NotificationChannel):
        raise InvalidInput(f"channel must be a NotificationChannel, got {type(value).__name__}")


def _recipients(value: object) -> tuple[Recipient, ...]:
    recipients = values_of(value, Recipient, "recipients")
    if not recipients:
        raise InvalidInput("a rule needs at least one recipient")
    return recipients


def _template(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"template must be a string, got {type(value).__name__}")
    if not _NAME.fullmatch(value) or len(value) > TEMPLATE_NAME_LIMIT:
        raise InvalidInput(
            "a template name is lower-case letters, digits, '_' and '-', at most "
            f"{TEMPLATE_NAME_LIMIT} characters, got {quoted(value)}"
        )


@attrs.frozen(kw_only=True)
class NotificationRule:
    """When a return emits ``event``, send ``template`` on ``channel`` to ``recipients``.

    Attributes:
        event: The class of event, such as :class:`~crm_returns.ReturnApproved`.
        channel: E-mail or SMS.
        recipients: Who is told, at least one; each must be reachable on the
            channel (no e-mail address on an SMS rule).
        template: The template's name, such as ``return-approved``: lower-case
            letters, digits, ``_`` and ``-``.

    Raises:
        InvalidInput: A field is of the wrong type or out of range.
    """

    event: type[ReturnEvent] = attrs.field(validator=_event)
    channel: NotificationChannel = attrs.field(validator=_channel)
    recipients: tuple[Recipient, ...] = attrs.field(converter=_recipients)
    template: str = attrs.field(validator=_template)

    def __attrs_post_init__(self) -> None:
        for recipient in self.recipients:
            if not recipient.reaches(self.channel):
                raise InvalidInput(
                    f"{recipient.value!r} cannot be reached by {self.channel.value}: "
                    "e-mail rules take e-mail addresses, SMS rules mobile numbers"
                )


def _rules(value: object) -> tuple[NotificationRule, ...]:
    return values_of(value, NotificationRule, "rules")


@attrs.frozen
class NotificationRules:
    """The rules a notifier follows, in order.

    Attributes:
        rules: The rules; an empty set notifies nobody.
    """

    rules: tuple[NotificationRule, ...] = attrs.field(converter=_rules)

    def for_event(
        self,
        event: ReturnEvent | type[ReturnEvent],
        channel: NotificationChannel | None = None,
    ) -> tuple[NotificationRule, ...]:
        """The rules that ``event`` (or an event of that class) triggers, in order.

        Args:
            event: The event, or its class.
            channel: Only the rules of this channel; every channel's by default.
        """
        kind = event if isinstance(event, type) else type(event)
        return tuple(
            rule
            for rule in self.rules
            if rule.event is kind and (channel is None or rule.channel is channel)
        )

    def __add__(self, other: NotificationRules) -> NotificationRules:
        """These rules, then ``other``'s."""
        if not isinstance(other, NotificationRules):
            return NotImplemented
        return NotificationRules(self.rules + other.rules)
