"""The request pipeline: one request ID per call, in the response, the trail event and the error; the stages run
in order, and what a handler found is what the trail records.

The request ID joins kmssim's trail to ``ResponseMetadata.RequestId`` as CloudTrail's ``requestID`` joins a
record to the API response (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
"""

from __future__ import annotations

from pathlib import Path

import botocore.exceptions
import pytest

import kmssim


def test_the_response_request_id_is_the_trail_events() -> None:
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    created = kms.create_key()
    key_id = created["KeyMetadata"]["KeyId"]
    encrypted = kms.encrypt(KeyId=key_id, Plaintext=b"x")
    events = list(sim.trail())
    assert [e.request_id for e in events] == [
        created["ResponseMetadata"]["RequestId"],
        encrypted["ResponseMetadata"]["RequestId"],
    ]
    assert created["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == events[0].request_id
    assert len({e.request_id for e in events} | {e.event_id for e in events}) == 4  # all different


def test_a_failed_call_carries_its_request_id_too() -> None:
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kms.describe_key(KeyId="alias/missing")
    event = sim.trail()[-1]
    assert event.error_code == "NotFoundException"
    assert info.value.response["ResponseMetadata"]["RequestId"] == event.request_id


def test_direct_calls_get_request_ids_and_service_events_none() -> None:
    sim = kmssim.Simulator(seed=4)
    key_id = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    sim.call("EnableKeyRotation", {"KeyId": key_id})
    sim.advance(days=366)
    created, enabled, rotated = sim.trail()
    assert created.request_id and enabled.request_id and created.request_id != enabled.request_id
    assert rotated.event_name == "RotateKey" and rotated.request_id is None


def test_request_ids_are_seeded() -> None:
    def ids() -> list[str | None]:
        sim = kmssim.Simulator(seed=9)
        sim.client("kms").create_key()
        return [e.request_id for e in sim.trail()]

    assert ids() == ids()


def test_request_ids_survive_save_and_load(tmp_path: pytest.TempPathFactory) -> None:
    sim = kmssim.Simulator(seed=4)
    sim.client("kms").create_key()
    path = sim.save(tmp_path / "state.json")  # type: ignore[operator]
    again = kmssim.Simulator.load(path)
    assert [e.request_id for e in again.trail()] == [e.request_id for e in sim.trail()]


def test_a_version_1_state_without_request_ids_still_loads() -> None:
    """kmssim 0.1 saved state version 1, whose trail events have no requestID."""
    sim = kmssim.Simulator(seed=4)
    sim.call("CreateKey", {})
    data = sim.to_json()
    data["version"] = 1
    del data["operations"]["last_usage"], data["operations"]["key_stores"]  # new in version 2 too
    for event in data["trail"]:
        del event["requestID"]
    data["requests"] = [row[:7] for row in data["requests"]]  # nor have its meter rows the billed request IDs
    loaded = kmssim.Simulator.from_json(data)
    assert [e.request_id for e in loaded.trail()] == [None]
    data["trail"][0]["requestID"] = None  # a field version 1 never had
    with pytest.raises(kmssim.DataFileError, match="requestID"):
        kmssim.Simulator.from_json(data)


def test_the_keys_per_region_quota_counts_live_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """CreateKey: LimitExceededException at the quota of KMS keys per Region (resource-limits.html); a deleted key
    stops counting, a failed CreateKey never counted, and the count survives save and load."""
    from kmssim._ops import keys

    monkeypatch.setattr(keys, "KEYS_PER_REGION", 3)
    sim = kmssim.Simulator(seed=4)
    made = [sim.call("CreateKey", {})["KeyMetadata"]["KeyId"] for _ in range(3)]
    sim.call("CreateKey", {}, region="eu-west-1")  # another Region has its own quota
    with pytest.raises(kmssim.LimitExceededException):
        sim.call("CreateKey", {})
    with pytest.raises(kmssim.LimitExceededException):
        kmssim.Simulator.from_json(sim.to_json()).call("CreateKey", {})
    sim.call("ScheduleKeyDeletion", {"KeyId": made[0], "PendingWindowInDays": 7})
    with pytest.raises(kmssim.LimitExceededException):
        sim.call("CreateKey", {})  # pending deletion still counts
    sim.advance(days=7)
    sim.call("CreateKey", {})
    with pytest.raises(kmssim.LimitExceededException):
        sim.call("CreateKey", {})


def test_no_secret_member_is_a_trail_parameter() -> None:
    """The trail keeps only safe members: none of them is one botocore marks sensitive, or a grant token."""
    from kmssim._trail import SAFE_PARAMETERS
    from kmssim._validation import secret_members

    assert not SAFE_PARAMETERS & secret_members()


def test_the_trail_logs_the_new_operations_parameters() -> None:
    sim = kmssim.Simulator(seed=4)
    key = sim.call("CreateKey", {"MultiRegion": True})["KeyMetadata"]["KeyId"]
    sim.call("ReplicateKey", {"KeyId": key, "ReplicaRegion": "eu-west-1"})
    (event,) = sim.trail().filter(event_name="ReplicateKey")
    assert event.request_parameters == {"KeyId": key, "ReplicaRegion": "eu-west-1"}


def test_aws_requested_region_is_set_for_calls_that_name_no_key() -> None:
    """aws:RequestedRegion is "the Region that was called in a request", for every request
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion)."""
    sim = kmssim.Simulator(seed=4)
    role = "arn:aws:iam::111122223333:role/eu-only"
    only_eu = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "kms:CreateKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
            }
        ],
    }
    sim.add_principal(role, policies=[only_eu])
    sim.call("CreateKey", {}, principal=role, region="eu-west-1")
    with pytest.raises(kmssim.AccessDeniedException):
        sim.call("CreateKey", {}, principal=role, region="us-east-1")


