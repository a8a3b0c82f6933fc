"""AttachmentStoreContract: bytes kept exactly, once, per tenant, and any change caught."""

# ruff: noqa: S101 - the contracts are pytest tests: assert is how they state what must hold

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_returns.errors import AttachmentCorrupt, AttachmentExists, InvalidInput, NotFound
from crm_returns.ports.attachments import AttachmentStore

__all__ = ["HOSTILE_IDS", "AttachmentStoreContract", "AttachmentStoreFactory"]

#: Makes a new, empty attachment store; ``MemoryAttachmentStore`` (the class) is one.
AttachmentStoreFactory = Callable[[], AttachmentStore]

#: Ids that name files outside a naive store, or collide in one that ignores case.
HOSTILE_IDS: tuple[str, ...] = (
    "..",
    ".",
    "../escaped",
    "../../etc/passwd",
    "/etc/passwd",
    "a/b",
    "a\\b",
    "C:\\windows",
    "C:",
    "~",
    "~root",
    ".hidden",
    "x.json",
    "CON",
    "nul",
    "Photo",
    "photo",
    "退货照片",
    " leading space",
    "tab\there",
    "new\nline",
    "%2e%2e",
    "x" * 64,
)

#: Ways to damage stored bytes, each of which the recorded SHA-256 must catch.
CHANGES: dict[str, Callable[[bytes], bytes]] = {
    "one bit flipped": lambda b: b[:3] + bytes([b[3] ^ 1]) + b[4:],
    "cut short": lambda b: b[:-1],
    "a byte added": lambda b: b + b"\x00",
    "emptied": lambda b: b"",
    "replaced": lambda b: b"%PDF-1.7 not the photo",
}

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(store: AttachmentStore, tenant: str, key: str, data: bytes) -> None:
    store.put(tenant, key, data, content_type="image/jpeg", sha256=_sha(data))


