"""Real, deterministic cryptography for the simulator.

Everything here uses real algorithms (AES-256-GCM, RSA-OAEP, RSA-PSS, RSA PKCS #1 v1.5, ECDSA, Ed25519,
HMAC) through the ``cryptography`` package, and is **deterministic when seeded**: every output is a pure
function of the inputs and of the bytes drawn from the ``RandomSource`` passed in. No function that receives
a random source reads global randomness; where ``cryptography`` would draw its own (OAEP encryption, PSS
signing, RSA key generation) the padding encodings and the prime search are implemented here and only
deterministic primitives are delegated. (OpenSSL's RSA blinding inside decrypt/sign still uses OpenSSL's RNG,
but blinding never changes an output.)

Key material
------------
The only thing stored per key material is a 32-byte *material seed* (``new_material_seed``), or, for material
imported into an HMAC or asymmetric key, the imported key itself (an ``ImportedKey``: the raw HMAC key or the DER
PKCS #8 private key, checked by ``imported_key``; ``hmac_key`` and ``private_key`` return it as it is, so results
match the importer's copy outside KMS). Everything else is derived lazily from the seed and cached
(``functools.lru_cache``):

* ``symmetric_key``: HKDF-SHA256(seed, info="kmssim/v1/symmetric-default/aes-256-gcm"), 32 bytes.
* ``hmac_key``: HKDF-SHA256(seed, info="kmssim/v1/hmac/<KEY_SPEC>"), as long as the hash's *output*
  (HMAC_224 → 28 bytes, HMAC_256 → 32, HMAC_384 → 48, HMAC_512 → 64): the key length AWS documents for its
  HMAC key specs, and the size of the spec's name.
* ``private_key``:

  - RSA_2048/3072/4096, e = 65537: a ``SeededRandom`` keyed by HKDF(seed, info="kmssim/v1/rsa/<SPEC>")
    drives the prime search. A start point is a random ``nlen/2``-bit odd integer with its top two bits set
    (so ``p ≥ √2·2^(nlen/2−1)`` and ``n`` has exactly ``nlen`` bits); from it an incremental search walks
    ``c, c+2, c+4 …`` over a window pre-sieved with every odd prime below 2^20 (like OpenSSL's historic
    ``probable_prime``, rather than FIPS 186-5 A.1.3's fresh candidate per try: purely for speed). Survivors
    with ``gcd(c−1, e) = 1`` get Miller-Rabin with random bases from the same stream, rounds per
    FIPS 186-5 Table B.1 (1024-bit primes: 5, 1536: 4, 2048: 4). Keys also satisfy
    ``|p−q| > 2^(nlen/2−100)`` and ``d > 2^(nlen/2)`` with ``d = e⁻¹ mod lcm(p−1, q−1)``; built with
    ``rsa.RSAPrivateNumbers`` including the CRT parameters, ``p > q``.
  - ECC_NIST_P256/P384/P521, ECC_SECG_P256K1: the scalar is rejection-sampled into ``[1, n−1]`` (draw
    ``ceil(bits(n)/8)`` bytes, keep the low ``bits(n)`` bits, retry if out of range) from the stream keyed
    by HKDF(seed, info="kmssim/v1/ecc/<SPEC>"), then ``ec.derive_private_key``.
  - ECC_NIST_EDWARDS25519: the 32-byte Ed25519 private key is HKDF(seed, info="kmssim/v1/ed25519").
  - ML_DSA_44/65/87 and ML_KEM_768/1024 (``ml_dsa_private_key``, ``ml_kem_private_key``; ``private_key`` is for
    the classic specs): the FIPS 204 seed ξ = HKDF(seed, info="kmssim/v1/ml-dsa/<SPEC>", 32 bytes) and the FIPS 203
    seed d || z = HKDF(seed, info="kmssim/v1/ml-kem/<SPEC>", 64 bytes), through ``from_seed_bytes``. ML-DSA
    signing (hedged, ``rnd`` from the random source) and ML-KEM encapsulation (``m`` from it) are computed by hand
    (``_mldsa``, ``_mlkem``) because ``cryptography`` would draw that randomness from OpenSSL.

Modules: ``_random`` (random sources), ``_material`` (seed, material ID, symmetric and HMAC keys), ``_imported``
(imported HMAC and asymmetric key material), ``_keys``
(asymmetric keys, public keys, data key pairs), ``_pq`` (ML-DSA, ML-KEM), ``_symmetric`` (the ciphertext blob),
``_rsaes`` (RSAES-OAEP), ``_signing`` (signatures, MACs), ``_ed25519ph`` (RFC 8032 Ed25519ph), ``_mldsa`` and
``_mlkem`` (FIPS 204 signing, FIPS 203 encapsulation), ``_agreement`` (ECDH).

Symmetric ciphertext blob (SYMMETRIC_DEFAULT, AES-256-GCM)
----------------------------------------------------------
::

    offset  size  field
    0       1     version byte, 0x01
    1       1     L = length of the key id in UTF-8 bytes (1..255)
    2       1     L XOR 0xFF (a flipped length bit is caught before L is used to locate anything)
    3       L     key reference, UTF-8: whatever the caller passes as key_id (a key id or key ARN)
    3+L     32    material id, raw (``material_id`` is its lowercase hex)
    35+L    12    IV, drawn from the RandomSource
    47+L    4     CRC-32 (zlib/IEEE, big-endian) of bytes [0, 47+L)
    51+L    ...   AES-256-GCM ciphertext (as long as the plaintext), then the 16-byte tag

The header is bytes ``[0, 51+L)`` and a blob is ``67 + L + len(plaintext)`` bytes (a 75-char key ARN gives
a 126-byte header and 142 bytes of overhead). The GCM associated data is
``header || encode_context(context)``: the key reference, material id and IV are authenticated along with
the context, and a header cannot be moved onto another ciphertext. The length byte's complement catches any
flipped length bit, and CRC-32 detects every single-bit error (and every burst of ≤ 32 bits) in the bytes it
covers, so ``parse_symmetric_blob`` reports any flipped header bit as ``InvalidCiphertextException`` rather
than naming a different key; GCM catches everything else. Every ciphertext error raises
``InvalidCiphertextException("")`` (empty message, as AWS does).

Encryption context encoding (``encode_context``)
------------------------------------------------
``u32be(number of pairs)``, then for each pair in ascending order of the key's UTF-8 bytes
``u32be(len(key)) || key || u32be(len(value)) || value`` (UTF-8, lengths in bytes). Every field is
length-prefixed and the pair count comes first, so the encoding is injective: ``{"a": "b=c"}``,
``{"a=b": "c"}``, ``{"ab": ""}``, ``{"a": "b"}`` and ``{}`` (``00 00 00 00``) all differ. An absent context
is passed as ``{}`` (AWS treats the two the same). Strings that are not valid Unicode (lone surrogates) raise
``ValidationException``.

Random sources
--------------
``SeededRandom`` is SHA-256 in counter mode: ``K = SHA256("kmssim.SeededRandom.v1\\0" || seed encoding)``
and block ``i`` is ``SHA256(K || u64be(i))``; an int seed is encoded as ``"int:" || decimal ASCII``, a bytes
seed as ``"bytes:" || seed``. Only hashlib's SHA-256 is involved, so the stream is the same on every machine
and Python version. ``fork(label)`` returns the stream whose key is
``SHA256("kmssim.SeededRandom.fork\\0" || K || u64be(k) || label)``, ``k`` counting this parent's earlier
forks: forking never consumes or shifts the parent's byte stream, and two forks (even with the same label)
are different sub-streams, deterministic in fork order. Neither class is thread-safe.
"""

