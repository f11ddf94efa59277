"""Key agreement: ECDH on the NIST prime curves (DeriveSharedSecret).

https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html: KMS returns the raw output of the
ECC CDH primitive (NIST SP 800-56A r3 §5.7.1.2), the x-coordinate of the shared point, big-endian, as long as the
field (32/48/66 bytes for P-256/384/521); no key derivation function is applied. The NIST prime curves have
cofactor 1, so this is ``cryptography``'s plain ``exchange(ECDH(), peer)``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kmssim._errors import ValidationException

from ._keys import _EC_CURVES, _private_key
from ._material import Material, _check_seed

#: Key specs whose keys can have key usage KEY_AGREEMENT here (SM2's is in China Regions only).
ECDH_KEY_SPECS = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")


def derive_shared_secret(seed: Material, key_spec: str, peer_public_der: bytes) -> bytes:
    """The ECDH shared secret of the key's private key and the peer's DER SubjectPublicKeyInfo.

    A public key that does not parse, is not an EC key, or is on another curve is ``ValidationException`` with an
    empty message: what AWS was recorded sending for a malformed public key (LocalStack's AWS-validated snapshot,
    ``test_derive_shared_secret``); the wrong-curve case is unrecorded and read the same way.
    """
    _check_seed(seed)
    if key_spec not in ECDH_KEY_SPECS:
        raise ValidationException(f"KeySpec {key_spec} does not support key agreement.")
    try:
        peer = serialization.load_der_public_key(peer_public_der)
    except (ValueError, TypeError):
        raise ValidationException("") from None
    curve = _EC_CURVES[key_spec][0]
    if not isinstance(peer, ec.EllipticCurvePublicKey) or not isinstance(peer.curve, curve):
        raise ValidationException("")
    key = _private_key(seed, key_spec)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.exchange(ec.ECDH(), peer)