class AttachmentStoreContract:
    """An :class:`~crm_returns.ports.AttachmentStore` adapter: exact, written once, verified.

    Subclass it under a ``Test*`` name and override two hooks: the
    ``attachment_store_factory`` fixture and the :meth:`tamper` method.
    """

    @pytest.fixture
    def attachment_store_factory(self) -> AttachmentStoreFactory:
        """Make new, EMPTY attachment stores: the hook to override.

        Override it in the subclass as a pytest fixture returning a callable;
        each call must give a store of its own (a new directory, bucket
        prefix, ...).  It may ask for other fixtures (``tmp_path``).
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override the attachment_store_factory fixture "
            "to return a callable that makes a new, empty attachment store"
        )

    def tamper(
        self,
        store: AttachmentStore,
        tenant_id: str,
        attachment_id: str,
        change: Callable[[bytes], bytes],
    ) -> None:
        """Replace the stored bytes by ``change(bytes)`` behind the adapter's back: the hook.

        Do it as a failing disk or a person would, without the port.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override tamper(store, tenant_id, attachment_id, "
            "change) to change the bytes an attachment store keeps"
        )

    def test_any_bytes_read_back_exactly(
        self, attachment_store_factory: AttachmentStoreFactory
    ) -> None:
        """Made-up bytes (hypothesis), none or many: the same bytes come back."""

        # Defined here, so that the loaded hypothesis profile applies.
        @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(data=st.binary(max_size=4096))
        def round_trip(data: bytes) -> None:
            store = attachment_store_factory()
            _put(store, "acme", "att-1", data)
            assert store.get("acme", "att-1", sha256=_sha(data)) == data
            assert list(store.ids("acme")) == ["att-1"]

        round_trip()

    def test_a_retry_with_the_same_bytes_changes_nothing(
        self, attachment_store_factory: AttachmentStoreFactory
    ) -> None:
        store = attachment_store_factory()
        _put(store, "acme", "att-1", PHOTO)
        _put(store, "acme", "att-1", PHOTO)
        assert store.get("acme", "att-1", sha256=_sha(PHOTO)) == PHOTO
        assert list(store.ids("acme")) == ["att-1"]

    def test_other_bytes_never_replace_stored_ones(
        self, attachment_store_factory: AttachmentStoreFactory
    ) -> None:
        store = attachment_store_factory()
        _put(store, "acme", "att-1", PHOTO)
        with pytest.raises(AttachmentExists) as raised:
            _put(store, "acme", "att-1", b"%PDF-1.7 other bytes")
        assert (raised.value.tenant_id, raised.value.attachment_id) == ("acme", "att-1")
        assert store.get("acme", "att-1", sha256=_sha(PHOTO)) == PHOTO

    def test_a_digest_that_is_not_the_bytes_keeps_nothing(
        self, attachment_store_factory: AttachmentStoreFactory
    ) -> None:
        store = attachment_store_factory()
        with pytest.raises(InvalidInput, match="digest"):
            store.put("acme", "att-1", PHOTO, content_type="image/jpeg", sha256=_sha(b"other"))
        assert list(store.ids("acme")) == []
        with pytest.raises(NotFound):
            store.get("acme", "att-1", sha256=_sha(PHOTO))

    def test_tenants_are_kept_apart(self, attachment_store_factory: AttachmentStoreFactory) -> None:
        store = attachment_store_factory()
        _put(store, "acme", "att-1", PHOTO)
        _put(store, "globex", "att-1", b"%PDF-1.7 globex's own")
        _put(store, "globex", "att-2", b"more")
        assert store.get("acme", "att-1", sha256=_sha(PHOTO)) == PHOTO
        assert store.get("globex", "att-1", sha256=_sha(b"%PDF-1.7 globex's own")) != PHOTO
        with pytest.raises(NotFound):
            store.get("initech", "att-1", sha256=_sha(PHOTO))
        assert list(store.ids("acme")) == ["att-1"]
        assert list(store.ids("globex")) == ["att-1", "att-2"]
        assert list(store.ids("initech")) == []
        assert store.delete("globex", "att-1") is True
        assert store.get("acme", "att-1", sha256=_sha(PHOTO)) == PHOTO

    def test_delete_removes_the_bytes_for_good_and_is_idempotent(
        self, attachment_store_factory: AttachmentStoreFactory
    ) -> None:
        store = attachment_store_factory()
        _put(store, "acme", "att-1", PHOTO)
        _put(store, "acme", "att-2", b"kept")
        assert store.delete("acme", "att-1") is True
        assert store.delete("acme", "att-1") is False
        assert store.delete("acme", "never") is False
        with pytest.raises(NotFound):
            store.get("acme", "att-1", sha256=_sha(PHOTO))
        assert list(store.ids("acme")) == ["att-2"]
        # Deleted, an id may hold new bytes (a destroyed file is not a taken id).
        _put(store, "acme", "att-1", b"again")
        assert store.get("acme", "att-1", sha256=_sha(b"again")) == b"again"

    @pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
    def test_changed_bytes_are_caught_never_served(
        self, attachment_store_factory: AttachmentStoreFactory, change: str
    ) -> None:
        store = attachment_store_factory()
        _put(store, "acme", "att-1", PHOTO)
        self.tamper(store, "acme", "att-1", CHANGES[change])
        with pytest.raises(AttachmentCorrupt) as raised:
            store.get("acme", "att-1", sha256=_sha(PHOTO))
        error = raised.value
        assert (error.tenant_id, error.attachment_id, error.expected) == (
            "acme",
            "att-1",
            _sha(PHOTO),
        )
        assert error.found == _sha(CHANGES[change](PHOTO))

    def test_a_wrong_digest_on_reading_is_caught(
        self, attachment_store_factory: AttachmentStoreFactory
    ) -> None:
        store = attachment_store_factory()
        _put(store, "acme", "att-1", PHOTO)
        with pytest.raises(AttachmentCorrupt):
            store.get("acme", "att-1", sha256=_sha(b"what the case file recorded"))

    def test_hostile_ids_are_ids_and_nothing_more(
        self, attachment_store_factory: AttachmentStoreFactory
    ) -> None:
        """Each odd id keeps its own bytes, in its own tenant, and is listed as given."""
        store = attachment_store_factory()
        for tenant in ("acme", *HOSTILE_IDS[:4]):
            for index, key in enumerate(HOSTILE_IDS):
                _put(store, tenant, key, f"{tenant}|{index}".encode())
        for tenant in ("acme", *HOSTILE_IDS[:4]):
            assert list(store.ids(tenant)) == sorted(HOSTILE_IDS)
            for index, key in enumerate(HOSTILE_IDS):
                data = f"{tenant}|{index}".encode()
                assert store.get(tenant, key, sha256=_sha(data)) == data
        assert store.delete("..", "..") is True
        assert list(store.ids("..")) == sorted(set(HOSTILE_IDS) - {".."})
        assert list(store.ids("acme")) == sorted(HOSTILE_IDS)

    @pytest.mark.parametrize(
        "bad", ["", "   ", "x" * 65, "a\x00b", "\ud800", 7, None, b"att-1"], ids=repr
    )
    def test_a_bad_id_is_refused(
        self, attachment_store_factory: AttachmentStoreFactory, bad: object
    ) -> None:
        store = attachment_store_factory()
        digest = _sha(PHOTO)
        calls: list[Callable[[], object]] = [
            lambda: store.put(bad, "att-1", PHOTO, content_type="image/jpeg", sha256=digest),  # type: ignore[arg-type]
            lambda: store.put("acme", bad, PHOTO, content_type="image/jpeg", sha256=digest),  # type: ignore[arg-type]
            lambda: store.get("acme", bad, sha256=digest),  # type: ignore[arg-type]
            lambda: store.delete("acme", bad),  # type: ignore[arg-type]
            lambda: store.ids(bad),  # type: ignore[arg-type]
        ]
        for call in calls:
            with pytest.raises(InvalidInput):
                call()
        assert list(store.ids("acme")) == []

    @pytest.mark.parametrize("bad", ["", "SHA256", "ab" * 31, "AB" * 32, None], ids=repr)
    def test_a_bad_digest_is_refused(
        self, attachment_store_factory: AttachmentStoreFactory, bad: object
    ) -> None:
        store = attachment_store_factory()
        with pytest.raises(InvalidInput):
            store.put("acme", "att-1", PHOTO, content_type="image/jpeg", sha256=bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput):
            store.get("acme", "att-1", sha256=bad)  # type: ignore[arg-type]

    def test_content_must_be_bytes(self, attachment_store_factory: AttachmentStoreFactory) -> None:
        store = attachment_store_factory()
        with pytest.raises(InvalidInput):
            store.put("acme", "att-1", "text", content_type="text/plain", sha256=_sha(b"text"))  # type: ignore[arg-type]
        assert list(store.ids("acme")) == []
