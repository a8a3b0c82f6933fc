"""Returns the customer asks for (退货申请): the request, its decision, the customer's view.

``records.py`` holds the request record and its statuses.  A request is a
return in draft that the customer made; staff accept it (the return is
submitted into the approval workflow) or decline it with a decline reason.
"""

from crm_returns.domain.requests.records import RequestStatus, ReturnRequest

__all__ = ["RequestStatus", "ReturnRequest"]
