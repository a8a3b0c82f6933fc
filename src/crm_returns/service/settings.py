"""The one wiring value: every optional part of a service, with its default.

:class:`ServiceSettings` is handed to :class:`~crm_returns.ReturnsService`,
:func:`~crm_returns.in_memory_service` and :func:`~crm_returns.sql_service`
alike, so that an option added here reaches every way of building a service.
Change one part of it with :func:`attrs.evolve` (``attrs.evolve(settings,
clock=my_clock)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, tzinfo
from typing import Any

import attrs

from crm_returns.adapters.carriers import ManualCarrier
from crm_returns.adapters.system import SystemClock, UuidIds
from crm_returns.domain.books.accounts import DEFAULT_CHART, ChartOfAccounts
from crm_returns.domain.evidence.rules import AttachmentRules
from crm_returns.domain.numbering import NumberFormat
from crm_returns.domain.ownership.levels import ServiceLevel
from crm_returns.domain.policies.access import AccessPolicy, RoleBasedAccess
from crm_returns.domain.policies.approval import ApprovalPolicy
from crm_returns.domain.policies.eligibility import DEFAULT_RULES, EligibilityRule
from crm_returns.domain.reasons import DEFAULT_CATALOG, ReasonCatalog
from crm_returns.domain.refunds.fees import RefundPolicy
from crm_returns.domain.requests.declining import DEFAULT_DECLINE_REASONS, DeclineReasons
from crm_returns.domain.retention.profiles import CHINA
from crm_returns.domain.retention.rules import RetentionPolicy
from crm_returns.errors import InvalidInput
from crm_returns.ports import Clock, IdGenerator
from crm_returns.ports.attachments import AttachmentStore
from crm_returns.ports.backup import Backups
from crm_returns.ports.carriers import Carrier
from crm_returns.ports.retention import HostRecords

__all__ = ["CREDIT_NOTE_FORMAT", "ERASURE_FORMAT", "PLAN_FORMAT", "ServiceSettings"]

#: How credit note (红字凭证) numbers read unless the settings say otherwise.
CREDIT_NOTE_FORMAT = NumberFormat("CN-{date:%Y%m%d}-{seq:06d}", series="credit_note")

#: How retention plan numbers read: ``RP-20261206-000001``.
PLAN_FORMAT = NumberFormat("RP-{date:%Y%m%d}-{seq:06d}", series="retention_plan")

#: How erasure request numbers read: ``ER-20261206-000001``.
ERASURE_FORMAT = NumberFormat("ER-{date:%Y%m%d}-{seq:06d}", series="erasure")

_Validator = Callable[[object, "attrs.Attribute[Any]", object], None]


def _of_kind(kind: type) -> _Validator:
    """Refuse a value that is not a ``kind``, naming the setting."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise InvalidInput(
                f"setting {attribute.name} must be a {kind.__name__}, got {type(value).__name__}"
            )

    return check


