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
