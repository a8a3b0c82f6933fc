"""Webhooks: a destination that POSTs each event to an HTTP endpoint, signed.

Needs the ``webhooks`` extra (httpx).  Each message is one request: the body
is its CloudEvent in structured mode (:func:`crm_returns.cloudevents.to_json`)
and the headers follow `Standard Webhooks <https://www.standardwebhooks.com>`_::

    webhook-id: <the message id: the same on every retry, deduplicate on it>
    webhook-timestamp: <unix seconds of this try>
    webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"> [v1,<...> ...]

There is one signature per secret of the endpoint, so that a secret can be
rotated without a moment when a receiver refuses us: add the new secret,
let the receiver switch to it, then drop the old one.  Receivers check a
request with :func:`verify`.

What an answer means to the relay:

============================  ===================================================
2xx                           delivered
410 Gone                      :class:`~crm_returns.errors.DestinationGone`
429, 503                      :class:`~crm_returns.errors.TransientFailure`, with
                              the ``Retry-After`` the receiver gave
other 5xx, 408, no answer     :class:`~crm_returns.errors.TransientFailure`
other 4xx, 3xx                :class:`~crm_returns.errors.PermanentFailure`
============================  ===================================================

A timeout counts as transient even when the request may have arrived:
receivers deduplicate on ``webhook-id``, so a second copy is harmless.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Final, Self

import attrs
import httpx

from crm_returns.adapters.system import SystemClock
from crm_returns.cloudevents import CONTENT_TYPE, to_json
from crm_returns.errors import (
    DeliveryFailed,
    DestinationGone,
    InvalidInput,
    PermanentFailure,
    TransientFailure,
    WebhookVerificationFailed,
    quoted,
)
from crm_returns.ports.delivery import OutboxMessage
from crm_returns.ports.store import Clock

__all__ = ["DEFAULT_TOLERANCE", "WebhookDestination", "WebhookEndpoint", "sign", "verify"]

#: How far a request's ``webhook-timestamp`` may be from the receiver's clock.
DEFAULT_TOLERANCE: Final = timedelta(minutes=5)

_SECRET_PREFIX: Final = "whsec_"  # noqa: S105 -- the prefix of every secret, not a secret
_SIGNATURE_VERSION: Final = "v1"
#: Headers this module sets itself; an endpoint's extra headers may not replace them.
_OWN_HEADERS: Final = frozenset(
    {"content-type", "webhook-id", "webhook-timestamp", "webhook-signature"}
)
#: How much of a refusing receiver's body an error quotes.
_BODY_EXCERPT: Final = 200


def _key(secret: str) -> bytes:
    """The HMAC key in a ``whsec_<base64>`` secret (padding may be left off)."""
    encoded = secret.removeprefix(_SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        # The secret's text stays out of the message: it is a secret even when malformed.
        raise InvalidInput("a webhook secret is not base64 after its whsec_ prefix") from None
    if not key:
        raise InvalidInput("a webhook secret is empty")
    return key


def _secrets(value: str | Iterable[str]) -> tuple[str, ...]:
    """One secret or several, as a tuple (a lone string is one secret, not its characters).

    Raises:
        InvalidInput: ``value`` is neither text nor a sequence of texts.
    """
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (tuple, list)) or not all(isinstance(s, str) for s in value):
        raise InvalidInput("webhook secrets must be one whsec_ text or a sequence of them")
    return tuple(value)


def _check_secrets(_instance: object, _attribute: object, secrets: tuple[str, ...]) -> None:
    if not secrets:
        raise InvalidInput("a webhook endpoint needs at least one secret")
    for secret in secrets:
        if not secret.startswith(_SECRET_PREFIX):
            raise InvalidInput("a webhook secret must start with whsec_")
        _key(secret)


def _check_url(_instance: object, _attribute: object, url: str) -> None:
    if not isinstance(url, str):
        raise InvalidInput(f"webhook url must be text, got {type(url).__name__}")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise InvalidInput(f"webhook url {quoted(url)} is not a URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(f"webhook url {quoted(url)} is not an http or https URL")


def _check_timeout(_instance: object, _attribute: object, timeout: timedelta) -> None:
    if not isinstance(timeout, timedelta):
        raise InvalidInput(f"webhook timeout must be a timedelta, got {type(timeout).__name__}")
    if timeout <= timedelta(0):
        raise InvalidInput(f"webhook timeout must be positive, not {timeout}")


def _headers(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs: object = value.items() if isinstance(value, Mapping) else value
    if not isinstance(pairs, Iterable) or isinstance(pairs, (str, bytes)):
        raise InvalidInput("webhook headers must be a mapping or (name, value) pairs")
    checked: list[tuple[str, str]] = []
    for pair in pairs:
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
        ):
            raise InvalidInput(
                f"a webhook header is a (name, value) pair of texts, not {quoted(pair)}"
            )
        checked.append(pair)
    return tuple(checked)


def _check_headers(
    _instance: object, _attribute: object, headers: tuple[tuple[str, str], ...]
) -> None:
    for name, _ in headers:
        if name.lower() in _OWN_HEADERS:
            raise InvalidInput(f"header {quoted(name)} is set by the webhook destination itself")


def _names_only(headers: tuple[tuple[str, str], ...]) -> str:
    # Extra headers often carry tokens (Authorization): a repr names them, never shows them.
    return repr(tuple(name for name, _ in headers))


@attrs.frozen(kw_only=True)
class WebhookEndpoint:
    """Where a :class:`WebhookDestination` posts, and how it signs.

    Attributes:
        name: The destination's name for the relay (its cursor, deliveries and
            dead letters are kept under it, so keep it stable).
        url: The ``http`` or ``https`` URL to POST to.
        secrets: One ``whsec_<base64>`` secret or several; each request is
            signed with every one of them.  Never shown by ``repr``.
        timeout: How long to wait to connect, and then for each read or write.
        headers: Extra headers to send (an ``Authorization``, say), as a
            mapping or pairs; they may not replace the content type or the
            ``webhook-*`` headers.  ``repr`` shows their names only.

    Raises:
        InvalidInput: No secret, a secret that is not ``whsec_`` and base64,
            a URL that is not http(s), a timeout that is not positive, or an
            extra header that would replace one of ours.
    """

    name: str
    url: str = attrs.field(validator=_check_url)
    secrets: tuple[str, ...] = attrs.field(
        converter=_secrets, validator=_check_secrets, repr=lambda s: f"<{len(s)} secret(s)>"
    )
    timeout: timedelta = attrs.field(default=timedelta(seconds=10), validator=_check_timeout)
    headers: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_headers, validator=_check_headers, repr=_names_only
    )


def sign(secrets: str | Iterable[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header for a request: ``v1,<base64>``, one per secret.

    Args:
        secrets: One ``whsec_<base64>`` secret or several.
        message_id: The ``webhook-id``.
        timestamp: The ``webhook-timestamp``, in unix seconds.
        body: The request body, exactly as sent.

    Raises:
        InvalidInput: A secret is not base64 after its ``whsec_`` prefix.
    """
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        f"{_SIGNATURE_VERSION},"
        + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()
        for secret in _secrets(secrets)
    )


