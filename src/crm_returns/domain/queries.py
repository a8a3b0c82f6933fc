"""Search criteria and pages of results, as plain values."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import attrs

from crm_returns.domain._checks import aware, flag, identifier, items_of, text
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import InvalidInput, quoted

__all__ = ["MAX_PAGE_SIZE", "Keyset", "LineQuery", "Page", "ReturnQuery"]

#: The largest page a query may ask for.
MAX_PAGE_SIZE = 500

T = TypeVar("T")


class Listed(Protocol):
    """What a return list orders by: a return's creation time and number."""

    @property
    def created_at(self) -> datetime:
        """When the return was created."""

    @property
    def number(self) -> str:
        """The return's readable number."""


L = TypeVar("L", bound=Listed)


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


def _cursor(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        _cursor_text(value)


def _cursor_text(value: object) -> str:
    """``value`` if it may be a cursor: text of 1 to 512 characters."""
    if not (isinstance(value, str) and 0 < len(value) <= 512):
        raise InvalidInput(f"after must be a cursor a page handed out, got {quoted(value)}")
    return value


#: The cursor's layout; a cursor of another version is refused.
_CURSOR_VERSION = 1


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

    Returns are listed newest first, returns created at the same instant by
    number, descending (as Python compares strings).  A list is read page by
    page either by ``offset`` or, faster on a long history, by cursor: each
    :class:`Page` hands out ``next_cursor``, and the same query with
    ``after=page.next_cursor`` lists the returns that come after the last one
    on that page, however many came before it.  A cursor names a position in
    the list, not a page: returns added or changed meanwhile are neither
    skipped nor repeated unless they move across that position.

    Attributes:
        statuses: Any of these statuses (all when empty).
        customer_id: Exact customer id.
        created_from: Created at or after this time.
        created_to: Created at or before this time.
        offset: Returns to skip (0 when ``after`` is given).
        limit: Most returns to return.
        include_archived: Whether archived returns are listed too (they are
            left out by default).
        after: A page's ``next_cursor``: list the returns after the last one
            on that page.  It belongs to the criteria it was handed out for
            (the page size may change); a cursor of other criteria, or one
            that is not a cursor, is refused.  Cursors are not secrets and
            grant nothing: a list is still the tenant's and the actor's own.
        with_total: Whether the page counts every match (``Page.total``).
            Counting reads every match, so a list that stays fast as history
            grows asks ``with_total=False`` and gets ``total`` ``None``.

    Raises:
        InvalidInput: A value is out of range, ``after`` is not a cursor of
            these criteria, or ``after`` comes with an ``offset``.
    """

    statuses: frozenset[ReturnStatus] = attrs.field(default=frozenset(), converter=_statuses)
    customer_id: str | None = _optional_id(64)
    created_from: datetime | None = attrs.field(default=None, validator=aware)
    created_to: datetime | None = attrs.field(default=None, validator=aware)
    offset: int = attrs.field(default=0, validator=_offset)
    limit: int = attrs.field(default=50, validator=_limit)
    include_archived: bool = attrs.field(default=False, validator=flag)
    after: str | None = attrs.field(default=None, validator=_cursor)
    with_total: bool = attrs.field(default=True, validator=flag)

    def __attrs_post_init__(self) -> None:
        _range(self.created_from, self.created_to, "creation dates")
        if self.after is not None:
            if self.offset:
                raise InvalidInput("give either offset or after (a cursor), not both")
            _decoded(self.after)

    def _keyset(self) -> Keyset:
        """The cursors of this list: bound to what the returns listed must match."""
        return Keyset(
            "returns",
            sorted(status.value for status in self.statuses),
            self.customer_id,
            None if self.created_from is None else _utc(self.created_from),
            None if self.created_to is None else _utc(self.created_to),
            self.include_archived,
        )

    def cursor_after(self, created_at: datetime, number: str) -> str:
        """The cursor of the position just after the return created at ``created_at``, ``number``.

        Stores make a page's ``next_cursor`` with it from the page's last return.
        """
        return self._keyset().cursor_after(created_at, number)

    def page(self, found: Sequence[L], total: int | None) -> Page[L]:
        """The page of ``found``, the first ``limit + 1`` matches from where the page starts.

        The one past ``limit`` only tells that more follow: the page hands out
        a cursor after its last return then.
        """
        items = tuple(found[: self.limit])
        more = len(found) > self.limit
        cursor = self.cursor_after(items[-1].created_at, items[-1].number) if more else None
        return Page(items, total, self.offset, self.limit, cursor, cursors=True)

    @property
    def position(self) -> tuple[datetime, str] | None:
        """Where ``after`` points: the creation time (UTC) and number listed last, or ``None``.

        Returns come after it when created earlier, or at that instant with a
        smaller number.  Stores read it when they list: a query is checked to
        hold a well-formed cursor when it is made, and here that the cursor is
        one of these criteria, which the service may have narrowed meanwhile
        (to the customer an actor acts for).

        Raises:
            InvalidInput: ``after`` is not a cursor of these criteria.
        """
        if self.after is None:
            return None
        return self._keyset().position(self.after)


class Keyset:
    """The cursors of one list ordered by a time, then by an id: ``(moment, key)`` positions.

    A cursor is opaque, URL-safe text holding the position of the last item
    on a page and a fingerprint of the list's criteria, so that a cursor of
    another list, or of the same list with other criteria, is refused.  It
    is not signed: it grants nothing, it only says where a page starts.

    Args:
        criteria: What the items listed must match, as JSON values (with the
            list's name first, so that two lists never share cursors).
    """

    def __init__(self, *criteria: object) -> None:
        text = json.dumps(list(criteria))
        self._fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]

    def cursor_after(self, moment: datetime, key: str) -> str:
        """The cursor of the position just after the item at ``moment`` with ``key``."""
        layout = [_CURSOR_VERSION, _utc(moment), key, self._fingerprint]
        return base64.urlsafe_b64encode(json.dumps(layout).encode()).decode().rstrip("=")

    def position(self, after: object) -> tuple[datetime, str]:
        """The moment (UTC) and key that ``after``, a cursor of this list, points after.

        Raises:
            InvalidInput: ``after`` is not a cursor of this list and these criteria.
        """
        text = _cursor_text(after)
        moment, key, fingerprint = _decoded(text)
        if fingerprint != self._fingerprint:
            raise _not_a_cursor(text)
        return moment, key


def _decoded(after: str) -> tuple[datetime, str, str]:
    """The moment, key and criteria fingerprint a cursor holds.

    Raises:
        InvalidInput: ``after`` is not a cursor.
    """
    try:
        padded = after + "=" * (-len(after) % 4)
        layout = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        version, at, key, fingerprint = layout
        moment = datetime.fromisoformat(at)
    except (ValueError, TypeError, UnicodeError) as error:  # binascii.Error is a ValueError
        raise _not_a_cursor(after) from error
    if (
        version != _CURSOR_VERSION
        or moment.utcoffset() is None
        or not isinstance(key, str)
        or not 0 < len(key) <= 200
        or not isinstance(fingerprint, str)
    ):
        raise _not_a_cursor(after)
    return moment.astimezone(UTC), key, fingerprint


def _not_a_cursor(after: str) -> InvalidInput:
    return InvalidInput(f"after is not a cursor of this list: {quoted(after)}")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@attrs.frozen
class Page(Generic[T]):
    """One page of results.

    Attributes:
        items: The results on this page.
        total: How many results match in all, or ``None`` when the query did
            not ask (``ReturnQuery.with_total``).
        offset: Results skipped before this page (0 for a page after a cursor).
        limit: Page size asked for.
        next_cursor: Where the next page starts (``ReturnQuery.after``), or
            ``None`` when no result follows this page.
        cursors: Whether the list hands out cursors (return lists do): then
            ``next_cursor`` alone says whether results follow.
    """

    items: tuple[T, ...]
    total: int | None
    offset: int
    limit: int
    next_cursor: str | None = None
    cursors: bool = False

    @classmethod
    def of(cls, matching: Iterable[T], offset: int, limit: int) -> Page[T]:
        """The page at ``offset`` of everything ``matching``."""
        everything = tuple(matching)
        return cls(everything[offset : offset + limit], len(everything), offset, limit)

    @property
    def has_more(self) -> bool:
        """Whether results follow this page."""
        if self.cursors or self.total is None:
            return self.next_cursor is not None
        return self.offset + len(self.items) < self.total
