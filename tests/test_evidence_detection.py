"""The content type of a file comes from its bytes: real signatures, spoofed names."""

from __future__ import annotations

import pytest

from crm_returns import detect_content_type
from crm_returns.errors import InvalidInput
from crm_returns.evidence import sha256_of

#: The leading bytes of a real file of each allowed type, as cameras and tools write them.
SIGNATURES: dict[str, bytes] = {
    "image/jpeg": bytes.fromhex("ffd8ffe000104a46494600010101004800480000"),
    "image/png": bytes.fromhex("89504e470d0a1a0a0000000d494844520000000100000001"),
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00",
    # An iPhone photo: an ISO media ftyp box of brand heic, compatible mif1 and heic.
    "image/heic": bytes.fromhex("00000018") + b"ftypheic\x00\x00\x00\x00mif1heic",
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
}

#: Types that have a signature but are not allowed by default.
OTHERS: dict[str, bytes] = {
    "image/gif": b"GIF89a\x01\x00\x01\x00",
    "application/zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(30),
    "application/x-msdownload": b"MZ\x90\x00\x03\x00" + bytes(60),
}

#: Text formats have no signature: never detected, whatever they contain.
UNDETECTABLE: list[bytes] = [
    b"",
    b"hello",
    b"<html><script>alert(1)</script></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
    b"id,amount\n1,2\n",
    b"\x00" * 64,
]


@pytest.mark.parametrize("expected", list(SIGNATURES))
def test_each_allowed_type_is_detected_from_its_signature(expected: str) -> None:
    assert detect_content_type(SIGNATURES[expected] + bytes(100)) == expected


@pytest.mark.parametrize("expected", list(OTHERS))
def test_other_known_types_are_named_for_what_they_are(expected: str) -> None:
    assert detect_content_type(OTHERS[expected]) == expected


@pytest.mark.parametrize("data", UNDETECTABLE, ids=repr)
def test_text_and_unknown_bytes_have_no_type(data: bytes) -> None:
    assert detect_content_type(data) is None


def test_only_the_leading_bytes_count() -> None:
    assert detect_content_type(b"hello" + SIGNATURES["application/pdf"]) is None
    assert detect_content_type(SIGNATURES["image/png"] + b"%PDF-1.7" * 5000) == "image/png"


@pytest.mark.parametrize("data", ["photo.jpg", "/etc/passwd", bytearray(b"%PDF"), None], ids=repr)
def test_only_bytes_are_read_never_a_path(data: object) -> None:
    with pytest.raises(InvalidInput, match="bytes"):
        detect_content_type(data)  # type: ignore[arg-type]


def test_the_digest_is_sha256_in_lower_case_hex() -> None:
    assert sha256_of(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
