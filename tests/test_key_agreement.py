"""DeriveSharedSecret: ECDH with KEY_AGREEMENT keys, checked against ECDH computed outside kmssim.

Rules: https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html and the recorded AWS responses
of LocalStack's AWS-validated snapshot (``test_derive_shared_secret``, ``test_derive_shared_secret_matches_openssl``),
gathered in /work/shared/reference/kms-advanced-keys.md §4.1.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

import kmssim

from .conftest import error_code, error_message

CURVES = {
    "ECC_NIST_P256": (ec.SECP256R1(), 32),
    "ECC_NIST_P384": (ec.SECP384R1(), 48),
    "ECC_NIST_P521": (ec.SECP521R1(), 66),
}


def _spki(public: Any) -> bytes:
    return bytes(
        public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _agreement_key(kms: Any, spec: str = "ECC_NIST_P256") -> str:
    return str(kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeyId"])


@pytest.mark.parametrize("spec", sorted(CURVES))
def test_shared_secret_equals_ecdh_computed_outside_kms(kms: Any, spec: str) -> None:
    """API_DeriveSharedSecret: the raw ECDH secret (no KDF), equal to what the other party computes with the key's
    public key; recorded: AWS's secret equals OpenSSL's (``test_derive_shared_secret_matches_openssl``)."""
    curve, size = CURVES[spec]
    key = _agreement_key(kms, spec)
    peer = ec.generate_private_key(curve)
    out = kms.derive_shared_secret(
        KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=_spki(peer.public_key())
    )
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    assert isinstance(kms_public, ec.EllipticCurvePublicKey)
    assert out["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    assert len(out["SharedSecret"]) == size
    assert out["KeyAgreementAlgorithm"] == "ECDH" and out["KeyOrigin"] == "AWS_KMS"
    assert out["KeyId"].endswith(key) and out["KeyId"].startswith("arn:aws:kms:")
    other = ec.generate_private_key(curve)
    again = kms.derive_shared_secret(
        KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=_spki(other.public_key())
    )
    assert again["SharedSecret"] != out["SharedSecret"]


def test_two_kms_keys_agree_on_one_secret(kms: Any) -> None:
    """Two KEY_AGREEMENT keys derive the same secret from each other's public keys (``test_derive_shared_secret``)."""
    a, b = _agreement_key(kms), _agreement_key(kms)
    a_pub, b_pub = (kms.get_public_key(KeyId=k)["PublicKey"] for k in (a, b))
    ab = kms.derive_shared_secret(KeyId=a, KeyAgreementAlgorithm="ECDH", PublicKey=b_pub)["SharedSecret"]
    ba = kms.derive_shared_secret(KeyId=b, KeyAgreementAlgorithm="ECDH", PublicKey=a_pub)["SharedSecret"]
    assert ab == ba


def test_key_agreement_algorithms_in_describe_key_and_get_public_key(kms: Any) -> None:
    """API_KeyMetadata / API_GetPublicKey: KEY_AGREEMENT keys list KeyAgreementAlgorithms [ECDH] and no others."""
    key = _agreement_key(kms, "ECC_NIST_P384")
    md = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert md["KeyAgreementAlgorithms"] == ["ECDH"] and md["KeyUsage"] == "KEY_AGREEMENT"
    assert "SigningAlgorithms" not in md and "EncryptionAlgorithms" not in md
    pub = kms.get_public_key(KeyId=key)
    assert pub["KeyAgreementAlgorithms"] == ["ECDH"] and pub["KeyUsage"] == "KEY_AGREEMENT"


@pytest.mark.parametrize(
    ("create", "usage"),
    [
        ({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}, "SIGN_VERIFY"),
        ({}, "ENCRYPT_DECRYPT"),
    ],
)
def test_wrong_key_usage_is_aws_message(kms: Any, create: dict[str, str], usage: str) -> None:
    """Recorded (``test_derive_shared_secret``): ``<key-arn> key usage is <USAGE> which is not valid for
    DeriveSharedSecret.``"""
    md = kms.create_key(**create)["KeyMetadata"]
    peer = _spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ClientError) as e:
        kms.derive_shared_secret(KeyId=md["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer)
    assert error_code(e) == "InvalidKeyUsageException"
    assert error_message(e) == f"{md['Arn']} key usage is {usage} which is not valid for DeriveSharedSecret."


def test_wrong_algorithm_is_aws_validation_message(kms: Any) -> None:
    """Recorded (``test_derive_shared_secret``): the enum message for keyAgreementAlgorithm."""
    key = _agreement_key(kms)
    peer = _spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ClientError) as e:
        kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="INVALID", PublicKey=peer)
    assert error_code(e) == "ValidationException"
    assert error_message(e) == (
        "1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ECDH]"
    )


