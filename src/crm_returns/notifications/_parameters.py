"""What a template may use: the event's CloudEvent ``data``, the recipient, and the filters.

A template is rendered with:

- every field of the event's CloudEvent ``data`` (``docs/events.md``):
  ``number``, ``customer_id``, ``actor.name``, ``to_status``, ``comment``,
  the event's own fields (``steps``, ``step``, ``amount``, ``method``, ...),
  and ``return``, the return as the command left it (``return.lines``,
  ``return.refund``, ``return.customer_name``, ...);
- ``recipient``: ``recipient.name`` and ``recipient.language``;
- the filters of :func:`filters`: ``money``, ``time``, ``status``,
  ``refund_method``, ``payment_status``, ``disposition``, ``reject_outcome``, ``tracking_status``,
  ``reason`` and ``reason_category``, which write values in the recipient's
  language.

:class:`Shape` reads what each event's data holds from its shipped JSON Schema,
so that the template check (``_check.py``) knows every field and every
field's fields, and cannot drift from what is sent.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs
from jinja2 import pass_context
from jinja2.runtime import Context

from crm_returns.cloudevents import EVENT_TYPES, event_type, schema, to_cloudevent
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.reasons import DEFAULT_CATALOG
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments.records import TrackingStatus
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.errors import CrmReturnsError
from crm_returns.labels import category_label, label, reason_label
from crm_returns.ports.delivery import OutboxMessage

__all__ = [
    "ANYTHING",
    "RECIPIENT",
    "Shape",
    "common_shape",
    "context",
    "event_shape",
    "filters",
]

#: The key of the recipient in a template's parameters.
RECIPIENT: Final = "recipient"

_RECIPIENT_NODE: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "type": "object",
        "properties": {"name": {"type": "string"}, "language": {"type": "string"}},
    }
)


@attrs.frozen
class Shape:
    """What a value in a template's parameters holds, read from a JSON Schema.

    Attributes:
        node: The schema of the value; ``None`` when anything may be there.
        defs: The schema's ``$defs``, where ``$ref`` points.
    """

    node: Mapping[str, Any] | None
    defs: Mapping[str, Any] = attrs.field(factory=dict)

    def resolved(self) -> Shape:
        """The shape with its ``$ref`` followed and its ``null`` alternative dropped."""
        node = self.node
        for _ in range(20):  # a reference chain is short; never loop on a bad schema
            if node is None:
                break
            if "$ref" in node:
                node = self.defs.get(str(node["$ref"]).rpartition("/")[2])
            elif "anyOf" in node:
                branches = [b for b in node["anyOf"] if b.get("type") != "null"]
                node = branches[0] if len(branches) == 1 else None
            else:
                break
        return Shape(node, self.defs)

    @property
    def fields(self) -> tuple[str, ...] | None:
        """The fields of an object, or ``None`` for any other value."""
        node = self.resolved().node
        if node is None or "properties" not in node:
            return None
        return tuple(node["properties"])

    def field(self, name: str) -> Shape:
        """The shape of the field ``name`` (check :attr:`fields` first)."""
        node = self.resolved().node
        assert node is not None  # noqa: S101 - callers look at fields first
        return Shape(node["properties"][name], self.defs)

    def items(self) -> Shape:
        """The shape of a list's items; anything for a value that is no list."""
        node = self.resolved().node
        if node is None or "items" not in node:
            return ANYTHING
        return Shape(node["items"], self.defs)


#: A value about which nothing is known: anything may be used on it.
ANYTHING: Final = Shape(None, MappingProxyType({}))


def _with_recipient(data: Mapping[str, Any], defs: Mapping[str, Any]) -> Shape:
    properties = {**data["properties"], RECIPIENT: _RECIPIENT_NODE}
    return Shape({"type": "object", "properties": properties}, defs)


def event_shape(kind: type[ReturnEvent]) -> Shape:
    """The parameters of a template for events of class ``kind``: their data and the recipient."""
    document = schema(event_type(kind))
    return _with_recipient(document["properties"]["data"], document["$defs"])


def common_shape() -> Shape:
    """The parameters every event gives: the fields all their data share, and the recipient."""
    documents = [schema(name) for name in EVENT_TYPES]
    datas = [document["properties"]["data"]["properties"] for document in documents]
    shared = {name: node for name, node in datas[0].items() if all(name in d for d in datas)}
    return _with_recipient({"properties": shared}, documents[0]["$defs"])


def context(message: OutboxMessage, name: str, language: str) -> dict[str, Any]:
    """The parameters of a template rendered for ``message`` and one recipient."""
    data: dict[str, Any] = to_cloudevent(message)["data"]
    return {**data, RECIPIENT: {"name": name, "language": language}}


# -- filters ---------------------------------------------------------------------------


def _language(ctx: Context) -> str:
    """The labels' language for the recipient: Chinese for ``zh*``, English otherwise."""
    recipient = ctx.get(RECIPIENT)
    wanted = str(recipient.get("language", "")) if isinstance(recipient, Mapping) else ""
    return "zh-CN" if wanted.lower().startswith("zh") else "en"


def _enum_filter(kind: type[enum.Enum]) -> Callable[[Context, object], str]:
    @pass_context
    def labelled(ctx: Context, value: object) -> str:
        return label(kind(value), _language(ctx))  # type: ignore[arg-type]

    return labelled


@pass_context
def _money(ctx: Context, value: Mapping[str, str]) -> str:
    """``{"amount": "1899.00", "currency": "CNY"}`` as ``¥1,899.00`` (zh) or ``CNY 1,899.00``."""
    amount, currency = Decimal(value["amount"]), str(value["currency"])
    grouped = format(amount, ",f")
    if currency == "CNY" and _language(ctx) == "zh-CN":
        return f"¥{grouped}"
    return f"{currency} {grouped}"


def _time(value: str) -> str:
    """An ISO 8601 time as ``2026-11-27 09:00`` (in the offset it was written with)."""
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")


@pass_context
def _reason(ctx: Context, code: str) -> str:
    """A reason code's label from the default catalog, or the code if it has none."""
    try:
        return reason_label(DEFAULT_CATALOG, code, _language(ctx))
    except CrmReturnsError:
        return code


@pass_context
def _reason_category(ctx: Context, code: str) -> str:
    """A reason category's label from the default catalog, or the code if it has none."""
    try:
        return category_label(DEFAULT_CATALOG, code, _language(ctx))
    except CrmReturnsError:
        return code


def filters() -> dict[str, Callable[..., str]]:
    """The filters templates may use, by name (a new dict for each environment)."""
    return {
        "money": _money,
        "time": _time,
        "status": _enum_filter(ReturnStatus),
        "refund_method": _enum_filter(RefundMethod),
        "payment_status": _enum_filter(PaymentStatus),
        "disposition": _enum_filter(Disposition),
        "reject_outcome": _enum_filter(RejectOutcome),
        "tracking_status": _enum_filter(TrackingStatus),
        "reason": _reason,
        "reason_category": _reason_category,
    }
