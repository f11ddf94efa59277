"""Ed25519 (ECC_NIST_EDWARDS25519) and ML-DSA (ML_DSA_44/65/87) signing keys, verified outside kmssim.

Rules: API_Sign / API_Verify (MessageType), API_GetPublicKey, API_GenerateDataKeyPair, and
https://docs.aws.amazon.com/kms/latest/developerguide/mldsa.html; facts gathered in
/work/shared/reference/kms-advanced-keys.md §4.2-4.3. Ed25519ph has no implementation in ``cryptography``: its
signatures are checked against RFC 8032 §7.3's published test vector and by the double-hash rule AWS documents.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import kmssim
from kmssim import _crypto as c
from kmssim._crypto import _ed25519ph, _mldsa

from .conftest import error_code, error_message

ED = "ECC_NIST_EDWARDS25519"
# FIPS 204 Table 2 sizes; SPKI = raw key + 22 bytes of DER (reference §4.3, checked with cryptography 50).
ML_DSA_SIZES = {
    "ML_DSA_44": (1312, 1334, 2420),
    "ML_DSA_65": (1952, 1974, 3309),
    "ML_DSA_87": (2592, 2614, 4627),
}
SEED = bytes(range(32))


def _signing_key(kms: Any, spec: str) -> str:
    return str(kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"])


def _public(kms: Any, key: str) -> Any:
    return serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])


# ---------------------------------------------------------------------------------------------------- Ed25519


def test_ed25519_key_metadata_and_public_key(kms: Any) -> None:
    """API_KeyMetadata SigningAlgorithms for ECC_NIST_EDWARDS25519; GetPublicKey: a 44-byte SPKI (RFC 8410)."""
    key = _signing_key(kms, ED)
    md = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert md["SigningAlgorithms"] == ["ED25519_SHA_512", "ED25519_PH_SHA_512"] and md["KeySpec"] == ED
    der = kms.get_public_key(KeyId=key)["PublicKey"]
    assert len(der) == 44 and der.startswith(bytes.fromhex("302a300506032b6570032100"))
    assert isinstance(serialization.load_der_public_key(der), ed25519.Ed25519PublicKey)


def test_ed25519_raw_signature_verifies_outside_kms(kms: Any) -> None:
    """API_Sign: ED25519_SHA_512 with MessageType RAW is pure Ed25519 (RFC 8032), verifiable with the public key."""
    key = _signing_key(kms, ED)
    out = kms.sign(KeyId=key, Message=b"hello", SigningAlgorithm="ED25519_SHA_512", MessageType="RAW")
    assert len(out["Signature"]) == 64
    _public(kms, key).verify(out["Signature"], b"hello")
    with pytest.raises(InvalidSignature):
        _public(kms, key).verify(out["Signature"], b"hellO")
    ok = kms.verify(
        KeyId=key, Message=b"hello", Signature=out["Signature"], SigningAlgorithm="ED25519_SHA_512"
    )
    assert ok["SignatureValid"] is True


def test_ed25519ph_matches_rfc_8032_test_vector() -> None:
    """RFC 8032 §7.3 (Ed25519ph, message "abc"): the implementation behind ED25519_PH_SHA_512."""
    private = bytes.fromhex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
    public = bytes.fromhex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf")
    signature = bytes.fromhex(
        "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
        "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
    )
    assert _ed25519ph.public_key(private) == public
    assert _ed25519ph.sign(private, b"abc") == signature
    assert _ed25519ph.verify(public, b"abc", signature)
    assert not _ed25519ph.verify(public, b"abd", signature)
    assert not _ed25519ph.verify(public, b"abc", signature[:63] + bytes([signature[63] ^ 1]))
    assert not _ed25519ph.verify(public, b"abc", signature[:32])


def test_ed25519ph_digest_is_hashed_again(kms: Any) -> None:
    """API_Sign MessageType: with ED25519_PH_SHA_512 and DIGEST "KMS still performs the SHA-512 prehash ... the
    input is hashed twice", so the signature is Ed25519ph (RFC 8032) *of the 64-byte digest*, checked here with the
    key's GetPublicKey key; it is not a pure Ed25519 signature of the digest."""
    key = _signing_key(kms, ED)
    digest = hashlib.sha512(b"a document").digest()
    sig = kms.sign(KeyId=key, Message=digest, MessageType="DIGEST", SigningAlgorithm="ED25519_PH_SHA_512")[
        "Signature"
    ]
    public = _public(kms, key)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert _ed25519ph.verify(raw, digest, sig)
    assert not _ed25519ph.verify(raw, b"a document", sig)  # not Ed25519ph of the document itself
    with pytest.raises(InvalidSignature):
        public.verify(sig, digest)  # not pure Ed25519 either
    args = {
        "KeyId": key,
        "Message": digest,
        "MessageType": "DIGEST",
        "SigningAlgorithm": "ED25519_PH_SHA_512",
    }
    assert kms.verify(Signature=sig, **args)["SignatureValid"] is True
    with pytest.raises(kms.exceptions.KMSInvalidSignatureException):
        kms.verify(Signature=sig[:-1] + bytes([sig[-1] ^ 1]), **args)


