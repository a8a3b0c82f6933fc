"""The service layer: :class:`ReturnsService`, its settings, and the values it takes and gives.

One module per stage of the workflow (``choosing``, ``approving``, ``goods``,
``refunds``, ``books``, ``reasons``, ``reading``, ``events``), the command
template they share (``template``), checks at the edge (``checks``) and the
one wiring value (``settings``); the event relay (``delivery``, with its
settings and report in ``relay_settings``).
"""

from crm_returns.service.commands import ReturnPreview, ReturnRequest
from crm_returns.service.service import ReturnsService
from crm_returns.service.settings import CREDIT_NOTE_FORMAT, ServiceSettings

__all__ = [
    "CREDIT_NOTE_FORMAT",
    "ReturnPreview",
    "ReturnRequest",
    "ReturnsService",
    "ServiceSettings",
]
