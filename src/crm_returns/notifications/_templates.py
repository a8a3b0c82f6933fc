"""Templates per template name, channel and language: loaded, compiled and checked at once.

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

import re
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from crm_returns.cloudevents import event_type
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.notifications.defaults import DEFAULT_NOTIFICATION_RULES
from crm_returns.domain.notifications.rules import (
    TEMPLATE_NAME_LIMIT,
    NotificationChannel,
    NotificationRules,
)
from crm_returns.errors import InvalidTemplates, PermanentFailure
from crm_returns.notifications._check import unknown_parameters
from crm_returns.notifications._parameters import common_shape, event_shape, filters

__all__ = [
    "DEFAULT_LANGUAGE",
    "TEMPLATE_LIMIT",
    "EmailText",
    "NotificationTemplates",
    "SmsText",
    "load_notification_templates",
]

#: The language used when a recipient's language has no template.
DEFAULT_LANGUAGE: Final = "zh-CN"

#: Longest template part, in characters.
TEMPLATE_LIMIT: Final = 100_000

#: Longest gateway template code, in characters.
CODE_LIMIT: Final = 64

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARTS: Final[Mapping[NotificationChannel, tuple[str, ...]]] = MappingProxyType(
    {
        NotificationChannel.EMAIL: ("subject", "text", "html"),
        NotificationChannel.SMS: ("code", "text", "params"),
    }
)
_REQUIRED: Final[Mapping[NotificationChannel, tuple[str, ...]]] = MappingProxyType(
    {
        NotificationChannel.EMAIL: ("subject", "text"),
        NotificationChannel.SMS: ("code", "text"),
    }
)


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
class _Part:
    """One compiled part: its path for messages, its syntax tree for checks, its template."""

    path: str
    tree: nodes.Template
    template: Template


@attrs.frozen
class _Entry:
    """One template of one channel in one language, compiled."""

    parts: Mapping[str, _Part]
    code: str = ""


class NotificationTemplates:
    """Every template, compiled and checked: what the notifiers render messages with.

    Build it with :func:`load_notification_templates`; it is immutable.
    """

    def __init__(
        self,
        entries: Mapping[tuple[str, NotificationChannel, str], _Entry],
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

    def _entry(self, template: str, channel: NotificationChannel, language: str) -> _Entry:
        entry = self._entries.get((template, channel, language))
        if entry is None:
            raise PermanentFailure(f"no {channel.value} template {template!r} in {language}")
        return entry


def _render(part: _Part, parameters: Mapping[str, Any]) -> str:
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
    entries: Mapping[tuple[str, NotificationChannel, str], _Entry],
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


# -- loading ---------------------------------------------------------------------------


def _environments() -> tuple[SandboxedEnvironment, SandboxedEnvironment]:
    """A text environment and an HTML one (autoescape), both strict and sandboxed."""
    made = []
    for autoescape in (False, True):
        environment = SandboxedEnvironment(
            undefined=StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        environment.filters.update(filters())
        made.append(environment)
    return made[0], made[1]


def _shipped() -> dict[str, dict[str, Any]]:
    """The package's templates: ``{language: {template: document}}``."""
    found: dict[str, dict[str, Any]] = {}
    folder = resources.files("crm_returns.notifications") / "templates"
    for language in folder.iterdir():
        if not language.is_dir():
            continue
        for file in language.iterdir():
            if file.name.endswith(".toml"):
                document = tomllib.loads(file.read_text(encoding="utf-8"))
                found.setdefault(language.name, {})[file.name.removesuffix(".toml")] = document
    return found


def _folder(path: Path, problems: list[tuple[str, str]]) -> dict[str, Any]:
    """A host's folder of templates, laid out like the package's."""
    found: dict[str, dict[str, Any]] = {}
    if not path.is_dir():
        problems.append(("", f"{str(path)!r} is not a folder of templates"))
        return found
    for file in sorted(path.glob("*/*.toml")):
        where = f"{file.parent.name}.{file.stem}"
        try:
            document = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            problems.append((where, f"cannot be read: {error}"))
            continue
        found.setdefault(file.parent.name, {})[file.stem] = document
    return found


def _merged(
    base: dict[str, dict[str, Any]], overrides: object, problems: list[tuple[str, str]]
) -> dict[str, dict[str, Any]]:
    """``base`` with each part ``overrides`` gives replaced (``params`` replaced whole)."""
    if not isinstance(overrides, Mapping):
        problems.append(("", f"overrides must be a table of languages, not {_shown(overrides)}"))
        return base
    merged = {lang: {name: _copy(doc) for name, doc in docs.items()} for lang, docs in base.items()}
    for language, documents in overrides.items():
        if not isinstance(documents, Mapping):
            problems.append(
                (str(language), f"must be a table of templates, not {_shown(documents)}")
            )
            continue
        for name, document in documents.items():
            if not isinstance(document, Mapping):
                problems.append(
                    (f"{language}.{name}", f"must be a table of channels, not {_shown(document)}")
                )
                continue
            into = merged.setdefault(str(language), {}).setdefault(name, {})
            for channel, parts in document.items():
                if isinstance(parts, Mapping) and isinstance(into.get(channel), dict):
                    into[channel].update(parts)
                else:
                    into[channel] = parts
            merged[str(language)][name] = into
    return merged


def _copy(document: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: dict(value) if isinstance(value, Mapping) else value for key, value in document.items()
    }


def _shown(value: object) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:40]}..."


