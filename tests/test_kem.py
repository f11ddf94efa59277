"""ML-KEM keys (ENCAPSULATE_DECAPSULATE): Encapsulate and Decapsulate, checked against ML-KEM outside kmssim.

Rules: https://docs.aws.amazon.com/kms/latest/APIReference/API_Encapsulate.html and API_Decapsulate.html,
API_GetPublicKey, API_GenerateDataKeyPair; sizes from FIPS 203 (reference kms-advanced-keys.md §4.4).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import mlkem
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

import kmssim
from kmssim import _crypto as c
from kmssim._crypto import _mlkem

from .conftest import error_code, error_message

# FIPS 203 Table 3 ciphertext sizes; SPKI sizes measured with cryptography 50 (reference §4.4).
SIZES = {"ML_KEM_768": (1088, 1206), "ML_KEM_1024": (1568, 1590)}


def _kem_key(kms: Any, spec: str = "ML_KEM_768") -> str:
    return str(kms.create_key(KeySpec=spec, KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]["KeyId"])


@pytest.mark.parametrize("spec", sorted(SIZES))
def test_secret_encapsulated_outside_kms_decapsulates_in_kms(kms: Any, spec: str) -> None:
    """API_Decapsulate: the public key from GetPublicKey encapsulates outside KMS (FIPS 203 ML-KEM.Encaps, here
    ``cryptography``); KMS decapsulates the ciphertext to the same 32-byte secret."""
    ct_len, spki_len = SIZES[spec]
    key = _kem_key(kms, spec)
    der = kms.get_public_key(KeyId=key)["PublicKey"]
    assert len(der) == spki_len
    public = serialization.load_der_public_key(der)
    assert isinstance(public, mlkem.MLKEM768PublicKey | mlkem.MLKEM1024PublicKey)
    secret, ciphertext = public.encapsulate()
    assert len(ciphertext) == ct_len
    out = kms.decapsulate(KeyId=key, SharedSecretCiphertextBlob=ciphertext, EncapsulationAlgorithm="ML_KEM")
    assert out["SharedSecret"] == secret and len(secret) == 32
    assert out["EncapsulationAlgorithm"] == "ML_KEM" and out["KeyId"].endswith(key)


@pytest.mark.parametrize("spec", sorted(SIZES))
def test_encapsulate_then_decapsulate(kms: Any, spec: str) -> None:
    """API_Encapsulate: a 32-byte shared secret and its ciphertext; Decapsulate of that ciphertext gives the secret."""
    key = _kem_key(kms, spec)
    out = kms.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM")
    assert len(out["SharedSecret"]) == 32 and len(out["SharedSecretCiphertextBlob"]) == SIZES[spec][0]
    back = kms.decapsulate(
        KeyId=key,
        SharedSecretCiphertextBlob=out["SharedSecretCiphertextBlob"],
        EncapsulationAlgorithm="ML_KEM",
    )
    assert back["SharedSecret"] == out["SharedSecret"]


def test_encapsulation_is_to_the_keys_public_key() -> None:
    """The ciphertext Encapsulate returns decapsulates with the private key behind GetPublicKey (checked with
    ``cryptography`` on the key derived from the same material seed)."""
    seed = bytes(range(32))
    secret, ciphertext = c.ml_kem_encapsulate(seed, "ML_KEM_1024", c.SeededRandom(3))
    d_z = HKDF(hashes.SHA256(), 64, None, b"kmssim/v1/ml-kem/ML_KEM_1024").derive(seed)
    outside = mlkem.MLKEM1024PrivateKey.from_seed_bytes(d_z)
    assert outside.decapsulate(ciphertext) == secret
    der = outside.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert c.public_key_der(seed, "ML_KEM_1024") == der


def test_wrong_length_ciphertext_is_invalid_ciphertext(kms: Any) -> None:
    """API_Decapsulate: a ciphertext whose length does not fit the key spec is InvalidCiphertextException."""
    key = _kem_key(kms)
    blob = kms.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM")["SharedSecretCiphertextBlob"]
    for bad in (blob[:-1], blob + b"\x00", b"x"):
        with pytest.raises(ClientError) as e:
            kms.decapsulate(KeyId=key, SharedSecretCiphertextBlob=bad, EncapsulationAlgorithm="ML_KEM")
        assert error_code(e) == "InvalidCiphertextException"


def test_altered_or_foreign_ciphertext_gives_an_unrelated_secret_without_error(kms: Any) -> None:
    """API_Decapsulate (implicit rejection, FIPS 203): a right-length ciphertext that is altered, or made for another
    key, returns a pseudo-random 32-byte value, not an error, and the same value each time."""
    key, other = _kem_key(kms), _kem_key(kms)
    out = kms.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM")
    blob = out["SharedSecretCiphertextBlob"]
    altered = blob[:-1] + bytes([blob[-1] ^ 1])
    args = {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"}
    first = kms.decapsulate(SharedSecretCiphertextBlob=altered, **args)["SharedSecret"]
    assert len(first) == 32 and first != out["SharedSecret"]
    assert kms.decapsulate(SharedSecretCiphertextBlob=altered, **args)["SharedSecret"] == first
    foreign = kms.decapsulate(KeyId=other, SharedSecretCiphertextBlob=blob, EncapsulationAlgorithm="ML_KEM")
    assert foreign["SharedSecret"] != out["SharedSecret"]


def test_key_metadata_lists_encapsulation_algorithms(kms: Any) -> None:
    """API_KeyMetadata / API_GetPublicKey: ML-KEM keys list EncapsulationAlgorithms [ML_KEM] and no others."""
    key = _kem_key(kms, "ML_KEM_1024")
    md = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert md["EncapsulationAlgorithms"] == ["ML_KEM"] and md["KeyUsage"] == "ENCAPSULATE_DECAPSULATE"
    assert "KeyAgreementAlgorithms" not in md and "SigningAlgorithms" not in md
    assert kms.get_public_key(KeyId=key)["EncapsulationAlgorithms"] == ["ML_KEM"]


@pytest.mark.parametrize("operation", ["Encapsulate", "Decapsulate"])
def test_wrong_key_usage(sim: kmssim.Simulator, kms: Any, operation: str) -> None:
    """InvalidKeyUsageException with AWS's wording for other operations (``<key-arn> key usage is <USAGE> which is
    not valid for <Operation>.``, recorded in ``test_error_messaging_for_invalid_keys``)."""
    md = kms.create_key()["KeyMetadata"]
    params: dict[str, Any] = {"KeyId": md["KeyId"], "EncapsulationAlgorithm": "ML_KEM"}
    if operation == "Decapsulate":
        params["SharedSecretCiphertextBlob"] = bytes(1088)
    with pytest.raises(kmssim.InvalidKeyUsageException) as e:
        sim.call(operation, params)
    assert e.value.message == f"{md['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for {operation}."


def test_ml_kem_key_cannot_sign_or_encrypt(kms: Any) -> None:
    """API_CreateKey: ML-KEM keys take only ENCAPSULATE_DECAPSULATE; Sign on one is InvalidKeyUsageException."""
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec="ML_KEM_768", KeyUsage="SIGN_VERIFY")
    assert error_code(e) == "ValidationException"
    key = _kem_key(kms)
    with pytest.raises(ClientError) as e:
        kms.sign(KeyId=key, Message=b"m", SigningAlgorithm="ML_DSA_SHAKE_256")
    assert error_code(e) == "InvalidKeyUsageException"


def test_key_state_dry_run_and_alias(kms: Any) -> None:
    """API_Encapsulate / API_Decapsulate: KeyId may be an alias name ("key ID, key ARN, alias name, or alias ARN");
    DryRun answers DryRunOperationException; a disabled key is DisabledException (key-state table)."""
    key = _kem_key(kms)
    kms.create_alias(AliasName="alias/kem", TargetKeyId=key)
    out = kms.encapsulate(KeyId="alias/kem", EncapsulationAlgorithm="ML_KEM")
    back = kms.decapsulate(
        KeyId="alias/kem",
        SharedSecretCiphertextBlob=out["SharedSecretCiphertextBlob"],
        EncapsulationAlgorithm="ML_KEM",
    )
    assert back["SharedSecret"] == out["SharedSecret"] and back["KeyId"].endswith(key)
    with pytest.raises(ClientError) as e:
        kms.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM", DryRun=True)
    assert error_code(e) == "DryRunOperationException"
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as e:
        kms.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM")
    assert error_code(e) == "DisabledException"


def test_ml_kem_512_is_refused_with_its_reason(kms: Any) -> None:
    """ML_KEM_512 is in botocore's KeySpec enum; ``cryptography`` 50 has no ML-KEM-512, so kmssim refuses it."""
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec="ML_KEM_512", KeyUsage="ENCAPSULATE_DECAPSULATE")
    assert error_code(e) == "UnsupportedOperationException"
    assert "ML-KEM-768 and ML-KEM-1024 only" in error_message(e)


