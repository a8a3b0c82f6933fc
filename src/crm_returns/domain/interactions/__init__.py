"""Talking with the customer (客户反馈): the contact log and feedback.

``records.py`` holds a contact (call, e-mail, SMS, chat, visit) and the
customer's feedback on a completed return; ``rules.py`` says when each may
be logged or given (a contact on any return that is not archived, never
ahead of time; feedback once, by the return's own customer, after
completion), what a notification the library sent logs, and what erasure
leaves of them.  Their events (``ContactLogged``, ``FeedbackGiven``) are in
:mod:`crm_returns.domain.casefile.events` and carry no personal text.
"""

from crm_returns.domain.interactions.records import (
    ContactChannel,
    CustomerContact,
    Direction,
    Feedback,
)

__all__ = ["ContactChannel", "CustomerContact", "Direction", "Feedback"]
