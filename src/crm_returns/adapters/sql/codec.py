"""Domain values to JSON documents and back, exactly.

A cattrs converter with a few explicit rules, so that a value read back is
the value written, down to the representation:

- :class:`~decimal.Decimal` becomes its canonical string (``"10.00"`` keeps
  its two places; a float is never involved);
- a :class:`~datetime.datetime` becomes ISO 8601 with its UTC offset, and a
  time without one is refused;
- a :class:`~datetime.date` (a retain-until day) becomes ISO 8601, ``"2056-12-31"``;
- a :class:`~datetime.timedelta` (an approval step's time limit) becomes its
  length in seconds as a decimal string, ``"86400"`` or ``"5400.25"``;
- enums become their values, frozensets sorted lists, tuples lists;
- a :class:`~crm_returns.domain.events.ReturnEvent` carries a ``"type"`` tag,
  the class name, so that an outbox message comes back as the event it held.

Reading builds the attrs classes through their own ``__init__``, so their
validators check every stored document as they check user input.

:meth:`Codec.encode_text` and :meth:`Codec.decode_text` add the JSON text.
Returns written are remembered by their exact text (the last few hundred):
values are immutable, so when that text is read back it is answered with the
value it was made from, without parsing and validating it again.  A command
reads the return that the previous command wrote, and decoding it would
otherwise be the largest part of the command's cost.  Text this codec did not
write — another instance's, or older — is always decoded.

Each :class:`~crm_returns.adapters.sql.SqlDatabase` owns one :class:`Codec`:
its converter (with the hooks cattrs generates for each class), the texts of
times and the returns remembered belong to that database alone, and are made
on first use, never at import.
"""

from __future__ import annotations

import enum
import functools
import operator
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from types import MappingProxyType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.errors import CattrsError
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from crm_returns.adapters.sql.errors import DocumentError
from crm_returns.adapters.sql.types import dumps
from crm_returns.domain import events
from crm_returns.domain.casefile import events as casefile_events
from crm_returns.domain.events import ReturnEvent
from crm_returns.errors import CrmReturnsError

__all__ = ["EVENT_TYPES", "Codec"]

_T = TypeVar("_T")

#: Every concrete event class, by the tag its documents carry (read-only).
EVENT_TYPES: Mapping[str, type[ReturnEvent]] = MappingProxyType(
    {
        name: cls
        for module in (events, casefile_events)
        for name in module.__all__
        if isinstance(cls := getattr(module, name), type)
        and issubclass(cls, ReturnEvent)
        and cls is not ReturnEvent
    }
)


