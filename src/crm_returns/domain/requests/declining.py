"""Why staff decline a customer's request: the decline reasons (拒绝原因), zh-CN and en.

A taxonomy of its own, apart from the return reasons: a return reason says
why the goods come back, a decline reason why we will not take them.  The
catalog is an immutable value a host configures through
``ServiceSettings.decline_reasons``; :data:`DEFAULT_DECLINE_REASONS` holds the
common ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from crm_returns.domain._checks import flag, values_of
from crm_returns.domain.reasons import Labels
from crm_returns.errors import InvalidInput, NotFound, ReasonNotSelectable

__all__ = ["DEFAULT_DECLINE_REASONS", "DeclineReason", "DeclineReasons"]

_CODE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


def _code(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidInput(
            f"decline reason code {value!r} must be lower-case letters, digits, '_', '.' or "
            "'-', starting with a letter, at most 64 characters"
        )


def _labels(value: Mapping[str, str] | Labels) -> Labels:
    if isinstance(value, Labels):
        return value
    if not isinstance(value, Mapping):
        raise InvalidInput(f"labels must map locale to label, got {type(value).__name__}")
    return Labels(tuple(sorted(value.items())))


@attrs.frozen
class DeclineReason:
    """One reason to decline a request.

    Attributes:
        code: Stable code, such as ``outside_window``.
        labels: What the customer reads, by locale (zh-CN and en at least).
        active: Whether staff may still choose it (a retired one stays
            readable on the requests it declined).
    """

    code: str = attrs.field(validator=_code)
    labels: Labels = attrs.field(converter=_labels)
    active: bool = attrs.field(default=True, validator=flag)

    def label(self, language: str) -> str:
        """The label in ``language`` (``"zh-CN"`` or ``"en"``; English otherwise)."""
        return self.labels.get(language)


def _reasons(values: Iterable[DeclineReason]) -> tuple[DeclineReason, ...]:
    reasons = values_of(values, DeclineReason, "decline reasons")
    codes = [reason.code for reason in reasons]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise InvalidInput(f"decline reason code(s) {', '.join(repeated)} appear more than once")
    return reasons


@attrs.frozen
class DeclineReasons:
    """The decline reasons staff choose from.

    Attributes:
        reasons: The reasons, in the order staff see them; codes are unique.
    """

    reasons: tuple[DeclineReason, ...] = attrs.field(converter=_reasons)

    def reason(self, code: str) -> DeclineReason:
        """The reason with ``code``, active or retired.

        Raises:
            NotFound: There is no such reason.
        """
        for reason in self.reasons:
            if reason.code == code:
                return reason
        raise NotFound("decline reason", code if isinstance(code, str) else repr(code))

    def choose(self, code: str) -> DeclineReason:
        """The reason with ``code``, if staff may choose it.

        Raises:
            NotFound: There is no such reason.
            ReasonNotSelectable: It is retired.
        """
        reason = self.reason(code)
        if not reason.active:
            raise ReasonNotSelectable(f"decline reason {code!r} is retired and cannot be chosen")
        return reason

    @property
    def selectable(self) -> tuple[DeclineReason, ...]:
        """The reasons staff may choose."""
        return tuple(reason for reason in self.reasons if reason.active)


def _reason(code: str, zh: str, en: str) -> DeclineReason:
    return DeclineReason(code, {"zh-CN": zh, "en": en})


#: The common decline reasons, used unless the settings give others.
DEFAULT_DECLINE_REASONS: Final = DeclineReasons(
    (
        _reason("outside_window", "超出退货期限", "Outside the return window"),
        _reason("not_returnable", "商品不支持退货", "This item cannot be returned"),
        _reason("damaged_by_use", "人为损坏", "Damaged by use"),
        _reason("evidence_missing", "缺少凭证", "Proof or photos are missing"),
        _reason("duplicate", "重复申请", "Duplicate request"),
        _reason("other", "其他", "Other"),
    )
)
