"""From a bill line to the requests it bills and back (issue 8: "the request ID is generated once and appears in
the response, the trail and the bill").

What is billed: requests that succeed, and DryRun requests, which "are billed as a standard API request"
(https://docs.aws.amazon.com/kms/latest/developerguide/programming-dryrun.html). Whether other failed requests
are billed no AWS source says (``kmssim.choices.BILL_FAILED_REQUESTS``, False); a throttled request is never
billed. The free tier is a credit on the month's pool of symmetric-class requests
(https://aws.amazon.com/kms/pricing/), so its line names no request.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kmssim
from kmssim import choices

ROLE = "arn:aws:iam::111122223333:role/nobody"


def _request_id(call: Any) -> tuple[str, str | None]:
    """The response's (or error's) RequestId and error code of a boto3 call."""
    try:
        return call()["ResponseMetadata"]["RequestId"], None
    except ClientError as exc:
        return exc.response["ResponseMetadata"]["RequestId"], exc.response["Error"]["Code"]


def _world() -> tuple[kmssim.Simulator, dict[str, str]]:
    sim = kmssim.Simulator(seed=81, start=datetime(2026, 6, 1, tzinfo=UTC))
    sim.add_principal(ROLE)
    kms, nobody = sim.client("kms"), sim.client("kms", principal=ROLE)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    ids = {}
    ids["encrypt"], _ = _request_id(lambda: kms.encrypt(KeyId=key, Plaintext=b"x"))
    ids["dry_run"], code = _request_id(lambda: kms.encrypt(KeyId=key, Plaintext=b"x", DryRun=True))
    assert code == "DryRunOperationException"
    ids["denied"], code = _request_id(lambda: nobody.encrypt(KeyId=key, Plaintext=b"x"))
    assert code == "AccessDeniedException"
    ids["invalid"], code = _request_id(lambda: kms.describe_key(KeyId="alias/missing"))
    assert code == "NotFoundException"
    ids["describe"], _ = _request_id(lambda: kms.describe_key(KeyId=key))
    return sim, ids


def test_a_boto3_request_id_is_on_its_operations_bill_line_and_back() -> None:
    sim, ids = _world()
    bill = sim.bill("2026-06")
    line = bill.line_of(ids["encrypt"])
    assert bill.lines.loc[line, "item"] == "Encrypt (SYMMETRIC_DEFAULT)"
    assert bill.request_ids(line) == (ids["encrypt"], ids["dry_run"])  # oldest first; the DryRun is billed
    assert bill.lines.loc[bill.line_of(ids["describe"]), "item"] == "DescribeKey (SYMMETRIC_DEFAULT)"
    for failed in ("denied", "invalid"):  # failed requests are not billed (BILL_FAILED_REQUESTS is False)
        with pytest.raises(KeyError):
            bill.line_of(ids[failed])
    requests = bill.requests()
    # Every request line lists exactly as many requests as it bills; key and free-tier lines list none.
    for i, row in bill.lines.iterrows():
        listed = len(bill.request_ids(int(i)))
        assert listed == (int(row["quantity"]) if row["unit"] == "requests" and row["USD"] >= 0 else 0)
    assert requests["line"].map(lambda i: bill.lines.loc[i, "item"]).tolist() == requests["item"].tolist()
    trail = {e.request_id: e for e in sim.trail()}
    assert set(requests["request_id"]) <= set(trail)  # every billed request is in the trail
    assert trail[ids["dry_run"]].error_code == "DryRunOperationException"


def test_billed_requests_lead_to_the_trail() -> None:
    sim, ids = _world()
    billed = sim.billed_requests("2026-06").set_index("request_id")
    assert list(billed.index) == [
        rid for rid in (e.request_id for e in sim.trail()) if rid in set(billed.index)
    ]  # oldest first
    assert ids["denied"] not in billed.index and ids["invalid"] not in billed.index
    dry = billed.loc[ids["dry_run"]]
    assert (dry["operation"], dry["error_code"], dry["key_spec"]) == (
        "Encrypt",
        "DryRunOperationException",
        "SYMMETRIC_DEFAULT",
    )
    event = next(e for e in sim.trail() if e.request_id == ids["encrypt"])
    assert billed.loc[ids["encrypt"], "event_id"] == event.event_id
    assert billed.loc[ids["encrypt"], "key_arn"] == event.resources[0]
    assert sim.billed_requests("2026-07").empty
    with pytest.raises(ValueError):
        sim.billed_requests("June")


def test_the_choices_decide_what_failed_requests_are_billed(monkeypatch: pytest.MonkeyPatch) -> None:
    """BILL_DRY_RUN and BILL_FAILED_REQUESTS are read when a call runs; a throttled request is never billed."""
    monkeypatch.setattr(choices, "BILL_DRY_RUN", False)
    monkeypatch.setattr(choices, "BILL_FAILED_REQUESTS", True)
    sim, ids = _world()
    bill = sim.bill("2026-06")
    with pytest.raises(KeyError):
        bill.line_of(ids["dry_run"])
    assert bill.lines.loc[bill.line_of(ids["denied"]), "item"] == "Encrypt (SYMMETRIC_DEFAULT)"
    assert bill.lines.loc[bill.line_of(ids["invalid"]), "item"] == "DescribeKey (no key)"
    quick = kmssim.Simulator(seed=82, enforce_quotas=True)
    kms = quick.client("kms")
    created = [_request_id(kms.create_key) for _ in range(6)]  # CreateKey: 5 per second
    assert [code for _, code in created] == [None] * 5 + ["ThrottlingException"]
    assert quick.bill().request_ids(quick.bill().line_of(created[0][0])) == tuple(r for r, _ in created[:5])


def test_the_simulators_bill_equals_its_trails_estimate_with_dry_runs_and_failures() -> None:
    """kmssim's trail read back as CloudTrail is billed by the same rule as the simulator's meter."""
    sim, _ = _world()
    log = kmssim.read_cloudtrail(sim.trail().to_cloudtrail(), progress=False)
    assert log.estimate("2026-06").exact_total == sim.bill("2026-06").exact_total


def test_unpriced_requests_keep_their_ids_on_their_zero_line() -> None:
    """ML-KEM requests have no published price: listed at no charge (BILL_UNPRICED_REQUESTS_AT_ZERO)."""
    sim = kmssim.Simulator(seed=83)
    kms = sim.client("kms")
    key = kms.create_key(KeySpec="ML_KEM_768", KeyUsage="ENCAPSULATE_DECAPSULATE")["KeyMetadata"]["KeyId"]
    rid, _ = _request_id(lambda: kms.get_public_key(KeyId=key))
    bill = sim.bill()
    line = bill.line_of(rid)
    assert bill.lines.loc[line, "USD"] == 0 and bill.request_ids(line) == (rid,)


def test_saved_state_keeps_the_request_ids(tmp_path: Path) -> None:
    sim, _ = _world()
    first = json.dumps(sim.to_json(), indent=1, sort_keys=True)
    sim.save(tmp_path / "s.json")
    loaded = kmssim.Simulator.load(tmp_path / "s.json")
    assert json.dumps(loaded.to_json(), indent=1, sort_keys=True) == first  # save, load, save: identical
    assert loaded.bill("2026-06").line_request_ids == sim.bill("2026-06").line_request_ids
    assert loaded.billed_requests().equals(sim.billed_requests())
    data = json.loads(first)
    old = json.loads(first)
    old["requests"] = [row[:7] for row in old["requests"]]  # a state saved before the IDs were kept
    before = kmssim.Simulator.from_json(old)
    assert before.bill("2026-06").total == sim.bill("2026-06").total
    assert all(ids == () for ids in before.bill("2026-06").line_request_ids or ())
    data["requests"][0][7] = ["00000000-0000-4000-8000-000000000000"]
    with pytest.raises(kmssim.DataFileError, match="in no trail event"):
        kmssim.Simulator.from_json(data)
    data["requests"][0][7] = [data["requests"][1][7][0]]
    with pytest.raises(kmssim.DataFileError, match="billed twice"):
        kmssim.Simulator.from_json(data)


def test_only_a_metered_bill_knows_its_requests() -> None:
    estimate = kmssim.estimate([{"count": 1}], [{"operation": "Decrypt", "count": 10}], month="2026-06")
    with pytest.raises(ValueError, match="only a simulator's bill"):
        estimate.request_ids(0)
    bill = kmssim.Simulator(seed=1).bill()
    with pytest.raises(ValueError, match="row number"):
        bill.request_ids(len(bill.lines))


_CALLS = st.lists(st.sampled_from(["encrypt", "dry_run", "denied", "missing", "random"]), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CALLS)
def test_law_billed_ids_are_the_trails_succeeded_and_dry_run_requests(calls: list[str]) -> None:
    """Law: the request IDs of the month's request lines are exactly the trail's requests that succeeded or were
    DryRun, each once, and each line lists as many as it bills."""
    sim = kmssim.Simulator(seed=84)
    sim.add_principal(ROLE)
    key = sim.call("CreateKey", {})["KeyMetadata"]["KeyId"]
    for call in calls:
        params: dict[str, Any] = {"KeyId": key, "Plaintext": b"x"}
        try:
            if call == "random":
                sim.call("GenerateRandom", {"NumberOfBytes": 8})
            elif call == "missing":
                sim.call("Encrypt", {**params, "KeyId": "alias/none"})
            else:
                sim.call(
                    "Encrypt",
                    {**params, "DryRun": call == "dry_run"},
                    principal=ROLE if call == "denied" else None,
                )
        except kmssim.KMSError:
            pass
    bill = sim.bill()
    listed = [rid for ids in bill.line_request_ids or () for rid in ids]
    expected = [
        e.request_id
        for e in sim.trail()
        if e.request_id is not None and e.error_code in (None, "DryRunOperationException")
    ]
    assert sorted(listed) == sorted(expected) and len(set(listed)) == len(listed)
    requests = bill.lines[bill.lines["unit"] == "requests"]
    billed = sum(int(q) for q, usd in zip(requests["quantity"], requests["USD"], strict=True) if usd >= 0)
    assert billed == len(listed)
