"""Key specs, key usages and the algorithms each allows: one table for every ``KeySpec`` of botocore's model.

Source: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html and the KeySpec,
KeyUsageType, DataKeyPairSpec and *AlgorithmSpec shapes of botocore's KMS model. The pricing engine's key
families and the simulator's key specs both come from :data:`ALL_KEY_SPECS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SIGN_VERIFY = "SIGN_VERIFY"
GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC"
KEY_AGREEMENT = "KEY_AGREEMENT"
KEY_ENCAPSULATION = "ENCAPSULATE_DECAPSULATE"

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
    """What one key spec allows. ``family``: symmetric, rsa, ecc, hmac, sm2, ml_dsa or ml_kem.
    ``refusal``: why kmssim does not simulate it (empty when it does)."""

    name: str
    family: str
    usages: tuple[str, ...]
    encryption_algorithms: tuple[str, ...] = ()
    signing_algorithms: tuple[str, ...] = ()
    mac_algorithms: tuple[str, ...] = ()
    key_agreement_algorithms: tuple[str, ...] = ()
    encapsulation_algorithms: tuple[str, ...] = ()
    refusal: str = ""

    @property
    def symmetric_encryption(self) -> bool:
        return self.family == "symmetric"

    @property
    def has_public_key(self) -> bool:
        return self.family not in ("symmetric", "hmac")


def _ecc(name: str, algorithm: str, usages: tuple[str, ...] = (SIGN_VERIFY, KEY_AGREEMENT)) -> KeySpecInfo:
    """An ECC key spec; those with KEY_AGREEMENT take ECDH (API_DeriveSharedSecret, KeyAgreementAlgorithm)."""
    agreement = ("ECDH",) if KEY_AGREEMENT in usages else ()
    return KeySpecInfo(
        name, "ecc", usages, signing_algorithms=(algorithm,), key_agreement_algorithms=agreement
    )


def _ml_kem(bits: int) -> KeySpecInfo:
    """ML-KEM keys encapsulate with algorithm ML_KEM (API_Encapsulate, EncapsulationAlgorithm)."""
    refusal = (
        "KeySpec ML_KEM_512 is not simulated by kmssim: the cryptography library it uses (version 50) implements "
        "ML-KEM-768 and ML-KEM-1024 only."
        if bits == 512
        else ""
    )
    return KeySpecInfo(
        f"ML_KEM_{bits}",
        "ml_kem",
        (KEY_ENCAPSULATION,),
        encapsulation_algorithms=("ML_KEM",),
        refusal=refusal,
    )


#: Every key spec of botocore's ``KeySpec`` enum.
ALL_KEY_SPECS: Final[dict[str, KeySpecInfo]] = {
    s.name: s
    for s in (
        KeySpecInfo(
            "SYMMETRIC_DEFAULT", "symmetric", (ENCRYPT_DECRYPT,), encryption_algorithms=("SYMMETRIC_DEFAULT",)
        ),
        *(
            KeySpecInfo(f"HMAC_{bits}", "hmac", (GENERATE_VERIFY_MAC,), mac_algorithms=(f"HMAC_SHA_{bits}",))
            for bits in (224, 256, 384, 512)
        ),
        *(
            KeySpecInfo(
                f"RSA_{bits}",
                "rsa",
                (ENCRYPT_DECRYPT, SIGN_VERIFY),
                encryption_algorithms=_RSA_ENC,
                signing_algorithms=_RSA_SIGN,
            )
            for bits in (2048, 3072, 4096)
        ),
        _ecc("ECC_NIST_P256", "ECDSA_SHA_256"),
        _ecc("ECC_NIST_P384", "ECDSA_SHA_384"),
        _ecc("ECC_NIST_P521", "ECDSA_SHA_512"),
        _ecc("ECC_SECG_P256K1", "ECDSA_SHA_256", (SIGN_VERIFY,)),
        KeySpecInfo(
            "ECC_NIST_EDWARDS25519",
            "ecc",
            (SIGN_VERIFY,),
            signing_algorithms=("ED25519_SHA_512", "ED25519_PH_SHA_512"),
        ),
        KeySpecInfo(
            "SM2",
            "sm2",
            (ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT),
            refusal="KeySpec SM2 is only available in China Regions, which kmssim does not simulate.",
        ),
        *(
            KeySpecInfo(f"ML_DSA_{n}", "ml_dsa", (SIGN_VERIFY,), signing_algorithms=("ML_DSA_SHAKE_256",))
            for n in (44, 65, 87)
        ),
        *(_ml_kem(bits) for bits in (512, 768, 1024)),
    )
}

#: The key specs kmssim simulates.
KEY_SPECS: Final[dict[str, KeySpecInfo]] = {n: s for n, s in ALL_KEY_SPECS.items() if not s.refusal}

#: Key specs in botocore's model that kmssim does not simulate, with the reason given to the caller.
UNSUPPORTED_KEY_SPECS: Final[dict[str, str]] = {n: s.refusal for n, s in ALL_KEY_SPECS.items() if s.refusal}

#: botocore's ``DataKeyPairSpec`` enum.
DATA_KEY_PAIR_SPECS: Final[tuple[str, ...]] = (
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "ECC_NIST_EDWARDS25519",
    "SM2",
    "ML_KEM_512",
    "ML_KEM_768",
    "ML_KEM_1024",
)

#: The data key pair specs GenerateDataKeyPair serves here: those of simulated key specs.
SIMULATED_DATA_KEY_PAIR_SPECS: Final[tuple[str, ...]] = tuple(
    s for s in DATA_KEY_PAIR_SPECS if s in KEY_SPECS
)

# ---- Imported key material (BYOK) -------------------------------------------------------------------------
# API_CreateKey, API_GetParametersForImport and API_ImportKeyMaterial: keys with Origin EXTERNAL may be symmetric
# encryption, HMAC, asymmetric encryption, signing or key agreement keys; reference kms-advanced-keys.md §2.1-2.5.

#: Key specs (simulated ones) a key with Origin EXTERNAL cannot have in kmssim, with the reason given to the caller:
#: whether AWS imports Ed25519, ML-DSA and ML-KEM material, and in which format, is not documented in the sources
#: kmssim follows (reference §2.1 and §2.5: "unconfirmed").
IMPORT_REFUSALS: Final[dict[str, str]] = {
    name: (
        f"Importing key material into a {name} key is not simulated by kmssim: AWS does not document whether, or "
        "in which format, such key material is imported. kmssim imports key material into SYMMETRIC_DEFAULT, "
        "HMAC_*, RSA_* and ECC_NIST_P256/P384/P521 and ECC_SECG_P256K1 keys."
    )
    for name, spec in KEY_SPECS.items()
    if spec.family in ("ml_dsa", "ml_kem") or name == "ECC_NIST_EDWARDS25519"
}

#: The key specs a key with Origin EXTERNAL can have here.
IMPORTABLE_KEY_SPECS: Final[tuple[str, ...]] = tuple(n for n in KEY_SPECS if n not in IMPORT_REFUSALS)

#: Imported HMAC key material: (fewest, most) bytes per key spec. AWS was recorded accepting exactly 28/32/48/64
#: bytes (reference §2.5, test_import_key_hmac_keys); the range, from the hash's output length to its block size, is
#: LocalStack's (HMAC_RANGE_KEY_LENGTHS): AWS's own bounds are not recorded.
IMPORTED_HMAC_KEY_BYTES: Final[dict[str, tuple[int, int]]] = {
    "HMAC_224": (28, 64),
    "HMAC_256": (32, 64),
    "HMAC_384": (48, 128),
    "HMAC_512": (64, 128),
}

#: The RSA wrapping key specs (GetParametersForImport's WrappingKeySpec) RSAES_OAEP_SHA_1/256 can wrap each
#: importable spec's key material with; RSA_AES_KEY_WRAP_SHA_1/256 wrap every kind with every wrapping key
#: (API_GetParametersForImport, WrappingAlgorithm: "To import an RSA private key, you must use an RSA_AES wrapping
#: algorithm"; "You cannot use the RSAES_OAEP_SHA_256 wrapping algorithm with the RSA_2048 wrapping key spec to wrap
#: ECC_NIST_P521 key material" — its 241-byte PKCS #8 key exceeds the 214/190-byte OAEP limit of RSA_2048).
IMPORT_OAEP_WRAPPING_KEYS: Final[dict[str, tuple[str, ...]]] = {
    name: ()
    if KEY_SPECS[name].family == "rsa"
    else ("RSA_3072", "RSA_4096")
    if name == "ECC_NIST_P521"
    else ("RSA_2048", "RSA_3072", "RSA_4096")
    for name in IMPORTABLE_KEY_SPECS
}
