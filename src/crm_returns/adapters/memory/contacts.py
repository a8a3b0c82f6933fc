"""A contact directory kept in memory, for tests and demos of the notifiers."""

from __future__ import annotations

from collections.abc import Sequence

from crm_returns.errors import InvalidInput, quoted
from crm_returns.ports.notify import Contact

__all__ = ["MemoryContactDirectory"]


def _key(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be a non-blank string, got {quoted(value)}")
    return value


def _contact(value: object) -> Contact:
    if not isinstance(value, Contact):
        raise InvalidInput(f"contact must be a Contact, got {quoted(value)}")
    return value


class MemoryContactDirectory:
    """A :class:`~crm_returns.ports.ContactDirectory` filled by hand.

    Example::

        contacts = MemoryContactDirectory()
        contacts.add_customer("acme", "C-1001", Contact(name="张伟", email="zhang@example.com"))
        contacts.add_staff("acme", "approver", Contact(name="陈经理", email="chen@shop.example"))
    """

    def __init__(self) -> None:
        self._customers: dict[tuple[str, str], Contact] = {}
        self._staff: dict[tuple[str, str], list[Contact]] = {}

    def add_customer(self, tenant_id: str, customer_id: str, contact: Contact) -> None:
        """Know ``customer_id`` of ``tenant_id`` as ``contact`` (replacing what was known).

        Raises:
            InvalidInput: An id is blank, or ``contact`` is no :class:`Contact`.
        """
        key = (_key(tenant_id, "tenant_id"), _key(customer_id, "customer_id"))
        self._customers[key] = _contact(contact)

    def add_staff(self, tenant_id: str, role: str, contact: Contact) -> None:
        """Add ``contact`` to the staff of ``tenant_id`` who hold ``role``.

        Raises:
            InvalidInput: An id or the role is blank, or ``contact`` is no :class:`Contact`.
        """
        key = (_key(tenant_id, "tenant_id"), _key(role, "role"))
        self._staff.setdefault(key, []).append(_contact(contact))

    def customer(self, tenant_id: str, customer_id: str) -> Contact | None:
        """How to reach a customer, or ``None`` if they were never added."""
        return self._customers.get((tenant_id, customer_id))

    def staff(self, tenant_id: str, role: str) -> Sequence[Contact]:
        """The staff of ``tenant_id`` who hold ``role``, in the order they were added."""
        return tuple(self._staff.get((tenant_id, role), ()))
