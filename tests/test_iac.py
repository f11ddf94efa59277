"""CloudFormation templates and Terraform plans built into a simulator, priced and checked.

Templates are written as the CloudFormation Template Reference shows them
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html, Fn::Sub:
intrinsic-function-reference-sub.html); the plan as ``terraform show -json`` writes it
(https://developer.hashicorp.com/terraform/internals/json-format).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    # Was "declared but not simulated" before kmssim had ReplicateKey: now the replica is made by ReplicateKey
    # in the stack's Region from a stand-in for its primary, which the template names in us-west-2.
    assert keys.loc["myReplica", "kind"] == "replica" and keys.loc["myReplica", "simulated"]
    sim = infra.simulator
    inventory = {k.arn: k for k in sim.inventory()}
    assert len(inventory) == 4  # myKey, mySigningKey, the replica and its stand-in primary
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
    assert ("assumed", "myReplica") in by  # was "not-simulated": now the stand-in primary is reported
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
        "aws_kms_external_key.imported",  # read since kmssim has CreateKey(Origin=EXTERNAL)
    }
    assert (keys.drop("aws_kms_replica_key.app_west")["region"] == "eu-west-1").all()  # the provider's region
    assert keys.loc["aws_kms_replica_key.app_west", "region"] == "us-west-2"  # provider aws.west's region
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
    # Were "unsupported" and "not-simulated" before kmssim read aws_kms_external_key and had ReplicateKey; the
    # plan now gives provider aws.west a Region (the unknown-Region finding is tested on its own below).
    assert ("assumed", "aws_kms_external_key.imported") in by  # PendingImport: material must be imported
    assert ("not-simulated", "aws_kms_external_key.imported") in by  # key_material_base64 not imported
    assert keys.loc["aws_kms_replica_key.app_west", "simulated"]
    assert not any(f.resource == "aws_kms_replica_key.app_west" for f in infra.findings)
    assert keys.loc["aws_kms_replica_key.app_west", "arn"].split("/")[-1] == app.split("/")[-1]  # same key ID
    text = " ".join(str(f) for f in infra.findings)
    assert "c2VjcmV0" not in text  # key material in the plan is never echoed
    est = infra.estimate("2026-06", pricing=kmssim.load_pricing())
    assert (
        est.total
        == kmssim.estimate(
            [  # the external key is now declared too (it was an unsupported resource): 3 keys in eu-west-1
                {"count": 3, "region": "eu-west-1"},
                {"region": "us-west-2"},
                {"key_spec": "RSA_2048", "region": "eu-west-1"},
            ],
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


_ROOT_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"}],
}


def test_cloudformation_builds_external_keys_and_replicas_with_the_simulator() -> None:
    """AWS::KMS::Key with Origin EXTERNAL is CreateKey(Origin=EXTERNAL), which leaves the key PendingImport
    (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-create-cmk.html); AWS::KMS::ReplicaKey
    is ReplicateKey into the stack's Region with its own KeyPolicy, Enabled and Tags
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-replicakey.html).
    A replica in its primary's own Region cannot exist (API_ReplicateKey: "a different AWS Region")."""
    primary = "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    app = "arn:aws:iam::111122223333:role/app"
    replica_policy = {
        "Version": "2012-10-17",
        "Statement": [
            *_ROOT_ONLY["Statement"],
            {"Effect": "Allow", "Principal": {"AWS": app}, "Action": "kms:Decrypt", "Resource": "*"},
        ],
    }
    template = {
        "Parameters": {"PrimaryArn": {"Type": "String", "Default": primary}},
        "Resources": {
            "Imported": {"Type": "AWS::KMS::Key", "Properties": {"Origin": "EXTERNAL"}},
            "Replica": {
                "Type": "AWS::KMS::ReplicaKey",
                "Properties": {
                    "PrimaryKeyArn": {"Ref": "PrimaryArn"},
                    "KeyPolicy": replica_policy,
                    "Enabled": False,
                    "Description": "orders replica",
                    "Tags": [{"Key": "team", "Value": "orders"}],
                },
            },
            "ReplicaAlias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": "alias/orders-replica", "TargetKeyId": {"Ref": "Replica"}},
            },
            "Local": {"Type": "AWS::KMS::Key", "Properties": {"MultiRegion": True}},
            "SameRegion": {
                "Type": "AWS::KMS::ReplicaKey",
                "Properties": {"PrimaryKeyArn": {"Fn::GetAtt": ["Local", "Arn"]}, "KeyPolicy": _ROOT_ONLY},
            },
        },
    }
    infra = kmssim.read_cloudformation(template)
    keys = infra.keys().set_index("name")
    kms = infra.simulator.client("kms")
    imported = kms.describe_key(KeyId=keys.loc["Imported", "arn"])["KeyMetadata"]
    assert (imported["Origin"], imported["KeyState"]) == ("EXTERNAL", "PendingImport")
    assert any(f.resource == "Imported" and "PendingImport" in f.message for f in infra.findings)
    replica = kms.describe_key(KeyId="alias/orders-replica")["KeyMetadata"]
    assert replica["Arn"] == keys.loc["Replica", "arn"] and replica["Description"] == "orders replica"
    assert replica["KeyState"] == "Disabled"  # Creating ended, then DisableKey as Enabled: false says
    config = replica["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "REPLICA" and config["PrimaryKey"]["Region"] == "us-west-2"
    assert kms.list_resource_tags(KeyId=replica["Arn"])["Tags"] == [{"TagKey": "team", "TagValue": "orders"}]
    check = infra.policy_check().set_index(["key", "principal"])
    assert check.loc[("Replica", app), "kms:Decrypt"] == "Allow"  # the replica's own policy
    assert check.loc[("Replica", app), "kms:Encrypt"] != "Allow"
    same = [f for f in infra.findings if f.resource == "SameRegion"]
    assert [f.severity for f in same] == ["error"] and "AlreadyExistsException" in same[0].message
    assert not keys.loc["SameRegion", "simulated"]
    est = infra.estimate("2026-06")
    assert est.total == kmssim.estimate([{"count": 4}], month="2026-06").total  # the stand-in is not billed


def _plan(resources: list[dict[str, Any]], config: list[dict[str, Any]], **providers: Any) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {"address": f"{r['type']}.{r['name']}", "mode": "managed", **r} for r in resources
                ]
            }
        },
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}},
                **providers,
            },
            "root_module": {
                "resources": [{"address": f"{c['type']}.{c['name']}", "mode": "managed", **c} for c in config]
            },
        },
    }


