"""An e-mail channel and an SMS channel that keep what they are given, for tests and demos."""

from __future__ import annotations

from crm_returns.ports.notify import Email, Sms

__all__ = ["MemoryMailer", "MemorySmsGateway"]


class MemoryMailer:
    """A :class:`~crm_returns.ports.Mailer` that keeps e-mails in a list; can be told to fail.

    Attributes:
        sent: Every e-mail sent, in order (an e-mail sent twice is here twice).
        attempted: Every e-mail handed to :meth:`send`, failed or not, in order.
        failure: While set, :meth:`send` raises it instead of keeping the
            e-mail (a :class:`~crm_returns.errors.DeliveryFailed` kind, or any
            exception, which counts as transient).
    """

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.attempted: list[Email] = []
        self.failure: BaseException | None = None

    def send(self, email: Email) -> None:
        """Keep ``email``, or raise :attr:`failure` while it is set."""
        self.attempted.append(email)
        if self.failure is not None:
            raise self.failure
        self.sent.append(email)


class MemorySmsGateway:
    """A :class:`~crm_returns.ports.SmsGateway` that keeps text messages; can be told to fail.

    To play a gateway that timed out after the request left, set
    :attr:`failure` to an :class:`~crm_returns.errors.OutcomeUnknown`:
    :attr:`attempted` then shows that the message was handed over once, and a
    test can check that nothing sends it again.

    Attributes:
        sent: Every message sent, in order (a message sent twice is here twice).
        attempted: Every message handed to :meth:`send`, failed or not, in order.
        failure: While set, :meth:`send` raises it instead of keeping the
            message (a :class:`~crm_returns.errors.DeliveryFailed` kind, or any
            exception, which counts as transient).
    """

    def __init__(self) -> None:
        self.sent: list[Sms] = []
        self.attempted: list[Sms] = []
        self.failure: BaseException | None = None

    def send(self, sms: Sms) -> None:
        """Keep ``sms``, or raise :attr:`failure` while it is set."""
        self.attempted.append(sms)
        if self.failure is not None:
            raise self.failure
        self.sent.append(sms)
