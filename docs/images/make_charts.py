"""Draw the pictures of docs/analytics.md from made-up returns: `python docs/images/make_charts.py`.

Needs the ``charts`` extra.  The figures are invented but computed the way a
host's are: line facts, then the pure functions of
``crm_returns.domain.analytics``, then the charts.  Nothing here reads the
clock or a random generator, so running it again gives the same files.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from crm_returns.analytics.charts import (
    cycle_time_chart,
    pareto_chart,
    return_rate_chart,
    sku_reason_heatmap,
    stage_durations,
)
from crm_returns.domain import analytics as an
from crm_returns.domain.money import Money
from crm_returns.domain.reasons import DEFAULT_CATALOG
from crm_returns.domain.returns.states import ReturnStatus

HERE = Path(__file__).parent
ZONE = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 7, 10, 9, 0, tzinfo=UTC)
#: Reasons and how many returns of every hundred give each.
REASONS = (
    ("quality_defect", "quality", 38),
    ("damaged_in_transit", "logistics", 22),
    ("changed_requirement", "customer", 18),
    ("wrong_order", "order", 12),
    ("other", "general", 10),
)
#: The SKU that two returns of every three with the reason are of (a fragile
#: monitor breaks on the way, a mouse model has a defect, ...).
PRONE = {
    "quality_defect": "MS-220",
    "damaged_in_transit": "MN-270",
    "changed_requirement": "DK-800",
    "wrong_order": "CB-050",
    "other": "KB-100",
}
SKUS = ("KB-100", "MS-220", "HD-310", "CB-050", "MN-270", "DK-800")
#: Units delivered in each month of 2026, January to June.
DELIVERED = (1840, 1620, 2110, 1980, 2260, 2390)


def _spread(i: int, low: float, high: float) -> float:
    """A value between ``low`` and ``high`` that jumps about with ``i``, the same every run."""
    return low + (i * 7919 % 97) / 96 * (high - low)


def _reason(i: int) -> tuple[str, str]:
    slot = i * 37 % 100
    for code, category, share in REASONS:
        if slot < share:
            return code, category
        slot -= share
    raise AssertionError("the shares add up to 100")


def _facts() -> Iterator[an.LineFact]:
    i = 0
    for month, delivered in enumerate(DELIVERED, start=1):
        # Later months have had less time to come back: fewer returns so far.
        returns = int(delivered * _spread(month, 0.03, 0.05) * (0.6 if month == 6 else 1))
        for _ in range(returns):
            i += 1
            code, category = _reason(i)
            ordered = datetime(2026, month, 1, 2, tzinfo=UTC) + timedelta(hours=i * 13 % 640)
            submitted = ordered + timedelta(days=_spread(i, 3, 20))
            approved = submitted + timedelta(hours=_spread(i + 1, 1, 40))
            back = approved + timedelta(days=_spread(i + 2, 2, 11))
            inspected = back + timedelta(hours=_spread(i + 3, 2, 60))
            paid = inspected + timedelta(hours=_spread(i + 4, 1, 90))
            yield an.LineFact(
                tenant_id="demo",
                return_id=f"r-{i}",
                return_number=f"RT-{i:06d}",
                order_number=f"SO-{i:06d}",
                line_id="1",
                sku=PRONE[code] if i % 3 else SKUS[i * 7 % len(SKUS)],
                product_name="",
                product_category="",
                customer_id=f"C-{i % 50}",
                reason_code=code,
                reason_category=category,
                status=ReturnStatus.COMPLETED,
                quantity_requested=Decimal(1 + i % 3),
                quantity_approved=Decimal(1 + i % 3),
                quantity_received=Decimal(1 + i % 3),
                quantity_accepted=Decimal(1 + i % 3),
                quantity_returned=Decimal(1 + i % 3),
                currency="CNY",
                merchandise_value=Decimal("199.00") * (1 + i % 3),
                ordered_at=ordered,
                returned_at=submitted,
                submitted_at=submitted,
                approved_at=approved,
                goods_back_at=back,
                inspected_at=inspected,
                refund_paid_at=paid,
                completed_at=paid + timedelta(hours=_spread(i + 5, 0, 6)),
            )


def main(folder: Path = HERE) -> None:
    """Write the four pictures into ``folder``, by default beside this script."""
    facts = list(_facts())
    rows = an.fold(an.pareto(facts), keep=3)
    pareto_chart(rows, folder / "chart-pareto.png", catalog=DEFAULT_CATALOG)
    delivered = [
        an.DeliveredTotals(
            cohort=date(2026, month, 1),
            orders=units * 2 // 3,
            units=Decimal(units),
            gross_sales=(Money(Decimal(units) * Decimal("199.00"), "CNY"),),
        )
        for month, units in enumerate(DELIVERED, start=1)
    ]
    cohorts = an.cohort_rates(
        facts,
        delivered,
        period=an.ReportPeriod.MONTH,
        zone=ZONE,
        as_of=AS_OF,
        return_window=timedelta(days=30),
    )
    return_rate_chart(cohorts, folder / "chart-return-rate.png")
    matrix = an.sku_reason_matrix(facts, top=5)
    sku_reason_heatmap(matrix, folder / "chart-sku-reasons.png", catalog=DEFAULT_CATALOG)
    cycle_time_chart(stage_durations(facts), folder / "chart-cycle-times.png")


if __name__ == "__main__":
    main()