def _ref(*addresses: str) -> dict[str, Any]:
    return {"references": [a for address in addresses for a in (f"{address}.arn", address)]}


def test_terraform_replicas_their_regions_and_imported_replicas() -> None:
    """aws_kms_replica_key is ReplicateKey of primary_key_arn into its provider's Region (or its own ``region``
    argument, provider v6); a provider whose Region the plan does not hold is assumed to be the default one
    (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_replica_key). A replica of
    an imported multi-Region key (aws_kms_replica_external_key) is not made: kmssim imports no key material from
    a plan, and ReplicateKey needs its primary's (API_ReplicateKey)."""
    plan = _plan(
        [
            {"type": "aws_kms_key", "name": "p", "values": {"multi_region": True}},
            {"type": "aws_kms_external_key", "name": "ext", "values": {"multi_region": True}},
            {
                "type": "aws_kms_replica_key",
                "name": "v6",
                "values": {"region": "ap-southeast-2", "enabled": False, "policy": json.dumps(_ROOT_ONLY)},
            },
            {"type": "aws_kms_replica_key", "name": "lost", "values": {}},
            {"type": "aws_kms_replica_external_key", "name": "ext_west", "values": {}},
        ],
        [
            {
                "type": "aws_kms_replica_key",
                "name": "v6",
                "expressions": {"primary_key_arn": _ref("aws_kms_key.p")},
            },
            {
                "type": "aws_kms_replica_key",
                "name": "lost",
                "provider_config_key": "aws.nowhere",
                "expressions": {"primary_key_arn": _ref("aws_kms_key.p")},
            },
            {
                "type": "aws_kms_replica_external_key",
                "name": "ext_west",
                "provider_config_key": "aws.west",
                "expressions": {"primary_key_arn": _ref("aws_kms_external_key.ext")},
            },
        ],
        **{
            "aws.west": {
                "name": "aws",
                "alias": "west",
                "expressions": {"region": {"constant_value": "us-west-2"}},
            }
        },
    )
    infra = kmssim.read_terraform_plan(plan)
    keys = infra.keys().set_index("name")
    sim = infra.simulator
    v6 = sim.call(
        "DescribeKey", {"KeyId": keys.loc["aws_kms_replica_key.v6", "arn"]}, region="ap-southeast-2"
    )
    assert v6["KeyMetadata"]["KeyState"] == "Disabled"
    assert (
        v6["KeyMetadata"]["MultiRegionConfiguration"]["PrimaryKey"]["Arn"] == keys.loc["aws_kms_key.p", "arn"]
    )
    by = {(f.severity, f.resource): f.message for f in infra.findings}
    assert by[("assumed", "aws_kms_replica_key.lost")].startswith(
        "provider aws.nowhere: its Region is not in"
    )
    assert "AlreadyExistsException" in by[("error", "aws_kms_replica_key.lost")]  # us-east-1 is p's Region
    assert (
        "ReplicateKey needs its primary's imported key material"
        in by[("not-simulated", "aws_kms_replica_external_key.ext_west")]
    )
    assert keys.loc["aws_kms_replica_external_key.ext_west", "region"] == "us-west-2"
    assert not keys.loc["aws_kms_replica_external_key.ext_west", "simulated"]
    assert len(sim.inventory()) == 3  # p, ext and the v6 replica


