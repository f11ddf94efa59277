"""Key identifiers, ARNs and aliases: parsing and formatting in one place.

Forms a ``KeyId`` parameter may take (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id):
key ID, key ARN, alias name, alias ARN. Which operations accept aliases is decided by the caller of
:func:`parse_key_id` through ``allow_alias``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from ._errors import NotFoundException

PARTITION = "aws"

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_MRK = re.compile(r"^mrk-[0-9a-f]{32}\Z")
_ARN = re.compile(
    r"^arn:(?P<partition>[a-z-]+):kms:(?P<region>[a-z0-9-]*):(?P<account>\d*):(?P<resource>.+)$"
)
ACCOUNT_ID = re.compile(r"^[0-9]{12}\Z")  # ASCII digits only; \Z: no trailing newline


def is_key_id(value: str) -> bool:
    """True for a bare key ID (a UUID, or ``mrk-`` and 32 hex digits for multi-Region keys)."""
    return bool(_UUID.match(value) or _MRK.match(value))


def key_arn(region: str, account: str, key_id: str) -> str:
    return f"arn:{PARTITION}:kms:{region}:{account}:key/{key_id}"


def alias_arn(region: str, account: str, alias_name: str) -> str:
    return f"arn:{PARTITION}:kms:{region}:{account}:{alias_name}"


def new_key_id(random_bytes: bytes, multi_region: bool = False) -> str:
    """A key ID from 16 random bytes: a version-4 UUID, or ``mrk-`` + 32 hex for multi-Region keys."""
    if multi_region:
        return "mrk-" + random_bytes.hex()
    return str(uuid.UUID(bytes=random_bytes, version=4))


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


def parse_key_id(value: str, *, account: str, region: str, allow_alias: bool) -> KeyRef:
    """Parse a ``KeyId`` parameter as seen by a caller in ``account`` calling ``region``.

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
    if is_key_id(value):
        return KeyRef(account, region, key_id=value, raw=value)
    raise NotFoundException(f"Invalid keyId '{value}'")


_KEY_ARN = re.compile(r"^arn:aws:kms:([a-z0-9-]+):([0-9]{12}):key/(.+)\Z", re.DOTALL)


def parse_key_arn(text: str) -> tuple[str, str, str] | None:
    """(Region, account, key ID) of a key ARN, or None if ``text`` is not one."""
    m = _KEY_ARN.match(text)
    return None if m is None else (m[1], m[2], m[3])


def principal_account(arn: str) -> str:
    """The 12-digit account of an IAM/STS principal ARN, or '' for service principals."""
    parts = arn.split(":")
    if len(parts) >= 5 and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return ""


#: Grantee and retiring principals: an IAM or STS ARN, an account ID, or a service principal name.
GRANT_PRINCIPAL = re.compile(
    r"^(arn:aws:(iam|sts)::[0-9]{12}:.+|[0-9]{12}|[a-z0-9.-]+\.amazonaws\.com)\Z", re.DOTALL
)
