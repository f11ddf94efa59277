"""A plain boto3 script with no kmssim in it: envelope encryption, as a learner would write it for AWS."""

import boto3
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def main() -> dict[str, object]:
    kms = boto3.client("kms", region_name="eu-west-1")
    key_id = kms.create_key(Description="orders")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key_id)
    data_key = kms.generate_data_key(
        KeyId="alias/orders", KeySpec="AES_256", EncryptionContext={"table": "orders"}
    )
    nonce = b"\x00" * 12
    sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, b"order #1", None)
    plain_key = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"table": "orders"})
    opened = AESGCM(plain_key["Plaintext"]).decrypt(nonce, sealed, None)
    try:
        kms.describe_key(KeyId="alias/missing")
        missing = "found"
    except kms.exceptions.NotFoundException as exc:
        missing = exc.response["Error"]["Code"]
    return {"opened": opened, "key_arn": data_key["KeyId"], "missing": missing}


if __name__ == "__main__":
    print(main())