@pytest.mark.parametrize(
    ("algorithm", "message_type", "message", "text"),
    [
        ("ED25519_SHA_512", "DIGEST", bytes(64), "ED25519_SHA_512 requires MessageType RAW."),
        ("ED25519_PH_SHA_512", "RAW", b"hello", "ED25519_PH_SHA_512 requires MessageType DIGEST."),
        (
            "ED25519_PH_SHA_512",
            "DIGEST",
            bytes(32),
            "Digest is invalid length for algorithm ED25519_PH_SHA_512.",
        ),
        ("ED25519_SHA_512", "EXTERNAL_MU", bytes(64), "ED25519_SHA_512 requires MessageType RAW."),
    ],
)
def test_ed25519_message_type_rules(
    kms: Any, algorithm: str, message_type: str, message: bytes, text: str
) -> None:
    """API_Sign MessageType: ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512 requires DIGEST, and a DIGEST must be
    as long as the hash (SHA-512: 64 bytes). AWS's wording is unrecorded; the error code is ValidationException."""
    key = _signing_key(kms, ED)
    with pytest.raises(ClientError) as e:
        kms.sign(KeyId=key, Message=message, MessageType=message_type, SigningAlgorithm=algorithm)
    assert (error_code(e), error_message(e)) == ("ValidationException", text)


def test_ed25519_is_sign_verify_only_and_rejects_other_algorithms(kms: Any) -> None:
    """API_CreateKey KeyUsage: Ed25519 keys are SIGN_VERIFY only; a signing algorithm of another spec is
    InvalidKeyUsageException."""
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec=ED, KeyUsage="ENCRYPT_DECRYPT")
    assert error_code(e) == "ValidationException"
    key = _signing_key(kms, ED)
    with pytest.raises(ClientError) as e:
        kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    assert error_code(e) == "InvalidKeyUsageException"


def test_ed25519_data_key_pair(kms: Any, key_id: str) -> None:
    """API_GenerateDataKeyPair KeyPairSpec ECC_NIST_EDWARDS25519: a PKCS #8 private key and its SPKI public key."""
    out = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=ED)
    private = serialization.load_der_private_key(out["PrivateKeyPlaintext"], password=None)
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    assert (
        private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == out["PublicKey"]
    )
    plain = kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"])["Plaintext"]
    assert plain == out["PrivateKeyPlaintext"]


# ---------------------------------------------------------------------------------------------------- ML-DSA


def _mu(public_raw: bytes, message: bytes) -> bytes:
    """μ as AWS's ML-DSA blog computes it (FIPS 204 §6.2, pure mode, empty context), with hashlib only."""
    tr = hashlib.shake_256(public_raw).digest(64)
    return hashlib.shake_256(tr + b"\x00\x00" + message).digest(64)


