"""The return-reason taxonomy (退库原因): categories, reasons, and a tenant's catalog.

Reasons sit under categories, two levels deep (category → reason), and only a
reason can be chosen for a return line, never a category.  Each has a stable
code, labels per locale (zh-CN and en at least), the party at fault, and
whether the goods must be inspected.  A tenant can add its own reasons,
relabel them and retire them; a retired reason stays readable on the returns
that used it and cannot be chosen again.  The catalog is an immutable value:
every change returns a new catalog.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping

import attrs

from crm_returns.domain._checks import flag, items_of, usable, values_of
from crm_returns.errors import InvalidInput, NotFound, ReasonInUse, ReasonNotSelectable, quoted

__all__ = [
    "DEFAULT_CATALOG",
    "LABEL_LIMIT",
    "LOCALES",
    "Fault",
    "Labels",
    "Reason",
    "ReasonCatalog",
    "ReasonCategory",
]

#: The locales every label set must cover.
LOCALES = ("en", "zh-CN")

#: Longest label accepted, in characters.
LABEL_LIMIT = 200

_CODE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


class Fault(enum.Enum):
    """Who is responsible for the goods coming back."""

    CUSTOMER = "customer"
    SELLER = "seller"
    CARRIER = "carrier"


def _code(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidInput(
            f"{attribute.name} {value!r} must be lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter, at most 64 characters"
        )


def _labels(value: Mapping[str, str] | Labels) -> Labels:
    if isinstance(value, Labels):
        return value
    if not isinstance(value, Mapping):
        raise InvalidInput(f"labels must map locale to label, got {type(value).__name__}")
    for locale in value:
        if not isinstance(locale, str) or not locale.strip() or len(locale) > 16:
            raise InvalidInput(
                f"label locales must be short strings such as 'zh-CN', got {locale!r}"
            )
    return Labels(tuple(sorted(value.items())))


def _categories(values: Iterable[ReasonCategory]) -> tuple[ReasonCategory, ...]:
    return values_of(values, ReasonCategory, "categories")


def _reasons(values: Iterable[Reason]) -> tuple[Reason, ...]:
    return values_of(values, Reason, "reasons")


def _pairs(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """``(locale, label)`` pairs, each a pair of strings (the labels are checked later)."""
    pairs = items_of(values, "label items")
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InvalidInput(f"label items must be (locale, label) pairs, got {quoted(pair)}")
    return pairs


@attrs.frozen
class Labels:
    """Display labels of a reason or category, by locale.

    Attributes:
        items: ``(locale, label)`` pairs, sorted by locale.
    """

    items: tuple[tuple[str, str], ...] = attrs.field(converter=_pairs)

    @items.validator
    def _complete(self, attribute: attrs.Attribute[object], value: object) -> None:
        locales = {locale for locale, _ in self.items}
        missing = [locale for locale in LOCALES if locale not in locales]
        if missing:
            raise InvalidInput(f"labels are missing for locale(s) {', '.join(missing)}")
        for locale, label in self.items:
            if not isinstance(label, str) or not label.strip() or len(label) > LABEL_LIMIT:
                raise InvalidInput(
                    f"label[{locale}] must be a non-blank string of at most {LABEL_LIMIT} "
                    f"characters, got {quoted(label)}"
                )
            usable(label, f"label[{locale}]")

    def get(self, locale: str) -> str:
        """Return the label for ``locale``, falling back to English."""
        found = dict(self.items)
        return found.get(locale) or found["en"]


@attrs.frozen
class ReasonCategory:
    """A group of reasons, such as quality or logistics.

    Attributes:
        code: Stable code, such as ``"quality"``.
        labels: Display labels by locale.
    """

    code: str = attrs.field(validator=_code)
    labels: Labels = attrs.field(converter=_labels)


@attrs.frozen
class Reason:
    """A reason a customer may give for a return line.

    Attributes:
        code: Stable code, such as ``"quality_defect"``.
        category: Code of the category it belongs to.
        labels: Display labels by locale.
        fault: Who is responsible.
        requires_inspection: Whether received goods must be inspected.
        retired: A retired reason cannot be chosen for new returns.
    """

    code: str = attrs.field(validator=_code)
    category: str = attrs.field(validator=_code)
    labels: Labels = attrs.field(converter=_labels)
    fault: Fault = attrs.field()
    requires_inspection: bool = attrs.field(default=True, validator=flag)
    retired: bool = attrs.field(default=False, validator=flag)

    @fault.validator
    def _a_fault(self, attribute: attrs.Attribute[Fault], value: object) -> None:
        if not isinstance(value, Fault):
            raise InvalidInput(f"fault must be one of {[f.value for f in Fault]}, got {value!r}")


@attrs.frozen
class ReasonCatalog:
    """A tenant's reasons and their categories.

    Attributes:
        categories: Categories, in display order.
        reasons: Reasons, in display order; each names a category in the catalog.
    """

    categories: tuple[ReasonCategory, ...] = attrs.field(converter=_categories)
    reasons: tuple[Reason, ...] = attrs.field(converter=_reasons)

    def __attrs_post_init__(self) -> None:
        category_codes = [category.code for category in self.categories]
        reason_codes = [reason.code for reason in self.reasons]
        codes = category_codes + reason_codes
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise InvalidInput(f"codes used more than once in the catalog: {duplicates}")
        for reason in self.reasons:
            if reason.category not in category_codes:
                raise NotFound("reason category", reason.category)

    def reason(self, code: str) -> Reason:
        """Return the reason with ``code``, retired or not (for reading old returns).

        Raises:
            NotFound: No reason has that code.
        """
        for reason in self.reasons:
            if reason.code == code:
                return reason
        raise NotFound("reason", code)

    def category(self, code: str) -> ReasonCategory:
        """Return the category with ``code``.

        Raises:
            NotFound: No category has that code.
        """
        for category in self.categories:
            if category.code == code:
                return category
        raise NotFound("reason category", code)

    def choose(self, code: str) -> Reason:
        """Return the reason with ``code`` if a new return line may use it.

        Raises:
            ReasonNotSelectable: ``code`` names a category or a retired reason.
            NotFound: No reason or category has that code.
        """
        if any(category.code == code for category in self.categories):
            raise ReasonNotSelectable(f"{code!r} is a reason category; choose one of its reasons")
        reason = self.reason(code)
        if reason.retired:
            raise ReasonNotSelectable(f"reason {code!r} is retired and cannot be chosen")
        return reason

    def selectable(self) -> tuple[Reason, ...]:
        """Reasons that can be chosen now, in display order."""
        return tuple(reason for reason in self.reasons if not reason.retired)

    def with_category(self, category: ReasonCategory) -> ReasonCatalog:
        """Return a catalog with ``category`` added at the end."""
        return attrs.evolve(self, categories=(*self.categories, category))

    def with_reason(self, reason: Reason) -> ReasonCatalog:
        """Return a catalog with ``reason`` added at the end.

        Raises:
            InvalidInput: The code is taken.
            NotFound: Its category is not in the catalog.
        """
        return attrs.evolve(self, reasons=(*self.reasons, reason))

    def _replace(self, code: str, reason: Reason) -> ReasonCatalog:
        self.reason(code)
        return attrs.evolve(
            self, reasons=tuple(reason if r.code == code else r for r in self.reasons)
        )

    def relabelled(self, code: str, labels: Mapping[str, str]) -> ReasonCatalog:
        """Return a catalog in which reason ``code`` has new labels."""
        return self._replace(code, attrs.evolve(self.reason(code), labels=labels))

    def retired(self, code: str) -> ReasonCatalog:
        """Return a catalog in which reason ``code`` can no longer be chosen."""
        return self._replace(code, attrs.evolve(self.reason(code), retired=True))

    def without(self, code: str, *, in_use: bool) -> ReasonCatalog:
        """Return a catalog without reason ``code``.

        Args:
            code: The reason to remove.
            in_use: Whether any return refers to it.

        Raises:
            ReasonInUse: Returns refer to the reason; retire it instead.
        """
        self.reason(code)
        if in_use:
            raise ReasonInUse(f"reason {code!r} is used by returns; retire it instead of removing")
        return attrs.evolve(self, reasons=tuple(r for r in self.reasons if r.code != code))


def _catalog(
    categories: Iterable[tuple[str, str, str]],
    reasons: Iterable[tuple[str, str, str, str, Fault, bool]],
) -> ReasonCatalog:
    return ReasonCatalog(
        categories=tuple(
            ReasonCategory(code, {"en": en, "zh-CN": zh}) for code, en, zh in categories
        ),
        reasons=tuple(
            Reason(code, category, {"en": en, "zh-CN": zh}, fault, inspect)
            for code, category, en, zh, fault, inspect in reasons
        ),
    )


#: The defaults every tenant starts with.
DEFAULT_CATALOG = _catalog(
    categories=[
        ("quality", "Quality", "质量原因"),
        ("customer", "Customer's choice", "客户原因"),
        ("order", "Order handling", "订单原因"),
        ("logistics", "Logistics", "物流原因"),
        ("general", "Other", "其他原因"),
    ],
    reasons=[
        ("quality_defect", "quality", "Quality problem", "质量问题", Fault.SELLER, True),
        (
            "changed_requirement",
            "customer",
            "Changed requirement",
            "需求变更",
            Fault.CUSTOMER,
            True,
        ),
        ("wrong_order", "order", "Wrong order", "订单错误", Fault.SELLER, False),
        ("damaged_in_transit", "logistics", "Damaged in transit", "运输损坏", Fault.CARRIER, True),
        ("other", "general", "Other", "其他", Fault.CUSTOMER, True),
    ],
)
