"""Post-quantum keys: ML-DSA (FIPS 204) signing keys and ML-KEM (FIPS 203) encapsulation keys, from ``cryptography``.

Both are built from their FIPS seed form (``from_seed_bytes``), derived from the material seed:

* ML_DSA_44/65/87: the 32-byte seed ξ is HKDF(seed, info="kmssim/v1/ml-dsa/<SPEC>").
* ML_KEM_768/1024: the 64-byte seed d || z is HKDF(seed, info="kmssim/v1/ml-kem/<SPEC>"). ``cryptography`` 50 has
  no ML-KEM-512, so ML_KEM_512 is refused (its key-spec row says why).

``cryptography`` draws the randomness of ML-DSA signing (``rnd``, FIPS 204 §3.4 "hedged") and of ML-KEM
encapsulation (``m``) from OpenSSL and takes none from the caller, so both are computed here from the FIPS
algorithms (``_mldsa``, ``_mlkem``) with bytes from the caller's random source: deterministic when seeded.
``cryptography`` keeps key generation (the public key), verification and decapsulation, and the tests check the
two hand-written parts against it.
"""

from __future__ import annotations

import functools
from typing import Final, TypeAlias

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem

from kmssim._errors import InvalidCiphertextException, UnsupportedOperationException, ValidationException

from . import _mldsa, _mlkem
from ._material import _CACHE_SIZE, Material, _hkdf, _seed
from ._random import RandomSource, _draw

MLDSAPrivateKey: TypeAlias = mldsa.MLDSA44PrivateKey | mldsa.MLDSA65PrivateKey | mldsa.MLDSA87PrivateKey
MLKEMPrivateKey: TypeAlias = mlkem.MLKEM768PrivateKey | mlkem.MLKEM1024PrivateKey
PQPrivateKey: TypeAlias = MLDSAPrivateKey | MLKEMPrivateKey

_ML_DSA: Final[dict[str, type[MLDSAPrivateKey]]] = {
    "ML_DSA_44": mldsa.MLDSA44PrivateKey,
    "ML_DSA_65": mldsa.MLDSA65PrivateKey,
    "ML_DSA_87": mldsa.MLDSA87PrivateKey,
}
_ML_KEM: Final[dict[str, type[MLKEMPrivateKey]]] = {
    "ML_KEM_768": mlkem.MLKEM768PrivateKey,
    "ML_KEM_1024": mlkem.MLKEM1024PrivateKey,
}
#: FIPS 203 Table 3: ciphertext length in bytes per parameter set.
ML_KEM_CIPHERTEXT_BYTES: Final[dict[str, int]] = {"ML_KEM_512": 768, "ML_KEM_768": 1088, "ML_KEM_1024": 1568}
#: The length of μ, FIPS 204 §6.2 (Sign's ``MessageType=EXTERNAL_MU``).
ML_DSA_MU_BYTES: Final = 64


def is_pq(key_spec: str) -> bool:
    return key_spec in _ML_DSA or key_spec in _ML_KEM


def _derive_pq_key(seed: bytes, key_spec: str) -> PQPrivateKey:
    if key_spec in _ML_DSA:
        return _ML_DSA[key_spec].from_seed_bytes(_hkdf(seed, f"kmssim/v1/ml-dsa/{key_spec}", 32))
    if key_spec in _ML_KEM:
        return _ML_KEM[key_spec].from_seed_bytes(_hkdf(seed, f"kmssim/v1/ml-kem/{key_spec}", 64))
    raise UnsupportedOperationException(f"kmssim does not support post-quantum key spec {key_spec}.")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _pq_key(seed: bytes, key_spec: str) -> PQPrivateKey:
    return _derive_pq_key(seed, key_spec)


def ml_dsa_private_key(seed: Material, key_spec: str) -> MLDSAPrivateKey:
    """The ML-DSA private key of a key material (ML_DSA_44/65/87), cached per (seed, spec)."""
    raw = _seed(seed)
    if key_spec not in _ML_DSA:
        raise UnsupportedOperationException(f"{key_spec} is not an ML-DSA key spec.")
    key = _pq_key(raw, key_spec)
    assert isinstance(key, mldsa.MLDSA44PrivateKey | mldsa.MLDSA65PrivateKey | mldsa.MLDSA87PrivateKey)
    return key


def ml_kem_private_key(seed: Material, key_spec: str) -> MLKEMPrivateKey:
    """The ML-KEM private (decapsulation) key of a key material (ML_KEM_768/1024), cached per (seed, spec)."""
    raw = _seed(seed)
    if key_spec not in _ML_KEM:
        raise UnsupportedOperationException(f"kmssim does not support ML-KEM key spec {key_spec}.")
    key = _pq_key(raw, key_spec)
    assert isinstance(key, mlkem.MLKEM768PrivateKey | mlkem.MLKEM1024PrivateKey)
    return key


def ml_dsa_sign(seed: Material, key_spec: str, message: bytes, message_type: str, rng: RandomSource) -> bytes:
    """Pure ML-DSA with an empty context (RAW), or the signature of a caller's μ (EXTERNAL_MU), hedged with 32
    bytes ``rnd`` drawn from ``rng`` (FIPS 204 Algorithm 7, computed in ``_mldsa``).

    https://docs.aws.amazon.com/kms/latest/developerguide/mldsa.html: KMS signs with pure ML-DSA (FIPS 204
    Algorithm 2) and an empty context; with EXTERNAL_MU it skips computing μ.
    """
    xi = ml_dsa_private_key(seed, key_spec).private_bytes_raw()
    public = _mldsa.expand(xi, key_spec).public
    mu = message if message_type == "EXTERNAL_MU" else _mldsa.mu(public, message)
    return _mldsa.sign_mu(xi, key_spec, mu, _draw(rng, 32))


def ml_dsa_verify(seed: Material, key_spec: str, message: bytes, message_type: str, signature: bytes) -> bool:
    public = ml_dsa_private_key(seed, key_spec).public_key()
    try:
        if message_type == "EXTERNAL_MU":
            public.verify_mu(signature, message)
        else:
            public.verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def ml_kem_encapsulate(seed: Material, key_spec: str, rng: RandomSource) -> tuple[bytes, bytes]:
    """(shared secret, ciphertext): ML-KEM.Encaps (FIPS 203 Algorithm 20) with the key's encapsulation key and a
    32-byte ``m`` drawn from ``rng`` (``_mlkem``: ``cryptography`` would draw ``m`` from OpenSSL)."""
    public = ml_kem_private_key(seed, key_spec).public_key().public_bytes_raw()
    return _mlkem.encapsulate(public, key_spec, _draw(rng, 32))


def ml_kem_decapsulate(seed: Material, key_spec: str, ciphertext: bytes) -> bytes:
    """ML-KEM.Decaps (FIPS 203 Algorithm 21). A ciphertext of the wrong length is InvalidCiphertextException("");
    any other is decapsulated, and one that is not a valid encapsulation gives FIPS 203's implicit-rejection
    value (a pseudo-random 32 bytes), without an error, as API_Decapsulate documents."""
    key = ml_kem_private_key(seed, key_spec)
    if len(ciphertext) != ML_KEM_CIPHERTEXT_BYTES[key_spec]:
        raise InvalidCiphertextException("")
    try:
        return key.decapsulate(ciphertext)
    except ValueError:  # pragma: no cover - the length is checked above
        raise InvalidCiphertextException("") from None


def check_mu(message: bytes) -> None:
    if len(message) != ML_DSA_MU_BYTES:
        raise ValidationException(f"Message must be {ML_DSA_MU_BYTES} bytes when MessageType is EXTERNAL_MU.")