@pytest.mark.parametrize("spec", sorted(ML_DSA_SIZES))
def test_ml_dsa_raw_signature_verifies_outside_kms(kms: Any, spec: str) -> None:
    """mldsa.html: pure ML-DSA (FIPS 204) with ML_DSA_SHAKE_256 and RAW messages; GetPublicKey's SPKI and the
    signature have FIPS 204's sizes; the signature verifies with ``cryptography``."""
    raw_len, spki_len, sig_len = ML_DSA_SIZES[spec]
    key = _signing_key(kms, spec)
    md = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert md["SigningAlgorithms"] == ["ML_DSA_SHAKE_256"] and md["KeyUsage"] == "SIGN_VERIFY"
    der = kms.get_public_key(KeyId=key)["PublicKey"]
    public = serialization.load_der_public_key(der)
    assert len(der) == spki_len and len(public.public_bytes_raw()) == raw_len  # type: ignore[union-attr]
    message = b"quantum-safe hello" * 10
    sig = kms.sign(KeyId=key, Message=message, SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    assert len(sig) == sig_len
    public.verify(sig, message)  # type: ignore[union-attr, call-arg]
    with pytest.raises(InvalidSignature):
        public.verify(sig, message + b"!")  # type: ignore[union-attr, call-arg]
    assert kms.verify(KeyId=key, Message=message, Signature=sig, SigningAlgorithm="ML_DSA_SHAKE_256")[
        "SignatureValid"
    ]


def test_ml_dsa_external_mu_signs_the_callers_mu(kms: Any) -> None:
    """API_Sign MessageType EXTERNAL_MU: a 64-byte μ (FIPS 204 §6.2) that KMS signs without hashing; the signature is
    an ordinary ML-DSA signature of the message μ was computed from (mldsa.html)."""
    key = _signing_key(kms, "ML_DSA_65")
    public = _public(kms, key)
    message = b"a message too long to send" * 400
    mu = _mu(public.public_bytes_raw(), message)
    sig = kms.sign(KeyId=key, Message=mu, MessageType="EXTERNAL_MU", SigningAlgorithm="ML_DSA_SHAKE_256")[
        "Signature"
    ]
    public.verify(sig, message)
    public.verify_mu(sig, mu)
    args = {"KeyId": key, "Message": mu, "MessageType": "EXTERNAL_MU", "SigningAlgorithm": "ML_DSA_SHAKE_256"}
    assert kms.verify(Signature=sig, **args)["SignatureValid"] is True
    with pytest.raises(kms.exceptions.KMSInvalidSignatureException):
        kms.verify(Signature=sig, **{**args, "Message": bytes(64)})
    short = kms.sign(KeyId=key, Message=b"short", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    assert kms.verify(Signature=short, **{**args, "Message": _mu(public.public_bytes_raw(), b"short")})[
        "SignatureValid"
    ]  # RAW and EXTERNAL_MU signatures are interchangeable


@pytest.mark.parametrize(
    ("spec", "algorithm", "message_type", "message", "text"),
    [
        ("ML_DSA_44", "ML_DSA_SHAKE_256", "EXTERNAL_MU", bytes(32), "Message must be 64 bytes"),
        ("ML_DSA_44", "ML_DSA_SHAKE_256", "DIGEST", bytes(64), "MessageType DIGEST is not supported"),
        (
            "ECC_NIST_P256",
            "ECDSA_SHA_256",
            "EXTERNAL_MU",
            bytes(64),
            "MessageType EXTERNAL_MU is not supported",
        ),
    ],
)
def test_ml_dsa_message_type_rules(
    kms: Any, spec: str, algorithm: str, message_type: str, message: bytes, text: str
) -> None:
    """API_Sign MessageType: EXTERNAL_MU must be 64 bytes and is for ML-DSA only; DIGEST is not an ML-DSA option
    (mldsa.html lists RAW and EXTERNAL_MU). Wording unrecorded; the code is ValidationException."""
    key = _signing_key(kms, spec)
    with pytest.raises(ClientError) as e:
        kms.sign(KeyId=key, Message=message, MessageType=message_type, SigningAlgorithm=algorithm)
    assert error_code(e) == "ValidationException" and text in error_message(e)


def test_ml_dsa_usage_and_algorithm_checks(kms: Any) -> None:
    """API_CreateKey: ML-DSA keys are SIGN_VERIFY only; another spec's algorithm is InvalidKeyUsageException."""
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec="ML_DSA_87", KeyUsage="ENCRYPT_DECRYPT")
    assert error_code(e) == "ValidationException"
    key = _signing_key(kms, "ML_DSA_87")
    with pytest.raises(ClientError) as e:
        kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ED25519_SHA_512")
    assert (error_code(e), error_message(e)) == (
        "InvalidKeyUsageException",
        "Algorithm ED25519_SHA_512 is incompatible with key spec ML_DSA_87.",
    )


# ---------------------------------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("spec", ["ML_DSA_44", "ML_DSA_65", "ML_DSA_87"])
def test_ml_dsa_key_is_derived_from_the_material_seed(spec: str) -> None:
    """Like RSA/ECC keys, the key is a function of the 32-byte material seed: ξ = HKDF(seed, "kmssim/v1/ml-dsa/<SPEC>")."""
    cls = {
        "ML_DSA_44": mldsa.MLDSA44PrivateKey,
        "ML_DSA_65": mldsa.MLDSA65PrivateKey,
        "ML_DSA_87": mldsa.MLDSA87PrivateKey,
    }
    xi = HKDF(hashes.SHA256(), 32, None, f"kmssim/v1/ml-dsa/{spec}".encode()).derive(SEED)
    expected = cls[spec].from_seed_bytes(xi).public_key()
    der = expected.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert c.public_key_der(SEED, spec) == der
    assert c.ml_dsa_private_key(SEED, spec).private_bytes_raw() == xi
    with pytest.raises(kmssim.UnsupportedOperationException):
        c.private_key(SEED, spec)  # the classic-key accessor stays RSA/ECC/Ed25519


def test_seeded_simulators_give_the_same_public_keys() -> None:
    """Determinism when seeded: the same seed gives the same key IDs and public keys for the new specs."""

    def run() -> list[bytes]:
        kms = kmssim.Simulator(seed=7).client("kms")
        keys = [_signing_key(kms, s) for s in (ED, "ML_DSA_44")]
        keys.append(
            str(
                kms.create_key(KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"][
                    "KeyId"
                ]
            )
        )
        return [k.encode() + kms.get_public_key(KeyId=k)["PublicKey"] for k in keys]

    assert run() == run()


@pytest.mark.parametrize("spec", ["ML_DSA_44", "ML_DSA_65", "ML_DSA_87"])
def test_ml_dsa_signer_written_here_agrees_with_cryptography(spec: str) -> None:
    """FIPS 204 signing (``_crypto._mldsa``, written here so ``rnd`` can come from a seeded source): key generation
    from ξ gives ``cryptography``'s public key, and every signature verifies with ``cryptography``; the same random
    source gives the same signature, another gives another (hedged signing, FIPS 204 §3.4)."""
    for i in range(3):
        seed = hashlib.sha256(f"{spec}/{i}".encode()).digest()
        public = c.ml_dsa_private_key(seed, spec).public_key()
        xi = c.ml_dsa_private_key(seed, spec).private_bytes_raw()
        assert _mldsa.expand(xi, spec).public == public.public_bytes_raw()
        message = f"message {i}".encode()
        sig = c.sign(seed, spec, "ML_DSA_SHAKE_256", message, "RAW", c.SeededRandom(i))
        public.verify(sig, message)
        assert sig == c.sign(seed, spec, "ML_DSA_SHAKE_256", message, "RAW", c.SeededRandom(i))
        assert sig != c.sign(seed, spec, "ML_DSA_SHAKE_256", message, "RAW", c.SeededRandom(i + 100))
        mu = _mu(public.public_bytes_raw(), message)
        assert _mldsa.mu(public.public_bytes_raw(), message) == mu
        public.verify(c.sign(seed, spec, "ML_DSA_SHAKE_256", mu, "EXTERNAL_MU", c.SeededRandom(i)), message)


def test_seeded_simulators_sign_ml_dsa_the_same() -> None:
    """Determinism when seeded: ML-DSA's hedging randomness comes from the simulator's random source."""

    def run(seed: int) -> bytes:
        kms = kmssim.Simulator(seed=seed).client("kms")
        key = _signing_key(kms, "ML_DSA_44")
        return bytes(kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"])

    assert run(9) == run(9)
    assert run(9) != run(10)
