"""Both attachment stores pass the conformance kit; the file store keeps to its directory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from crm_returns.adapters.attachments import LocalFileAttachmentStore, file_name
from crm_returns.adapters.memory import MemoryAttachmentStore
from crm_returns.errors import InvalidInput, StorageError
from crm_returns.evidence import sha256_of
from crm_returns.ports import AttachmentStore
from crm_returns.testing.conformance import AttachmentStoreContract, AttachmentStoreFactory
from crm_returns.testing.conformance._attachments import HOSTILE_IDS


class TestMemoryAttachmentStore(AttachmentStoreContract):
    @pytest.fixture
    def attachment_store_factory(self) -> AttachmentStoreFactory:
        return MemoryAttachmentStore

    def tamper(
        self,
        store: AttachmentStore,
        tenant_id: str,
        attachment_id: str,
        change: Callable[[bytes], bytes],
    ) -> None:
        assert isinstance(store, MemoryAttachmentStore)
        current = store._files[(tenant_id, attachment_id)][0]
        store.replace_bytes(tenant_id, attachment_id, change(current))


class TestLocalFileAttachmentStore(AttachmentStoreContract):
    @pytest.fixture
    def attachment_store_factory(self, tmp_path: Path) -> AttachmentStoreFactory:
        return lambda: LocalFileAttachmentStore(tempfile.mkdtemp(dir=tmp_path))

    def tamper(
        self,
        store: AttachmentStore,
        tenant_id: str,
        attachment_id: str,
        change: Callable[[bytes], bytes],
    ) -> None:
        assert isinstance(store, LocalFileAttachmentStore)
        path = store.path(tenant_id, attachment_id)
        path.write_bytes(change(path.read_bytes()))


def _put(store: AttachmentStore, tenant: str, key: str, data: bytes) -> None:
    store.put(tenant, key, data, content_type="application/pdf", sha256=sha256_of(data))


def _files(root: Path) -> set[Path]:
    return {Path(folder) / name for folder, _, names in os.walk(root) for name in names}


def test_hostile_ids_never_write_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    (tmp_path / "escaped").write_bytes(b"outside")
    store = LocalFileAttachmentStore(root)
    for tenant in HOSTILE_IDS:
        for key in HOSTILE_IDS:
            _put(store, tenant, key, b"%PDF-1.7")
            assert store.path(tenant, key).parent.parent == root.absolute()
    outside = _files(tmp_path) - _files(root)
    assert outside == {tmp_path / "escaped"}
    assert (tmp_path / "escaped").read_bytes() == b"outside"
    names = {path.name for path in _files(root)}
    assert not any(name in {".", ".."} or "/" in name or "\\" in name for name in names)


def test_ids_differing_in_case_get_different_files(tmp_path: Path) -> None:
    store = LocalFileAttachmentStore(tmp_path)
    assert store.path("acme", "Photo") != store.path("acme", "photo")
    assert store.path("acme", "Photo").name.lower() != store.path("acme", "photo").name.lower()


def test_plain_ids_are_their_own_names_and_others_are_hashed() -> None:
    assert file_name("0f8c-4a1e_b") == "0f8c-4a1e_b"
    assert file_name("..") == "~" + sha256_of(b"..")
    assert file_name("Photo").startswith("~")
    assert file_name("退货").startswith("~")


def test_the_file_holds_the_bytes_as_uploaded_beside_their_description(tmp_path: Path) -> None:
    store = LocalFileAttachmentStore(tmp_path)
    _put(store, "acme", "att-1", b"%PDF-1.7 receipt")
    assert (tmp_path / "acme" / "att-1").read_bytes() == b"%PDF-1.7 receipt"
    meta = (tmp_path / "acme" / "att-1.json").read_text("utf-8")
    assert '"content_type": "application/pdf"' in meta
    assert sha256_of(b"%PDF-1.7 receipt") in meta
    # No temporary file is left behind.
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == ["att-1", "att-1.json"]


def test_a_crash_before_the_bytes_were_named_leaves_no_attachment(tmp_path: Path) -> None:
    store = LocalFileAttachmentStore(tmp_path)
    _put(store, "acme", "att-1", b"%PDF-1.7 first")
    (tmp_path / "acme" / "att-1").unlink()  # the description is left, as after a crash
    (tmp_path / "acme" / ".abc.tmp").write_bytes(b"half a fi")
    assert store.ids("acme") == []
    _put(store, "acme", "att-1", b"%PDF-1.7 second")
    assert store.get("acme", "att-1", sha256=sha256_of(b"%PDF-1.7 second")) == b"%PDF-1.7 second"


def test_a_hashed_name_whose_description_is_lost_is_reported(tmp_path: Path) -> None:
    store = LocalFileAttachmentStore(tmp_path)
    _put(store, "acme", "Photo.JPG", b"\xff\xd8\xff")
    path = store.path("acme", "Photo.JPG")
    path.with_name(path.name + ".json").unlink()
    with pytest.raises(StorageError, match="does not say whose"):
        store.ids("acme")


@pytest.mark.parametrize("root", ["missing-directory", 7, "a\x00b"], ids=repr)
def test_the_root_must_be_an_existing_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root: object
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidInput):
        LocalFileAttachmentStore(root)  # type: ignore[arg-type]


def test_a_file_system_failure_is_a_storage_error(tmp_path: Path) -> None:
    store = LocalFileAttachmentStore(tmp_path)
    (tmp_path / "acme").write_bytes(b"a file where the tenant's directory goes")
    with pytest.raises(StorageError, match="acme"):
        _put(store, "acme", "att-1", b"%PDF-1.7")
    assert store.path("acme", "att-1").parent.is_file()
