"""BackupsContract: a backup holds exactly what was written, once, and any change is caught."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_returns.errors import BackupCorrupt, BackupExists, InvalidInput
from crm_returns.ports.backup import BACKUP_NAME_LIMIT, BackupReference, Backups
from crm_returns.testing.conformance._base import assert_identical

__all__ = ["BackupsContract", "BackupsFactory", "json_records"]

#: Makes a new, empty backup store; ``MemoryBackups`` (the class) is one.
BackupsFactory = Callable[[], Backups]

_TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=8),
    st.sampled_from(["退货", "退库原因：质量问题", "¥1,234.50", "12.50", "a\nb", '"\\', "\u2028"]),
)
_SCALARS = st.none() | st.booleans() | st.integers() | _TEXT


def json_records() -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of JSON-safe records (none, too): text of every script, nested lists and objects."""
    values = st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
        max_leaves=12,
    )
    return st.lists(st.dictionaries(_TEXT, values, max_size=5), max_size=6)


def _expected_bytes(records: list[dict[str, Any]]) -> bytes:
    """The JSON Lines the port specifies, made here independently of the library's encoder."""
    return b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        for r in records
    )


SAMPLE: list[dict[str, Any]] = [
    {"id": "RP-2026-000001", "customer": "张伟", "refund": "128.50", "currency": "CNY"},
    {"id": "RP-2026-000002", "lines": [{"sku": "SKU-1", "quantity": "2"}], "paid": True},
    {"id": "RP-2026-000003", "note": None, "attempts": 3, "tags": []},
]

#: Values a JSON document cannot hold exactly, with what each is.
NOT_JSON_SAFE: dict[str, object] = {
    "float": 1.5,
    "Decimal": Decimal("128.50"),
    "nan": float("nan"),
    "tuple": ("a", "b"),
    "bytes": b"abc",
    "set": {"a"},
    "datetime": datetime(2026, 1, 1, tzinfo=UTC),
    "lone surrogate": "\ud800",
}

#: Ways to damage stored bytes, each of which the checksum must catch.
CHANGES: dict[str, Callable[[bytes], bytes]] = {
    "one byte changed": lambda b: b[:10] + bytes([b[10] ^ 1]) + b[11:],
    "last line lost": lambda b: b[: b.rstrip(b"\n").rfind(b"\n") + 1],
    "a line repeated": lambda b: b + b[: b.find(b"\n") + 1],
    "emptied": lambda b: b"",
    "digits swapped": lambda b: b.replace(b"128.50", b"821.50"),
}


