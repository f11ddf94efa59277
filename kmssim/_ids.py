"""Identifiers: key IDs, key and alias ARNs, alias names, principal ARNs and UUIDs, parsed and formatted here only.

Forms a ``KeyId`` parameter may take (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id):
key ID, key ARN, alias name, alias ARN. Which operations accept aliases is decided by the caller of
:func:`parse_key_id` through ``allow_alias``. ARNs are ``arn:partition:service:region:account:resource``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html); principal ARNs are IAM's
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns). The policy
engine's richer view of a caller (:func:`kmssim._policy.principals.parse_caller`) is built on these.

The parsers on every request's path are cached (``lru_cache``): identifiers repeat, and a cache hit costs no
Python call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ._errors import NotFoundException

PARTITION = "aws"

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_MRK = re.compile(r"^mrk-[0-9a-f]{32}\Z")
_ARN = re.compile(
    r"^arn:(?P<partition>[a-z-]+):kms:(?P<region>[a-z0-9-]*):(?P<account>\d*):(?P<resource>.+)$"
)
#: The key ARN a ciphertext blob names (kmssim writes ``arn:aws:kms:<region>:<account>:key/<key-id>``).
_BLOB_KEY_ARN = re.compile(r"^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):key/(.+)\Z", re.DOTALL)
ACCOUNT_ID = re.compile(r"^[0-9]{12}\Z")  # ASCII digits only; \Z: no trailing newline
#: An alias name as CreateAlias accepts it (API_CreateAlias: ``alias/`` then letters, digits, ``/_-``).
ALIAS_NAME = re.compile(r"^alias/[a-zA-Z0-9/_-]+\Z")
#: A grant ID as kmssim issues them (64 hex digits); use ``fullmatch``.
GRANT_ID = re.compile(r"[0-9a-f]{64}")
#: Grantee and retiring principals: an IAM or STS ARN, an account ID, or a service principal name.
GRANT_PRINCIPAL = re.compile(
    r"^(arn:aws:(iam|sts)::[0-9]{12}:.+|[0-9]{12}|[a-z0-9.-]+\.amazonaws\.com)\Z", re.DOTALL
)
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # RFC 4122 variant nibble


def uuid4_text(random_bytes: bytes) -> str:
    """The version-4 UUID made from 16 random bytes, in its usual text form.

    Exactly ``str(uuid.UUID(bytes=random_bytes, version=4))``: the version nibble set to 4, the variant bits to
    RFC 4122's ``10``, lower-case hex with dashes. ValueError unless there are 16 bytes.
    """
    if len(random_bytes) != 16:
        raise ValueError("a UUID is made from 16 bytes")
    h = random_bytes.hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def uuid4_pair(random_bytes: bytes) -> tuple[str, str]:
    """Two version-4 UUIDs from 32 random bytes: ``uuid4_text`` of the first 16, then of the last 16."""
    if len(random_bytes) != 32:
        raise ValueError("two UUIDs are made from 32 bytes")
    h = random_bytes.hex()
    v = _VARIANT
    return (
        f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{v[h[16]]}{h[17:20]}-{h[20:32]}",
        f"{h[32:40]}-{h[40:44]}-4{h[45:48]}-{v[h[48]]}{h[49:52]}-{h[52:64]}",
    )


def is_key_id(value: str) -> bool:
    """True for a bare key ID (a UUID, or ``mrk-`` and 32 hex digits for multi-Region keys)."""
    return bool(_UUID.match(value) or _MRK.match(value))


@lru_cache(maxsize=8192)
def key_arn(region: str, account: str, key_id: str) -> str:
    return f"arn:{PARTITION}:kms:{region}:{account}:key/{key_id}"


def alias_arn(region: str, account: str, alias_name: str) -> str:
    return f"arn:{PARTITION}:kms:{region}:{account}:{alias_name}"


def account_root_arn(account: str, partition: str = PARTITION) -> str:
    """The account principal: ``arn:<partition>:iam::<account>:root``."""
    return f"arn:{partition}:iam::{account}:root"


def new_key_id(random_bytes: bytes, multi_region: bool = False) -> str:
    """A key ID from 16 random bytes: a version-4 UUID, or ``mrk-`` + 32 hex for multi-Region keys."""
    if multi_region:
        return "mrk-" + random_bytes.hex()
    return uuid4_text(random_bytes)


@dataclass(frozen=True)
class KeyRef:
    """A parsed ``KeyId``: either a key (``key_id``) or an alias (``alias_name``), in an account and Region."""

    account: str
    region: str
    key_id: str | None = None
    alias_name: str | None = None
    raw: str = ""

    @property
    def is_alias(self) -> bool:
        return self.alias_name is not None


@lru_cache(maxsize=8192)
def parse_key_id(value: str, *, account: str, region: str, allow_alias: bool) -> KeyRef:
    """Parse a ``KeyId`` parameter as seen by a caller in ``account`` calling ``region`` (cached: a KeyRef is
    immutable).

    Raises NotFoundException with AWS's observed messages: ``Invalid keyId '<value>'`` for a malformed ID (and for
    an alias where the operation accepts none), ``Invalid arn <region>`` for an ARN of another Region.
    """
    if value.startswith("arn:"):
        m = _ARN.match(value)
        if not m:
            raise NotFoundException(f"Invalid arn {value}")
        if m["partition"] != PARTITION:
            raise NotFoundException(f"Invalid arn {value}")
        if m["region"] != region:
            raise NotFoundException(f"Invalid arn {m['region']}")
        resource = m["resource"]
        if resource.startswith("key/") and is_key_id(resource[4:]):
            return KeyRef(m["account"], region, key_id=resource[4:], raw=value)
        if resource.startswith("alias/") and allow_alias:
            return KeyRef(m["account"], region, alias_name=resource, raw=value)
        raise NotFoundException(f"Invalid arn {value}")
    if value.startswith("alias/") and allow_alias:
        return KeyRef(account, region, alias_name=value, raw=value)
    if _UUID.match(value) or _MRK.match(value):
        return KeyRef(account, region, key_id=value, raw=value)
    raise NotFoundException(f"Invalid keyId '{value}'")


def parse_key_arn(text: str) -> tuple[str, str, str] | None:
    """``(region, account, key_id)`` of the key ARN a ciphertext blob names, None when it is not one."""
    m = _BLOB_KEY_ARN.match(text)
    if m is None:
        return None
    region, account, key_id = m.groups()
    return region, account, key_id


@lru_cache(maxsize=8192)
def split_arn(arn: str) -> tuple[str, str, str, str, str, str] | None:
    """``(arn, partition, service, region, account, resource)`` or None when ``arn`` is not ARN-shaped."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])


@lru_cache(maxsize=8192)
def arn_account(arn: str) -> str | None:
    """The account field of an ARN (None when absent or not an ARN)."""
    parts = split_arn(arn)
    if parts is None or not parts[4]:
        return None
    return parts[4]


@lru_cache(maxsize=8192)
@lru_cache(maxsize=4096)
def principal_account(arn: str) -> str:
    """The 12-digit account of an IAM/STS principal ARN, or '' for service principals.

    Reads the fifth colon-separated field of any text (``arn:`` is not required) and keeps it only when it is
    twelve ASCII digits; a bare account ID gives ''.
    """
    parts = arn.split(":", 5)
    if len(parts) >= 5 and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return ""


@lru_cache(maxsize=8192)
def request_alias(key_id: str) -> str | None:
    """``alias/x`` when a KeyId is an alias name or an alias ARN (the value of ``kms:RequestAlias``), else None."""
    if key_id.startswith("alias/"):
        return key_id
    parts = split_arn(key_id)
    if parts is not None and parts[2] == "kms" and parts[5].startswith("alias/"):
        return parts[5]
    return None
