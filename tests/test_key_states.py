"""The key-state table, row by row: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html.

"ok" means the call succeeds; otherwise the AWS error code the table's footnote names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

import kmssim

GRANTEE = "arn:aws:iam::111122223333:role/Reader"

# operation -> (Enabled, Disabled, PendingDeletion)
TABLE: dict[str, tuple[str, str, str]] = {
    "Encrypt": ("ok", "DisabledException", "KMSInvalidStateException"),
    "Decrypt": ("ok", "DisabledException", "KMSInvalidStateException"),
    "ReEncrypt": ("ok", "DisabledException", "KMSInvalidStateException"),
    "GenerateDataKey": ("ok", "DisabledException", "KMSInvalidStateException"),
    "GenerateDataKeyPair": ("ok", "DisabledException", "KMSInvalidStateException"),
    "CreateGrant": ("ok", "DisabledException", "KMSInvalidStateException"),
    "DescribeKey": ("ok", "ok", "ok"),
    "GetKeyPolicy": ("ok", "ok", "ok"),
    "PutKeyPolicy": ("ok", "ok", "ok"),
    "ListGrants": ("ok", "ok", "ok"),
    "ListResourceTags": ("ok", "ok", "ok"),
    "ListKeyPolicies": ("ok", "ok", "ok"),
    "RevokeGrant": ("ok", "ok", "ok"),
    "GetKeyRotationStatus": ("ok", "ok", "ok"),
    "EnableKey": ("ok", "ok", "KMSInvalidStateException"),
    "DisableKey": ("ok", "ok", "KMSInvalidStateException"),
    "TagResource": ("ok", "ok", "KMSInvalidStateException"),
    "UntagResource": ("ok", "ok", "KMSInvalidStateException"),
    "UpdateKeyDescription": ("ok", "ok", "KMSInvalidStateException"),
    "CreateAlias": ("ok", "ok", "KMSInvalidStateException"),
    "ScheduleKeyDeletion": ("ok", "ok", "KMSInvalidStateException"),
    "CancelKeyDeletion": ("KMSInvalidStateException", "KMSInvalidStateException", "ok"),
    "EnableKeyRotation": ("ok", "DisabledException", "KMSInvalidStateException"),
    "DisableKeyRotation": ("ok", "DisabledException", "KMSInvalidStateException"),
    "RotateKeyOnDemand": ("ok", "DisabledException", "KMSInvalidStateException"),
}


def _calls(kms: Any, key: str, blob: bytes, grant_id: str) -> dict[str, Callable[[], Any]]:
    policy = kms.get_key_policy(KeyId=key)["Policy"]
    return {
        "Encrypt": lambda: kms.encrypt(KeyId=key, Plaintext=b"x"),
        "Decrypt": lambda: kms.decrypt(CiphertextBlob=blob),
        "ReEncrypt": lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key),
        "GenerateDataKey": lambda: kms.generate_data_key(KeyId=key, KeySpec="AES_256"),
        "GenerateDataKeyPair": lambda: kms.generate_data_key_pair(KeyId=key, KeyPairSpec="ECC_NIST_P256"),
        "CreateGrant": lambda: kms.create_grant(KeyId=key, GranteePrincipal=GRANTEE, Operations=["Decrypt"]),
        "DescribeKey": lambda: kms.describe_key(KeyId=key),
        "GetKeyPolicy": lambda: kms.get_key_policy(KeyId=key),
        "PutKeyPolicy": lambda: kms.put_key_policy(KeyId=key, Policy=policy),
        "ListGrants": lambda: kms.list_grants(KeyId=key),
        "ListResourceTags": lambda: kms.list_resource_tags(KeyId=key),
        "ListKeyPolicies": lambda: kms.list_key_policies(KeyId=key),
        "RevokeGrant": lambda: kms.revoke_grant(KeyId=key, GrantId=grant_id),
        "GetKeyRotationStatus": lambda: kms.get_key_rotation_status(KeyId=key),
        "EnableKey": lambda: kms.enable_key(KeyId=key),
        "DisableKey": lambda: kms.disable_key(KeyId=key),
        "TagResource": lambda: kms.tag_resource(KeyId=key, Tags=[{"TagKey": "k", "TagValue": "v"}]),
        "UntagResource": lambda: kms.untag_resource(KeyId=key, TagKeys=["k"]),
        "UpdateKeyDescription": lambda: kms.update_key_description(KeyId=key, Description="d"),
        "CreateAlias": lambda: kms.create_alias(AliasName="alias/state-test", TargetKeyId=key),
        "ScheduleKeyDeletion": lambda: kms.schedule_key_deletion(KeyId=key),
        "CancelKeyDeletion": lambda: kms.cancel_key_deletion(KeyId=key),
        "EnableKeyRotation": lambda: kms.enable_key_rotation(KeyId=key),
        "DisableKeyRotation": lambda: kms.disable_key_rotation(KeyId=key),
        "RotateKeyOnDemand": lambda: kms.rotate_key_on_demand(KeyId=key),
    }


@pytest.mark.parametrize("state_index", [0, 1, 2], ids=["Enabled", "Disabled", "PendingDeletion"])
@pytest.mark.parametrize("operation", sorted(TABLE))
def test_key_state_table(operation: str, state_index: int) -> None:
    sim = kmssim.Simulator(seed=3)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    grant_id = kms.create_grant(KeyId=key, GranteePrincipal=GRANTEE, Operations=["Decrypt"])["GrantId"]
    if state_index == 1:
        kms.disable_key(KeyId=key)
    elif state_index == 2:
        kms.schedule_key_deletion(KeyId=key)
    call = _calls(kms, key, blob, grant_id)[operation]
    expected = TABLE[operation][state_index]
    if expected == "ok":
        call()
    else:
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == expected
        message = e.value.response["Error"]["Message"]
        assert message.startswith("arn:aws:kms:us-east-1:111122223333:key/")
        assert message.endswith(("is disabled.", "is pending deletion.", "is not pending deletion."))


def test_invalid_grantee_arn(kms: Any, key_id: str) -> None:
    with pytest.raises(ClientError) as e:
        kms.create_grant(KeyId=key_id, GranteePrincipal="not-a-principal", Operations=["Decrypt"])
    assert e.value.response["Error"]["Code"] == "InvalidArnException"


def test_retire_grant_by_id_needs_key_arn(kms: Any, key_id: str) -> None:
    grant_id = kms.create_grant(KeyId=key_id, GranteePrincipal=GRANTEE, Operations=["Decrypt"])["GrantId"]
    with pytest.raises(ClientError) as e:
        kms.retire_grant(KeyId=key_id, GrantId=grant_id)
    assert e.value.response["Error"]["Code"] == "InvalidArnException"
