"""The exercise checks of notebooks 06-10 (kmssim.course.*): each with a right answer and the wrong answers a
learner is likely to give, and the plain-words hint each wrong answer gets. Pictures and tables are checked too.

AWS pages behind each rule are cited in the modules' docstrings: three kinds of key (concepts.html#key-mgmt),
grants (grants.html), aliases and tags in policies (alias-authorization.html, tag-authorization.html), data key
caching (encryption-sdk data-key-caching.html), key deletion (deleting-keys-scheduling-key-deletion.html).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib
import pytest

import kmssim
from kmssim.course import aliases_tags, envelope, grants, investigating, three_kinds
from kmssim.course.services import AWS_MANAGED, AWS_OWNED, SimulatedService

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ACCOUNT = "arn:aws:iam::111122223333"
USE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}],
}


def _policy(
    condition: dict[str, Any] | None = None, resource: str | list[str] = "*", actions: Any = None
) -> Any:
    st: dict[str, Any] = {
        "Effect": "Allow",
        "Action": actions or ["kms:Encrypt", "kms:Decrypt"],
        "Resource": resource,
    }
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


# ---------------------------------------------------------------- 06 three kinds


@pytest.fixture
def ddb() -> tuple[kmssim.Simulator, SimulatedService, str]:
    sim = kmssim.Simulator(seed=6)
    app = sim.add_principal(f"{ACCOUNT}:role/App", policies=[USE])
    return sim, SimulatedService(sim, "dynamodb"), app


def test_06_customer_managed_key_is_right(ddb: tuple[kmssim.Simulator, SimulatedService, str]) -> None:
    sim, service, app = ddb
    key = sim.client("kms").create_key()["KeyMetadata"]["Arn"]
    service.put(app, "payments", b"p", key=key)
    verdict = three_kinds.check_audited_item(sim, service, "payments", app)
    assert verdict.ok and repr(verdict).startswith("Right:")


@pytest.mark.parametrize(
    ("key", "hint"), [(AWS_OWNED, "no use of it reaches your trail"), (AWS_MANAGED, "you cannot change it")]
)
def test_06_aws_keys_are_wrong_with_a_hint(
    ddb: tuple[kmssim.Simulator, SimulatedService, str], key: str, hint: str
) -> None:
    sim, service, app = ddb
    service.put(app, "payments", b"p", key=key)
    verdict = three_kinds.check_audited_item(sim, service, "payments", app)
    assert not verdict.ok and hint in verdict.message and repr(verdict).startswith("Not yet:")


def test_06_missing_item_and_wrong_principal(ddb: tuple[kmssim.Simulator, SimulatedService, str]) -> None:
    sim, service, app = ddb
    assert (
        "holds no item named 'payments'"
        in three_kinds.check_audited_item(sim, service, "payments", app).message
    )
    key = sim.client("kms").create_key()["KeyMetadata"]["Arn"]
    other = sim.add_principal(f"{ACCOUNT}:role/Other", policies=[USE])
    service.put(other, "payments", b"p", key=key)
    assert (
        "store it as that principal" in three_kinds.check_audited_item(sim, service, "payments", app).message
    )


def test_06_comparison_reads_the_simulator(ddb: tuple[kmssim.Simulator, SimulatedService, str]) -> None:
    sim, service, app = ddb
    key = sim.client("kms").create_key()["KeyMetadata"]["Arn"]
    service.put(app, "a", b"1", key=key)
    service.put(app, "b", b"2", key=AWS_MANAGED)
    service.put(app, "c", b"3", key=AWS_OWNED)
    table = three_kinds.comparison(sim, service, app)
    assert list(table.columns) == ["customer managed", "AWS managed", "AWS owned"]
    assert list(table.loc["in your account"]) == [True, True, False]
    assert list(table.loc["KeyManager"]) == ["CUSTOMER", "AWS", ""]
    assert list(table.loc["you can change its policy"]) == [True, False, False]
    assert table.loc["direct call allowed", "AWS managed"] == "ImplicitDeny"
    assert table.loc["call through the service", "AWS managed"] == "Allow"
    assert list(table.loc["uses in your trail"]) == [1, 1, 0]
    assert list(table.loc["key charge (USD/month)"]) == [Decimal(1), Decimal(0), Decimal(0)]
    fig = three_kinds.plot_comparison(table)
    assert len(fig.axes) == 2
    plt.close(fig)


# ---------------------------------------------------------------- 07 grants


@pytest.fixture
def granted() -> tuple[kmssim.Simulator, Any, str, str, str]:
    sim = kmssim.Simulator(seed=7)
    kms = sim.client("kms")
    reporting = sim.add_principal(f"{ACCOUNT}:role/Reporting")
    admin = sim.add_principal(f"{ACCOUNT}:role/StorageAdmin")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    return sim, kms, key, reporting, admin


FINANCE = {"department": "finance"}


def _grant(kms: Any, key: str, grantee: str, **extra: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"KeyId": key, "GranteePrincipal": grantee, "Operations": ["Decrypt"]}
    args.update(extra)
    result: dict[str, Any] = kms.create_grant(**args)
    return result


def test_07_right_grant(granted: tuple[kmssim.Simulator, Any, str, str, str]) -> None:
    sim, kms, key, reporting, admin = granted
    _grant(kms, key, reporting, RetiringPrincipal=admin, Constraints={"EncryptionContextSubset": FINANCE})
    assert grants.check_reporting_grant(sim, key, reporting, admin, FINANCE).ok


@pytest.mark.parametrize(
    ("extra", "hint"),
    [
        ({"RetiringPrincipal": "admin"}, "EncryptionContextSubset"),  # no constraint
        ({"Constraints": {"EncryptionContextSubset": FINANCE}}, "no RetiringPrincipal"),
        (
            {
                "RetiringPrincipal": "admin",
                "Constraints": {"EncryptionContextSubset": FINANCE},
                "Operations": ["Decrypt", "Encrypt"],
            },
            "more than Decrypt: kms:Encrypt",
        ),
    ],
)
def test_07_wrong_grants(
    granted: tuple[kmssim.Simulator, Any, str, str, str], extra: dict[str, Any], hint: str
) -> None:
    sim, kms, key, reporting, admin = granted
    if extra.get("RetiringPrincipal") == "admin":
        extra = {**extra, "RetiringPrincipal": admin}
    _grant(kms, key, reporting, **extra)
    verdict = grants.check_reporting_grant(sim, key, reporting, admin, FINANCE)
    assert not verdict.ok and hint in verdict.message


def test_07_no_grant_and_policy_instead_of_grant(
    granted: tuple[kmssim.Simulator, Any, str, str, str],
) -> None:
    sim, _kms, key, reporting, admin = granted
    assert (
        "still may not Decrypt" in grants.check_reporting_grant(sim, key, reporting, admin, FINANCE).message
    )
    sim.add_principal(reporting, policies=[_policy()])
    assert "not by a grant" in grants.check_reporting_grant(sim, key, reporting, admin, FINANCE).message


def test_07_retired_versus_revoked(granted: tuple[kmssim.Simulator, Any, str, str, str]) -> None:
    sim, kms, key, reporting, admin = granted
    g = _grant(kms, key, reporting, RetiringPrincipal=admin)
    assert "remain" in grants.check_retired(sim, key, reporting, admin).message
    kms.revoke_grant(KeyId=key, GrantId=g["GrantId"])
    assert "revoked by an administrator" in grants.check_retired(sim, key, reporting, admin).message
    g = _grant(kms, key, reporting, RetiringPrincipal=admin)
    sim.client("kms", principal=admin).retire_grant(KeyId=key, GrantId=g["GrantId"])
    assert grants.check_retired(sim, key, reporting, admin).ok


# ---------------------------------------------------------------- 08 aliases and tags


@pytest.fixture
def keys() -> tuple[kmssim.Simulator, str, str]:
    sim = kmssim.Simulator(seed=8)
    kms = sim.client("kms")
    tagged = kms.create_key(Tags=[{"TagKey": "Project", "TagValue": "Phoenix"}])["KeyMetadata"]["Arn"]
    other = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/finance-reports", TargetKeyId=tagged)
    kms.create_alias(AliasName="alias/finance-archive", TargetKeyId=tagged)
    kms.create_alias(AliasName="alias/hr", TargetKeyId=other)
    return sim, tagged, other


PHOENIX = ("Project", "Phoenix")


def test_08_tag_policy_right(keys: tuple[kmssim.Simulator, str, str]) -> None:
    sim, tagged, other = keys
    p = sim.add_principal(
        f"{ACCOUNT}:role/A", policies=[_policy({"StringEquals": {"aws:ResourceTag/Project": "Phoenix"}})]
    )
    assert aliases_tags.check_tag_policy(sim, p, [tagged], [other], PHOENIX).ok


@pytest.mark.parametrize(
    ("policy", "hint"),
    [
        (_policy(), "allowed, but should not be"),  # every key
        (_policy(resource="arn:aws:kms:us-east-1:111122223333:alias/finance-reports"), "controls the alias"),
        (
            _policy({"StringEquals": {"aws:ResourceTag/Project": "phoenix"}}),
            "should be allowed",
        ),  # case matters
        (
            _policy({"StringEquals": {"aws:ResourceTag/Project": "Phoenix"}}, actions=["kms:Decrypt"]),
            "kms:Encrypt",
        ),
    ],
)
def test_08_tag_policy_wrong(keys: tuple[kmssim.Simulator, str, str], policy: Any, hint: str) -> None:
    sim, tagged, other = keys
    p = sim.add_principal(f"{ACCOUNT}:role/A", policies=[policy])
    verdict = aliases_tags.check_tag_policy(sim, p, [tagged], [other], PHOENIX)
    assert not verdict.ok and hint in verdict.message


def test_08_unknown_principal(keys: tuple[kmssim.Simulator, str, str]) -> None:
    sim, tagged, other = keys
    verdict = aliases_tags.check_tag_policy(sim, f"{ACCOUNT}:role/Nobody", [tagged], [other], PHOENIX)
    assert not verdict.ok and "sim.add_principal" in verdict.message


def test_08_request_alias(keys: tuple[kmssim.Simulator, str, str]) -> None:
    sim, tagged, _ = keys
    others = ["alias/finance-archive", "alias/hr"]
    right_p = sim.add_principal(
        f"{ACCOUNT}:role/W",
        policies=[_policy({"StringEquals": {"kms:RequestAlias": "alias/finance-reports"}})],
    )
    assert aliases_tags.check_request_alias_policy(sim, right_p, "alias/finance-reports", tagged, others).ok
    by_resource_alias = sim.add_principal(
        f"{ACCOUNT}:role/X",
        policies=[_policy({"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance-reports"}})],
    )
    verdict = aliases_tags.check_request_alias_policy(
        sim, by_resource_alias, "alias/finance-reports", tagged, others
    )
    assert not verdict.ok and "is allowed, but should not be" in verdict.message


# ---------------------------------------------------------------- 09 envelope


@pytest.fixture
def sealed(tmp_path: Path) -> tuple[kmssim.Simulator, Any, Path, Path]:
    sim = kmssim.Simulator(seed=9)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    source = tmp_path / "data.txt"
    source.write_bytes(b"some rows\n" * 100)
    return sim, kms, source, envelope.seal_file(kms, key, source, {"purpose": "test"})


def _open(kms: Any, path: Path) -> bytes:
    import json

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    box = envelope.read_sealed(path)
    dk = kms.decrypt(CiphertextBlob=box.encrypted_data_key, EncryptionContext=box.encryption_context)[
        "Plaintext"
    ]
    aad = json.dumps(box.encryption_context, sort_keys=True, separators=(",", ":")).encode()
    return AESGCM(dk).decrypt(box.nonce, box.ciphertext, aad)


def test_09_sealed_file_holds_no_plaintext_and_opens(
    sealed: tuple[kmssim.Simulator, Any, Path, Path],
) -> None:
    sim, kms, source, path = sealed
    assert path.name == "data.txt.sealed" and b"some rows" not in path.read_bytes()
    assert envelope.check_opened(sim, _open(kms, path), source, path).ok


def test_09_wrong_openings(sealed: tuple[kmssim.Simulator, Any, Path, Path]) -> None:
    sim, _kms, source, path = sealed
    assert "should be bytes" in envelope.check_opened(sim, "text", source, path).message
    assert "not the original file" in envelope.check_opened(sim, b"nope", source, path).message
    verdict = envelope.check_opened(sim, source.read_bytes(), source, path)  # read the original, not the box
    assert not verdict.ok and "no Decrypt" in verdict.message


def test_09_read_sealed_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.sealed"
    bad.write_text('{"format": "other"}')
    with pytest.raises(ValueError, match=r"x\.sealed is not a readable sealed file"):
        envelope.read_sealed(bad)


def test_09_cache_requests_one_data_key_per_max_messages() -> None:
    sim = kmssim.Simulator(seed=9)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    cache = envelope.DataKeyCache(kms, key, {"s": "1"}, max_messages=30)
    for i in range(100):
        cache.encrypt(b"m%d" % i)
    assert cache.data_keys_requested == 4
    assert len(sim.trail().filter(event_name="GenerateDataKey")) == 4
    with pytest.raises(ValueError, match="max_messages"):
        envelope.DataKeyCache(kms, key, {}, max_messages=0)


def test_09_caching_table_divides_requests_and_peak() -> None:
    table = envelope.caching_table(1_000_000, 15_000, reuse=(1, 10), region="eu-central-1")
    assert list(table["KMS requests per month"]) == [2_000_000, 200_000]
    assert list(table["status"]) == ["throttled", "ok"]  # 30,000/s over the 20,000/s shared quota
    assert table["USD per month"][0] > table["USD per month"][1]
    fig = envelope.plot_caching(table)
    assert len(fig.axes) == 2
    plt.close(fig)


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [(3, True, "50%"), (2, False, "above 50%"), (4, False, "3 works too"), ("3", False, "whole number")],
)
def test_09_check_reuse(answer: object, ok: bool, hint: str) -> None:
    verdict = envelope.check_reuse(answer, peak_messages_per_second=15_000, region="eu-central-1", target=0.5)
    assert verdict.ok is ok and hint in verdict.message


# ---------------------------------------------------------------- 10 investigating


@pytest.fixture(scope="module")
def week() -> tuple[kmssim.Simulator, investigating.WeekCast]:
    sim = kmssim.Simulator(seed=10)
    kms = sim.client("kms")
    may = [_policy(actions=["kms:Decrypt"])]
    cast = investigating.WeekCast(
        payroll_key=kms.create_key()["KeyMetadata"]["Arn"],
        archive_key=kms.create_key()["KeyMetadata"]["Arn"],
        payroll_app=sim.add_principal(f"{ACCOUNT}:role/PayrollApp", policies=may),
        analyst=sim.add_principal(f"{ACCOUNT}:user/Dana", policies=may),
        admin=sim.add_principal(f"{ACCOUNT}:user/Sam", policies=[_policy(actions=["kms:*"])]),
        contractor=sim.add_principal(f"{ACCOUNT}:role/Contractor", policies=may),
        archive_job=sim.add_principal(f"{ACCOUNT}:role/ArchiveJob", policies=may),
    )
    investigating.run_week(sim, cast)
    return sim, cast


def test_10_week_leaves_the_incident_in_the_trail(
    week: tuple[kmssim.Simulator, investigating.WeekCast],
) -> None:
    sim, cast = week
    failed = sim.trail().filter(failed=True)
    assert {e.error_code for e in failed} == {"KMSInvalidStateException"}
    assert {e.principal for e in failed} == {cast.archive_job}
    fig = investigating.plot_trail(sim.trail())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[::-1] == [
        "role/ArchiveJob",
        "role/Contractor",
        "role/PayrollApp",
        "root",
        "user/Dana",
        "user/Sam",
    ]
    plt.close(fig)


@pytest.mark.parametrize(
    ("who", "when", "ok", "hint"),
    [
        ("contractor", "2026-01-04T02:13:00Z", True, "Contractor decrypted payroll"),
        ("payroll_app", "2026-01-01T06:00:00Z", False, "allowed to decrypt payroll"),
        ("analyst", "2026-01-01T10:00:00Z", False, "never decrypted payroll"),
        ("contractor", "2026-01-04T03:13:00Z", False, "did not decrypt payroll at"),
        ("contractor", "yesterday", False, "give the time"),
        ("Contractor", "2026-01-04T02:13:00Z", False, "as its ARN"),
    ],
)
def test_10_check_suspect(
    week: tuple[kmssim.Simulator, investigating.WeekCast], who: str, when: str, ok: bool, hint: str
) -> None:
    sim, cast = week
    principal = getattr(cast, who, who)
    verdict = investigating.check_suspect(sim, cast, principal, when)
    assert verdict.ok is ok and hint in verdict.message


def test_10_check_rescued_steps() -> None:
    sim = kmssim.Simulator(seed=11)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert "cancel_key_deletion" in investigating.check_rescued(sim, key).message
    kms.cancel_key_deletion(KeyId=key)
    assert "enable_key" in investigating.check_rescued(sim, key).message
    kms.enable_key(KeyId=key)
    assert investigating.check_rescued(sim, key).ok
    assert "no key" in investigating.check_rescued(sim, "1234abcd-0000-0000-0000-000000000000").message


def test_10_a_deleted_key_cannot_be_rescued() -> None:
    sim = kmssim.Simulator(seed=12)
    kms = sim.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    sim.advance(days=8)
    verdict = investigating.check_rescued(sim, key)
    assert not verdict.ok and "nothing can bring it back" in verdict.message