@pytest.mark.parametrize("spec", ["ML_KEM_768", "ML_KEM_1024"])
def test_ml_kem_data_key_pair_is_seed_form_pkcs8(kms: Any, key_id: str, spec: str) -> None:
    """API_GenerateDataKeyPair: ML-KEM private keys are PKCS #8 in seed form (the same length for every spec)."""
    out = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=spec)
    assert len(out["PrivateKeyPlaintext"]) == 86
    private = serialization.load_der_private_key(out["PrivateKeyPlaintext"], password=None)
    assert isinstance(private, mlkem.MLKEM768PrivateKey | mlkem.MLKEM1024PrivateKey)
    public = serialization.load_der_public_key(out["PublicKey"])
    secret, ct = public.encapsulate()  # type: ignore[union-attr]
    assert private.decapsulate(ct) == secret


def test_grant_can_allow_encapsulate(kms: Any) -> None:
    """API_CreateGrant Operations: Encapsulate and Decapsulate are grant operations for ML-KEM keys."""
    key = _kem_key(kms)
    grantee = "arn:aws:iam::111122223333:root"
    kms.create_grant(KeyId=key, GranteePrincipal=grantee, Operations=["Encapsulate", "Decapsulate"])
    with pytest.raises(ClientError) as e:
        kms.create_grant(KeyId=key, GranteePrincipal=grantee, Operations=["Encrypt"])
    assert error_code(e) == "ValidationException"


