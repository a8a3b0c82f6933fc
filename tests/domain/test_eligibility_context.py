"""What a host's own eligibility rule is shown when a line is planned.

A rule is any object with ``check(context)``; the context carries the order
line, the chosen reason, the time of the request and the units of the line
that other live returns already claim, so that a host can write rules such as
"one return per line".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

from crm_returns.domain.orders import DeliveredLine, LineRef
from crm_returns.domain.policies.eligibility import EligibilityContext, EligibilityRule
from crm_returns.domain.reasons import DEFAULT_CATALOG
from crm_returns.domain.returns.lines import RequestedLine, ReturnLine
from crm_returns.domain.returns.returnable import plan_line
from crm_returns.errors import NotEligible

REF = LineRef("SO-1", "1")
DELIVERED_AT = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
AT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
MakeDelivered = Callable[..., DeliveredLine]


@attrs.define
class Recording:
    """A rule that refuses nothing and remembers every context it was shown."""

    seen: list[EligibilityContext] = attrs.Factory(list)

    def check(self, context: EligibilityContext) -> str | None:
        self.seen.append(context)
        return None


@attrs.frozen
class OneReturnPerLine:
    """A host's rule: a line that is already on a live return may not be returned again."""

    def check(self, context: EligibilityContext) -> str | None:
        if context.already_returned > 0:
            return f"{context.already_returned} unit(s) of this line are already being returned"
        return None


def plan(delivered: DeliveredLine, returned: int, rule: EligibilityRule) -> ReturnLine:
    wanted = RequestedLine(REF, Decimal(1), "quality_defect")
    return plan_line(wanted, delivered, DEFAULT_CATALOG, Decimal(returned), (rule,), AT)


@pytest.mark.parametrize("returned", [0, 1, 2])
def test_an_eligibility_rule_is_shown_the_units_already_returned(
    make_delivered: MakeDelivered, returned: int
) -> None:
    delivered = make_delivered(REF, quantity=3, delivered_at=DELIVERED_AT)
    rule = Recording()
    plan(delivered, returned, rule)
    assert rule.seen == [
        EligibilityContext(
            delivered, DEFAULT_CATALOG.reason("quality_defect"), AT, Decimal(returned)
        )
    ]


def test_a_rule_reading_the_units_already_returned_can_refuse_a_second_return(
    make_delivered: MakeDelivered,
) -> None:
    delivered = make_delivered(REF, quantity=3, delivered_at=DELIVERED_AT)
    assert plan(delivered, 0, OneReturnPerLine()).requested == 1
    with pytest.raises(NotEligible) as raised:
        plan(delivered, 1, OneReturnPerLine())
    assert raised.value.refusals == ("1 unit(s) of this line are already being returned",)


def test_a_return_window_is_as_long_as_its_longest_reason() -> None:
    from crm_returns.domain.policies.eligibility import ReturnWindow

    assert ReturnWindow(customer_days=7, other_days=30).longest_days == 30
    fragile = ReturnWindow(customer_days=7, other_days=30, by_reason_category={"fragile": 45})
    assert fragile.longest_days == 45
