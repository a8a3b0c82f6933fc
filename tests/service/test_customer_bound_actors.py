"""An actor acting for a customer never learns of another customer's returns.

Whatever roles a host gives it, an actor with ``customer_id`` is told that
another customer's return does not exist (``NotFound``, as for another
tenant's), by every read and every command, and lists only its own returns.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from crm_returns import Actor, LineRef, RequestedLine, ReturnQuery, ReturnRequest, ReturnsService
from crm_returns.domain.policies.access import DEFAULT_ROLES
from crm_returns.errors import InvalidInput, NotAuthorised, NotFound
from crm_returns.samples import SAMPLE_TENANT

MOUSE = LineRef("SO-1001", "1")  # customer C-1001
CHAIR = LineRef("SO-1002", "1")  # customer C-1002


def _return(service: ReturnsService, clerk: Actor, ref: LineRef) -> str:
    request = ReturnRequest(lines=(RequestedLine(ref, Decimal(1), "wrong_order"),))
    return service.create_return(clerk, request).id


def _customer(customer_id: str, roles: set[str]) -> Actor:
    return Actor(f"portal-{customer_id}", "门户用户", SAMPLE_TENANT, roles, customer_id=customer_id)


@pytest.mark.parametrize("roles", [{"customer"}, set(DEFAULT_ROLES)], ids=["customer", "every"])
def test_another_customers_return_is_not_found_by_reads_or_commands(
    service: ReturnsService, clerk: Actor, roles: set[str]
) -> None:
    theirs = _return(service, clerk, CHAIR)
    number = service.get_return(clerk, theirs).number
    someone = _customer("C-1001", roles)

    reads: dict[str, Callable[[], object]] = {
        "get_return": lambda: service.get_return(someone, theirs),
        "find_return": lambda: service.find_return(someone, number),
        "audit_trail": lambda: service.audit_trail(someone, theirs),
    }
    commands: dict[str, Callable[[], object]] = {
        "cancel_return": lambda: service.cancel_return(someone, theirs, "不要了"),
        "submit_return": lambda: service.submit_return(someone, theirs),
    }
    for name, attempt in {**reads, **commands}.items():
        # A plain customer may not read staff views at all: refused before any lookup.
        expected: type[Exception] = (
            NotAuthorised if name in reads and roles == {"customer"} else NotFound
        )
        with pytest.raises(expected) as raised:
            attempt()
        assert theirs not in str(raised.value) or name != "find_return", name
    assert service.get_return(clerk, theirs).version == 1


def test_a_customer_with_view_returns_lists_only_their_own(
    service: ReturnsService, clerk: Actor
) -> None:
    mine = _return(service, clerk, MOUSE)
    _return(service, clerk, CHAIR)
    someone = _customer("C-1001", set(DEFAULT_ROLES))

    listed = service.list_returns(someone, ReturnQuery())
    asked_for_another = service.list_returns(someone, ReturnQuery(customer_id="C-1002"))

    assert [order.id for order in listed.items] == [mine]
    assert [order.id for order in asked_for_another.items] == [mine]
    assert service.get_return(someone, mine).id == mine


def test_a_customer_pages_their_own_list_by_cursor_and_no_one_elses(
    service: ReturnsService, clerk: Actor
) -> None:
    mine = [_return(service, clerk, MOUSE) for _ in range(3)]
    theirs = _return(service, clerk, CHAIR)
    someone = _customer("C-1001", set(DEFAULT_ROLES))

    first = service.list_returns(someone, ReturnQuery(limit=2, with_total=False))
    assert first.next_cursor is not None
    rest = service.list_returns(someone, ReturnQuery(limit=2, after=first.next_cursor))
    staff_first = service.list_returns(clerk, ReturnQuery(limit=1))
    assert staff_first.next_cursor is not None
    # A cursor of the staff's list of every return is not one of the customer's list.
    with pytest.raises(InvalidInput, match="not a cursor of this list"):
        service.list_returns(someone, ReturnQuery(after=staff_first.next_cursor))

    listed = [order.id for page in (first, rest) for order in page.items]
    assert sorted(listed) == sorted(mine)
    assert theirs not in listed
    assert rest.next_cursor is None
