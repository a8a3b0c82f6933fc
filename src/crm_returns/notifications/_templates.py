"""The compiled templates, per template name, channel and language: rendering and checking.

The package ships one TOML file per language and template,
``templates/<language>/<template>.toml``, with a table per channel::

    [email]
    subject = "退货单 {{ number }} 已批准"
    text = '''...plain text...'''
    html = '''...HTML, escaped automatically...'''

    [sms]
    code = "SMS_RETURN_APPROVED"          # the gateway's template code (模板编号)
    text = "您的退货单{{ number }}已批准"  # how the message reads, for logs and consoles
    params = { number = "{{ number }}" }  # the gateway template's named parameters, in order

A host overrides any part, or adds templates and languages, with a mapping of
the same shape (``{language: {template: {channel: {part: text}}}}``) or a
folder laid out like the package's.  Every template, shipped or not, is
compiled in Jinja2's sandbox with ``StrictUndefined`` (HTML with autoescape)
and checked against the parameters of the events whose rules use it
(``_check.py``); every problem is reported at once as
:class:`~crm_returns.errors.InvalidTemplates`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs
from jinja2 import Template, nodes
from jinja2.sandbox import SandboxedEnvironment

from crm_returns.cloudevents import event_type
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.notifications.defaults import DEFAULT_NOTIFICATION_RULES
from crm_returns.domain.notifications.rules import (
    NotificationChannel,
    NotificationRules,
)
from crm_returns.errors import InvalidTemplates, PermanentFailure
from crm_returns.notifications._check import unknown_parameters
from crm_returns.notifications._parameters import common_shape, event_shape

__all__ = [
    "DEFAULT_LANGUAGE",
    "EmailText",
    "Entry",
    "NotificationTemplates",
    "Part",
    "SmsText",
]

#: The language used when a recipient's language has no template.
DEFAULT_LANGUAGE: Final = "zh-CN"


@attrs.frozen
class EmailText:
    """An e-mail as a template wrote it for one recipient.

    Attributes:
        subject: The subject, on one line.
        text: The plain-text body.
        html: The HTML body, if the template has one.
    """

    subject: str
    text: str
    html: str | None


@attrs.frozen
class SmsText:
    """A text message as a template wrote it for one recipient.

    Attributes:
        code: The gateway's template code.
        text: The message as it reads.
        params: The gateway template's parameters, by name, in order.
    """

    code: str
    text: str
    params: tuple[tuple[str, str], ...]


@attrs.frozen
class Part:
    """One compiled part: its path for messages, its syntax tree for checks, its template."""

    path: str
    tree: nodes.Template
    template: Template


@attrs.frozen
class Entry:
    """One template of one channel in one language, compiled."""

    parts: Mapping[str, Part]
    code: str = ""


class NotificationTemplates:
    """Every template, compiled and checked: what the notifiers render messages with.

    Build it with :func:`load_notification_templates`; it is immutable.
    """

    def __init__(
        self,
        entries: Mapping[tuple[str, NotificationChannel, str], Entry],
        environments: tuple[SandboxedEnvironment, SandboxedEnvironment],
    ) -> None:
        self._entries = dict(entries)
        self._environments = environments

    def languages(self, template: str, channel: NotificationChannel) -> tuple[str, ...]:
        """The languages ``template`` has on ``channel``, sorted."""
        return tuple(
            sorted(
                lang for name, kind, lang in self._entries if (name, kind) == (template, channel)
            )
        )

    def language_for(self, template: str, channel: NotificationChannel, wanted: str) -> str | None:
        """The language to write ``template`` in for someone who reads ``wanted``.

        ``wanted`` itself, else its primary language (``en`` for ``en-GB``),
        else another of the same primary language (``en-GB`` for ``en-US``),
        else :data:`DEFAULT_LANGUAGE`, else the first the template has;
        ``None`` when the template does not exist on that channel.
        """
        have = self.languages(template, channel)
        primary = wanted.partition("-")[0]
        similar = [lang for lang in have if lang.partition("-")[0] == primary]
        for candidate in (wanted, primary, *similar, DEFAULT_LANGUAGE, *have):
            if candidate in have:
                return candidate
        return None

    def email(self, template: str, language: str, parameters: Mapping[str, Any]) -> EmailText:
        """Render the e-mail ``template`` in ``language`` with ``parameters``.

        Raises:
            PermanentFailure: The template is missing, or fails on these
                parameters (it can never render this message).
        """
        parts = self._entry(template, NotificationChannel.EMAIL, language).parts
        html = parts.get("html")
        return EmailText(
            subject=" ".join(_render(parts["subject"], parameters).split()),
            text=_render(parts["text"], parameters),
            html=None if html is None else _render(html, parameters),
        )

    def sms(self, template: str, language: str, parameters: Mapping[str, Any]) -> SmsText:
        """Render the text message ``template`` in ``language`` with ``parameters``.

        Raises:
            PermanentFailure: The template is missing, or fails on these parameters.
        """
        entry = self._entry(template, NotificationChannel.SMS, language)
        prefix = "params."
        return SmsText(
            code=entry.code,
            text=_render(entry.parts["text"], parameters).strip(),
            params=tuple(
                (name.removeprefix(prefix), " ".join(_render(part, parameters).split()))
                for name, part in entry.parts.items()
                if name.startswith(prefix)
            ),
        )

    def check(self, rules: NotificationRules) -> None:
        """Check that every rule's template exists and uses only its event's parameters.

        Notifiers call this when they are built, so that a template that does
        not fit its rules fails at start-up, not when a message is sent.

        Raises:
            InvalidTemplates: A rule's template is missing on its channel, or
                uses a parameter its event lacks; every problem is listed.
        """
        problems = list(_missing(self, rules))
        problems += _fit(self._entries, self._environments, rules)
        if problems:
            raise InvalidTemplates(problems)

    def _entry(self, template: str, channel: NotificationChannel, language: str) -> Entry:
        entry = self._entries.get((template, channel, language))
        if entry is None:
            raise PermanentFailure(f"no {channel.value} template {template!r} in {language}")
        return entry


def _render(part: Part, parameters: Mapping[str, Any]) -> str:
    try:
        return part.template.render(parameters)
    except Exception as error:
        raise PermanentFailure(
            f"template {part.path} cannot be rendered: {type(error).__name__}: {error}"
        ) from error


def _missing(
    templates: NotificationTemplates, rules: NotificationRules
) -> Iterator[tuple[str, str]]:
    seen: set[tuple[str, NotificationChannel]] = set()
    for index, rule in enumerate(rules.rules):
        key = (rule.template, rule.channel)
        if key not in seen and not templates.languages(*key):
            seen.add(key)
            yield (
                f"rules[{index}]",
                f"template {rule.template!r} has no {rule.channel.value} version in any language",
            )


def _users(
    rules: NotificationRules,
) -> dict[tuple[str, NotificationChannel], list[type[ReturnEvent]]]:
    """The events each template serves on each channel, by the rules."""
    users: dict[tuple[str, NotificationChannel], list[type[ReturnEvent]]] = {}
    for rule in rules.rules:
        kinds = users.setdefault((rule.template, rule.channel), [])
        if rule.event not in kinds:
            kinds.append(rule.event)
    return users


def _fit(
    entries: Mapping[tuple[str, NotificationChannel, str], Entry],
    environments: tuple[SandboxedEnvironment, SandboxedEnvironment],
    rules: NotificationRules,
) -> list[tuple[str, str]]:
    """Every part checked against the events whose rules use its template.

    A template none of ``rules`` uses is checked against the events the
    default rules use it for, and one no rule uses at all against the fields
    every event has.
    """
    users, defaults = _users(rules), _users(DEFAULT_NOTIFICATION_RULES)
    problems: list[tuple[str, str]] = []
    for (template, channel, _), entry in entries.items():
        kinds = users.get((template, channel)) or defaults.get((template, channel), [])
        shapes = [(event_type(kind), event_shape(kind)) for kind in kinds] or [("", common_shape())]
        for name, part in entry.parts.items():
            environment = environments[1 if name == "html" else 0]
            for event, shape in shapes:
                for problem in unknown_parameters(environment, part.tree, shape):
                    where = (
                        f"for {event}" if event else "no rule uses it: only fields every event has"
                    )
                    problems.append((part.path, f"{problem} ({where})"))
    return list(dict.fromkeys(problems))