@pytest.mark.parametrize("spec", sorted(SIZES))
def test_encapsulation_written_here_decapsulates_in_cryptography(spec: str) -> None:
    """FIPS 203 ML-KEM.Encaps (``_crypto._mlkem``, written here so ``m`` can come from a seeded source): for many
    ``m``, ``cryptography``'s ML-KEM.Decaps of the ciphertext gives the same shared secret (an error anywhere in the
    encryption would give the implicit-rejection value instead)."""
    cls = mlkem.MLKEM768PrivateKey if spec == "ML_KEM_768" else mlkem.MLKEM1024PrivateKey
    rng = c.SeededRandom(spec.encode())
    for _ in range(12):
        private = cls.from_seed_bytes(rng.bytes(64))
        m = rng.bytes(32)
        secret, ciphertext = _mlkem.encapsulate(private.public_key().public_bytes_raw(), spec, m)
        assert private.decapsulate(ciphertext) == secret
        assert _mlkem.encapsulate(private.public_key().public_bytes_raw(), spec, m) == (secret, ciphertext)
    with pytest.raises(ValueError):
        _mlkem.encapsulate(private.public_key().public_bytes_raw(), spec, m[:31])


def test_seeded_simulators_encapsulate_the_same_secret() -> None:
    """Determinism when seeded: Encapsulate draws its randomness from the simulator's random source."""

    def run(seed: int) -> tuple[bytes, bytes]:
        kms = kmssim.Simulator(seed=seed).client("kms")
        key = _kem_key(kms)
        out = kms.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM")
        return out["SharedSecret"], out["SharedSecretCiphertextBlob"]

    assert run(5) == run(5)
    assert run(5) != run(6)
