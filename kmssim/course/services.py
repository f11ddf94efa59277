"""A simulated AWS service that encrypts what it stores, and the AWS owned key such services may use instead.

The three kinds of KMS key (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#kms_keys):

* a **customer managed key** is in your account, you write its policy, you pay for it and see it in the trail;
* an **AWS managed key** (``alias/aws/<service>``) is in your account too and shows in the trail, but its policy is
  fixed: anyone in the account may use it, only through the service (``kms:ViaService``) and from the account
  (``kms:CallerAccount``); it has no key charge but its requests are billed;
* an **AWS owned key** lives in an AWS service account: you never see it, cannot read a policy, and it costs you
  nothing and leaves no trail (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-owned-cmk).

``SimulatedService`` calls the simulator's KMS the way a service such as DynamoDB does: with the caller's identity
(a forward access session, so the trail names the caller) and the request context ``kms:ViaService =
<service>.<region>.amazonaws.com``; ``kms:CallerAccount`` is the caller's account, which KMS fills in. It uses the
public API only: ``Simulator.client(context=...)``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from kmssim import Simulator

__all__ = ["AWS_MANAGED", "AWS_OWNED", "AwsOwnedKey", "KeyKind", "SimulatedService", "StoredItem"]

#: Ask a service for its AWS managed key (``alias/aws/<service>``).
AWS_MANAGED = "aws_managed"
#: Ask a service for its AWS owned key (its default for DynamoDB, SQS and many newer services).
AWS_OWNED = "aws_owned"

KeyKind = Literal["customer managed", "AWS managed", "AWS owned"]


#: Encryption context the simulated services send with each data key, in the form the real service documents.
#: DynamoDB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
#: S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
def _encryption_context(service: str, account: str, region: str, name: str) -> dict[str, str]:
    if service == "dynamodb":
        return {"aws:dynamodb:tableName": name, "aws:dynamodb:subscriberId": account}
    if service == "s3":
        return {"aws:s3:arn": f"arn:aws:s3:::{name}"}
    return {f"aws:{service}:arn": f"arn:aws:{service}:{region}:{account}:{name}"}


#: The service endpoint a service's calls carry in ``kms:ViaService`` when it differs from the alias name
#: (``alias/aws/ebs`` is used through EC2): https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
VIA_SERVICE_NAME = {"ebs": "ec2"}


class AwsOwnedKey:
    """An AWS owned key: it lives in a service account of AWS, never in yours.

    It encrypts with AES-256-GCM (real ``cryptography``), binding the encryption context as additional
    authenticated data. Nothing it does reaches your simulator: no key in ``ListKeys``, no policy, no trail event,
    no metered request, no key charge. Seeded: the material and nonces derive from ``seed``.
    """

    def __init__(self, service: str, seed: int | None = None) -> None:
        self.service = service
        if seed is None:
            self._material = os.urandom(32)
        else:
            self._material = hashlib.sha256(f"kmssim aws-owned-key {service} {seed}".encode()).digest()
        self._counter = 0

    def __repr__(self) -> str:
        return f"<AwsOwnedKey of {self.service}: in an AWS account, not yours>"

    def _nonce(self) -> bytes:
        self._counter += 1
        return self._counter.to_bytes(12, "big")

    @staticmethod
    def _aad(context: dict[str, str]) -> bytes:
        return "\n".join(f"{k}={v}" for k, v in sorted(context.items())).encode()

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        """Nonce followed by AES-GCM ciphertext and tag."""
        nonce = self._nonce()
        return nonce + AESGCM(self._material).encrypt(nonce, plaintext, self._aad(context))

    def decrypt(self, blob: bytes, context: dict[str, str]) -> bytes:
        """Raises ``cryptography.exceptions.InvalidTag`` when the blob or the context was changed."""
        return AESGCM(self._material).decrypt(blob[:12], blob[12:], self._aad(context))


@dataclass(frozen=True)
class StoredItem:
    """What the service keeps for one item: the ciphertext and the data key wrapped by the chosen key."""

    name: str
    kind: KeyKind
    key_arn: str | None  # None for the AWS owned key: you are never told which one
    encrypted_data_key: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)
    encryption_context: dict[str, str] = field(default_factory=dict)


class SimulatedService:
    """A storage service (DynamoDB-like) that encrypts each item with a data key under the key you chose.

    ``put(principal, name, data, key=...)``: ``key`` is a customer managed key (ID, ARN or alias),
    ``AWS_MANAGED`` for ``alias/aws/<service>`` or ``AWS_OWNED`` for the service's AWS owned key.
    ``get(principal, name)`` decrypts it again, calling KMS as that principal through the service.
    """

    def __init__(self, sim: Simulator, name: str = "dynamodb", *, region: str | None = None) -> None:
        self.sim = sim
        self.name = name
        self.region = region or sim.region
        self.endpoint = f"{VIA_SERVICE_NAME.get(name, name)}.{self.region}.amazonaws.com"
        self.owned_key = AwsOwnedKey(name, sim.seed)
        self.items: dict[str, StoredItem] = {}

    def __repr__(self) -> str:
        return f"<SimulatedService {self.name} ({self.endpoint}), {len(self.items)} items>"

    @property
    def aws_managed_alias(self) -> str:
        return f"alias/aws/{self.name}"

    def kms_for(self, principal: str) -> Any:
        """The KMS client the service uses on behalf of ``principal``: kms:ViaService is the service's endpoint."""
        return self.sim.client(
            "kms", region_name=self.region, principal=principal, context={"kms:ViaService": self.endpoint}
        )

    def put(self, principal: str, name: str, data: bytes, *, key: str = AWS_OWNED) -> StoredItem:
        """Store ``data`` encrypted under ``key``; KMS errors (AccessDenied, ...) reach the caller unchanged."""
        account = principal.split(":")[4] or self.sim.account_id
        context = _encryption_context(self.name, account, self.region, name)
        if key == AWS_OWNED:
            data_key = (
                AESGCM.generate_key(bit_length=256) if self.sim.seed is None else self._owned_data_key(name)
            )
            wrapped = self.owned_key.encrypt(data_key, context)
            kind: KeyKind = "AWS owned"
            arn = None
        else:
            kms = self.kms_for(principal)
            key_id = self.aws_managed_alias if key == AWS_MANAGED else key
            resp = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=context)
            data_key, wrapped, arn = resp["Plaintext"], resp["CiphertextBlob"], resp["KeyId"]
            kind = "AWS managed" if key == AWS_MANAGED else "customer managed"
        nonce = hashlib.sha256(wrapped).digest()[:12]  # one data key per item, so one nonce per key
        ciphertext = AESGCM(data_key).encrypt(nonce, data, None)
        item = StoredItem(name, kind, arn, wrapped, nonce, ciphertext, context)
        self.items[name] = item
        return item

    def _owned_data_key(self, name: str) -> bytes:
        return hashlib.sha256(
            f"kmssim data key {self.name} {name} {len(self.items)} {self.sim.seed}".encode()
        ).digest()

    def get(self, principal: str, name: str) -> bytes:
        """Decrypt a stored item as ``principal``; a KMS refusal reaches the caller unchanged."""
        if name not in self.items:
            raise ValueError(
                f"{self.name} holds no item named {name!r}; stored: {sorted(self.items) or 'none'}"
            )
        item = self.items[name]
        if item.kind == "AWS owned":
            data_key = self.owned_key.decrypt(item.encrypted_data_key, item.encryption_context)
        else:
            kms = self.kms_for(principal)
            resp: dict[str, Any] = kms.decrypt(
                CiphertextBlob=item.encrypted_data_key, EncryptionContext=item.encryption_context
            )
            data_key = resp["Plaintext"]
        return AESGCM(data_key).decrypt(item.nonce, item.ciphertext, None)
