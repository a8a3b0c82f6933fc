"""The service layer: :class:`ReturnsService` and the values it takes and gives."""

from crm_returns.service.commands import ReturnPreview, ReturnRequest
from crm_returns.service.service import ReturnsService

__all__ = ["ReturnPreview", "ReturnRequest", "ReturnsService"]
