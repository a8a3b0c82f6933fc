"""Who is told what when the host says nothing: :data:`DEFAULT_NOTIFICATION_RULES`.

=========================  =============  ========================  ======================
event                      channel        recipients                template
=========================  =============  ========================  ======================
submitted                  e-mail         role ``approver``         ``approval-requested``
approved                   e-mail, SMS    the customer              ``return-approved``
approved                   e-mail         role ``warehouse``        ``goods-expected``
rejected                   e-mail, SMS    the customer              ``return-rejected``
request declined           e-mail, SMS    the customer              ``request-declined``
requested (by a customer)  e-mail         role ``customer_service`` ``request-received``
lines inspected            e-mail         role ``finance``          ``inspection-done``
refund granted             e-mail, SMS    the customer              ``refund-granted``
completed                  e-mail, SMS    the customer              ``return-completed``
retired                    e-mail         role ``records_manager``  ``records-retired``
shipment delivered         e-mail         role ``warehouse``        ``parcel-delivered``
shipment lost              e-mail         role ``customer_service`` ``parcel-lost``
=========================  =============  ========================  ======================

The roles are those of :data:`~crm_returns.domain.policies.access.DEFAULT_ROLES`.
``crm_returns.notifications`` ships every template named here in zh-CN and en.
"""

from __future__ import annotations

from typing import Final

from crm_returns.domain import events as ev
from crm_returns.domain.casefile import events as case
from crm_returns.domain.notifications.rules import (
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
)

__all__ = ["DEFAULT_NOTIFICATION_RULES"]

_EMAIL = NotificationChannel.EMAIL
_SMS = NotificationChannel.SMS


def _rule(
    event: type[ev.ReturnEvent],
    channel: NotificationChannel,
    recipient: Recipient,
    template: str,
) -> NotificationRule:
    return NotificationRule(
        event=event, channel=channel, recipients=(recipient,), template=template
    )


def _defaults() -> NotificationRules:
    customer, approver = Recipient.customer(), Recipient.role("approver")
    warehouse, finance = Recipient.role("warehouse"), Recipient.role("finance")
    return NotificationRules(
        (
            _rule(ev.ReturnSubmitted, _EMAIL, approver, "approval-requested"),
            _rule(ev.ReturnApproved, _EMAIL, customer, "return-approved"),
            _rule(ev.ReturnApproved, _SMS, customer, "return-approved"),
            _rule(ev.ReturnApproved, _EMAIL, warehouse, "goods-expected"),
            _rule(ev.ReturnRejected, _EMAIL, customer, "return-rejected"),
            _rule(ev.ReturnRejected, _SMS, customer, "return-rejected"),
            _rule(case.RequestDeclined, _EMAIL, customer, "request-declined"),
            _rule(case.RequestDeclined, _SMS, customer, "request-declined"),
            _rule(
                case.ReturnRequested, _EMAIL, Recipient.role("customer_service"), "request-received"
            ),
            _rule(ev.LinesInspected, _EMAIL, finance, "inspection-done"),
            _rule(ev.RefundGranted, _EMAIL, customer, "refund-granted"),
            _rule(ev.RefundGranted, _SMS, customer, "refund-granted"),
            _rule(ev.ReturnCompleted, _EMAIL, customer, "return-completed"),
            _rule(ev.ReturnCompleted, _SMS, customer, "return-completed"),
            _rule(ev.ReturnRetired, _EMAIL, Recipient.role("records_manager"), "records-retired"),
            _rule(case.ShipmentDelivered, _EMAIL, warehouse, "parcel-delivered"),
            _rule(case.ShipmentLost, _EMAIL, Recipient.role("customer_service"), "parcel-lost"),
        )
    )


#: The rules a notifier follows unless given others (see the table above).
DEFAULT_NOTIFICATION_RULES: Final[NotificationRules] = _defaults()
