"""Key specs, key usages and the algorithms each allows.

Source: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html and the KeySpec,
KeyUsageType and *AlgorithmSpec shapes of botocore's KMS model.
"""

from __future__ import annotations

from dataclasses import dataclass

ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SIGN_VERIFY = "SIGN_VERIFY"
GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC"
KEY_AGREEMENT = "KEY_AGREEMENT"

_RSA_ENC = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
_RSA_SIGN = (
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
)


@dataclass(frozen=True)
class KeySpecInfo:
    """What one key spec allows."""

    name: str
    family: str  # "SYMMETRIC" | "RSA" | "ECC" | "HMAC"
    usages: tuple[str, ...]
    encryption_algorithms: tuple[str, ...] = ()
    signing_algorithms: tuple[str, ...] = ()
    mac_algorithms: tuple[str, ...] = ()

    @property
    def symmetric_encryption(self) -> bool:
        return self.family == "SYMMETRIC"


KEY_SPECS: dict[str, KeySpecInfo] = {
    "SYMMETRIC_DEFAULT": KeySpecInfo(
        "SYMMETRIC_DEFAULT", "SYMMETRIC", (ENCRYPT_DECRYPT,), encryption_algorithms=("SYMMETRIC_DEFAULT",)
    ),
    **{
        f"RSA_{bits}": KeySpecInfo(
            f"RSA_{bits}",
            "RSA",
            (ENCRYPT_DECRYPT, SIGN_VERIFY),
            encryption_algorithms=_RSA_ENC,
            signing_algorithms=_RSA_SIGN,
        )
        for bits in (2048, 3072, 4096)
    },
    "ECC_NIST_P256": KeySpecInfo(
        "ECC_NIST_P256", "ECC", (SIGN_VERIFY, KEY_AGREEMENT), signing_algorithms=("ECDSA_SHA_256",)
    ),
    "ECC_NIST_P384": KeySpecInfo(
        "ECC_NIST_P384", "ECC", (SIGN_VERIFY, KEY_AGREEMENT), signing_algorithms=("ECDSA_SHA_384",)
    ),
    "ECC_NIST_P521": KeySpecInfo(
        "ECC_NIST_P521", "ECC", (SIGN_VERIFY, KEY_AGREEMENT), signing_algorithms=("ECDSA_SHA_512",)
    ),
    "ECC_SECG_P256K1": KeySpecInfo(
        "ECC_SECG_P256K1", "ECC", (SIGN_VERIFY,), signing_algorithms=("ECDSA_SHA_256",)
    ),
    **{
        f"HMAC_{bits}": KeySpecInfo(
            f"HMAC_{bits}", "HMAC", (GENERATE_VERIFY_MAC,), mac_algorithms=(f"HMAC_SHA_{bits}",)
        )
        for bits in (224, 256, 384, 512)
    },
}

#: Key specs in botocore's model that kmssim does not simulate, with the reason given to the caller.
UNSUPPORTED_KEY_SPECS: dict[str, str] = {
    "SM2": "KeySpec SM2 is only available in China Regions, which kmssim does not simulate.",
    "ECC_NIST_EDWARDS25519": "KeySpec ECC_NIST_EDWARDS25519 is not simulated by kmssim yet.",
    "ML_DSA_44": "KeySpec ML_DSA_44 is not simulated by kmssim yet.",
    "ML_DSA_65": "KeySpec ML_DSA_65 is not simulated by kmssim yet.",
    "ML_DSA_87": "KeySpec ML_DSA_87 is not simulated by kmssim yet.",
}

#: DataKeyPairSpec values GenerateDataKeyPair accepts here.
DATA_KEY_PAIR_SPECS = (
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
)

#: Operations each key usage serves (the InvalidKeyUsageException check).
OPERATIONS_BY_USAGE: dict[str, frozenset[str]] = {
    ENCRYPT_DECRYPT: frozenset(
        {
            "Encrypt",
            "Decrypt",
            "ReEncrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "GetPublicKey",
        }
    ),
    SIGN_VERIFY: frozenset({"Sign", "Verify", "GetPublicKey"}),
    GENERATE_VERIFY_MAC: frozenset({"GenerateMac", "VerifyMac"}),
    KEY_AGREEMENT: frozenset({"DeriveSharedSecret", "GetPublicKey"}),
}

#: Grant operations a key of each family and usage can carry (CreateGrant's ValidationException).
GRANT_OPERATIONS_BY_KIND: dict[tuple[str, str], frozenset[str]] = {
    ("SYMMETRIC", ENCRYPT_DECRYPT): frozenset(
        {
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "CreateGrant",
            "RetireGrant",
            "DescribeKey",
        }
    ),
    ("RSA", ENCRYPT_DECRYPT): frozenset(
        {
            "Decrypt",
            "Encrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GetPublicKey",
            "CreateGrant",
            "RetireGrant",
            "DescribeKey",
        }
    ),
    ("RSA", SIGN_VERIFY): frozenset(
        {"Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"}
    ),
    ("ECC", SIGN_VERIFY): frozenset(
        {"Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"}
    ),
    ("ECC", KEY_AGREEMENT): frozenset(
        {"DeriveSharedSecret", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey"}
    ),
    ("HMAC", GENERATE_VERIFY_MAC): frozenset(
        {"GenerateMac", "VerifyMac", "CreateGrant", "RetireGrant", "DescribeKey"}
    ),
}
