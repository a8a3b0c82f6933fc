"""The case file (案卷) of a return: what the customer side keeps about it.

A return's case file holds records beside the return order itself: the
customer's request (``requests/``), how the goods come back and what the
carrier reported (``shipments/``), photos and files (``evidence/``), every
contact with the customer and their feedback (``interactions/``), and who owns
the return with its deadlines (``ownership/``).

``records.py`` holds the rule every such record shares: it belongs to exactly
one return of one tenant (and so to that return's customer), it is stored
whole, and it names the few fields a store must be able to find it by
(:class:`CaseIndex`).  Each record class is a record class of retention too:
it is archived, restored, destroyed and erased with its return.
"""

from crm_returns.domain.casefile.records import CaseIndex, CaseRecord

__all__ = ["CaseIndex", "CaseRecord"]
