"""Every documented choice in ``kmssim.choices`` is really read: flipping it changes what kmssim does.

Each scenario returns what a user would see; the test runs it with the shipped value and with the other reading,
and the two answers must differ. A second test flips a choice in the middle of a session, after the decision
memo has an answer cached, and sees the new reading at once (the memo is keyed on ``choices.fingerprint()``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import kmssim
from kmssim import choices

ACCT = "111122223333"
ROOT = f"arn:aws:iam::{ACCT}:root"
ALICE = f"arn:aws:iam::{ACCT}:user/Alice"
ROLE = f"arn:aws:iam::{ACCT}:role/App"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/App/s1"
EXT_USER = "arn:aws:iam::444455556666:user/Carol"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALLOW_ROOT = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def outcome(fn: Callable[[], object]) -> object:
    """What the user sees: the result, or the error code."""
    try:
        return fn()
    except kmssim.KMSError as exc:
        return exc.code


def new_key(sim: kmssim.Simulator, **params: Any) -> str:
    return str(sim.call("CreateKey", params)["KeyMetadata"]["KeyId"])


def pending_deletion_crypto() -> object:
    sim = kmssim.Simulator(seed=1)
    key = new_key(sim)
    sim.call("ScheduleKeyDeletion", {"KeyId": key})
    return outcome(lambda: sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"}))


def public_key_when_disabled() -> object:
    sim = kmssim.Simulator(seed=1)
    key = new_key(sim, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    sim.call("DisableKey", {"KeyId": key})
    return outcome(lambda: sim.call("GetPublicKey", {"KeyId": key})["KeyId"] == key)


def _granted_sim() -> tuple[kmssim.Simulator, str, str]:
    sim = kmssim.Simulator(seed=1)
    sim.add_principal(ALICE)
    key = new_key(sim)
    token = sim.call("CreateGrant", {"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Encrypt"]})
    return sim, key, str(token["GrantToken"])


def grant_used_at_once() -> object:
    sim, key, _ = _granted_sim()
    return outcome(
        lambda: "ok" if sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"}, principal=ALICE) else ""
    )


def grant_used_after_a_minute() -> object:
    sim, key, _ = _granted_sim()
    sim.advance(minutes=1)
    return outcome(
        lambda: "ok" if sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"}, principal=ALICE) else ""
    )


def predefined_aliases_listed() -> object:
    sim = kmssim.Simulator(seed=1)
    return len(sim.call("ListAliases", {})["Aliases"])


def on_demand_rotations() -> object:
    sim = kmssim.Simulator(seed=1)
    key = new_key(sim)
    return [outcome(lambda: sim.call("RotateKeyOnDemand", {"KeyId": key})["KeyId"] == key) for _ in range(3)]


def failed_requests_and_quota() -> object:
    sim = kmssim.Simulator(seed=1, enforce_quotas=True)
    key = new_key(sim)
    for _ in range(5):  # CancelKeyDeletion: 5 per second; the key is not pending deletion, so each fails
        outcome(lambda: sim.call("CancelKeyDeletion", {"KeyId": key}))
    return outcome(lambda: sim.call("CancelKeyDeletion", {"KeyId": key}))


def unpaired_surrogate() -> object:
    sim = kmssim.Simulator(seed=1)
    return outcome(lambda: sim.call("CreateKey", {"Description": "a\ud800"})["KeyMetadata"]["Enabled"])


def decide(principal: str, action: str = "kms:Decrypt", **kwargs: Any) -> str:
    kwargs.setdefault("key_policy", doc(ALLOW_ROOT))
    return kmssim.evaluate(principal=principal, action=action, resource=KEY, **kwargs).effect


IAM_ANY = doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})


def plain_operator_on_many_values() -> object:
    iam = doc(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"kms:EncryptionContextKeys": "app"}},
        }
    )
    return decide(ALICE, identity_policies=[iam], context={"kms:EncryptionContextKeys": ["app", "team"]})


def for_any_value_if_exists() -> object:
    iam = doc(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEqualsIfExists": {"kms:EncryptionContextKeys": ["app"]}},
        }
    )
    return decide(ALICE, identity_policies=[iam])


def unresolved_variable() -> object:
    iam = doc(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/missing}"}},
        }
    )
    return decide(ALICE, identity_policies=[iam], context={"aws:PrincipalTag/team": "blue"})


def not_principal_levels() -> object:
    deny = {"Effect": "Deny", "NotPrincipal": {"AWS": [SESSION]}, "Action": "kms:Decrypt", "Resource": "*"}
    return decide(SESSION, key_policy=doc(ALLOW_ROOT, deny), identity_policies=[IAM_ANY])


def grant_to_account() -> object:
    grant = {"GrantId": "g-1", "GranteePrincipal": "444455556666", "Operations": ["Decrypt"]}
    return decide(EXT_USER, grants=[grant])


def retire_by_grant() -> object:
    grant = {
        "GrantId": "g-1",
        "GranteePrincipal": ROLE,
        "RetiringPrincipal": ALICE,
        "Operations": ["Decrypt"],
    }
    return decide(ALICE, "kms:RetireGrant", grants=[grant])


def grant_delegation() -> object:
    grant = {"GrantId": "g-1", "GranteePrincipal": ALICE, "Operations": ["CreateGrant", "Decrypt"]}
    return decide(ALICE, "kms:CreateGrant", grants=[grant], context={"kms:GrantOperations": ["Encrypt"]})


def put_policy(policy: str) -> object:
    sim = kmssim.Simulator(seed=1)
    key = new_key(sim)
    params = {"KeyId": key, "Policy": policy, "BypassPolicyLockoutSafetyCheck": True}
    return outcome(lambda: sim.call("PutKeyPolicy", params) == {})


def invalid_characters() -> object:
    return put_policy(doc(ALLOW_ROOT).replace("kms:*", "kms:*\u0100"))


def service_principal() -> object:
    service = {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}}
    return put_policy(doc(ALLOW_ROOT, {**service, "Action": "kms:Decrypt", "Resource": "*"}))


def allow_with_not_principal() -> object:
    statement = {"Effect": "Allow", "NotPrincipal": {"AWS": ROOT}, "Action": "kms:Decrypt", "Resource": "*"}
    return put_policy(doc(ALLOW_ROOT, statement))


def duplicate_sids() -> object:
    return put_policy(doc({**ALLOW_ROOT, "Sid": "a"}, {**ALLOW_ROOT, "Sid": "a"}))


def _denied_when_below(action: str, key_name: str, params: dict[str, Any]) -> object:
    sim = kmssim.Simulator(seed=1)
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": ROOT},
        "Action": action,
        "Resource": "*",
        "Condition": {"NumericLessThan": {key_name: "1000"}},
    }
    key = new_key(sim, Policy=doc(ALLOW_ROOT, deny), BypassPolicyLockoutSafetyCheck=True)
    return outcome(lambda: bool(sim.call(action.split(":")[1], {"KeyId": key, **params}) is not None))


def schedule_deletion_window() -> object:
    return _denied_when_below("kms:ScheduleKeyDeletion", "kms:ScheduleKeyDeletionPendingWindowInDays", {})


def rotation_period() -> object:
    return _denied_when_below("kms:EnableKeyRotation", "kms:RotationPeriodInDays", {})


def replica_state_after_five_seconds() -> object:
    """API_ReplicateKey: the replica is Creating, then Enabled "after a few seconds"."""
    sim = kmssim.Simulator(seed=1)
    key = new_key(sim, MultiRegion=True)
    sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": "eu-west-1"})
    sim.advance(seconds=5)
    return sim.call("DescribeKey", {"KeyId": key}, region="eu-west-1")["KeyMetadata"]["KeyState"]


#: choice -> (scenario, the other reading)
FLIPS: dict[str, tuple[Callable[[], object], object]] = {
    "PENDING_DELETION_CRYPTO_GIVES_INVALID_STATE": (pending_deletion_crypto, False),
    "GET_PUBLIC_KEY_FAILS_WHEN_DISABLED": (public_key_when_disabled, False),
    "GRANTS_EFFECTIVE_IMMEDIATELY": (grant_used_at_once, False),
    "LIST_PREDEFINED_AWS_ALIASES": (predefined_aliases_listed, False),
    "ON_DEMAND_ROTATIONS_PER_KEY": (on_demand_rotations, 2),
    "FAILED_REQUESTS_USE_QUOTA": (failed_requests_and_quota, True),
    "REJECT_UNPAIRED_SURROGATES": (unpaired_surrogate, False),
    "PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES": (plain_operator_on_many_values, True),
    "FOR_ANY_VALUE_IF_EXISTS_MATCHES_MISSING_KEY": (for_any_value_if_exists, True),
    "UNRESOLVED_VARIABLE_MATCHES_NEGATED_OPERATOR": (unresolved_variable, False),
    "NOT_PRINCIPAL_CHECKS_EVERY_LEVEL": (not_principal_levels, False),
    "GRANT_TO_ACCOUNT_NEEDS_IAM": (grant_to_account, False),
    "RETIRE_GRANT_AUTHORIZED_BY_GRANT": (retire_by_grant, False),
    "ENFORCE_GRANT_DELEGATION_LIMITS": (grant_delegation, False),
    "INVALID_CHARACTERS_EXCEPTION": (invalid_characters, kmssim.MalformedPolicyDocumentException),
    "KEY_POLICY_PRINCIPAL_TYPES": (service_principal, frozenset({"AWS"})),
    "REJECT_ALLOW_WITH_NOT_PRINCIPAL": (allow_with_not_principal, False),
    "REJECT_DUPLICATE_SIDS": (duplicate_sids, True),
    "SCHEDULE_DELETION_WINDOW_WHEN_OMITTED": (schedule_deletion_window, 30),
    "ROTATION_PERIOD_WHEN_OMITTED": (rotation_period, 365),
    "MULTI_REGION_TRANSITION": (replica_state_after_five_seconds, timedelta(seconds=60)),
}


def test_every_choice_has_a_flip() -> None:
    """No choice is left untested (GRANT_PROPAGATION is flipped with GRANTS_EFFECTIVE_IMMEDIATELY below)."""
    names = {n for n in choices.__all__ if n.isupper()}
    assert names - {"GRANT_PROPAGATION"} == set(FLIPS)


def test_a_new_grant_is_usable_after_propagation_or_with_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """With GRANTS_EFFECTIVE_IMMEDIATELY False, a grant counts after GRANT_PROPAGATION (five minutes, the
    documented bound) or at once with its grant token (grants.html#grant_token)."""
    monkeypatch.setattr(choices, "GRANTS_EFFECTIVE_IMMEDIATELY", False)
    sim, key, token = _granted_sim()
    params = {"KeyId": key, "Plaintext": b"x"}
    assert outcome(lambda: sim.call("Encrypt", params, principal=ALICE)) == "AccessDeniedException"
    assert sim.call("Encrypt", {**params, "GrantTokens": [token]}, principal=ALICE)["KeyId"].endswith(key)
    sim.advance(seconds=choices.GRANT_PROPAGATION.total_seconds() - 1)
    assert outcome(lambda: sim.call("Encrypt", params, principal=ALICE)) == "AccessDeniedException"
    sim.advance(seconds=1)
    assert sim.call("Encrypt", params, principal=ALICE)["KeyId"].endswith(key)
    monkeypatch.setattr(choices, "GRANT_PROPAGATION", timedelta(minutes=1))
    assert grant_used_after_a_minute() != "AccessDeniedException"


def test_a_flip_mid_session_is_not_hidden_by_the_decision_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator caches context-free decisions; the cache is keyed on every choice's value."""
    sim = kmssim.Simulator(seed=3)
    sim.add_principal(ALICE)
    key = new_key(sim)
    sim.call("CreateGrant", {"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Encrypt"]})
    assert sim.decide(ALICE, "kms:Encrypt", key).allowed
    monkeypatch.setattr(choices, "GRANTS_EFFECTIVE_IMMEDIATELY", False)
    assert not sim.decide(ALICE, "kms:Encrypt", key).allowed
    monkeypatch.setattr(choices, "GRANTS_EFFECTIVE_IMMEDIATELY", True)
    assert sim.decide(ALICE, "kms:Encrypt", key).allowed


