"""Text messages: a console gateway for development, and how to adapt a real one.

:class:`ConsoleSmsGateway` writes each :class:`~crm_returns.ports.Sms` to a
text stream instead of sending it.  The in-memory gateway for tests is
:class:`~crm_returns.adapters.memory.MemorySmsGateway`.

Adapting a real gateway
-----------------------

A host wires its SMS vendor by writing a class with one method,
``send(sms: Sms) -> None`` (the :class:`~crm_returns.ports.SmsGateway` port),
with the vendor's SDK or a plain HTTPS call.  The library ships no vendor SDK.
An :class:`~crm_returns.ports.Sms` already has the shape the common Chinese
gateways take:

==================  ===========================  ===============================
``Sms`` field       Aliyun Dysms ``SendSms``      Tencent Cloud SMS ``SendSms``
==================  ===========================  ===============================
``phone``           ``PhoneNumbers``              ``PhoneNumberSet`` (E.164, as
                    (mainland numbers with or     ``Sms.phone`` is)
                    without ``+86``)
``sign_name``       ``SignName`` (签名)            ``SignName`` (签名内容)
``template_code``   ``TemplateCode``              ``TemplateId``
                    (``SMS_...``)
``params``          ``TemplateParam``: a JSON     ``TemplateParamSet``: the
                    object of *named* values,     values *in order*,
                    ``json.dumps(dict(params))``  ``[value for _, value in params]``
``out_id``          ``OutId`` (returned in the    ``SessionContext`` (returned in
                    delivery receipts)            the reply and the receipts)
``text``            not sent (the template        not sent
                    makes the text)
==================  ===========================  ===============================

Neither vendor deduplicates by ``OutId`` / ``SessionContext``: they only echo
it back, so that the host can match delivery receipts to its messages.  A
request that reaches the gateway twice sends (and bills) two messages.

What the adapter raises
-----------------------

- The gateway answered that it took the message (Aliyun ``Code == "OK"``;
  Tencent a ``SendStatusSet`` entry with ``Code == "Ok"``): return.
- The request never left (DNS failure, connection refused, TLS handshake
  failed), or the gateway refused it for a reason that passes (rate limits
  such as Aliyun ``isv.BUSINESS_LIMIT_CONTROL`` or Tencent
  ``LimitExceeded.*``, the vendor's own ``5xx``): raise
  :class:`~crm_returns.errors.TransientFailure`, with ``retry_after`` if the
  vendor said how long to wait.
- The gateway refused this message for good (an invalid number, an
  unapproved signature or template, missing template parameters, a bad
  access key): raise :class:`~crm_returns.errors.PermanentFailure`.
- **The request left and no answer came** (a read timeout, the connection
  dropped after the request was written, an answer that cannot be parsed):
  raise :class:`~crm_returns.errors.OutcomeUnknown`.  The message may have
  gone; sending it again could text (and bill) the customer twice.  The relay
  never resends such a message by itself: an operator checks the vendor's
  delivery receipts by the ``OutId`` and replays the message or lets it be.
  Set separate connect and read timeouts so that the two cases can be told
  apart: a connect timeout is transient, a read timeout is unknown.
"""

from __future__ import annotations

import sys
from typing import TextIO

from crm_returns.ports.notify import Sms

__all__ = ["ConsoleSmsGateway"]


class ConsoleSmsGateway:
    """An :class:`~crm_returns.ports.SmsGateway` that writes each message to a text stream.

    For development and demos: nothing is sent.  Each message is written as a
    short block, such as::

        SMS to +8613800138000 (out_id msg-1)
          【退货中心】 template SMS_0001 {order=RO-0001, status=已批准}
          您的退货单 RO-0001 已批准

    Args:
        stream: Where to write (standard output when not given).
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout

    def send(self, sms: Sms) -> None:
        """Write ``sms`` to the stream, and flush it."""
        params = ", ".join(f"{name}={value}" for name, value in sms.params)
        lines = [
            f"SMS to {sms.phone} (out_id {sms.out_id})",
            f"  【{sms.sign_name}】 template {sms.template_code} {{{params}}}",
        ]
        if sms.text:
            lines.extend(f"  {line}" for line in sms.text.splitlines())
        self._stream.write("\n".join(lines) + "\n")
        self._stream.flush()
