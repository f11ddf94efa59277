"""Cryptographic operations through the boto3 client, checked with the `cryptography` package where possible.

Rules: https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html, API_Decrypt.html, API_Sign.html,
API_GenerateDataKey.html, API_GenerateDataKeyPair.html, API_GenerateMac.html, API_GetPublicKey.html.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

import kmssim

from .conftest import error_code, error_message


def test_symmetric_round_trip_with_context(kms: Any, key_id: str) -> None:
    ctx = {"purpose": "test", "tenant": "42"}
    out = kms.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionContext=ctx)
    assert out["KeyId"].endswith(key_id) and out["KeyId"].startswith("arn:aws:kms:")
    assert out["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext=dict(reversed(ctx.items())))
    assert back["Plaintext"] == b"secret" and back["KeyId"] == out["KeyId"]
    assert len(back["KeyMaterialId"]) == 64


@pytest.mark.parametrize(
    "ctx", [{}, {"purpose": "TEST"}, {"purpose": "test", "extra": "1"}, {"Purpose": "test"}]
)
def test_wrong_context_fails(kms: Any, key_id: str, ctx: dict[str, str]) -> None:
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"secret", EncryptionContext={"purpose": "test"})[
        "CiphertextBlob"
    ]
    with pytest.raises(kms.exceptions.InvalidCiphertextException) as e:
        kms.decrypt(CiphertextBlob=blob, EncryptionContext=ctx)
    assert error_message(e) == ""


def test_encrypt_by_alias_returns_key_arn(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    out = kms.encrypt(KeyId="alias/app", Plaintext=b"x")
    assert out["KeyId"] == kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


def test_decrypt_with_wrong_key_id(kms: Any, key_id: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    with pytest.raises(kms.exceptions.IncorrectKeyException) as e:
        kms.decrypt(CiphertextBlob=blob, KeyId=other)
    assert (
        error_message(e)
        == "The key ID in the request does not identify a CMK that can perform this operation."
    )
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key_id)["Plaintext"] == b"x"


def test_garbage_ciphertext(kms: Any) -> None:
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=b"not a kms ciphertext at all")


def test_plaintext_limit(kms: Any, key_id: str) -> None:
    kms.encrypt(KeyId=key_id, Plaintext=b"x" * 4096)
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x" * 4097)
    assert error_code(e) == "ValidationException"
    assert (
        "at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
        in (error_message(e))
    )


def test_rotation_keeps_old_material_usable(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    before = kms.encrypt(KeyId=key_id, Plaintext=b"old")
    kms.rotate_key_on_demand(KeyId=key_id)
    after = kms.encrypt(KeyId=key_id, Plaintext=b"new")
    old_material = kms.decrypt(CiphertextBlob=before["CiphertextBlob"])["KeyMaterialId"]
    new_material = kms.decrypt(CiphertextBlob=after["CiphertextBlob"])["KeyMaterialId"]
    assert old_material != new_material
    assert kms.decrypt(CiphertextBlob=before["CiphertextBlob"])["Plaintext"] == b"old"
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == new_material


def test_reencrypt(kms: Any, key_id: str) -> None:
    dest = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"move me", EncryptionContext={"a": "1"})["CiphertextBlob"]
    out = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"a": "1"},
        DestinationKeyId=dest,
        DestinationEncryptionContext={"b": "2"},
    )
    assert out["SourceKeyId"].endswith(key_id) and out["KeyId"].endswith(dest)
    plain = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"b": "2"})
    assert plain["Plaintext"] == b"move me" and plain["KeyId"].endswith(dest)


def test_generate_data_key(kms: Any, key_id: str) -> None:
    out = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext={"f": "1"})
    assert len(out["Plaintext"]) == 32
    again = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"f": "1"})
    assert again["Plaintext"] == out["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key_id, NumberOfBytes=64)["Plaintext"]) == 64
    bare = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_128")
    assert "Plaintext" not in bare
    assert len(kms.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == 16


@pytest.mark.parametrize("args", [{}, {"KeySpec": "AES_256", "NumberOfBytes": 32}])
def test_generate_data_key_needs_exactly_one_size(kms: Any, key_id: str, args: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as e:
        kms.generate_data_key(KeyId=key_id, **args)
    assert error_code(e) == "ValidationException"


def test_generate_data_key_refuses_asymmetric(kms: Any) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.generate_data_key(KeyId=rsa_key, KeySpec="AES_256")


@pytest.mark.parametrize("pair_spec", ["RSA_2048", "ECC_NIST_P256", "ECC_SECG_P256K1"])
def test_generate_data_key_pair(kms: Any, key_id: str, pair_spec: str) -> None:
    out = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=pair_spec)
    private = serialization.load_der_private_key(out["PrivateKeyPlaintext"], password=None)
    public = serialization.load_der_public_key(out["PublicKey"])
    assert private.public_key().public_bytes(  # type: ignore[union-attr]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert (
        kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"])["Plaintext"] == out["PrivateKeyPlaintext"]
    )
    bare = kms.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec=pair_spec)
    assert "PrivateKeyPlaintext" not in bare and bare["KeyPairSpec"] == pair_spec


@pytest.mark.parametrize("n", [1, 1024])
def test_generate_random(kms: Any, n: int) -> None:
    assert len(kms.generate_random(NumberOfBytes=n)["Plaintext"]) == n


def test_generate_random_bounds(kms: Any) -> None:
    with pytest.raises(ClientError) as e:
        kms.generate_random(NumberOfBytes=1025)
    assert error_code(e) == "ValidationException"
    assert "Member must have value less than or equal to 1024" in error_message(e)
    with pytest.raises(ClientError) as e:
        kms.generate_random()
    assert error_message(e) == "NumberOfBytes is required."


@pytest.mark.parametrize(
    ("spec", "algorithm", "limit"),
    [
        ("RSA_2048", "RSAES_OAEP_SHA_1", 214),
        ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
        ("RSA_3072", "RSAES_OAEP_SHA_256", 318),
    ],
)
def test_rsa_encryption_and_limits(kms: Any, spec: str, algorithm: str, limit: int) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"p" * limit, EncryptionAlgorithm=algorithm)["CiphertextBlob"]
    out = kms.decrypt(CiphertextBlob=blob, KeyId=key, EncryptionAlgorithm=algorithm)
    assert out["Plaintext"] == b"p" * limit
    with pytest.raises(ClientError) as e:
        kms.encrypt(KeyId=key, Plaintext=b"p" * (limit + 1), EncryptionAlgorithm=algorithm)
    assert error_message(e) == (
        f"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {limit} bytes."
    )


def test_offline_rsa_encryption_decrypts_in_kms(kms: Any) -> None:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    blob = public.encrypt(
        b"offline", padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    )
    out = kms.decrypt(CiphertextBlob=blob, KeyId=key, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert out["Plaintext"] == b"offline"


def test_symmetric_algorithm_on_rsa_key(kms: Any) -> None:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as e:
        kms.encrypt(KeyId=key, Plaintext=b"x")
    assert error_message(e) == "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."


def _hash(alg: str) -> hashes.HashAlgorithm:
    bits = alg[-3:]
    return {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}[bits]


SIGNING = [
    ("RSA_2048", "RSASSA_PSS_SHA_256"),
    ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384"),
    ("RSA_2048", "RSASSA_PSS_SHA_512"),
    ("ECC_NIST_P256", "ECDSA_SHA_256"),
    ("ECC_NIST_P384", "ECDSA_SHA_384"),
    ("ECC_NIST_P521", "ECDSA_SHA_512"),
    ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
]


@pytest.mark.parametrize(("spec", "algorithm"), SIGNING)
@pytest.mark.parametrize("message_type", ["RAW", "DIGEST"])
def test_sign_verify_and_offline_check(kms: Any, spec: str, algorithm: str, message_type: str) -> None:
    key = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    h = _hash(algorithm)
    message = b"sign me"
    digest = hashlib.new(h.name, message).digest()
    payload = message if message_type == "RAW" else digest
    sig = kms.sign(KeyId=key, Message=payload, MessageType=message_type, SigningAlgorithm=algorithm)[
        "Signature"
    ]
    ok = kms.verify(
        KeyId=key, Message=payload, MessageType=message_type, Signature=sig, SigningAlgorithm=algorithm
    )
    assert ok["SignatureValid"] is True
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    if isinstance(public, rsa.RSAPublicKey):
        pad: padding.AsymmetricPadding = (
            padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size)
            if "PSS" in algorithm
            else padding.PKCS1v15()
        )
        public.verify(sig, digest, pad, Prehashed(h))
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(sig, digest, ec.ECDSA(Prehashed(h)))
    with pytest.raises(kms.exceptions.KMSInvalidSignatureException):
        kms.verify(
            KeyId=key,
            Message=payload[:-1] + b"?",
            MessageType=message_type,
            Signature=sig,
            SigningAlgorithm=algorithm,
        )


def test_digest_length_checked(kms: Any) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as e:
        kms.sign(KeyId=key, Message=b"short", MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")
    assert error_message(e) == "Digest is invalid length for algorithm ECDSA_SHA_256."


def test_wrong_operation_for_usage(kms: Any, key_id: str) -> None:
    signer = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as e:
        kms.encrypt(KeyId=signer["KeyId"], Plaintext=b"x")
    assert error_message(e) == f"{signer['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt."
    with pytest.raises(kms.exceptions.InvalidKeyUsageException):
        kms.sign(KeyId=key_id, Message=b"x", SigningAlgorithm="ECDSA_SHA_256")


@pytest.mark.parametrize("bits", [224, 256, 384, 512])
def test_hmac(kms: Any, bits: int) -> None:
    key = kms.create_key(KeySpec=f"HMAC_{bits}", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    mac = kms.generate_mac(KeyId=key, Message=b"m", MacAlgorithm=f"HMAC_SHA_{bits}")["Mac"]
    assert len(mac) == bits // 8
    assert (
        kms.verify_mac(KeyId=key, Message=b"m", Mac=mac, MacAlgorithm=f"HMAC_SHA_{bits}")["MacValid"] is True
    )
    with pytest.raises(kms.exceptions.KMSInvalidMacException):
        kms.verify_mac(KeyId=key, Message=b"n", Mac=mac, MacAlgorithm=f"HMAC_SHA_{bits}")
    wrong = 256 if bits != 256 else 384
    with pytest.raises(kms.exceptions.InvalidKeyUsageException) as e:
        kms.generate_mac(KeyId=key, Message=b"m", MacAlgorithm=f"HMAC_SHA_{wrong}")
    assert error_message(e) == f"Algorithm HMAC_SHA_{wrong} is incompatible with key spec HMAC_{bits}."


def test_get_public_key_of_symmetric_key_fails(kms: Any, key_id: str) -> None:
    with pytest.raises(kms.exceptions.UnsupportedOperationException):
        kms.get_public_key(KeyId=key_id)


def test_dry_run(sim: kmssim.Simulator, kms: Any, key_id: str) -> None:
    with pytest.raises(kms.exceptions.DryRunOperationException) as e:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", DryRun=True)
    assert error_message(e) == "The request would have succeeded, but the DryRun option is set."


def test_context_refused_for_asymmetric(kms: Any) -> None:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    with pytest.raises(ClientError) as e:
        kms.encrypt(
            KeyId=key, Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256", EncryptionContext={"a": "b"}
        )
    assert error_code(e) == "ValidationException"
