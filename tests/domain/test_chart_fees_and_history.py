"""Smaller rules of the books, fees and a line's history.

- A chart of accounts lists every account it posts to, a replaced one included.
- A restocking fee on a refund of less than one unit of money is still its
  percentage of it.
- What other returns refunded of a line leaves out the return being priced.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs

from crm_returns.domain.books.accounts import DEFAULT_CHART, Account, ChartOfAccounts
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.refunds.fees import FeeRule
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.returnable import already_returned, refunded_before, refunded_units
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition

LINE_A = LineRef("SO-1", "1")
LINE_B = LineRef("SO-1", "2")


def test_a_chart_lists_every_account_it_posts_to_in_the_order_of_its_roles() -> None:
    roles = [field.name for field in attrs.fields(ChartOfAccounts)]
    assert DEFAULT_CHART.accounts() == tuple(getattr(DEFAULT_CHART, role) for role in roles)
    assert len(set(DEFAULT_CHART.accounts())) == len(roles) == 11
    ours = Account("1002.99", "Refund clearing", "退款清算")
    chart = ChartOfAccounts(cash=ours)
    assert ours in chart.accounts()
    assert DEFAULT_CHART.cash not in chart.accounts()


def test_a_fee_on_a_refund_of_less_than_one_unit_is_its_percentage() -> None:
    rule = FeeRule(Decimal("0.10"))
    assert rule.fee(Money("0.50", "CNY")) == Money("0.05", "CNY")
    assert rule.fee(Money("0.00", "CNY")) == Money("0.00", "CNY")


def test_what_was_refunded_before_leaves_out_the_return_being_priced(
    order_in: Callable[[ReturnStatus], ReturnOrder],
) -> None:
    completed = order_in(ReturnStatus.COMPLETED)  # refunded 2 units of A and 1 of B
    assert refunded_before([completed], [LINE_A, LINE_B]) == {
        LINE_A: Decimal(2),
        LINE_B: Decimal(1),
    }
    assert refunded_before([completed], [LINE_A, LINE_B], excluding=completed.id) == {
        LINE_A: Decimal(0),
        LINE_B: Decimal(0),
    }


def test_counting_units_of_a_line_no_return_holds_gives_an_exact_zero(
    order_in: Callable[[ReturnStatus], ReturnOrder],
) -> None:
    # Decimal("0"), not the integer 0: hosts format and store these counts as decimals.
    completed = order_in(ReturnStatus.COMPLETED)
    other = LineRef("SO-9", "9")
    for count in (
        already_returned([], other),
        refunded_units([completed], other),
        completed.line(LINE_A).disposed(Disposition.SCRAP),
    ):
        assert type(count) is Decimal
        assert count == 0