def test_kms_valid_to_reads_a_datetime_given_to_sim_call() -> None:
    """kms:ValidTo is a Date condition key of ImportKeyMaterial (conditions-kms.html#conditions-kms-valid-to)."""
    from datetime import timedelta

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    sim = kmssim.Simulator(seed=4)
    root = sim.root()
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Principal": {"AWS": root},
                "Action": "kms:ImportKeyMaterial",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"kms:ValidTo": "2026-03-01T00:00:00Z"}},
            },
        ],
    }
    import json as _json

    key = sim.call("CreateKey", {"Origin": "EXTERNAL", "Policy": _json.dumps(policy)})["KeyMetadata"]["KeyId"]
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)

    def attempt(days: int) -> str:
        params = sim.call(
            "GetParametersForImport",
            {"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
        )
        public = serialization.load_der_public_key(params["PublicKey"])
        request = {
            "KeyId": key,
            "ImportToken": params["ImportToken"],
            "EncryptedKeyMaterial": public.encrypt(bytes(32), oaep),  # type: ignore[union-attr]
            "ExpirationModel": "KEY_MATERIAL_EXPIRES",
            "ValidTo": sim.now + timedelta(days=days),
        }
        try:
            sim.call("ImportKeyMaterial", request)
        except kmssim.KMSError as exc:
            return exc.code
        return "imported"

    assert attempt(200) == "AccessDeniedException"
    assert attempt(20) == "imported"


def test_a_call_draws_its_request_and_event_ids_as_two_single_draws_would() -> None:
    """The pipeline draws a call's two IDs in one go: the same IDs, in the same order, as one at a time."""
    one_go, one_by_one = kmssim.Simulator(seed=9), kmssim.Simulator(seed=9)
    pairs = [one_go._new_ids() for _ in range(3)]
    singles = [one_by_one._new_id() for _ in range(6)]
    assert [i for pair in pairs for i in pair] == singles


def test_the_boto3_front_still_refuses_an_unpaired_surrogate() -> None:
    """The front skips the parameter copy only for a body without a surrogate escape: a string UTF-8 cannot
    carry is refused through boto3 as through ``sim.call`` (``choices.REJECT_UNPAIRED_SURROGATES``)."""
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"a": "\udc80"})
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "unpaired surrogate" in info.value.response["Error"]["Message"]
    # a paired one (an emoji, escaped by botocore's JSON as two surrogates) is fine
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"a": "\U0001f600"})["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "\U0001f600"})["Plaintext"] == b"x"


def test_the_simulated_http_response_has_the_headers_botocore_reads() -> None:
    """botocore's after-call handlers get a response whose case-insensitive headers carry the request ID."""
    sim = kmssim.Simulator(seed=4)
    kms = sim.client("kms")
    seen: list[object] = []
    kms.meta.events.register("after-call.kms", lambda http_response, **_: seen.append(http_response))
    request_id = kms.create_key()["ResponseMetadata"]["RequestId"]
    http = seen[0]
    assert http.status_code == 200  # type: ignore[attr-defined]
    assert http.headers["X-Amzn-RequestId"] == request_id  # type: ignore[attr-defined]
    assert b'"KeyMetadata"' in http.content  # type: ignore[attr-defined]


def test_trail_events_carry_exactly_the_dataclass_fields() -> None:
    # The recorders set an event's __dict__ in one go (kmssim/_trail.py): a field added to AuditEvent and not to
    # them, or a misspelt one, would show here. A call's event, a failed call's and one KMS records itself.
    import dataclasses

    sim = kmssim.Simulator(seed=1)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    with pytest.raises(kms.exceptions.NotFoundException):
        kms.describe_key(KeyId="alias/none")
    sim.advance(days=91)
    events = list(sim.trail())
    assert {e.event_name for e in events} >= {"CreateKey", "DescribeKey", "RotateKey"}
    names = [f.name for f in dataclasses.fields(kmssim.AuditEvent)]
    for event in events:
        assert sorted(vars(event)) == sorted(names)
        assert event == kmssim.AuditEvent(**{n: getattr(event, n) for n in names})
    with pytest.raises(dataclasses.FrozenInstanceError):
        events[-1].event_name = "changed"  # type: ignore[misc]


def test_kms_own_events_keep_their_place_among_calls_and_across_save_and_load(tmp_path: Path) -> None:
    # KMS's own events are noted when they happen and built when the trail is next read or a call is recorded
    # (kmssim/_trail.py Recorder): the trail must read as if each had been built on the spot, in time order, with
    # its event ID drawn when it happened (so the IDs of later calls do not depend on when the trail is read).
    def run(read_between: bool) -> list[tuple[str, str, str]]:
        sim = kmssim.Simulator(seed=3)
        kms = sim.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
        sim.advance(days=100)
        if read_between:
            sim.trail()
        kms.describe_key(KeyId=key)
        sim.advance(days=100)
        path = tmp_path / f"state-{read_between}.json"
        sim.save(path)
        loaded = kmssim.Simulator.load(path)
        assert [e.to_dict() for e in loaded.trail()] == [e.to_dict() for e in sim.trail()]
        return [(e.event_name, e.event_id, e.event_time.isoformat()) for e in sim.trail()]

    events = run(read_between=False)
    assert [name for name, _, _ in events] == [
        "CreateKey",
        "EnableKeyRotation",
        "RotateKey",
        "DescribeKey",
        "RotateKey",
    ]
    assert [time for _, _, time in events] == sorted(time for _, _, time in events)
    assert events == run(read_between=True)
