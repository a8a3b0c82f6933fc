"""Destinations for ``crm-returns events relay``, from a TOML file.

::

    [[destination]]
    name = "erp"                       # its cursor and dead letters are kept under it
    kind = "webhook"
    url = "https://erp.example.com/hooks/returns"
    secrets_env = "ERP_WEBHOOK_SECRETS"  # whsec_... secrets, separated by spaces

    [[destination]]
    name = "broker"
    kind = "amqp"
    url_env = "AMQP_URL"               # or url = "amqp://..."
    exchange = "crm-returns"

    [[destination]]
    name = "crm"
    kind = "python"
    target = "my_crm.returns:destination"  # a callable that returns a destination

    [[destination]]
    name = "email"
    kind = "email"
    host = "smtp.example.com"              # port 587 and STARTTLS unless told
    security = "starttls"                  # or "tls", "none"
    username_env = "SMTP_USER"
    password_env = "SMTP_PASSWORD"
    sender = "退货中心 <returns@shop.example>"
    contacts = "my_crm.returns:contacts"   # a callable that returns a ContactDirectory
    rules = "notification-rules.toml"      # optional; the defaults otherwise
    templates = "templates/"               # optional; the shipped templates otherwise

    [[destination]]
    name = "sms"
    kind = "sms"
    gateway = "my_crm.sms:gateway"         # a callable that returns an SmsGateway
    contacts = "my_crm.returns:contacts"
    sign_name = "退货中心"

Paths are relative to the file.
Secrets and URLs may be given directly or read from an environment variable
(``*_env``), so that the file can be kept in version control.  Every problem
is reported at once, each with its place (``destination[2].url: ...``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_returns.cli.host_callables import host_callable
from crm_returns.errors import CrmReturnsError, InvalidDestinations, InvalidInput
from crm_returns.ports.delivery import Destination
from crm_returns.ports.notify import NotificationLog

if TYPE_CHECKING:
    from crm_returns.domain.notifications import NotificationRules
    from crm_returns.notifications import NotificationTemplates

__all__ = ["KINDS", "load_destinations"]

_Problems = list[tuple[str, str]]


def _text(entry: Mapping[str, Any], key: str, where: str, problems: _Problems) -> str | None:
    """``entry[key]``, or the environment variable ``entry[key + '_env']`` names."""
    value = entry.get(key)
    variable = entry.get(f"{key}_env")
    if value is not None and variable is not None:
        problems.append((f"{where}.{key}", f"give {key} or {key}_env, not both"))
        return None
    if variable is not None:
        if not isinstance(variable, str) or not variable:
            problems.append((f"{where}.{key}_env", "must name an environment variable"))
            return None
        found = os.environ.get(variable)
        if not found:
            problems.append((f"{where}.{key}_env", f"environment variable {variable} is not set"))
        return found
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append((f"{where}.{key}", f"must be text, not {type(value).__name__}"))
        return None
    return value


def _needed(entry: Mapping[str, Any], key: str, where: str, problems: _Problems) -> str | None:
    """``entry[key]`` or what ``entry[key + '_env']`` names; a problem if neither is given."""
    if key not in entry and f"{key}_env" not in entry:
        problems.append((f"{where}.{key}", f"give {key} or {key}_env"))
        return None
    return _text(entry, key, where, problems)


def _webhook(
    entry: Mapping[str, Any], name: str, where: str, problems: _Problems
) -> Destination | None:
    from crm_returns.adapters.webhooks import WebhookDestination, WebhookEndpoint

    url = _needed(entry, "url", where, problems)
    secrets = _needed(entry, "secrets", where, problems)
    if url is None or secrets is None:
        return None
    return WebhookDestination(WebhookEndpoint(name=name, url=url, secrets=tuple(secrets.split())))


def _amqp(
    entry: Mapping[str, Any], name: str, where: str, problems: _Problems
) -> Destination | None:
    from crm_returns.adapters.amqp import AmqpDestination, AmqpSettings

    url = _needed(entry, "url", where, problems)
    if url is None:
        return None
    exchange = entry.get("exchange", "crm-returns")
    return AmqpDestination(AmqpSettings(url=url, exchange=exchange, name=name))


def _made(entry: Mapping[str, Any], key: str, where: str, problems: _Problems) -> Any:
    """What the callable ``entry[key]`` (``package.module:callable``) makes, or ``None``."""
    target = entry.get(key)
    try:
        factory = host_callable(target if isinstance(target, str) else "")
    except InvalidInput as error:
        problems.append((f"{where}.{key}", str(error)))
        return None
    return factory()


def _python(
    entry: Mapping[str, Any], name: str, where: str, problems: _Problems
) -> Destination | None:
    destination: Destination | None = _made(entry, "target", where, problems)
    if destination is not None and getattr(destination, "name", None) != name:
        problems.append(
            (f"{where}.target", f"{entry['target']}() made a destination not named {name!r}")
        )
    return destination


def _rules_and_templates(
    entry: Mapping[str, Any],
) -> tuple[NotificationRules, NotificationTemplates]:
    """The notifier's rules and templates: the files the entry names, or the shipped ones.

    Raises:
        InvalidNotificationRules, InvalidTemplates: A file has bad fields
            (the caller reports it at the entry's place).
    """
    from crm_returns.domain.notifications import DEFAULT_NOTIFICATION_RULES
    from crm_returns.notifications import (
        load_notification_rules_toml,
        load_notification_templates,
    )

    rules = DEFAULT_NOTIFICATION_RULES
    folder: Path = entry["_folder"]
    if "rules" in entry:
        rules = load_notification_rules_toml((folder / str(entry["rules"])).read_text("utf-8"))
    overrides = folder / str(entry["templates"]) if "templates" in entry else None
    return rules, load_notification_templates(overrides, rules=rules)


def _email(
    entry: Mapping[str, Any], name: str, where: str, problems: _Problems
) -> Destination | None:
    from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings
    from crm_returns.notifications import EmailNotifier

    host = _text(entry, "host", where, problems)
    sender = entry.get("sender")
    contacts = _made(entry, "contacts", where, problems)
    if host is None or not isinstance(sender, str) or contacts is None:
        problems.append((where, "an e-mail notifier needs host, sender and contacts"))
        return None
    try:
        security = SmtpSecurity(entry.get("security", "starttls"))
    except ValueError:
        problems.append((f"{where}.security", "must be starttls, tls or none"))
        return None
    settings = SmtpSettings(
        host=host,
        port=entry.get("port"),
        security=security,
        username=_text(entry, "username", where, problems),
        password=_text(entry, "password", where, problems),
    )
    rules, templates = _rules_and_templates(entry)
    return EmailNotifier(
        SmtpMailer(settings),
        contacts,
        sender=sender,
        rules=rules,
        templates=templates,
        name=name,
        contact_log=entry.get("_contact_log"),
    )


def _sms(
    entry: Mapping[str, Any], name: str, where: str, problems: _Problems
) -> Destination | None:
    from crm_returns.notifications import SmsNotifier

    gateway = _made(entry, "gateway", where, problems)
    contacts = _made(entry, "contacts", where, problems)
    sign_name = entry.get("sign_name")
    if gateway is None or contacts is None or not isinstance(sign_name, str):
        problems.append((where, "an SMS notifier needs gateway, contacts and sign_name"))
        return None
    rules, templates = _rules_and_templates(entry)
    return SmsNotifier(
        gateway,
        contacts,
        sign_name=sign_name,
        rules=rules,
        templates=templates,
        name=name,
        contact_log=entry.get("_contact_log"),
    )


#: Each kind of destination, and what builds it from its table.
KINDS: Mapping[str, Callable[[Mapping[str, Any], str, str, _Problems], Destination | None]] = {
    "webhook": _webhook,
    "amqp": _amqp,
    "python": _python,
    "email": _email,
    "sms": _sms,
}


def load_destinations(
    text: str, folder: Path | None = None, contact_log: NotificationLog | None = None
) -> list[Destination]:
    """The destinations a TOML document describes.

    Args:
        text: The TOML document.
        folder: Where paths in it are relative to (the file's folder); the
            working directory by default.
        contact_log: Where the e-mail and SMS notifiers log what they send to
            a return's customer, as contacts with them (the relay's database).

    Raises:
        InvalidDestinations: Naming every problem with its place in the document.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidDestinations([("", f"not TOML: {error}")]) from None
    entries = document.get("destination")
    if not isinstance(entries, list) or not entries:
        raise InvalidDestinations([("destination", "name at least one [[destination]]")])
    problems: _Problems = []
    made: list[Destination] = []
    names: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"destination[{index}]"
        name, kind = entry.get("name"), entry.get("kind")
        if not isinstance(name, str) or not name.strip():
            problems.append((f"{where}.name", "every destination needs a name"))
            continue
        if name in names:
            problems.append((f"{where}.name", f"{name!r} is used twice"))
        names.add(name)
        build = KINDS.get(kind) if isinstance(kind, str) else None
        if build is None:
            problems.append((f"{where}.kind", f"must be one of {', '.join(KINDS)}, not {kind!r}"))
            continue
        try:
            given = {**entry, "_folder": folder or Path(), "_contact_log": contact_log}
            destination = build(given, name, where, problems)
        except (CrmReturnsError, OSError) as error:
            problems.append((where, str(error)))
            continue
        if destination is not None:
            made.append(destination)
    if problems:
        raise InvalidDestinations(problems)
    return made