def _with_methods(*names: str) -> _Validator:
    """Refuse a value that lacks the methods of the port it plugs into."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        missing = [f"{name}()" for name in names if not callable(getattr(value, name, None))]
        if missing:
            raise InvalidInput(
                f"setting {attribute.name} needs an object with {', '.join(missing)}, "
                f"got {type(value).__name__}"
            )

    return check


def _rules(values: object) -> tuple[EligibilityRule, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInput(
            f"setting eligibility_rules must be a sequence of rules, got {type(values).__name__}"
        )
    rules = tuple(values)
    for rule in rules:
        if not callable(getattr(rule, "check", None)):
            raise InvalidInput(
                f"every eligibility rule needs a check() method, got {type(rule).__name__}"
            )
    return rules


_KEEPER_METHODS = ("classes", "records", "export", "archive", "restore", "destroy", "erase")


def _host_records(values: object) -> tuple[HostRecords, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInput(
            f"setting host_records must be a sequence of HostRecords, got {type(values).__name__}"
        )
    keepers = tuple(values)
    for keeper in keepers:
        missing = [name for name in _KEEPER_METHODS if not callable(getattr(keeper, name, None))]
        if missing:
            raise InvalidInput(
                f"every host record keeper needs {', '.join(m + '()' for m in missing)}: "
                f"{type(keeper).__name__} lacks them"
            )
    return keepers


_CARRIER_METHODS = ("create_label", "track")


def _carriers(values: object) -> tuple[Carrier, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInput(
            f"setting carriers must be a sequence of carriers, got {type(values).__name__}"
        )
    carriers = tuple(values)
    codes: list[str] = []
    for carrier in carriers:
        missing = [name for name in _CARRIER_METHODS if not callable(getattr(carrier, name, None))]
        code = getattr(carrier, "code", None)
        if missing or not isinstance(code, str):
            raise InvalidInput(
                "every carrier needs a code, create_label() and track(): "
                f"{type(carrier).__name__} lacks {', '.join(missing) or 'a code'}"
            )
        codes.append(code)
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise InvalidInput(f"one carrier per code; these codes repeat: {', '.join(repeated)}")
    return carriers


def _team(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > 64 or "\x00" in value:
        raise InvalidInput(
            "setting default_team is None or a team's name (1 to 64 characters, not blank)"
        )


def _one_or_two(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in (1, 2) or isinstance(value, bool):
        raise InvalidInput(f"setting plan_approvals is 1 or 2, not {value!r}")


@attrs.frozen(kw_only=True)
class ServiceSettings:
    """Every optional part of a service; each has a default that works out of the box.

    Attributes:
        clock: Tells the time of every change; the system clock (UTC) by default.
        ids: Makes ids for returns, audit entries, messages and payments; random
            UUIDs by default (unique across processes).
        time_zone: The zone whose calendar day return and credit note numbers
            carry (``RT-20261127-…``); UTC by default.  A shop in China passes
            ``zoneinfo.ZoneInfo("Asia/Shanghai")`` so that a return made at
            01:00 local time carries that day, not the day before.
        access_policy: Who may do what; :class:`~crm_returns.RoleBasedAccess`
            over the default roles by default.
        default_reasons: The reason catalog of tenants that have not customised theirs.
        approval_policy: The approval steps a return must pass; none by default
            (every return is approved when submitted).
        eligibility_rules: Checks each requested line; the default rules
            (delivered, not refunded, within a 30-day window) by default.
        refund_policy: Restocking fees, shipping refunds, lost parcels; no fees
            by default.
        chart: The accounts journal entries post to.
        number_format: How return numbers read (``RT-YYYYMMDD-NNNNNN``).
        credit_note_format: How credit note numbers read (``CN-YYYYMMDD-NNNNNN``).
        retention: How long each class of record is kept, and what then; the
            profile for companies in China (:data:`~crm_returns.CHINA`) by
            default, or load your own with :func:`~crm_returns.load_retention_toml`.
        host_records: The host's own record classes (customers, deals, orders),
            governed by the same rules, holds and plans; none by default.
        backups: Where a retention plan writes its verified backup before it
            destroys anything; a plan that destroys cannot be applied without.
        plan_approvals: How many people approve a retention plan: 1, or 2
            (two different people, neither the one who proposed it).
        plan_format: How retention plan numbers read (``RP-YYYYMMDD-NNNNNN``).
        erasure_format: How erasure request numbers read (``ER-YYYYMMDD-NNNNNN``).
        carriers: The carriers return shipments go with, each known by its
            ``code``; a :class:`~crm_returns.ManualCarrier` (code ``manual``:
            staff type tracking numbers and updates) by default.
        service_level: The time allowed for each stage of a return (approve,
            ship back, receive, inspect, refund), which sets the deadlines of
            assigned returns; the defaults of :class:`~crm_returns.ServiceLevel`,
            or load your own with :func:`~crm_returns.load_service_level_toml`.
        default_team: The team every new return is assigned to, so that each
            has an owner and deadlines from the start; none by default (a
            return has no owner until someone assigns it).
        decline_reasons: The reasons staff may decline a customer's request
            with (:data:`~crm_returns.DEFAULT_DECLINE_REASONS` by default).
        attachments: Where the bytes of photos and files are kept; none by
            default, and a service without one refuses to attach or read
            files (``StorageError``).  Pass a ``MemoryAttachmentStore`` with an
            in-memory service, a ``LocalFileAttachmentStore(root)`` or your
            object store with a SQL one: bytes kept in memory would be lost
            while the database keeps their records.
        attachment_rules: What files may be kept: allowed types (detected
            from the bytes), the largest size, how many per return.

    Raises:
        InvalidInput: A part is of the wrong kind (the message names the setting).
    """

    clock: Clock = attrs.field(factory=SystemClock, validator=_with_methods("now"))
    ids: IdGenerator = attrs.field(factory=UuidIds, validator=_with_methods("new_id"))
    time_zone: tzinfo = attrs.field(default=UTC, validator=_of_kind(tzinfo))
    access_policy: AccessPolicy = attrs.field(
        factory=RoleBasedAccess, validator=_with_methods("allows", "granted_by")
    )
    default_reasons: ReasonCatalog = attrs.field(
        default=DEFAULT_CATALOG, validator=_of_kind(ReasonCatalog)
    )
    approval_policy: ApprovalPolicy = attrs.field(
        factory=ApprovalPolicy, validator=_of_kind(ApprovalPolicy)
    )
    eligibility_rules: tuple[EligibilityRule, ...] = attrs.field(
        default=DEFAULT_RULES, converter=_rules
    )
    refund_policy: RefundPolicy = attrs.field(
        factory=RefundPolicy, validator=_of_kind(RefundPolicy)
    )
    chart: ChartOfAccounts = attrs.field(default=DEFAULT_CHART, validator=_of_kind(ChartOfAccounts))
    number_format: NumberFormat = attrs.field(
        factory=NumberFormat, validator=_of_kind(NumberFormat)
    )
    credit_note_format: NumberFormat = attrs.field(
        default=CREDIT_NOTE_FORMAT, validator=_of_kind(NumberFormat)
    )
    retention: RetentionPolicy = attrs.field(default=CHINA, validator=_of_kind(RetentionPolicy))
    host_records: tuple[HostRecords, ...] = attrs.field(default=(), converter=_host_records)
    backups: Backups | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_with_methods("write", "verify", "read", "find")),
    )
    plan_approvals: int = attrs.field(default=1, validator=_one_or_two)
    plan_format: NumberFormat = attrs.field(default=PLAN_FORMAT, validator=_of_kind(NumberFormat))
    erasure_format: NumberFormat = attrs.field(
        default=ERASURE_FORMAT, validator=_of_kind(NumberFormat)
    )
    carriers: tuple[Carrier, ...] = attrs.field(
        factory=lambda: (ManualCarrier(),), converter=_carriers
    )

    def carrier(self, code: str) -> Carrier | None:
        """The carrier whose code is ``code``, if there is one."""
        return next((carrier for carrier in self.carriers if carrier.code == code), None)

    service_level: ServiceLevel = attrs.field(
        factory=ServiceLevel, validator=_of_kind(ServiceLevel)
    )
    default_team: str | None = attrs.field(default=None, validator=_team)
    decline_reasons: DeclineReasons = attrs.field(
        default=DEFAULT_DECLINE_REASONS, validator=_of_kind(DeclineReasons)
    )
    attachments: AttachmentStore | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_with_methods("put", "get", "delete", "ids")),
    )
    attachment_rules: AttachmentRules = attrs.field(
        factory=AttachmentRules, validator=_of_kind(AttachmentRules)
    )