def _compile(
    documents: Mapping[Any, Any],
    environments: tuple[SandboxedEnvironment, SandboxedEnvironment],
    problems: list[tuple[str, str]],
) -> dict[tuple[str, NotificationChannel, str], _Entry]:
    entries: dict[tuple[str, NotificationChannel, str], _Entry] = {}
    for language, templates in documents.items():
        if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
            problems.append(
                (str(language), "is not a language code such as zh-CN or en (lower-case language)")
            )
            continue
        for name, document in templates.items():
            path = f"{language}.{name}"
            if (
                not isinstance(name, str)
                or not _NAME.fullmatch(name)
                or len(name) > TEMPLATE_NAME_LIMIT
            ):
                problems.append(
                    (path, "a template name is lower-case letters, digits, '_' and '-'")
                )
                continue
            for key, parts in document.items():
                try:
                    channel = NotificationChannel(key)
                except ValueError:
                    problems.append(
                        (f"{path}.{key}", "unknown channel; the channels are email, sms")
                    )
                    continue
                entry = _entry(parts, f"{path}.{key}", channel, environments, problems)
                if entry is not None:
                    entries[(name, channel, language)] = entry
    return entries


def _entry(
    parts: object,
    path: str,
    channel: NotificationChannel,
    environments: tuple[SandboxedEnvironment, SandboxedEnvironment],
    problems: list[tuple[str, str]],
) -> _Entry | None:
    if not isinstance(parts, Mapping):
        problems.append(
            (path, f"must be a table of {', '.join(_PARTS[channel])}, not {_shown(parts)}")
        )
        return None
    before = len(problems)
    for key in parts:
        if key not in _PARTS[channel]:
            problems.append(
                (f"{path}.{key}", f"unknown part; the parts are {', '.join(_PARTS[channel])}")
            )
    for key in _REQUIRED[channel]:
        if key not in parts:
            problems.append((f"{path}.{key}", "is required"))
    sources: list[tuple[str, object]] = [
        (key, parts[key]) for key in ("subject", "text", "html") if key in parts
    ]
    code = ""
    if channel is NotificationChannel.SMS:
        code = _code(parts.get("code", ""), f"{path}.code", problems)
        params = parts.get("params", {})
        if isinstance(params, Mapping):
            for name, source in params.items():
                if not isinstance(name, str) or not _PARAM.fullmatch(name):
                    problems.append(
                        (
                            f"{path}.params",
                            f"{_shown(name)} is not a parameter name (letters, digits, _)",
                        )
                    )
                    continue
                sources.append((f"params.{name}", source))
        else:
            problems.append(
                (f"{path}.params", f"must be a table of names to templates, not {_shown(params)}")
            )
    compiled: dict[str, _Part] = {}
    for key, source in sources:
        part = _part(source, f"{path}.{key}", environments[1 if key == "html" else 0], problems)
        if part is not None:
            compiled[key] = part
    if len(problems) > before:
        return None
    return _Entry(parts=compiled, code=code)


def _code(value: object, path: str, problems: list[tuple[str, str]]) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > CODE_LIMIT:
        problems.append(
            (
                path,
                f"must be the gateway's template code, 1 to {CODE_LIMIT} characters, "
                f"not {_shown(value)}",
            )
        )
        return ""
    return value


def _part(
    source: object, path: str, environment: SandboxedEnvironment, problems: list[tuple[str, str]]
) -> _Part | None:
    if not isinstance(source, str):
        problems.append((path, f"must be template text, not {_shown(source)}"))
        return None
    if len(source) > TEMPLATE_LIMIT:
        problems.append((path, f"is {len(source)} characters long; the limit is {TEMPLATE_LIMIT}"))
        return None
    try:
        tree = environment.parse(source)
        template = environment.from_string(tree)
    except TemplateSyntaxError as error:
        problems.append((path, f"line {error.lineno}: {error.message}"))
        return None
    except Exception as error:  # noqa: BLE001 - a template the compiler chokes on is bad input
        problems.append((path, f"cannot be compiled: {type(error).__name__}: {error}"))
        return None
    return _Part(path=path, tree=tree, template=template)


def load_notification_templates(
    overrides: Mapping[str, Any] | Path | None = None,
    *,
    rules: NotificationRules = DEFAULT_NOTIFICATION_RULES,
) -> NotificationTemplates:
    """The shipped templates, with the host's overrides, compiled and checked.

    Args:
        overrides: Parts to replace and templates or languages to add: a
            mapping ``{language: {template: {channel: {part: text}}}}`` or a
            folder of ``<language>/<template>.toml`` files.  A part given
            replaces the shipped one; SMS ``params`` are replaced whole.
        rules: The rules the templates serve: each template is checked
            against the parameters of every event whose rule uses it, and
            every rule's template must exist.  A template these rules do not
            use is checked against the events the default rules use it for,
            and one that no rule uses may only use the fields every event has.

    Raises:
        InvalidTemplates: A template does not parse, uses an unknown
            parameter or filter, lacks a part, or a rule's template is
            missing; every problem is listed with its path.
    """
    problems: list[tuple[str, str]] = []
    documents = _shipped()
    if isinstance(overrides, Path):
        documents = _merged(documents, _folder(overrides, problems), problems)
    elif overrides is not None:
        documents = _merged(documents, overrides, problems)
    environments = _environments()
    entries = _compile(documents, environments, problems)
    if problems:
        raise InvalidTemplates(problems)
    templates = NotificationTemplates(entries, environments)
    templates.check(rules)
    return templates
