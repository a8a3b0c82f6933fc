"""Talking with the customer (客户反馈): the contact log and feedback.

``records.py`` holds a contact (call, e-mail, SMS, chat, visit) and the
customer's feedback on a completed return.
"""

from crm_returns.domain.interactions.records import (
    Contact,
    ContactChannel,
    Direction,
    Feedback,
)

__all__ = ["Contact", "ContactChannel", "Direction", "Feedback"]
