"""Readable return numbers such as ``RT-20261127-000042``."""

from __future__ import annotations

import string
from datetime import date

import attrs

from crm_returns.domain._checks import flag, text
from crm_returns.errors import InvalidInput

__all__ = ["NumberFormat"]


def _template(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"number format must be a string, got {type(value).__name__}")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(value) if name}
    except ValueError as error:
        raise InvalidInput(f"number format {value!r} is malformed: {error}") from None
    if "seq" not in fields or not fields <= {"seq", "date", "tenant"}:
        raise InvalidInput(
            f"number format {value!r} must use {{seq}} and may use only {{date}} and {{tenant}}"
        )


@attrs.frozen
class NumberFormat:
    """How return numbers read.

    Attributes:
        template: A :meth:`str.format` template with ``{seq}`` (the day's
            sequence number) and optionally ``{date}`` and ``{tenant}``.
        per_day: Whether the sequence restarts every day.
        series: Names the counter, so that several formats never share one.
    """

    template: str = attrs.field(default="RT-{date:%Y%m%d}-{seq:06d}", validator=_template)
    per_day: bool = attrs.field(default=True, validator=flag)
    series: str = attrs.field(default="return", validator=text(32))

    def sequence_key(self, tenant_id: str, on: date) -> str:
        """The key of the counter the next number is drawn from."""
        return f"{self.series}:{tenant_id}:{on.isoformat() if self.per_day else '*'}"

    def render(self, tenant_id: str, on: date, seq: int) -> str:
        """The number for sequence value ``seq`` on day ``on``."""
        return self.template.format(seq=seq, date=on, tenant=tenant_id)