def _decimal(value: object, _: object) -> Decimal:
    if not isinstance(value, str):
        raise DocumentError(f"a decimal is stored as a string, not {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise DocumentError(f"{value!r} is not a decimal") from None
    if not number.is_finite():
        raise DocumentError(f"{value!r} is not a finite decimal")
    return number


def _exactly(kind: type[_T]) -> Callable[[object, object], _T]:
    """A structure hook that takes ``kind`` as it is, converting nothing."""

    def check(value: object, _: object) -> _T:
        # bool is an int in Python, but never the other way round in a document.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise DocumentError(f"expected {kind.__name__}, found {value!r}")
        return value

    return check


def _moment(value: object, _: object) -> datetime:
    if not isinstance(value, str):
        raise DocumentError(f"a time is stored as ISO 8601 text, not {value!r}")
    moment = datetime.fromisoformat(value)
    if moment.utcoffset() is None:
        raise DocumentError(f"stored time {value!r} has no UTC offset")
    return moment


#: How many times' texts a codec keeps before it starts afresh.
_MOMENTS_KEPT = 1024


def _moment_writer(
    moments: dict[int, tuple[datetime, str]], zoned: threading.local
) -> Callable[[datetime], str]:
    """The unstructure hook for times, with a codec's memory of their texts.

    Args:
        moments: Times written with a fixed offset, and their texts, by the
            time's ``id`` (the entry keeps the time alive, so the id is not
            reused while it is there): a command's documents carry its one
            moment many times, and a return carries the same times from
            command to command.  Cleared when it grows past ``_MOMENTS_KEPT``;
            a dict's get and set are atomic, so threads may share it.
        zoned: Its ``seen`` is set while encoding a value whose times carry a
            zone that decoding would not give back (a ``ZoneInfo``: it is read
            back as a fixed UTC offset).
    """

    def unstructure_moment(value: datetime) -> str:
        known = moments.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if value.utcoffset() is None:
            raise DocumentError(f"cannot store a time without a UTC offset: {value!r}")
        text = value.isoformat()
        if type(value.tzinfo) is timezone:
            if len(moments) >= _MOMENTS_KEPT:
                moments.clear()
            moments[id(value)] = (value, text)
        else:
            zoned.seen = True
        return text

    return unstructure_moment


def _day(value: object, _: object) -> date:
    if not isinstance(value, str):
        raise DocumentError(f"a day is stored as ISO 8601 text, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DocumentError(f"{value!r} is not an ISO 8601 day") from None


def _unstructure_span(value: timedelta) -> str:
    micro = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if micro < 0 else ""
    seconds, fraction = divmod(abs(micro), 1_000_000)
    if not fraction:
        return f"{sign}{seconds}"
    return f"{sign}{seconds}.{fraction:06d}".rstrip("0")


def _span(value: object, _: object) -> timedelta:
    micro = _decimal(value, _).scaleb(6)
    if micro != micro.to_integral_value():
        raise DocumentError(f"stored duration {value!r} is finer than a microsecond")
    try:
        return timedelta(microseconds=int(micro))
    except OverflowError:
        raise DocumentError(f"stored duration {value!r} is out of range") from None


def _sorted_list(converter: cattrs.Converter) -> Callable[[Any], Callable[[Any], list[Any]]]:
    """Hooks for frozensets: their members' documents, sorted (the member hook looked up once)."""

    def factory(cls: Any) -> Callable[[Any], list[Any]]:
        arguments = get_args(cls)
        # A bare frozenset's members are converted by what each turns out to be.
        hook = converter.get_unstructure_hook(arguments[0]) if arguments else converter.unstructure
        if hook is identity:
            return sorted
        return lambda values: sorted(hook(value) for value in values)

    return factory


def _event_hooks(
    converter: cattrs.Converter,
) -> tuple[Callable[[ReturnEvent], dict[str, Any]], Callable[[Any, Any], ReturnEvent]]:
    """Hooks for the tagged event documents; each class's own made on its first use."""
    unstructure: dict[type[ReturnEvent], Callable[[ReturnEvent], dict[str, Any]]] = {}
    structure: dict[str, Callable[[Any, Any], ReturnEvent]] = {}

    def encode_event(event: ReturnEvent) -> dict[str, Any]:
        cls = type(event)
        hook = unstructure.get(cls)
        if hook is None:
            if EVENT_TYPES.get(cls.__name__) is not cls:
                raise DocumentError(f"{cls.__qualname__} is not an event the store knows")
            hook = unstructure[cls] = make_dict_unstructure_fn(cls, converter)
        return {"type": cls.__name__, **hook(event)}

    def decode_event(value: Any, _: Any) -> ReturnEvent:
        tag = value.get("type") if isinstance(value, dict) else None
        if not isinstance(tag, str) or tag not in EVENT_TYPES:
            raise DocumentError(f"not a tagged event document: {value!r}")
        cls = EVENT_TYPES[tag]
        hook = structure.get(tag)
        if hook is None:
            hook = structure[tag] = make_dict_structure_fn(cls, converter)
        fields = {key: item for key, item in value.items() if key != "type"}
        return hook(fields, cls)

    return encode_event, decode_event


def _converter(unstructure_moment: Callable[[datetime], str]) -> cattrs.Converter:
    """A converter with the store's rules, writing times with ``unstructure_moment``."""
    result = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    for kind in (str, int, bool):
        result.register_structure_hook(kind, _exactly(kind))
    result.register_unstructure_hook(Decimal, str)
    result.register_structure_hook(Decimal, _decimal)
    result.register_unstructure_hook(datetime, unstructure_moment)
    result.register_structure_hook(datetime, _moment)
    result.register_unstructure_hook(date, date.isoformat)
    result.register_structure_hook(date, _day)
    result.register_unstructure_hook(timedelta, _unstructure_span)
    result.register_structure_hook(timedelta, _span)
    result.register_unstructure_hook_factory(
        lambda cls: getattr(cls, "__origin__", cls) is frozenset, _sorted_list(result)
    )
    encode_event, decode_event = _event_hooks(result)
    result.register_unstructure_hook_func(
        lambda cls: isinstance(cls, type) and issubclass(cls, ReturnEvent), encode_event
    )
    result.register_structure_hook_func(lambda cls: cls is ReturnEvent, decode_event)
    _write_plainly(result)
    return result


def _write_plainly(converter: cattrs.Converter) -> None:
    """Hooks that write the same documents as cattrs' own, with less Python per value.

    A return's document holds about a hundred enums, optional fields and
    tuples, written at every command:

    - an enum is its ``_value_``, read in C (``Enum.value`` is a Python property);
    - an optional text, number or flag is written as it is: the generated code
      then reads the attribute directly instead of calling a hook;
    - a tuple of values becomes a list built by a comprehension, not a generator.
    """
    converter.register_unstructure_hook_func(
        lambda cls: isinstance(cls, type) and issubclass(cls, enum.Enum),
        operator.attrgetter("_value_"),
    )

    def optional_plain(cls: Any) -> bool:
        arguments = get_args(cls)
        return (
            get_origin(cls) in (Union, UnionType)
            and len(arguments) == 2
            and type(None) in arguments
            and all(arg in (str, int, bool, type(None)) for arg in arguments)
        )

    def tuple_of_any_length(cls: Any) -> bool:
        arguments = get_args(cls)
        return get_origin(cls) is tuple and len(arguments) == 2 and arguments[1] is Ellipsis

    converter.register_unstructure_hook_factory(optional_plain, lambda cls: identity)

    def homogeneous_tuple(cls: Any) -> Callable[[Any], Any]:
        hook = converter.get_unstructure_hook(get_args(cls)[0])
        if hook is identity:
            return list

        def unstructure_tuple(values: tuple[Any, ...]) -> list[Any]:
            return [hook(value) for value in values]

        return unstructure_tuple

    converter.register_unstructure_hook_factory(tuple_of_any_length, homogeneous_tuple)


class _Remembered:
    """Values by the type and exact text of their documents, the most recent ``size``.

    A value is filed under its type and the first ``head`` characters of its
    text — a return's document begins with its id, so the versions of one
    return share a place, the latest kept — and given back only for the very
    text it was stored with.  (Keyed by the whole text, every look-up would
    hash a document of a few thousand characters.)  Texts longer than
    ``longest`` characters (a batch return of a thousand lines) are not kept,
    so that memory stays small.  Safe across threads: a dict's get is atomic,
    and writes take a lock.
    """

    def __init__(self, size: int, longest: int, head: int) -> None:
        self._size = size
        self._longest = longest
        self._head = head
        self._values: dict[tuple[type[Any], str], tuple[str, object]] = {}
        self._lock = threading.Lock()

    def get(self, kind: type[_T], text: str) -> _T | None:
        known = self._values.get((kind, text[: self._head]))
        if known is None or known[0] != text:
            return None
        return known[1]  # type: ignore[return-value]  # stored under its own type

    def put(self, kind: type[Any], text: str, value: object) -> None:
        if len(text) > self._longest:
            return
        key = (kind, text[: self._head])
        with self._lock:
            values = self._values
            values.pop(key, None)  # to the end: the oldest goes first
            values[key] = (text, value)
            if len(values) > self._size:
                del values[next(iter(values))]


class Codec:
    """Domain values to JSON documents and back, with the caches of one database.

    Each :class:`~crm_returns.adapters.sql.SqlDatabase` makes its own, so that
    two databases in one process share nothing: a return one of them wrote is
    never answered from the other's memory.  Safe across threads.
    """

    def __init__(self) -> None:
        self._moments: dict[int, tuple[datetime, str]] = {}
        self._zoned = threading.local()
        #: The documents of returns this codec wrote last.
        self._remembered = _Remembered(size=256, longest=65_536, head=128)

    @functools.cached_property
    def converter(self) -> cattrs.Converter:
        """The converter every document goes through (built on first use)."""
        return _converter(_moment_writer(self._moments, self._zoned))

    def encode(self, value: object, as_type: type[Any] | None = None) -> Any:
        """``value`` as a JSON-ready document.

        Args:
            value: An attrs value of the domain, or a tuple of them.
            as_type: The declared type, when it is wider than ``type(value)``.
        """
        if as_type is None and not attrs.has(type(value)):
            raise DocumentError(f"only attrs values are stored as documents, not {value!r}")
        return self.converter.unstructure(value, unstructure_as=as_type)

    def decode(self, document: Any, as_type: type[_T]) -> _T:
        """The value of type ``as_type`` that ``document`` describes.

        Raises:
            DocumentError: The document is malformed.
            InvalidInput: The document describes a value the domain refuses.
        """
        try:
            return self.converter.structure(document, as_type)
        except CrmReturnsError:
            raise
        # AttributeError: a list or a string where a mapping belongs.
        except (CattrsError, LookupError, TypeError, ValueError, AttributeError) as error:
            raise DocumentError(f"stored {as_type.__name__} is malformed: {error!r}") from error

    def encode_text(self, value: object, *, remember: bool = False) -> str:
        """``value``'s document as JSON text.

        Args:
            value: An attrs value of the domain.
            remember: Keep it for :meth:`decode_text`, for values that are read
                back soon (a return, which the next command reads).  Only values
                of the domain, which are immutable, may be remembered.
        """
        if remember:
            self._zoned.seen = False  # set by the hook for times, for a value to be remembered
        text = dumps(self.encode(value))
        # Remembered only if reading the text back would give this very value: a
        # time in a named zone comes back as its offset, equal but not the same.
        if remember and not self._zoned.seen:
            self._remembered.put(type(value), text, value)
        return text

    def decode_text(self, text: str, as_type: type[_T]) -> _T:
        """The value of type ``as_type`` that the JSON ``text`` describes.

        Raises:
            DocumentError: The text is not JSON, or the document is malformed.
            InvalidInput: The document describes a value the domain refuses.
        """
        known = self._remembered.get(as_type, text)
        if known is not None:
            return known
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise DocumentError(f"stored {as_type.__name__} is not JSON: {error}") from error
        return self.decode(document, as_type)
