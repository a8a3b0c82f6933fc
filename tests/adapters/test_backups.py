"""Both backup adapters pass the contract; the file adapter never shows a half-written backup."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import stat
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from crm_returns.adapters.backups import FileBackups
from crm_returns.adapters.memory import MemoryBackups
from crm_returns.errors import BackupCorrupt, BackupExists, InvalidInput, StorageError
from crm_returns.ports import BackupReference, Backups
from crm_returns.testing.conformance import BackupsContract, BackupsFactory

RECORDS = [{"id": "RP-2026-000001", "customer": "李娜", "refund": "99.90"}, {"id": "RP-2"}]


class TestFileBackups(BackupsContract):
    @pytest.fixture
    def backups_factory(self, tmp_path: Path) -> BackupsFactory:
        return lambda: FileBackups(tempfile.mkdtemp(dir=tmp_path))

    def tamper(
        self, backups: Backups, reference: BackupReference, change: Callable[[bytes], bytes]
    ) -> None:
        path = Path(reference.location)
        path.write_bytes(change(path.read_bytes()))


class TestMemoryBackups(BackupsContract):
    @pytest.fixture
    def backups_factory(self) -> BackupsFactory:
        return MemoryBackups

    def tamper(
        self, backups: Backups, reference: BackupReference, change: Callable[[bytes], bytes]
    ) -> None:
        assert isinstance(backups, MemoryBackups)
        backups._blobs[reference.name] = change(backups._blobs[reference.name])


@pytest.fixture
def backups(tmp_path: Path) -> FileBackups:
    return FileBackups(tmp_path)


def test_a_backup_is_its_jsonl_file_beside_its_manifest(
    backups: FileBackups, tmp_path: Path
) -> None:
    reference = backups.write("RP-2026-000001", RECORDS)
    data = tmp_path / "RP-2026-000001.jsonl"
    assert sorted(os.listdir(tmp_path)) == ["RP-2026-000001.jsonl", "RP-2026-000001.jsonl.sha256"]
    assert reference.location == str(data)
    content = data.read_bytes()
    assert content.decode("utf-8").splitlines()[0] == (
        '{"customer":"李娜","id":"RP-2026-000001","refund":"99.90"}'
    )
    assert reference.checksum == "sha256:" + hashlib.sha256(content).hexdigest()
    manifest = (tmp_path / "RP-2026-000001.jsonl.sha256").read_text(encoding="ascii")
    assert manifest == f"{reference.checksum}  2  {len(content)}\n"


def test_records_that_fail_midway_leave_no_file_at_all(
    backups: FileBackups, tmp_path: Path
) -> None:
    def failing() -> Iterator[Mapping[str, Any]]:
        yield from RECORDS
        raise ConnectionError("the host's database went away")

    with pytest.raises(ConnectionError):
        backups.write("RP-2026-000001", failing())
    assert os.listdir(tmp_path) == []


def test_a_refused_record_leaves_no_file_at_all(backups: FileBackups, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="record 3, at \\['refund'\\]"):
        backups.write("RP-2026-000001", [*RECORDS, {"refund": 99.9}])
    assert os.listdir(tmp_path) == []


def test_a_manifest_left_by_a_crash_before_the_rename_is_no_backup(
    backups: FileBackups, tmp_path: Path
) -> None:
    (tmp_path / "RP-2026-000001.jsonl.sha256").write_text("sha256:" + "0" * 64 + "  9  9\n")
    assert backups.find("RP-2026-000001") is None
    reference = backups.write("RP-2026-000001", RECORDS)
    assert backups.find("RP-2026-000001") == reference


def test_another_writer_taking_the_name_meanwhile_wins(
    backups: FileBackups, tmp_path: Path
) -> None:
    data = tmp_path / "RP-2026-000001.jsonl"

    def racing() -> Iterator[Mapping[str, Any]]:
        yield RECORDS[0]
        data.write_bytes(b"the other writer's\n")

    with pytest.raises(BackupExists):
        backups.write("RP-2026-000001", racing())
    assert data.read_bytes() == b"the other writer's\n"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_without_hard_links_the_file_is_renamed_into_place(
    backups: FileBackups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: str, target: Path) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    reference = backups.write("RP-2026-000001", RECORDS)
    assert list(backups.read(reference)) == RECORDS
    assert sorted(os.listdir(tmp_path)) == ["RP-2026-000001.jsonl", "RP-2026-000001.jsonl.sha256"]
    with pytest.raises(BackupExists):
        backups.write("RP-2026-000001", RECORDS)


def test_a_failing_disk_is_a_storage_error_naming_the_file(
    backups: FileBackups, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(handle: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match="No space left on device") as failed:
        backups.write("RP-2026-000001", RECORDS)
    assert str(tmp_path) in str(failed.value)
    assert os.listdir(tmp_path) == []


def test_a_file_system_that_cannot_sync_a_directory_still_takes_backups(
    backups: FileBackups, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = os.fsync

    def files_only(handle: int) -> None:
        if stat.S_ISDIR(os.fstat(handle).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        sync(handle)

    monkeypatch.setattr(os, "fsync", files_only)
    reference = backups.write("RP-2026-000001", RECORDS)
    assert list(backups.read(reference)) == RECORDS


@pytest.mark.parametrize("lost", ["RP-2026-000001.jsonl", "RP-2026-000001.jsonl.sha256"])
def test_a_lost_file_is_a_corrupt_backup(backups: FileBackups, tmp_path: Path, lost: str) -> None:
    reference = backups.write("RP-2026-000001", RECORDS)
    (tmp_path / lost).unlink()
    with pytest.raises(BackupCorrupt, match=re.escape(f"{tmp_path / lost} is missing")):
        backups.verify(reference)


def test_a_data_file_without_its_manifest_cannot_be_found(
    backups: FileBackups, tmp_path: Path
) -> None:
    backups.write("RP-2026-000001", RECORDS)
    (tmp_path / "RP-2026-000001.jsonl.sha256").unlink()
    with pytest.raises(BackupCorrupt, match="manifest"):
        backups.find("RP-2026-000001")


@pytest.mark.parametrize(
    "manifest", ["", "sha256:abc  2  10\n", "sha256:" + "0" * 64 + "  2  10\n"]
)
def test_a_changed_manifest_is_caught(backups: FileBackups, tmp_path: Path, manifest: str) -> None:
    reference = backups.write("RP-2026-000001", RECORDS)
    (tmp_path / "RP-2026-000001.jsonl.sha256").write_text(manifest)
    with pytest.raises(BackupCorrupt, match="manifest"):
        backups.verify(reference)


def test_a_file_changed_while_it_is_read_fails_at_the_end(
    backups: FileBackups, tmp_path: Path
) -> None:
    reference = backups.write("RP-2026-000001", RECORDS)
    records = backups.read(reference)  # verified now
    (tmp_path / "RP-2026-000001.jsonl").write_bytes(b'{"id":"RP-9"}\n')
    with pytest.raises(BackupCorrupt, match="checksum"):
        list(records)


@pytest.mark.parametrize("directory", ["no-such-directory", "a-file"])
def test_a_directory_that_is_not_there_is_refused(tmp_path: Path, directory: str) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(InvalidInput, match="does not exist"):
        FileBackups(tmp_path / directory)


def test_writing_streams_records_in_bounded_memory(backups: FileBackups) -> None:
    count = 200_000

    def records() -> Iterator[Mapping[str, Any]]:
        for n in range(count):
            yield {"id": f"RL-{n:07d}", "quantity": "1", "sku": "SKU-42", "note": "退货"}

    tracemalloc.start()
    try:
        reference = backups.write("RP-2026-000001", records())
        for _ in backups.read(reference):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reference.records == count
    # The file is some 14 MB: a store that kept it whole would pass this many times over.
    assert reference.size > 10_000_000
    assert peak < 2_000_000, f"peak {peak:,} bytes"


def test_memory_backups_keep_the_same_bytes_as_files(backups: FileBackups) -> None:
    in_memory = MemoryBackups()
    memorised = in_memory.write("RP-2026-000001", RECORDS)
    filed = backups.write("RP-2026-000001", RECORDS)
    assert (memorised.checksum, memorised.records, memorised.size) == (
        filed.checksum,
        filed.records,
        filed.size,
    )
    assert memorised.location == "memory:RP-2026-000001"
    assert in_memory._blobs["RP-2026-000001"] == Path(filed.location).read_bytes()


DOC = Path(__file__).resolve().parents[2] / "docs" / "backups.md"

#: A python block followed at once by a plain block: the snippet and what it prints.
RUN = re.compile(r"```python\n(?P<code>[^`]*)```\n\n```\n(?P<output>[^`]*)```")


def test_the_docs_snippet_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = [(m["code"], m["output"]) for m in RUN.finditer(DOC.read_text(encoding="utf-8"))]
    assert len(found) == 1
    code, output = found[0]
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    assert printed.getvalue().rstrip("\n") == output.rstrip("\n")