def test_fingerprint_follows_every_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    before = choices.fingerprint()
    assert choices.fingerprint() == before
    monkeypatch.setattr(choices, "REJECT_DUPLICATE_SIDS", not choices.REJECT_DUPLICATE_SIDS)
    assert choices.fingerprint() != before


def last_usage_before_tracking() -> object:
    sim = kmssim.Simulator(seed=1, start="2026-01-01")
    key = new_key(sim)
    sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"})
    used = sim.call("GetKeyLastUsage", {"KeyId": key})
    return used["KeyLastUsage"].get("Operation"), used["TrackingStartDate"]


FLIPS["KEY_LAST_USAGE_TRACKING_START"] = (last_usage_before_tracking, datetime(2026, 4, 27, tzinfo=UTC))


def _store_state_after(store_type: str, minutes: float, disconnect: bool = False) -> object:
    sim = kmssim.Simulator(seed=1)
    if store_type == "AWS_CLOUDHSM":
        cluster = sim.add_cloudhsm_cluster(password="kmsuser-pass")
        params: dict[str, Any] = {
            "CloudHsmClusterId": cluster,
            "TrustAnchorCertificate": sim.cloudhsm_trust_anchor(cluster),
            "KeyStorePassword": "kmsuser-pass",
        }
    else:
        credential = {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "a" * 43}
        sim.add_external_key_manager(
            "https://xks.example.com", access_key_id="ABCDEFGHIJKLMNOPQRST", secret_access_key="a" * 43
        )
        params = {
            "CustomKeyStoreType": store_type,
            "XksProxyUriEndpoint": "https://xks.example.com",
            "XksProxyUriPath": "/kms/xks/v1",
            "XksProxyConnectivity": "PUBLIC_ENDPOINT",
            "XksProxyAuthenticationCredential": credential,
        }
    store = sim.call("CreateCustomKeyStore", {"CustomKeyStoreName": "s", **params})["CustomKeyStoreId"]
    sim.call("ConnectCustomKeyStore", {"CustomKeyStoreId": store})
    if disconnect:
        sim.advance(hours=1)
        sim.call("DisconnectCustomKeyStore", {"CustomKeyStoreId": store})
    sim.advance(minutes=minutes)
    entry = sim.call("DescribeCustomKeyStores", {"CustomKeyStoreId": store})["CustomKeyStores"][0]
    return entry["ConnectionState"]