from __future__ import annotations

from ._agreement import ECDH_KEY_SPECS, derive_shared_secret
from ._imported import imported_key
from ._keys import PrivateKey, generate_data_key_pair, private_key, public_key_der
from ._material import (
    MATERIAL_SEED_BYTES,
    ImportedKey,
    Material,
    hmac_key,
    material_id,
    new_material_seed,
    symmetric_key,
)
from ._pq import (
    ML_DSA_MU_BYTES,
    ML_KEM_CIPHERTEXT_BYTES,
    ml_dsa_private_key,
    ml_kem_decapsulate,
    ml_kem_encapsulate,
    ml_kem_private_key,
)
from ._random import RandomSource, SeededRandom, SystemRandom
from ._rsaes import RSA_OAEP_LIMITS, rsa_decrypt, rsa_encrypt
from ._signing import DIGEST_LENGTHS, check_message, generate_mac, sign, verify, verify_mac
from ._symmetric import (
    SymmetricHeader,
    decrypt_symmetric,
    encode_context,
    encrypt_symmetric,
    parse_symmetric_blob,
)

__all__ = [
    "DIGEST_LENGTHS",
    "ECDH_KEY_SPECS",
    "MATERIAL_SEED_BYTES",
    "ML_DSA_MU_BYTES",
    "ML_KEM_CIPHERTEXT_BYTES",
    "RSA_OAEP_LIMITS",
    "ImportedKey",
    "Material",
    "PrivateKey",
    "RandomSource",
    "SeededRandom",
    "SymmetricHeader",
    "SystemRandom",
    "check_message",
    "decrypt_symmetric",
    "derive_shared_secret",
    "encode_context",
    "encrypt_symmetric",
    "generate_data_key_pair",
    "generate_mac",
    "hmac_key",
    "imported_key",
    "material_id",
    "ml_dsa_private_key",
    "ml_kem_decapsulate",
    "ml_kem_encapsulate",
    "ml_kem_private_key",
    "new_material_seed",
    "parse_symmetric_blob",
    "private_key",
    "public_key_der",
    "rsa_decrypt",
    "rsa_encrypt",
    "sign",
    "symmetric_key",
    "verify",
    "verify_mac",
]

# Private names that tests/test_crypto.py reaches through ``kmssim._crypto``.
from ._keys import _derive_private_key, _EC_CURVES, _ec_scalar, _ED25519, _miller_rabin  # noqa: F401, I001
from ._material import _aesgcm  # noqa: F401
