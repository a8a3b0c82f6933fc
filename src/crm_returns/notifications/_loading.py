"""Loading templates: the shipped files, the host's overrides, compiled and checked at once.

:func:`load_notification_templates` reads the package's
``templates/<language>/<template>.toml``, lays the host's overrides (a mapping
or a folder of the same layout) over them part by part, compiles every part
in Jinja2's sandbox and has :meth:`NotificationTemplates.check` check them
against the rules; every problem found is reported at once as
:class:`~crm_returns.errors.InvalidTemplates`, each with its path, such as
``en.return-approved.email.subject``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from crm_returns.domain.notifications.defaults import DEFAULT_NOTIFICATION_RULES
from crm_returns.domain.notifications.rules import (
    TEMPLATE_NAME_LIMIT,
    NotificationChannel,
    NotificationRules,
)
from crm_returns.errors import InvalidTemplates
from crm_returns.notifications._parameters import filters
from crm_returns.notifications._templates import Entry, NotificationTemplates, Part

__all__ = ["CODE_LIMIT", "TEMPLATE_LIMIT", "load_notification_templates"]

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
) -> dict[tuple[str, NotificationChannel, str], Entry]:
    entries: dict[tuple[str, NotificationChannel, str], Entry] = {}
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
) -> Entry | None:
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
    compiled: dict[str, Part] = {}
    for key, source in sources:
        part = _part(source, f"{path}.{key}", environments[1 if key == "html" else 0], problems)
        if part is not None:
            compiled[key] = part
    if len(problems) > before:
        return None
    return Entry(parts=compiled, code=code)


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
) -> Part | None:
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
    return Part(path=path, tree=tree, template=template)


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
