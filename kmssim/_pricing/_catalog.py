"""KMS operations, key specs and the mapping of one request to its AWS price class.

Operation and spec names follow botocore's KMS service model (``kms/2014-11-01/service-2.json``).
Price classes follow the request lines of https://aws.amazon.com/kms/pricing/ and the AWS Pricing
Calculator's six KMS inputs (project reference, kms-pricing-and-quotas.md sections 1.4 and 4.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from .. import _catalog as _ops
from .._keyspecs import ALL_KEY_SPECS, DATA_KEY_PAIR_SPECS
from ._errors import EstimateInputError

__all__ = [
    "ASYMMETRIC_PRICED_OPERATIONS",
    "CLOUDHSM_PRICE_ITEMS",
    "DATA_KEY_PAIR_OPERATIONS",
    "DATA_KEY_PAIR_SPECS",
    "KEYLESS_OPERATIONS",
    "KEY_SPECS",
    "OPERATIONS",
    "PRICE_ITEMS",
    "REQUEST_CLASSES",
    "PriceItem",
    "default_key_spec",
    "key_family",
    "price_class",
]

#: Every KMS API operation in botocore's model (API version 2014-11-01), from the operation catalog.
OPERATIONS: Final[frozenset[str]] = frozenset(_ops.OPERATIONS)

#: botocore's ``KeySpec`` enum, with the key family each spec belongs to (from the key-spec table).
_KEY_FAMILIES: Final[dict[str, str]] = {name: spec.family for name, spec in ALL_KEY_SPECS.items()}
KEY_SPECS: Final[tuple[str, ...]] = tuple(_KEY_FAMILIES)

DATA_KEY_PAIR_OPERATIONS: Final[frozenset[str]] = frozenset(
    name for name, op in _ops.OPERATIONS.items() if op.data_key_pair
)

#: Operations billed in an asymmetric class when they use an asymmetric key. The free-tier footnote of the
#: pricing page names "Sign, Verify, Encrypt, Decrypt, and GetPublicKey" requests "that reference asymmetric
#: KMS keys"; ReEncrypt and DeriveSharedSecret are the other cryptographic uses of such keys. Management
#: requests (DescribeKey, TagResource...) on asymmetric keys are assumed to be standard requests: AWS does
#: not say (reference 1.4, 1.5).
ASYMMETRIC_PRICED_OPERATIONS: Final[frozenset[str]] = frozenset(
    name for name, op in _ops.OPERATIONS.items() if op.asymmetric_priced
)

#: Operations that name no KMS key, so a request has no key spec.
KEYLESS_OPERATIONS: Final[frozenset[str]] = _ops.KEYLESS_OPERATIONS

# Key families each cryptographic operation accepts (KMS Developer Guide, key spec reference).
_CRYPTO_FAMILIES: Final[dict[str, frozenset[str]]] = {
    name: op.families for name, op in _ops.OPERATIONS.items() if op.families
}


@dataclass(frozen=True)
class PriceItem:
    """One priced item of the pricing table: its canonical unit and whether the free tier covers it."""

    item: str
    label: str
    unit: str
    free_tier_eligible: bool = False
    per: int = 1


#: Items of ``data/kms_pricing.csv``. Request prices are per 10,000 requests, as AWS lists them.
PRICE_ITEMS: Final[dict[str, PriceItem]] = {
    p.item: p
    for p in (
        PriceItem("key_month", "KMS keys (customer managed)", "key-month"),
        PriceItem("rotation_month", "Key rotation surcharge", "rotation-month"),
        PriceItem("requests_symmetric", "Requests (symmetric and HMAC)", "10000 requests", True, 10000),
        PriceItem("requests_rsa_2048", "Requests involving RSA 2048 keys", "10000 requests", False, 10000),
        PriceItem(
            "requests_asymmetric", "Asymmetric requests except RSA 2048", "10000 requests", False, 10000
        ),
        PriceItem("requests_gdkp_ecc", "ECC GenerateDataKeyPair requests", "10000 requests", False, 10000),
        PriceItem("requests_gdkp_rsa", "RSA GenerateDataKeyPair requests", "10000 requests", False, 10000),
        PriceItem("free_tier_requests", "Free tier", "requests per account-month"),
    )
}

#: Items of ``data/cloudhsm_pricing.csv``: AWS CloudHSM bills each HSM by the hour. It is another service's charge
#: ("If using AWS CloudHSM, standard AWS CloudHSM charges apply", https://aws.amazon.com/kms/pricing/), kept out
#: of the KMS table.
CLOUDHSM_PRICE_ITEMS: Final[dict[str, PriceItem]] = {
    "cloudhsm_hsm_hour": PriceItem(
        "cloudhsm_hsm_hour", "AWS CloudHSM HSM-hours (billed by AWS CloudHSM, not KMS)", "HSM-hour"
    )
}

#: The five request price classes, in the pricing page's order.
REQUEST_CLASSES: Final[tuple[str, ...]] = (
    "requests_symmetric",
    "requests_rsa_2048",
    "requests_asymmetric",
    "requests_gdkp_ecc",
    "requests_gdkp_rsa",
)


def _accepted(values: Iterable[object]) -> str:
    return ", ".join(sorted(str(v) for v in values))


def _check_operation(operation: object, field: str = "operation") -> str:
    if not isinstance(operation, str) or operation not in OPERATIONS:
        raise EstimateInputError(field, operation, f"one of the KMS operations: {_accepted(OPERATIONS)}")
    return operation


def operation_of(item: Mapping[str, object], where: str, expected: str) -> str:
    """``item["operation"]``, a KMS operation; EstimateInputError naming ``where`` when absent or unknown."""
    if "operation" not in item:
        raise EstimateInputError(f"{where}.operation", None, expected)
    return _check_operation(item["operation"], f"{where}.operation")


def _check_optional(value: object, field: str, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise EstimateInputError(field, value, f"None or one of {_accepted(allowed)}")
    return value


def _check_key_spec(key_spec: object, field: str = "key_spec") -> str | None:
    return _check_optional(key_spec, field, KEY_SPECS)


def _check_key_pair_spec(key_pair_spec: object, field: str = "key_pair_spec") -> str | None:
    return _check_optional(key_pair_spec, field, DATA_KEY_PAIR_SPECS)


def key_family(key_spec: str | None) -> str:
    """Family of a key spec: symmetric, hmac, rsa, ecc, sm2, ml_dsa, ml_kem, or ``none`` for no key."""
    spec = _check_key_spec(key_spec)
    return "none" if spec is None else _KEY_FAMILIES[spec]


def default_key_spec(operation: str) -> str | None:
    """Key spec assumed when a request gives none: None for keyless operations, else SYMMETRIC_DEFAULT."""
    return None if operation in KEYLESS_OPERATIONS else "SYMMETRIC_DEFAULT"


def check_combination(operation: str, key_spec: str | None) -> None:
    """Raise EstimateInputError when ``operation`` cannot use a key of ``key_spec`` (Sign with a symmetric key,
    a key spec for a keyless operation); both names must already be known."""
    allowed = _CRYPTO_FAMILIES.get(operation)
    family = "none" if key_spec is None else _KEY_FAMILIES[key_spec]
    if allowed is not None:
        if key_spec is None and operation not in DATA_KEY_PAIR_OPERATIONS:
            raise EstimateInputError(
                "key_spec", None, f"a key spec for {operation}: one of the {_families(allowed)} specs"
            )
        if key_spec is not None and family not in allowed:
            raise EstimateInputError(
                "key_spec", key_spec, f"for {operation}, a key spec of the {_families(allowed)} families"
            )
    elif key_spec is not None and operation in KEYLESS_OPERATIONS:
        raise EstimateInputError("key_spec", key_spec, f"None: {operation} uses no KMS key")


def price_class(operation: str, key_spec: str | None = None, key_pair_spec: str | None = None) -> str:
    """Return the AWS price class of one KMS request.

    ``operation`` is the KMS API name, ``key_spec`` the spec of the KMS key the request uses (None for
    operations without a key, such as GenerateRandom), ``key_pair_spec`` the data key pair spec of a
    GenerateDataKeyPair(WithoutPlaintext) request. The result is one of :data:`REQUEST_CLASSES`:

    * ``requests_gdkp_rsa`` / ``requests_gdkp_ecc``: GenerateDataKeyPair(WithoutPlaintext) for an RSA or
      ECC key pair spec ($12.00 and $0.10 per 10,000 in us-east-1);
    * ``requests_rsa_2048``: Encrypt, Decrypt, ReEncrypt, Sign, Verify, GetPublicKey, DeriveSharedSecret
      with an RSA_2048 key ($0.03 per 10,000, but outside the free tier);
    * ``requests_asymmetric``: the same operations with any other asymmetric key ($0.15 per 10,000);
    * ``requests_symmetric``: everything else, including HMAC keys, GenerateRandom and management requests
      ($0.03 per 10,000, the only class the free tier covers).

    Raises :class:`EstimateInputError` for unknown names, impossible combinations (Sign with a symmetric
    key), and requests AWS publishes no price class for (ML-KEM keys, SM2 data key pairs).
    Source: https://aws.amazon.com/kms/pricing/ (key usage and free tier footnote).
    """
    op = _check_operation(operation)
    spec = _check_key_spec(key_spec)
    pair = _check_key_pair_spec(key_pair_spec)
    family = "none" if spec is None else _KEY_FAMILIES[spec]
    check_combination(op, spec)

    if op in DATA_KEY_PAIR_OPERATIONS:
        if pair is None:
            raise EstimateInputError(
                "key_pair_spec", None, f"one of {_accepted(DATA_KEY_PAIR_SPECS)} for {op}"
            )
        if pair.startswith("RSA_"):
            return "requests_gdkp_rsa"
        if pair.startswith("ECC_"):
            return "requests_gdkp_ecc"
        raise EstimateInputError(
            "key_pair_spec",
            pair,
            "an RSA_* or ECC_* spec: AWS publishes no price class for SM2 or ML-KEM data key pairs",
        )
    if pair is not None:
        raise EstimateInputError("key_pair_spec", pair, f"None: {op} takes no data key pair spec")
    if op in {"Encapsulate", "Decapsulate"} or (family == "ml_kem" and op in ASYMMETRIC_PRICED_OPERATIONS):
        raise EstimateInputError(
            "key_spec", spec, "a key spec with a published price: no price class is known for ML-KEM"
        )
    if op in ASYMMETRIC_PRICED_OPERATIONS and family in {"rsa", "ecc", "sm2", "ml_dsa"}:
        return "requests_rsa_2048" if spec == "RSA_2048" else "requests_asymmetric"
    return "requests_symmetric"


def _families(families: frozenset[str]) -> str:
    return "/".join(sorted(families))
