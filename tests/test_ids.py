"""kmssim._ids: the one home of key IDs, ARNs, alias names, principal ARNs and UUIDs."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kmssim
from kmssim import _ids
from kmssim._errors import NotFoundException
from kmssim._policy import principals

ACCOUNT = "111122223333"
_HEX = st.text(alphabet="0123456789abcdef", min_size=1, max_size=40)
_ARNISH = st.lists(
    st.sampled_from(
        ["arn", "aws", "iam", "sts", "kms", ACCOUNT, "1111222233334", "", "us-east-1", "key/x", ":"]
    )
    | st.text(max_size=6),
    max_size=8,
).map(":".join)


def _event_id_formula(random16: bytes) -> str:
    """How ``Simulator._event_id`` formatted a UUID before the formatting moved to ``_ids.uuid4_text``."""
    variant = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
    h = random16.hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:32]}"


def _principal_account_before(arn: str) -> str:
    """``principal_account`` as ``kmssim._operations`` had it."""
    parts = arn.split(":")
    if len(parts) >= 5 and _ids.ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return ""


@given(st.binary(min_size=16, max_size=16))
def test_uuid4_text_is_what_both_old_formatters_gave(random16: bytes) -> None:
    text = _ids.uuid4_text(random16)
    assert text == str(uuid.UUID(bytes=random16, version=4))  # what new_key_id gave
    assert text == _event_id_formula(random16)  # what Simulator._event_id gave
    assert _ids.new_key_id(random16) == text
    assert _ids.is_key_id(text)


def test_uuid4_text_pinned_value_and_length_check() -> None:
    assert _ids.uuid4_text(bytes(range(16))) == "00010203-0405-4607-8809-0a0b0c0d0e0f"
    assert _ids.uuid4_text(b"\xff" * 16) == "ffffffff-ffff-4fff-bfff-ffffffffffff"
    assert _ids.new_key_id(bytes(range(16)), multi_region=True) == "mrk-000102030405060708090a0b0c0d0e0f"
    with pytest.raises(ValueError):
        _ids.uuid4_text(b"\x00" * 15)


def test_seeded_ids_do_not_change() -> None:
    """Seeded key IDs and event IDs come out as before the move (values recorded with the code before it)."""
    sim = kmssim.Simulator(seed=7)
    kms = sim.client("kms")
    assert kms.create_key()["KeyMetadata"]["KeyId"] == "bef2ee87-3009-4674-85b4-017d63ed73da"
    assert sim.trail()[-1].event_id == "44b45c3b-ffde-46c2-adc7-22cfaeed5aa0"
    assert kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"] == "mrk-4693ba0b9f4f37ab6232f81853b00daf"
    assert sim.trail()[-1].event_id == "26f2fecf-a491-4df0-9a1e-e1e7b39f448e"


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        (f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session", ACCOUNT),
        (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT),
        ("kms.amazonaws.com", ""),
        (ACCOUNT, ""),  # a bare account ID is not an ARN
        ("arn:aws:iam::11112222333:root", ""),  # 11 digits
        ("arn:aws:iam::١١١١٢٢٢٢٣٣٣٣:root", ""),  # digits, but not ASCII
        (f"arn:aws:iam::{ACCOUNT}\n:root", ""),
        (f"x:y:z:w:{ACCOUNT}", ACCOUNT),  # the fifth field, whatever the first says (as before)
    ],
)
def test_principal_account(arn: str, account: str) -> None:
    assert _ids.principal_account(arn) == account


@given(_ARNISH)
def test_principal_account_agrees_with_the_old_one(arn: str) -> None:
    assert _ids.principal_account(arn) == _principal_account_before(arn)


@given(_ARNISH | _HEX.map(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/".__add__))
def test_parse_key_arn_agrees_with_the_old_regex(text: str) -> None:
    m = re.match(r"^arn:aws:kms:([a-z0-9-]+):(\d{12}):key/(.+)$", text)
    assert _ids.parse_key_arn(text) == (m.groups() if m else None)


def test_parse_key_arn_examples() -> None:
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert _ids.parse_key_arn(_ids.key_arn("eu-west-1", ACCOUNT, key_id)) == ("eu-west-1", ACCOUNT, key_id)
    assert _ids.parse_key_arn(f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{key_id}") is None
    assert _ids.parse_key_arn(_ids.alias_arn("eu-west-1", ACCOUNT, "alias/x")) is None
    assert _ids.parse_key_arn(key_id) is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (f"arn:aws:iam::{ACCOUNT}:role/app", True),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s", True),
        (ACCOUNT, True),
        ("logs.us-east-1.amazonaws.com", True),
        (f"arn:aws:kms::{ACCOUNT}:key/x", False),
        ("Logs.amazonaws.com", False),
        ("12345", False),
    ],
)
def test_grant_principal_pattern(value: str, ok: bool) -> None:
    assert bool(_ids.GRANT_PRINCIPAL.match(value)) is ok


def test_alias_and_grant_id_patterns() -> None:
    assert _ids.ALIAS_NAME.match("alias/my-app_key/1")
    assert not _ids.ALIAS_NAME.match("alias/with space")
    assert not _ids.ALIAS_NAME.match("alias/x\n")
    assert _ids.GRANT_ID.fullmatch("ab" * 32)
    assert not _ids.GRANT_ID.fullmatch("AB" * 32)


def test_split_arn_and_arn_account() -> None:
    assert _ids.split_arn("arn:aws:kms:us-east-1:1:key/a:b") == (
        "arn",
        "aws",
        "kms",
        "us-east-1",
        "1",
        "key/a:b",
    )
    assert _ids.split_arn("arn:aws:kms:us-east-1:1") is None
    assert _ids.split_arn("urn:aws:kms:us-east-1:1:key/a") is None
    assert _ids.arn_account(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/a") == ACCOUNT
    assert _ids.arn_account("arn:aws:s3:::bucket") is None
    assert _ids.arn_account("*") is None
    # The policy engine reads ARNs with the same functions.
    assert principals.split_arn is _ids.split_arn and principals.arn_account is _ids.arn_account
    assert principals.ACCOUNT_ID_RE is _ids.ACCOUNT_ID


def test_account_root_arn_is_what_the_policy_engine_calls_the_account() -> None:
    assert _ids.account_root_arn(ACCOUNT) == f"arn:aws:iam::{ACCOUNT}:root"
    assert _ids.account_root_arn(ACCOUNT, "aws-cn") == f"arn:aws-cn:iam::{ACCOUNT}:root"
    assert principals.parse_caller(ACCOUNT).text == _ids.account_root_arn(ACCOUNT)


@pytest.mark.parametrize(
    ("key_id", "alias"),
    [
        ("alias/app", "alias/app"),
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app", "alias/app"),
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab", None),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", None),
        (f"arn:aws:iam::{ACCOUNT}:alias/app", None),
    ],
)
def test_request_alias(key_id: str, alias: str | None) -> None:
    assert _ids.request_alias(key_id) == alias


def test_parse_key_id_is_cached_but_still_raises_every_time() -> None:
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    first = _ids.parse_key_id(key_id, account=ACCOUNT, region="us-east-1", allow_alias=False)
    assert first == _ids.KeyRef(ACCOUNT, "us-east-1", key_id=key_id, raw=key_id)
    assert _ids.parse_key_id(
        key_id, account="444455556666", region="us-east-1", allow_alias=False
    ).account == ("444455556666")
    for _ in range(2):
        with pytest.raises(NotFoundException, match="Invalid keyId 'alias/x'"):
            _ids.parse_key_id("alias/x", account=ACCOUNT, region="us-east-1", allow_alias=False)
    assert _ids.parse_key_id("alias/x", account=ACCOUNT, region="us-east-1", allow_alias=True).is_alias
    with pytest.raises(NotFoundException, match=r"^NotFoundException: Invalid arn eu-west-1$"):
        _ids.parse_key_id(
            f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}",
            account=ACCOUNT,
            region="us-east-1",
            allow_alias=True,
        )
