"""The service level: how long each stage of a return may take.

The defaults follow the law a shop in China works under: once returned goods
are back, the price is refunded within seven days (《网络购买商品七日无理由退货暂行办法》
第十八条), so receiving (2 days after the carrier delivers), inspecting (2 days)
and refunding (3 days) add up to seven.  Approving gets 2 days, and the
customer 14 days to send the goods back, the time most shops print on their
return labels.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import attrs

from crm_returns.domain.ownership.records import Stage
from crm_returns.errors import InvalidInput

__all__ = ["LONGEST_ALLOWANCE", "ServiceLevel"]

#: The longest time a stage may be allowed: a year (keeps every deadline a real date).
LONGEST_ALLOWANCE: Final = timedelta(days=366)


def _allowance(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta):
        raise InvalidInput(
            f"service level {attribute.name} must be a timedelta, got {type(value).__name__}"
        )
    if value <= timedelta(0):
        raise InvalidInput(f"service level {attribute.name} must be longer than zero, got {value}")
    if value > LONGEST_ALLOWANCE:
        raise InvalidInput(
            f"service level {attribute.name} is {value.days} days; the most is "
            f"{LONGEST_ALLOWANCE.days}"
        )


@attrs.frozen(kw_only=True)
class ServiceLevel:
    """The time allowed for each stage of a return, from the moment it enters the stage.

    Attributes:
        approve: To take an approval step (each step has this long, unless the
            approval policy gives the step its own ``time_limit``).
        ship_back: For the goods to reach the warehouse once the return is approved.
        receive: To book the goods in once the carrier delivered them (or the
            first of them arrived).
        inspect: To inspect what was received.
        refund: To grant and pay the refund once the goods are settled.

    Raises:
        InvalidInput: An allowance is not a ``timedelta``, not longer than
            zero, or longer than :data:`LONGEST_ALLOWANCE`.
    """

    approve: timedelta = attrs.field(default=timedelta(days=2), validator=_allowance)
    ship_back: timedelta = attrs.field(default=timedelta(days=14), validator=_allowance)
    receive: timedelta = attrs.field(default=timedelta(days=2), validator=_allowance)
    inspect: timedelta = attrs.field(default=timedelta(days=2), validator=_allowance)
    refund: timedelta = attrs.field(default=timedelta(days=3), validator=_allowance)

    def allowance(self, stage: Stage) -> timedelta:
        """The time allowed for ``stage``."""
        allowed: timedelta = getattr(self, stage.value)
        return allowed
