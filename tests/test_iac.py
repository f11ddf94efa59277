"""CloudFormation templates and Terraform plans built into a simulator, priced and checked.

Templates are written as the CloudFormation Template Reference shows them
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html, Fn::Sub:
intrinsic-function-reference-sub.html); the plan as ``terraform show -json`` writes it
(https://developer.hashicorp.com/terraform/internals/json-format).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kmssim
from kmssim._usage.cloudformation import load_template

DATA = Path(__file__).parent / "data" / "iac"
ROOT_ARN = "arn:aws:iam::111122223333:root"


def test_yaml_short_forms_and_yaml_1_1_traps() -> None:
    doc = load_template(
        "Resources:\n"
        "  K:\n"
        "    Type: AWS::KMS::Key\n"
        "    Properties:\n"
        "      Description: !Sub '${AWS::StackName}-key'\n"
        "      KeyPolicy:\n"
        "        Version: 2012-10-17\n"
        "        Statement:\n"
        "          - Principal: {AWS: !GetAtt Role.Arn.With.Dots}\n"
        "            Account: 012345678901\n"
        "            Count: 12\n"
        "            Joined: !Join ['', [a, !Ref B]]\n",
        "inline",
    )
    props = doc["Resources"]["K"]["Properties"]
    assert props["Description"] == {"Fn::Sub": "${AWS::StackName}-key"}
    assert props["KeyPolicy"]["Version"] == "2012-10-17"  # not a datetime.date
    statement = props["KeyPolicy"]["Statement"][0]
    assert statement["Principal"]["AWS"] == {"Fn::GetAtt": ["Role", "Arn.With.Dots"]}  # first dot only
    assert statement["Account"] == "012345678901" and statement["Count"] == 12
    assert statement["Joined"] == {"Fn::Join": ["", ["a", {"Ref": "B"}]]}
    with pytest.raises(ValueError, match="not a CloudFormation template"):
        load_template("just: text\n", "inline")


def test_cloudformation_yaml_builds_keys_aliases_and_reports_the_rest() -> None:
    infra = kmssim.read_cloudformation(DATA / "kms_key.yaml", stack_name="app")
    keys = infra.keys().set_index("name")
    assert keys.loc["myKey", "simulated"] and keys.loc["mySigningKey", "key_spec"] == "RSA_2048"
    assert keys.loc["myKey", "aliases"] == "alias/exampleKey"  # TargetKeyId: !Ref myKey (the key ID)
    assert (
        keys.loc["mySigningKey", "aliases"] == "alias/app-signing"
    )  # !Sub with AWS::StackName, !GetAtt .Arn
    assert keys.loc["myReplica", "kind"] == "replica" and not keys.loc["myReplica", "simulated"]
    sim = infra.simulator
    inventory = {k.arn: k for k in sim.inventory()}
    assert len(inventory) == 2
    key = inventory[keys.loc["myKey", "arn"]]
    assert key.rotation_enabled
    policy = json.loads(sim.call("GetKeyPolicy", {"KeyId": key.arn, "PolicyName": "default"})["Policy"])
    assert (
        policy["Statement"][0]["Principal"]["AWS"] == ROOT_ARN
    )  # !Sub with AWS::Partition and AWS::AccountId
    assert (
        policy["Statement"][1]["Principal"]["AWS"] == "arn:aws:iam::111122223333:role/KeyAdmin"
    )  # parameter default
    by = {(f.severity, f.resource) for f in infra.findings}
    assert ("not-simulated", "myReplica") in by
    assert ("unsupported", "myImport") in by  # Fn::ImportValue: reported, not dropped
    assert ("ignored", "myBucket") in by
    assert ("assumed", "myKey") in by  # the KeyAdmin role is assumed to exist
    assert any("PendingWindowInDays" not in f.message for f in infra.findings)


def test_condition_false_is_reported_not_built() -> None:
    infra = kmssim.read_cloudformation(DATA / "kms_key.yaml", region="eu-west-1")
    assert "mySigningKey" not in set(infra.keys()["name"])
    assert any(
        f.resource == "mySigningKey" and "Condition WantSigning is false" in f.message for f in infra.findings
    )
    assert any(f.resource == "myArnAlias" and "not built" in f.message for f in infra.findings)


def test_estimate_bills_replicas_as_keys() -> None:
    infra = kmssim.read_cloudformation(DATA / "kms_key.yaml")
    est = infra.estimate("2026-06", [{"operation": "Decrypt", "count": 1_000_000}])
    expected = kmssim.estimate(
        [{"count": 2}, {"key_spec": "RSA_2048"}],
        [{"operation": "Decrypt", "count": 1_000_000}],
        month="2026-06",
    )
    assert est.total == expected.total
    assert any("replica" in n and "myReplica" in n for n in est.notes)


def test_estimate_with_volumes_from_cloudtrail() -> None:
    log = kmssim.read_cloudtrail(Path(__file__).resolve().parents[1] / "data" / "sample_cloudtrail")
    infra = kmssim.read_cloudformation(DATA / "lockout.json")
    est = infra.estimate("2026-03", cloudtrail=log)
    usage = log.usage(month="2026-03")
    requests = [{k: r[k] for k in ("operation", "count", "key_spec", "region")} for r in usage["requests"]]
    assert est.total == kmssim.estimate([{"count": 2}], requests, month="2026-03").total


def test_lockout_and_access_matrix() -> None:
    infra = kmssim.read_cloudformation(DATA / "lockout.json")
    check = infra.policy_check(principals=["arn:aws:iam::111122223333:role/app"])
    locked = check[check["key"] == "lockedKey"].set_index("principal")
    assert locked["locked_out"].all()
    assert locked.loc["arn:aws:iam::111122223333:role/app", "kms:Decrypt"] == "Allow"
    assert locked.loc[ROOT_ARN, "kms:PutKeyPolicy"] != "Allow"
    open_key = check[check["key"] == "openKey"].set_index("principal")
    assert not open_key["locked_out"].any() and open_key.loc[ROOT_ARN, "kms:PutKeyPolicy"] == "Allow"
    assert any(f.resource == "lockedKey" and "locked out" in f.message for f in infra.findings)
    infra.policy_check()
    assert sum("locked out" in f.message for f in infra.findings) == 1


def test_lockout_without_bypass_fails_create_key_as_aws_does() -> None:
    doc = json.loads((DATA / "lockout.json").read_text())
    del doc["Resources"]["lockedKey"]["Properties"]["BypassPolicyLockoutSafetyCheck"]
    infra = kmssim.read_cloudformation(doc)
    errors = [f for f in infra.findings if f.resource == "lockedKey" and f.severity == "error"]
    assert errors and "MalformedPolicyDocumentException" in errors[0].message


def test_terraform_plan() -> None:
    infra = kmssim.read_terraform_plan(DATA / "plan.json")
    keys = infra.keys().set_index("name")
    assert set(keys.index) == {
        "aws_kms_key.app",
        'aws_kms_key.per_team["orders"]',
        "module.audit.aws_kms_key.logs",
        "aws_kms_replica_key.app_west",
    }
    assert (keys["region"] == "eu-west-1").all()  # the provider block's region
    assert keys.loc["aws_kms_key.app", "aliases"] == "alias/app"  # linked through configuration references
    assert keys.loc["module.audit.aws_kms_key.logs", "aliases"] == "alias/audit-logs"  # inside a module
    assert keys.loc['aws_kms_key.per_team["orders"]', "key_spec"] == "RSA_2048"
    sim = infra.simulator
    app = keys.loc["aws_kms_key.app", "arn"]
    grants = sim.call("ListGrants", {"KeyId": app})["Grants"]
    assert [g["Name"] for g in grants] == ["worker"]
    assert grants[0]["Constraints"] == {"EncryptionContextEquals": {"table": "orders"}}
    check = infra.policy_check().set_index(["key", "principal"])
    assert (
        check.loc[("aws_kms_key.app", ROOT_ARN), "kms:Decrypt"] == "ExplicitDeny"
    )  # the plan's Deny statement
    by = {(f.severity, f.resource) for f in infra.findings}
    assert ("unsupported", "aws_kms_external_key.imported") in by
    assert ("not-simulated", "aws_kms_replica_key.app_west") in by
    assert ("assumed", "aws_kms_replica_key.app_west") in by  # provider aws.west: Region unknown
    text = " ".join(str(f) for f in infra.findings)
    assert "c2VjcmV0" not in text  # key material in the plan is never echoed
    est = infra.estimate("2026-06", pricing=kmssim.load_pricing())
    assert (
        est.total
        == kmssim.estimate(
            [{"count": 3, "region": "eu-west-1"}, {"key_spec": "RSA_2048", "region": "eu-west-1"}],
            month="2026-06",
        ).total
    )


def test_read_infrastructure_tells_formats_apart() -> None:
    assert kmssim.read_infrastructure(DATA / "plan.json").source.endswith("plan.json")
    assert len(kmssim.read_infrastructure(DATA / "lockout.json").declared) == 2
    with pytest.raises(ValueError, match="not a Terraform plan"):
        kmssim.read_terraform_plan({"format_version": "1.2"})


def test_plan_policy_and_grant_for_a_key_not_in_the_plan_are_errors() -> None:
    """A key policy or grant whose key_id names a key made elsewhere: reported, nothing applied."""
    elsewhere = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_kms_key_policy.other",
                        "mode": "managed",
                        "type": "aws_kms_key_policy",
                        "name": "other",
                        "values": {"key_id": elsewhere, "policy": "{}"},
                    },
                    {
                        "address": "aws_kms_grant.other",
                        "mode": "managed",
                        "type": "aws_kms_grant",
                        "name": "other",
                        "values": {
                            "key_id": elsewhere,
                            "grantee_principal": "arn:aws:iam::111122223333:role/app",
                            "operations": ["Decrypt"],
                        },
                    },
                ]
            }
        },
        "configuration": {
            "provider_config": {"aws": {"expressions": {"region": {"constant_value": "us-east-1"}}}}
        },
    }
    infra = kmssim.read_terraform_plan(plan)
    errors = {(f.resource, f.message) for f in infra.findings if f.severity == "error"}
    assert errors == {
        ("aws_kms_key_policy.other", "key_id does not lead to a key built here: policy not applied"),
        ("aws_kms_grant.other", "key_id does not lead to a key built here: grant not created"),
    }
    assert infra.simulator.inventory() == [] and infra.declared == []