def verify(
    secrets: str | Iterable[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Check that a request came from us, unchanged and recently; for receivers.

    The request passes when one of its signatures matches one of ``secrets``
    (so a receiver that knows either the old or the new secret of a rotation
    accepts it).  Signatures are compared in constant time.

    Args:
        secrets: The receiver's ``whsec_<base64>`` secret, or several.
        headers: The request's headers; names in any case.
        body: The request body exactly as received (before any JSON parsing).
        now: The receiver's time, timezone-aware.
        tolerance: How far ``webhook-timestamp`` may be from ``now``, either
            way; it bounds how long a captured request can be replayed.

    Raises:
        WebhookVerificationFailed: A ``webhook-*`` header is missing, the
            timestamp is not a whole number or is outside the tolerance, or
            no signature matches.
        InvalidInput: A secret is not base64 after its ``whsec_`` prefix,
            ``now`` is naive, or ``body`` is not bytes.
    """
    if not isinstance(body, (bytes, bytearray)):
        # The signature is over the bytes as sent: text would have to be encoded
        # again, and any other encoding than the sender's would not verify.
        raise InvalidInput(f"verify needs the body as bytes, not {type(body).__name__}")
    if now.tzinfo is None:
        raise InvalidInput("verify needs a timezone-aware now")
    lowered = {name.lower(): value for name, value in headers.items()}
    missing = [
        name
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
        if not lowered.get(name)
    ]
    if missing:
        raise WebhookVerificationFailed(f"missing header(s): {', '.join(missing)}")
    message_id, stamp = lowered["webhook-id"], lowered["webhook-timestamp"]
    if not stamp.isascii() or not stamp.isdigit():
        raise WebhookVerificationFailed(f"webhook-timestamp {quoted(stamp)} is not unix seconds")
    timestamp = int(stamp)
    skew = abs(now.timestamp() - timestamp)
    if skew > tolerance.total_seconds():
        raise WebhookVerificationFailed(
            f"webhook-timestamp {timestamp} is {skew:.0f}s from now, "
            f"beyond the tolerance of {tolerance.total_seconds():.0f}s"
        )
    expected = sign(secrets, message_id, timestamp, body).encode().split(b" ")
    given = lowered["webhook-signature"].encode(errors="replace").split(b" ")
    # Every pair is compared, with no early exit at a match: the time taken tells nothing.
    matches = [hmac.compare_digest(mine, theirs) for mine in expected for theirs in given]
    if not any(matches):
        raise WebhookVerificationFailed(f"no signature matches message {quoted(message_id)}")


def _retry_after(value: str | None, now: datetime) -> timedelta | None:
    """``Retry-After`` as a wait: delta seconds or an HTTP date; ``None`` when absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT; a naive parse means "-0000"
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def _excerpt(response: httpx.Response) -> str:
    """The start of a refusing receiver's body, for an error message (never all of it)."""
    chunk = b""
    try:
        for part in response.iter_bytes():
            chunk += part
            if len(chunk) >= _BODY_EXCERPT:
                break
    except httpx.HTTPError:
        # The status decides the outcome; a body that stalls or breaks only shortens the text.
        pass
    return quoted(chunk[:_BODY_EXCERPT].decode(errors="replace"), _BODY_EXCERPT)


class WebhookDestination:
    """A :class:`~crm_returns.ports.Destination` that POSTs each message to a webhook endpoint.

    Args:
        endpoint: Where to post, and the secrets to sign with.
        client: The httpx client to send with; by default one of its own,
            which :meth:`close` closes (a given client is the caller's to
            close).  Redirects are never followed: a signed request goes
            only where it was configured to go.
        clock: Gives each try's ``webhook-timestamp``; the system clock by
            default.
    """

    def __init__(
        self,
        endpoint: WebhookEndpoint,
        client: httpx.Client | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._endpoint = endpoint
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client()
        self._clock = clock if clock is not None else SystemClock()

    @property
    def name(self) -> str:
        """The endpoint's name."""
        return self._endpoint.name

    @property
    def endpoint(self) -> WebhookEndpoint:
        """Where this destination posts."""
        return self._endpoint

    def deliver(self, message: OutboxMessage) -> None:
        """POST ``message`` as a signed CloudEvent; return when the endpoint answered 2xx.

        Raises:
            DestinationGone: The endpoint answered 410.
            TransientFailure: It answered 408, 429 or 5xx, or did not answer
                in time, or could not be reached; ``retry_after`` is set
                from a 429's or 503's ``Retry-After``.
            PermanentFailure: It answered any other 4xx, or a 3xx.
        """
        endpoint = self._endpoint
        body = to_json(message)
        timestamp = int(self._clock.now().timestamp())
        headers = {
            **dict(endpoint.headers),
            "content-type": CONTENT_TYPE,
            "webhook-id": message.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(endpoint.secrets, message.id, timestamp, body),
        }
        seconds = endpoint.timeout.total_seconds()
        try:
            with self._client.stream(
                "POST",
                endpoint.url,
                content=body,
                headers=headers,
                timeout=seconds,
                follow_redirects=False,
            ) as response:
                if response.is_success:
                    return
                raise self._failure(response)
        except httpx.TimeoutException:
            raise TransientFailure(
                f"webhook {endpoint.name}: no answer within {seconds:g}s"
            ) from None
        except httpx.TransportError as error:
            # The type names what went wrong (ConnectError, ReadError...); the
            # text could hold the URL, which may carry a token, so it stays out.
            raise TransientFailure(
                f"webhook {endpoint.name}: {type(error).__name__} before an answer"
            ) from None

    def _failure(self, response: httpx.Response) -> DeliveryFailed:
        """The failure a non-2xx answer means."""
        status = response.status_code
        text = f"webhook {self._endpoint.name}: HTTP {status}: {_excerpt(response)}"
        if status == httpx.codes.GONE:
            return DestinationGone(text)
        if status in (httpx.codes.TOO_MANY_REQUESTS, httpx.codes.SERVICE_UNAVAILABLE):
            wait = _retry_after(response.headers.get("retry-after"), self._clock.now())
            return TransientFailure(text, retry_after=wait)
        if status >= 500 or status == httpx.codes.REQUEST_TIMEOUT:
            return TransientFailure(text)
        return PermanentFailure(text)

    def close(self) -> None:
        """Close the client, if this destination made it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