def test_terraform_custom_key_stores_are_simulated_stores_and_keep_their_secrets() -> None:
    """aws_kms_custom_key_store is CreateCustomKeyStore on a simulated CloudHSM cluster or external key manager
    (API_CreateCustomKeyStore); the store is connected (ConnectCustomKeyStore) so that aws_kms_key with
    custom_key_store_id (and xks_key_id) is CreateKey in it (API_CreateKey: a connected store). The password and
    the proxy secret appear in no finding, trail event or saved state."""
    password, secret = "kmsuser-Pa55word-from-plan", "Q" * 20 + "SecretAccessKeyFromThePlan0000"
    access = "AKIAKMSSIMPLANTESTAB"
    plan = _plan(
        [
            {
                "type": "aws_kms_custom_key_store",
                "name": "hsm",
                "values": {
                    "custom_key_store_name": "hsm-store",
                    "cloud_hsm_cluster_id": "cluster-abcdefghijk",
                    "key_store_password": password,
                    "trust_anchor_certificate": "-----BEGIN CERTIFICATE-----\nplan\n-----END CERTIFICATE-----",
                },
            },
            {
                "type": "aws_kms_custom_key_store",
                "name": "xks",
                "values": {
                    "custom_key_store_name": "xks-store",
                    "custom_key_store_type": "EXTERNAL_KEY_STORE",
                    "xks_proxy_connectivity": "PUBLIC_ENDPOINT",
                    "xks_proxy_uri_endpoint": "https://xks.example.com",
                    "xks_proxy_uri_path": "/kms/xks/v1",
                    "xks_proxy_authentication_credential": [
                        {"access_key_id": access, "raw_secret_access_key": secret}
                    ],
                },
            },
            {"type": "aws_kms_key", "name": "in_hsm", "values": {}},
            {"type": "aws_kms_key", "name": "in_xks", "values": {"xks_key_id": "external-key-1"}},
        ],
        [
            {
                "type": "aws_kms_key",
                "name": "in_hsm",
                "expressions": {"custom_key_store_id": {"references": ["aws_kms_custom_key_store.hsm.id"]}},
            },
            {
                "type": "aws_kms_key",
                "name": "in_xks",
                "expressions": {"custom_key_store_id": {"references": ["aws_kms_custom_key_store.xks.id"]}},
            },
        ],
    )
    infra = kmssim.read_terraform_plan(plan)
    sim = infra.simulator
    keys = infra.keys().set_index("name")
    kms = sim.client("kms")
    stores = kms.describe_custom_key_stores()["CustomKeyStores"]
    assert sorted((s["CustomKeyStoreName"], s["ConnectionState"]) for s in stores) == [
        ("hsm-store", "CONNECTED"),
        ("xks-store", "CONNECTED"),
    ]
    hsm = kms.describe_key(KeyId=keys.loc["aws_kms_key.in_hsm", "arn"])["KeyMetadata"]
    xks = kms.describe_key(KeyId=keys.loc["aws_kms_key.in_xks", "arn"])["KeyMetadata"]
    assert (hsm["Origin"], hsm["KeyState"]) == ("AWS_CLOUDHSM", "Enabled")
    assert (xks["Origin"], xks["XksKeyConfiguration"]["Id"]) == ("EXTERNAL_KEY_STORE", "external-key-1")
    blob = kms.encrypt(KeyId=hsm["Arn"], Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    text = " ".join(str(f) for f in infra.findings)
    assert "cluster-abcdefghijk" in text and "connected with ConnectCustomKeyStore" in text
    saved = json.dumps(sim.to_json()) + json.dumps(sim.trail().to_cloudtrail(), default=str)
    for secret_text in (password, secret):
        assert secret_text not in text and secret_text not in saved