class BackupsContract:
    """A :class:`~crm_returns.ports.Backups` adapter: exact, written once, verified.

    Subclass it under a ``Test*`` name and override two hooks: the
    ``backups_factory`` fixture and the :meth:`tamper` method.
    """

    @pytest.fixture
    def backups_factory(self) -> BackupsFactory:
        """Make new, EMPTY backup stores: the hook to override.

        Override it in the subclass as a pytest fixture returning a callable;
        each call must give a store of its own (a new directory, bucket
        prefix, ...).  It may ask for other fixtures (``tmp_path``).
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override the backups_factory fixture "
            "to return a callable that makes a new, empty backup store"
        )

    def tamper(
        self, backups: Backups, reference: BackupReference, change: Callable[[bytes], bytes]
    ) -> None:
        """Replace the stored bytes of ``reference`` by ``change(bytes)``: the hook to override.

        Do it behind the adapter's back, as a failing disk or a person would;
        leave what describes the backup (a manifest) as it is.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override tamper(backups, reference, change) "
            "to change the bytes a backup store keeps"
        )

    def test_any_records_read_back_exactly(self, backups_factory: BackupsFactory) -> None:
        """Made-up records (hypothesis), none or many: the same values, types and order."""

        # Defined here, so that the loaded hypothesis profile applies.
        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(records=json_records())
        def round_trip(records: list[dict[str, Any]]) -> None:
            backups = backups_factory()
            reference = backups.write("RP-2026-000001", records)
            expected = _expected_bytes(records)
            assert reference.name == "RP-2026-000001"
            assert reference.checksum == "sha256:" + hashlib.sha256(expected).hexdigest()
            assert (reference.records, reference.size) == (len(records), len(expected))
            assert_identical(list(backups.read(reference)), records, "records")
            assert backups.find("RP-2026-000001") == reference
            backups.verify(reference)

        round_trip()

    def test_the_checksum_is_the_sha256_of_the_json_lines(
        self, backups_factory: BackupsFactory
    ) -> None:
        """One compact line per record, keys sorted, UTF-8 as it is: the bytes are specified."""
        reference = backups_factory().write("RP-2026-000001", SAMPLE)
        lines = _expected_bytes(SAMPLE)
        assert lines.startswith('{"currency":"CNY","customer":"张伟",'.encode())
        assert reference.checksum == "sha256:" + hashlib.sha256(lines).hexdigest()
        assert (reference.records, reference.size) == (3, len(lines))

    def test_an_empty_backup_holds_no_bytes(self, backups_factory: BackupsFactory) -> None:
        """No records make a backup of zero bytes, which reads back as nothing."""
        backups = backups_factory()
        reference = backups.write("empty", iter(()))
        assert reference.checksum == "sha256:" + hashlib.sha256(b"").hexdigest()
        assert (reference.records, reference.size) == (0, 0)
        assert list(backups.read(reference)) == []

    def test_records_stream_from_any_iterable_of_mappings(
        self, backups_factory: BackupsFactory
    ) -> None:
        """A generator of read-only mappings is written as dicts would be."""
        backups = backups_factory()
        records = (MappingProxyType({"n": n, "inner": MappingProxyType({})}) for n in range(3))
        reference = backups.write("streamed", records)
        assert list(backups.read(reference)) == [{"inner": {}, "n": n} for n in range(3)]

    def test_a_name_is_written_once(self, backups_factory: BackupsFactory) -> None:
        """Writing a name again is refused, and the first backup stays as it was."""
        backups = backups_factory()
        first = backups.write("RP-2026-000001", SAMPLE)
        with pytest.raises(BackupExists) as refused:
            backups.write("RP-2026-000001", [{"other": "records"}])
        assert refused.value.name == "RP-2026-000001"
        assert backups.find("RP-2026-000001") == first
        assert list(backups.read(first)) == SAMPLE

    def test_find_knows_only_backups_written(self, backups_factory: BackupsFactory) -> None:
        """A name never written is not found."""
        backups = backups_factory()
        backups.write("RP-2026-000001", SAMPLE)
        assert backups.find("RP-2026-000002") is None
        assert backups.find("RP-2026-00000") is None

    @pytest.mark.parametrize(
        "name", ["", ".hidden", "..", "a/b", "../up", "a b", "名字", "x" * (BACKUP_NAME_LIMIT + 1)]
    )
    def test_a_name_that_could_not_be_a_plain_file_name_is_refused(
        self, backups_factory: BackupsFactory, name: str
    ) -> None:
        """Only letters, digits, ``-``, ``_`` and ``.``, not first, up to 100 characters."""
        backups = backups_factory()
        with pytest.raises(InvalidInput, match="backup name"):
            backups.write(name, SAMPLE)
        with pytest.raises(InvalidInput, match="backup name"):
            backups.find(name)

    def test_the_longest_name_is_accepted(self, backups_factory: BackupsFactory) -> None:
        """A name of 100 characters, dots and all, is fine."""
        name = ("RP_2026-1." * 10)[:BACKUP_NAME_LIMIT]
        reference = backups_factory().write(name, SAMPLE)
        assert reference.name == name

    @pytest.mark.parametrize("kind", sorted(NOT_JSON_SAFE))
    def test_a_value_json_cannot_keep_exactly_is_refused_and_nothing_is_written(
        self, backups_factory: BackupsFactory, kind: str
    ) -> None:
        """Money as a float or a Decimal, a tuple, a date: refused, naming the record and key."""
        backups = backups_factory()
        records = [SAMPLE[0], {"id": "RP-2", "lines": [{"amount": NOT_JSON_SAFE[kind]}]}]
        with pytest.raises(InvalidInput) as refused:
            backups.write("RP-2026-000001", records)
        assert "record 2" in str(refused.value)
        assert "['lines'][0]['amount']" in str(refused.value)
        assert backups.find("RP-2026-000001") is None
        reference = backups.write("RP-2026-000001", SAMPLE)
        assert list(backups.read(reference)) == SAMPLE

    @pytest.mark.parametrize("record", [["a", "list"], "text", {1: "an int key"}, None])
    def test_a_record_that_is_not_a_mapping_with_text_keys_is_refused(
        self, backups_factory: BackupsFactory, record: object
    ) -> None:
        """Each record is one JSON object."""
        backups = backups_factory()
        with pytest.raises(InvalidInput, match="record 1"):
            backups.write("bad", [record])  # type: ignore[list-item]
        assert backups.find("bad") is None

    def test_records_that_fail_midway_leave_nothing(self, backups_factory: BackupsFactory) -> None:
        """An error raised by the records themselves passes through; the name stays free."""

        def failing() -> Iterator[Mapping[str, Any]]:
            yield SAMPLE[0]
            raise LookupError("the host's store went away")

        backups = backups_factory()
        with pytest.raises(LookupError, match="went away"):
            backups.write("RP-2026-000001", failing())
        assert backups.find("RP-2026-000001") is None

    @pytest.mark.parametrize("how", sorted(CHANGES))
    def test_a_changed_backup_is_caught(self, backups_factory: BackupsFactory, how: str) -> None:
        """Any change to the stored bytes fails verification, and reading, with the reason."""
        backups = backups_factory()
        reference = backups.write("RP-2026-000001", SAMPLE)
        self.tamper(backups, reference, CHANGES[how])
        with pytest.raises(BackupCorrupt, match="checksum") as caught:
            backups.verify(reference)
        assert caught.value.name == "RP-2026-000001"
        with pytest.raises(BackupCorrupt):
            list(backups.read(reference))

    def test_a_shorter_backup_says_what_it_lost(self, backups_factory: BackupsFactory) -> None:
        """A lost line shows in the size and the record count, as well as the checksum."""
        backups = backups_factory()
        reference = backups.write("RP-2026-000001", SAMPLE)
        self.tamper(backups, reference, CHANGES["last line lost"])
        with pytest.raises(BackupCorrupt) as caught:
            backups.verify(reference)
        assert "holds 2 records, expected 3" in str(caught.value)
        assert f"expected {reference.size}" in str(caught.value)

    @pytest.mark.parametrize(
        "field", ["checksum", "records", "size"], ids=lambda field: f"another {field}"
    )
    def test_a_reference_that_does_not_match_is_refused(
        self, backups_factory: BackupsFactory, field: str
    ) -> None:
        """The stored bytes are checked against the reference the caller holds."""
        backups = backups_factory()
        reference = backups.write("RP-2026-000001", SAMPLE)
        wrong: dict[str, Any] = {
            "checksum": "sha256:" + "0" * 64,
            "records": reference.records + 1,
            "size": reference.size - 1,
        }
        with pytest.raises(BackupCorrupt):
            backups.verify(attrs.evolve(reference, **{field: wrong[field]}))

    def test_a_backup_never_written_is_missing(self, backups_factory: BackupsFactory) -> None:
        """Verifying a reference whose backup is not there fails."""
        written = backups_factory().write("RP-2026-000001", SAMPLE)
        with pytest.raises(BackupCorrupt, match="missing"):
            backups_factory().verify(written)
