"""Search criteria and pages of results, as plain values."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs

from crm_returns.domain._checks import aware, flag, identifier, items_of, text
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput, quoted

__all__ = ["MAX_PAGE_SIZE", "LineQuery", "Page", "ReturnQuery"]

#: The largest page a query may ask for.
MAX_PAGE_SIZE = 500

T = TypeVar("T")


def _limit(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}, got {value!r}")


def _offset(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"offset must be a whole number >= 0, got {value!r}")


def _optional_text(limit: int) -> Any:
    return attrs.field(default=None, validator=attrs.validators.optional(text(limit)))


def _optional_id(limit: int) -> Any:
    return attrs.field(default=None, validator=attrs.validators.optional(identifier(limit)))


def _statuses(values: Iterable[ReturnStatus]) -> frozenset[ReturnStatus]:
    items = items_of(values, "statuses")
    for status in items:  # before the set is made: a list in it is unhashable
        if not isinstance(status, ReturnStatus):
            raise InvalidInput(f"statuses must be ReturnStatus values, got {quoted(status)}")
    return frozenset(items)


def _range(start: datetime | None, end: datetime | None, what: str) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidInput(f"{what}: from {start.isoformat()} is after to {end.isoformat()}")


@attrs.frozen(kw_only=True)
class LineQuery:
    """Criteria for finding delivered order lines to return; all given ones must match.

    Text is compared as it was typed: nothing is trimmed or normalised, and
    ``%`` and ``_`` are plain characters, not wildcards.  An order source lists
    the matches in an order of its choosing that is the same each time the
    same query is asked, so that pages of it neither skip nor repeat a line;
    the page's ``total`` counts every match, whichever page is asked for.
    ``crm_returns.testing.conformance.OrderSourceContract`` checks a source
    against this description.

    Attributes:
        order_number: The line's order number, exactly: case and every character
            count, so ``"SO-1001"`` finds neither ``"so-1001"`` nor ``"SO-10011"``.
        customer_id: The line's customer id, exactly.
        product: Text found anywhere in the product name or in the SKU,
            ignoring case as :meth:`str.casefold` does (``"mouse"`` finds
            ``"Wireless Mouse"``, ``"STRASSE"`` finds ``"Straße"``).
        category: The line's product category code, exactly.
        delivered_from: Delivered at or after this instant (inclusive; times at
            other UTC offsets compare as instants).  A line not yet delivered
            never matches a date bound.
        delivered_to: Delivered at or before this instant (inclusive).
        offset: Matching lines to skip, in the source's order.
        limit: Most lines to return.
    """

    order_number: str | None = _optional_id(64)
    customer_id: str | None = _optional_id(64)
    product: str | None = _optional_text(200)
    category: str | None = _optional_id(64)
    delivered_from: datetime | None = attrs.field(default=None, validator=aware)
    delivered_to: datetime | None = attrs.field(default=None, validator=aware)
    offset: int = attrs.field(default=0, validator=_offset)
    limit: int = attrs.field(default=50, validator=_limit)

    def __attrs_post_init__(self) -> None:
        _range(self.delivered_from, self.delivered_to, "delivery dates")


@attrs.frozen(kw_only=True)
class ReturnQuery:
    """Criteria for listing return orders; all given ones must match.

    Attributes:
        statuses: Any of these statuses (all when empty).
        customer_id: Exact customer id.
        created_from: Created at or after this time.
        created_to: Created at or before this time.
        offset: Returns to skip.
        limit: Most returns to return.
        include_archived: Whether archived returns are listed too (they are
            left out by default).
    """

    statuses: frozenset[ReturnStatus] = attrs.field(default=frozenset(), converter=_statuses)
    customer_id: str | None = _optional_id(64)
    created_from: datetime | None = attrs.field(default=None, validator=aware)
    created_to: datetime | None = attrs.field(default=None, validator=aware)
    offset: int = attrs.field(default=0, validator=_offset)
    limit: int = attrs.field(default=50, validator=_limit)
    include_archived: bool = attrs.field(default=False, validator=flag)

    def __attrs_post_init__(self) -> None:
        _range(self.created_from, self.created_to, "creation dates")


@attrs.frozen
class Page(Generic[T]):
    """One page of results.

    Attributes:
        items: The results on this page.
        total: How many results match in all.
        offset: Results skipped before this page.
        limit: Page size asked for.
    """

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, matching: Iterable[T], offset: int, limit: int) -> Page[T]:
        """The page at ``offset`` of everything ``matching``."""
        everything = tuple(matching)
        return cls(everything[offset : offset + limit], len(everything), offset, limit)

    @property
    def has_more(self) -> bool:
        """Whether results follow this page."""
        return self.offset + len(self.items) < self.total