FLIPS["CLOUDHSM_CONNECT_TIME"] = (lambda: _store_state_after("AWS_CLOUDHSM", 10), timedelta(minutes=5))
FLIPS["XKS_CONNECT_TIME"] = (lambda: _store_state_after("EXTERNAL_KEY_STORE", 3), timedelta(minutes=1))
FLIPS["KEY_STORE_DISCONNECT_TIME"] = (
    lambda: _store_state_after("AWS_CLOUDHSM", 0.25, disconnect=True),
    timedelta(seconds=5),
)


def _usage_log() -> kmssim.CloudTrailLog:
    """A simulated workload's trail read back as CloudTrail: a success, a DryRun and a denied call."""
    sim = kmssim.Simulator(seed=1)
    sim.add_principal(ROLE, policies=[IAM_ANY])
    key = new_key(sim)
    sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"}, principal=ROLE)
    outcome(lambda: sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x", "DryRun": True}))
    outcome(lambda: sim.call("Encrypt", {"KeyId": key, "Plaintext": b"x"}, principal=ALICE))
    return kmssim.read_cloudtrail(sim.trail().to_cloudtrail())


def billed_requests() -> object:
    estimate = _usage_log().estimate(month="2026-01")
    lines = estimate.lines
    return float(lines.loc[lines["price_class"].astype(str).str.startswith("requests"), "quantity"].sum())


def replay_without_identity_policies() -> object:
    log = _usage_log()
    key = str(log.events["key_arn"].dropna().iloc[0])
    root_only = {"Version": "2012-10-17", "Statement": [ALLOW_ROOT]}
    return list(log.replay({key: root_only}).table["decision"])


def exported_identity() -> object:
    sim = kmssim.Simulator(seed=1)
    sim.add_principal(ROLE, policies=[IAM_ANY])
    sim.call("CreateKey", {}, principal=ROLE)
    record = sim.trail().to_cloudtrail()[0]
    return record["userIdentity"]["arn"], record["sourceIPAddress"]


FLIPS["BILL_FAILED_REQUESTS"] = (billed_requests, True)
FLIPS["BILL_DRY_RUN"] = (billed_requests, False)
FLIPS["ASSUME_RECORDED_IAM"] = (replay_without_identity_policies, False)
FLIPS["EXPORT_ROLE_SESSION"] = (exported_identity, "training")
FLIPS["EXPORT_SOURCE_IP"] = (exported_identity, "192.0.2.1")


def ml_kem_bill() -> object:
    sim = kmssim.Simulator(seed=1)
    key = new_key(sim, KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")
    sim.call("GetPublicKey", {"KeyId": key})
    try:
        return str(sim.bill().total)
    except kmssim.EstimateInputError as exc:
        return type(exc).__name__


FLIPS["BILL_UNPRICED_REQUESTS_AT_ZERO"] = (ml_kem_bill, False)


def long_hmac_import() -> object:
    """48 bytes of HMAC key material into an HMAC_256 key (API_ImportKeyMaterial; the range is LocalStack's)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    sim = kmssim.Simulator(seed=1)
    key = new_key(sim, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Origin="EXTERNAL")
    params = sim.call(
        "GetParametersForImport",
        {"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
    )
    public = serialization.load_der_public_key(params["PublicKey"])
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    request = {
        "KeyId": key,
        "ImportToken": params["ImportToken"],
        "EncryptedKeyMaterial": public.encrypt(bytes(range(48)), oaep),
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }
    return outcome(lambda: sim.call("ImportKeyMaterial", request)["KeyId"] == key)


FLIPS["IMPORTED_HMAC_KEYS_UP_TO_BLOCK_SIZE"] = (long_hmac_import, False)


def cloudhsm_hours_of_45_minutes() -> object:
    """Two HSMs from 10:30 to 11:15: 4 HSM-hours (two clock hours each) or 1.5 by the second."""
    sim = kmssim.Simulator(seed=1, start="2026-06-01T10:30:00Z")
    cluster = sim.add_cloudhsm_cluster(hsms=2)
    sim.advance(minutes=45)
    sim.set_cloudhsm_hsms(cluster, 0)
    return str(sim.bill().total)


FLIPS["CLOUDHSM_PARTIAL_HOUR_BILLED_WHOLE"] = (cloudhsm_hours_of_45_minutes, False)


def delete_a_key_never_used() -> object:
    """A Deny of ScheduleKeyDeletion for keys used within 30 days (kms:TrailingDaysWithoutKeyUsage, SAR) on a key
    made 10 days ago and never used: counted from its creation it is denied; with no value it is allowed."""
    sim = kmssim.Simulator(seed=1)
    key = new_key(sim)
    deny = {
        "Effect": "Deny",
        "Action": "kms:ScheduleKeyDeletion",
        "Resource": "*",
        "Condition": {"NumericLessThan": {"kms:TrailingDaysWithoutKeyUsage": "30"}},
    }
    sim.add_principal(ALICE, policies=[doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, deny)])
    sim.advance(days=10)
    return outcome(lambda: sim.call("ScheduleKeyDeletion", {"KeyId": key}, principal=ALICE)["KeyState"])


FLIPS["TRAILING_DAYS_COUNT_FROM_CREATION"] = (delete_a_key_never_used, False)


# After every FLIPS entry above: the parameters are read when this decorator runs.
@pytest.mark.parametrize("name", sorted(FLIPS))
def test_flipping_a_choice_changes_the_behaviour(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario, other = FLIPS[name]
    shipped = scenario()
    monkeypatch.setattr(choices, name, other)
    flipped = scenario()
    assert shipped != flipped, f"{name}: {shipped!r} either way"


def test_every_choice_is_in_the_readme() -> None:
    """Each reading is documented where a user looks for it: the README names every constant of kmssim.choices."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [n for n in choices.__all__ if n.isupper() and f"{n}`" not in readme]
    assert missing == []
