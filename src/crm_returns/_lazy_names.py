"""The public names :mod:`crm_returns` loads on first use: the service, the ports and the adapters.

Loading them late keeps ``import crm_returns`` (and ``import crm_returns.domain``)
from pulling in the service, the adapters or an optional dependency.  Type
checkers see them through the imports below; at run time :func:`load` imports
the module a name comes from when it is first asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from crm_returns.adapters.amqp import AmqpDestination, AmqpSettings, declare_topology
    from crm_returns.adapters.attachments import LocalFileAttachmentStore
    from crm_returns.adapters.backups import FileBackups
    from crm_returns.adapters.callables import CallableDestination
    from crm_returns.adapters.carriers import ManualCarrier, MemoryCarrier
    from crm_returns.adapters.memory import (
        MemoryAttachmentStore,
        MemoryBackups,
        MemoryContactDirectory,
        MemoryDatabase,
        MemoryDestination,
        MemoryHostRecords,
        MemoryMailer,
        MemoryOrderSource,
        MemorySmsGateway,
    )
    from crm_returns.adapters.sms import ConsoleSmsGateway
    from crm_returns.adapters.smtp import SmtpMailer, SmtpSecurity, SmtpSettings
    from crm_returns.adapters.webhooks import WebhookDestination, WebhookEndpoint
    from crm_returns.analytics.charts import (
        ChartFormat,
        cycle_time_chart,
        pareto_chart,
        return_rate_chart,
        sku_reason_heatmap,
        stage_durations,
    )
    from crm_returns.analytics.columns import LINE_COLUMNS, RETURN_COLUMNS, Column, ColumnType
    from crm_returns.analytics.exports import ExportFormat, export_rows, export_table
    from crm_returns.bootstrap import DEFAULT_DATABASE_URL, in_memory_service, sql_service
    from crm_returns.evidence import detect_content_type
    from crm_returns.notifications import (
        EmailNotifier,
        NotificationTemplates,
        SmsNotifier,
        load_notification_rules,
        load_notification_rules_toml,
        load_notification_templates,
    )
    from crm_returns.ports import (
        AttachmentStore,
        BackupReference,
        Backups,
        Carrier,
        CarrierEvent,
        CarrierLabel,
        Clock,
        Contact,
        ContactDirectory,
        Destination,
        DestinationState,
        Email,
        IdGenerator,
        LineFacts,
        Mailer,
        NotificationLog,
        OrderSource,
        OutboxMessage,
        SentNotification,
        Sms,
        SmsGateway,
        UnitOfWork,
    )
    from crm_returns.ports.retention import (
        Erasure,
        HostRecords,
        RecordKeeper,
        RetentionStore,
        Tombstone,
    )
    from crm_returns.retention_config import (
        load_retention,
        load_retention_json,
        load_retention_toml,
    )
    from crm_returns.service import (
        CREDIT_NOTE_FORMAT,
        ReturnPreview,
        ReturnRequest,
        ReturnsService,
        ServiceSettings,
    )
    from crm_returns.service.delivery import EventRelay
    from crm_returns.service.notified import NotificationContacts
    from crm_returns.service.relay_settings import RelayReport, RelaySettings
    from crm_returns.service.settings import ERASURE_FORMAT, PLAN_FORMAT
    from crm_returns.service.tracking import TrackingReport
    from crm_returns.service_level_config import (
        load_service_level,
        load_service_level_json,
        load_service_level_toml,
    )

__all__ = [
    "CREDIT_NOTE_FORMAT",
    "DEFAULT_DATABASE_URL",
    "ERASURE_FORMAT",
    "LINE_COLUMNS",
    "PLAN_FORMAT",
    "RETURN_COLUMNS",
    "AmqpDestination",
    "AmqpSettings",
    "AttachmentStore",
    "BackupReference",
    "Backups",
    "CallableDestination",
    "Carrier",
    "CarrierEvent",
    "CarrierLabel",
    "ChartFormat",
    "Clock",
    "Column",
    "ColumnType",
    "ConsoleSmsGateway",
    "Contact",
    "ContactDirectory",
    "Destination",
    "DestinationState",
    "Email",
    "EmailNotifier",
    "Erasure",
    "EventRelay",
    "ExportFormat",
    "FileBackups",
    "HostRecords",
    "IdGenerator",
    "LineFacts",
    "LocalFileAttachmentStore",
    "Mailer",
    "ManualCarrier",
    "MemoryAttachmentStore",
    "MemoryBackups",
    "MemoryCarrier",
    "MemoryContactDirectory",
    "MemoryDatabase",
    "MemoryDestination",
    "MemoryHostRecords",
    "MemoryMailer",
    "MemoryOrderSource",
    "MemorySmsGateway",
    "NotificationContacts",
    "NotificationLog",
    "NotificationTemplates",
    "OrderSource",
    "OutboxMessage",
    "RecordKeeper",
    "RelayReport",
    "RelaySettings",
    "RetentionStore",
    "ReturnPreview",
    "ReturnRequest",
    "ReturnsService",
    "SentNotification",
    "ServiceSettings",
    "Sms",
    "SmsGateway",
    "SmsNotifier",
    "SmtpMailer",
    "SmtpSecurity",
    "SmtpSettings",
    "Tombstone",
    "TrackingReport",
    "UnitOfWork",
    "WebhookDestination",
    "WebhookEndpoint",
    "cycle_time_chart",
    "declare_topology",
    "detect_content_type",
    "export_rows",
    "export_table",
    "in_memory_service",
    "load_notification_rules",
    "load_notification_rules_toml",
    "load_notification_templates",
    "load_retention",
    "load_retention_json",
    "load_retention_toml",
    "load_service_level",
    "load_service_level_json",
    "load_service_level_toml",
    "pareto_chart",
    "return_rate_chart",
    "sku_reason_heatmap",
    "sql_service",
    "stage_durations",
]

#: The module each name comes from.  Those of ``crm_returns.notifications``
#: need the ``notifications`` extra (Jinja2).
MODULES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "AmqpDestination": "crm_returns.adapters.amqp",
        "AmqpSettings": "crm_returns.adapters.amqp",
        "AttachmentStore": "crm_returns.ports",
        "BackupReference": "crm_returns.ports",
        "Backups": "crm_returns.ports",
        "CREDIT_NOTE_FORMAT": "crm_returns.service",
        "CallableDestination": "crm_returns.adapters.callables",
        "Carrier": "crm_returns.ports",
        "ChartFormat": "crm_returns.analytics.charts",
        "CarrierEvent": "crm_returns.ports",
        "CarrierLabel": "crm_returns.ports",
        "Clock": "crm_returns.ports",
        "ConsoleSmsGateway": "crm_returns.adapters.sms",
        "Contact": "crm_returns.ports",
        "ContactDirectory": "crm_returns.ports",
        "DEFAULT_DATABASE_URL": "crm_returns.bootstrap",
        "Destination": "crm_returns.ports",
        "DestinationState": "crm_returns.ports",
        "ERASURE_FORMAT": "crm_returns.service.settings",
        "Email": "crm_returns.ports",
        "EmailNotifier": "crm_returns.notifications",
        "Erasure": "crm_returns.ports.retention",
        "EventRelay": "crm_returns.service.delivery",
        "FileBackups": "crm_returns.adapters.backups",
        "HostRecords": "crm_returns.ports.retention",
        "IdGenerator": "crm_returns.ports",
        "LineFacts": "crm_returns.ports",
        "LocalFileAttachmentStore": "crm_returns.adapters.attachments",
        "Mailer": "crm_returns.ports",
        "ManualCarrier": "crm_returns.adapters.carriers",
        "MemoryAttachmentStore": "crm_returns.adapters.memory",
        "MemoryBackups": "crm_returns.adapters.memory",
        "MemoryCarrier": "crm_returns.adapters.carriers",
        "MemoryContactDirectory": "crm_returns.adapters.memory",
        "MemoryDatabase": "crm_returns.adapters.memory",
        "MemoryDestination": "crm_returns.adapters.memory",
        "MemoryHostRecords": "crm_returns.adapters.memory",
        "MemoryMailer": "crm_returns.adapters.memory",
        "MemoryOrderSource": "crm_returns.adapters.memory",
        "MemorySmsGateway": "crm_returns.adapters.memory",
        "NotificationContacts": "crm_returns.service.notified",
        "NotificationLog": "crm_returns.ports",
        "NotificationTemplates": "crm_returns.notifications",
        "OrderSource": "crm_returns.ports",
        "OutboxMessage": "crm_returns.ports",
        "PLAN_FORMAT": "crm_returns.service.settings",
        "RecordKeeper": "crm_returns.ports.retention",
        "RelayReport": "crm_returns.service.relay_settings",
        "RelaySettings": "crm_returns.service.relay_settings",
        "RetentionStore": "crm_returns.ports.retention",
        "ReturnPreview": "crm_returns.service",
        "ReturnRequest": "crm_returns.service",
        "ReturnsService": "crm_returns.service",
        "SentNotification": "crm_returns.ports",
        "ServiceSettings": "crm_returns.service",
        "Sms": "crm_returns.ports",
        "SmsGateway": "crm_returns.ports",
        "SmsNotifier": "crm_returns.notifications",
        "SmtpMailer": "crm_returns.adapters.smtp",
        "SmtpSecurity": "crm_returns.adapters.smtp",
        "SmtpSettings": "crm_returns.adapters.smtp",
        "Tombstone": "crm_returns.ports.retention",
        "TrackingReport": "crm_returns.service.tracking",
        "UnitOfWork": "crm_returns.ports",
        "WebhookDestination": "crm_returns.adapters.webhooks",
        "WebhookEndpoint": "crm_returns.adapters.webhooks",
        "declare_topology": "crm_returns.adapters.amqp",
        "detect_content_type": "crm_returns.evidence",
        "cycle_time_chart": "crm_returns.analytics.charts",
        "pareto_chart": "crm_returns.analytics.charts",
        "return_rate_chart": "crm_returns.analytics.charts",
        "sku_reason_heatmap": "crm_returns.analytics.charts",
        "stage_durations": "crm_returns.analytics.charts",
        "ExportFormat": "crm_returns.analytics.exports",
        "export_rows": "crm_returns.analytics.exports",
        "Column": "crm_returns.analytics.columns",
        "ColumnType": "crm_returns.analytics.columns",
        "LINE_COLUMNS": "crm_returns.analytics.columns",
        "RETURN_COLUMNS": "crm_returns.analytics.columns",
        "export_table": "crm_returns.analytics.exports",
        "in_memory_service": "crm_returns.bootstrap",
        "load_notification_rules": "crm_returns.notifications",
        "load_notification_rules_toml": "crm_returns.notifications",
        "load_notification_templates": "crm_returns.notifications",
        "load_retention": "crm_returns.retention_config",
        "load_retention_json": "crm_returns.retention_config",
        "load_retention_toml": "crm_returns.retention_config",
        "load_service_level": "crm_returns.service_level_config",
        "load_service_level_json": "crm_returns.service_level_config",
        "load_service_level_toml": "crm_returns.service_level_config",
        "sql_service": "crm_returns.bootstrap",
    }
)


def load(name: str) -> object:
    """The value of the public name ``name``, imported from its module.

    Args:
        name: A name of :data:`MODULES`.

    Raises:
        AttributeError: ``crm_returns`` has no such name.
        ModuleNotFoundError: The name needs an extra that is not installed;
            the message says which.
    """
    module = MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'crm_returns' has no attribute {name!r}")
    try:
        loaded = import_module(module)
    except ModuleNotFoundError as error:
        if module != "crm_returns.notifications":
            raise
        raise ModuleNotFoundError(
            f"crm_returns.{name} needs the notifications extra (Jinja2): "
            "pip install 'crm-returns[notifications]'",
            name=error.name,
        ) from error
    return getattr(loaded, name)
