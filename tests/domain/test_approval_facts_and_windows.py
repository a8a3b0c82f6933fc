"""What approval rules see of a return, a zero-day window, and a split's units by name.

- ``approval_facts`` hands the rules the return's reason codes and customer,
  so that a rule for a reason or a customer asks for its step.
- A return window of zero days is a window (returns on the day of delivery
  only); a negative one is refused.
- A split over dispositions names the disposition whose units are wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from crm_returns.domain.policies.approval import ApprovalFacts
from crm_returns.domain.policies.eligibility import ReturnWindow
from crm_returns.domain.returns.approving import approval_facts
from crm_returns.domain.returns.lines import Inspection
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.errors import InvalidInput, InvalidQuantity


def test_approval_rules_see_the_reasons_categories_and_customer_of_a_return(
    order_in: Callable[[ReturnStatus], ReturnOrder],
) -> None:
    facts = approval_facts(order_in(ReturnStatus.DRAFT))
    assert isinstance(facts, ApprovalFacts)
    assert facts.reason_codes == {"quality_defect", "wrong_order"}
    assert facts.reason_categories == {"quality", "order"}
    assert facts.product_categories == {"peripherals", "cables"}
    assert facts.customer_id == "C-1"


def test_a_return_window_of_zero_days_is_a_window() -> None:
    assert ReturnWindow(customer_days=0, other_days=0).customer_days == 0
    with pytest.raises(InvalidInput):
        ReturnWindow(customer_days=-1)


def test_a_split_over_dispositions_names_the_disposition_whose_units_are_wrong() -> None:
    with pytest.raises(InvalidQuantity) as raised:
        Inspection(accepted=Decimal(1), dispositions={Disposition.REPAIR: -1})
    assert str(raised.value) == "repair units must not be negative, got -1"