@pytest.mark.parametrize(
    "public_key",
    [
        b"garbage",  # recorded: ValidationException with an empty message
        _spki(
            ec.generate_private_key(ec.SECP384R1()).public_key()
        ),  # another curve (unrecorded; read the same)
        _spki(ed25519.Ed25519PrivateKey.generate().public_key()),  # not an EC key
    ],
)
def test_bad_public_key_is_validation_exception(sim: kmssim.Simulator, kms: Any, public_key: bytes) -> None:
    """Recorded (``test_derive_shared_secret``): a public key KMS cannot use is ``ValidationException`` with no
    message text."""
    key = _agreement_key(kms)
    with pytest.raises(kmssim.ValidationException) as e:
        sim.call(
            "DeriveSharedSecret", {"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": public_key}
        )
    assert str(e.value.message) == ""
    with pytest.raises(ClientError) as c:
        kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=public_key)
    assert error_code(c) == "ValidationException"


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44"])
def test_only_nist_curves_take_key_agreement(kms: Any, spec: str) -> None:
    """API_CreateKey KeyUsage: KEY_AGREEMENT only for ECC_NIST_P256/P384/P521 (and SM2, China Regions); recorded for
    RSA_2048: ``KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048``."""
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")
    assert error_code(e) == "ValidationException"
    assert error_message(e) == f"KeyUsage KEY_AGREEMENT is not compatible with KeySpec {spec}"


def test_sm2_key_agreement_is_refused_clearly(kms: Any) -> None:
    """SM2 is a China-Regions key spec (API_CreateKey KeySpec); kmssim simulates no China Region."""
    with pytest.raises(ClientError) as e:
        kms.create_key(KeySpec="SM2", KeyUsage="KEY_AGREEMENT")
    assert error_code(e) == "UnsupportedOperationException"
    assert "China Regions" in error_message(e)


def test_recipient_is_refused_clearly(kms: Any) -> None:
    """API_DeriveSharedSecret Recipient (Nitro Enclaves attestation) is not simulated, as for Decrypt."""
    key = _agreement_key(kms)
    peer = _spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ClientError) as e:
        kms.derive_shared_secret(
            KeyId=key,
            KeyAgreementAlgorithm="ECDH",
            PublicKey=peer,
            Recipient={"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": b"doc"},
        )
    assert error_code(e) == "UnsupportedOperationException"
    assert "Nitro Enclaves" in error_message(e)


def test_key_state_dry_run_and_alias(kms: Any) -> None:
    """API_DeriveSharedSecret: a disabled key is DisabledException (key-state table); DryRun answers
    DryRunOperationException; the key may be named by alias (KeyId member)."""
    key = _agreement_key(kms)
    kms.create_alias(AliasName="alias/agree", TargetKeyId=key)
    peer = _spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    args = {"KeyAgreementAlgorithm": "ECDH", "PublicKey": peer}
    assert kms.derive_shared_secret(KeyId="alias/agree", **args)["SharedSecret"]
    with pytest.raises(ClientError) as e:
        kms.derive_shared_secret(KeyId=key, DryRun=True, **args)
    assert error_code(e) == "DryRunOperationException"
    kms.disable_key(KeyId=key)
    with pytest.raises(ClientError) as e:
        kms.derive_shared_secret(KeyId=key, **args)
    assert error_code(e) == "DisabledException"


def test_key_agreement_algorithm_condition_key(sim: kmssim.Simulator, kms: Any) -> None:
    """conditions-kms.html#conditions-kms-key-agreement-algorithm: a key policy can deny by kms:KeyAgreementAlgorithm."""
    key = _agreement_key(kms)
    doc = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    doc["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "kms:DeriveSharedSecret",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:KeyAgreementAlgorithm": "ECDH"}},
        }
    )
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(doc))
    peer = _spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(ClientError) as e:
        kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm="ECDH", PublicKey=peer)
    assert error_code(e) == "AccessDeniedException"


def test_grant_can_allow_derive_shared_secret(kms: Any) -> None:
    """API_CreateGrant Operations: DeriveSharedSecret is a grant operation for KEY_AGREEMENT keys, Sign is not."""
    key = _agreement_key(kms)
    grantee = "arn:aws:iam::111122223333:root"
    kms.create_grant(KeyId=key, GranteePrincipal=grantee, Operations=["DeriveSharedSecret"])
    with pytest.raises(ClientError) as e:
        kms.create_grant(KeyId=key, GranteePrincipal=grantee, Operations=["Sign"])
    assert error_code(e) == "ValidationException"
