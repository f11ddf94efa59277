"""Condition operators: AWS's documented semantics, one behaviour per test.

Main sources:
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
* https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from kmssim._errors import MalformedPolicyDocumentException
from kmssim._policy import evaluate
from kmssim._policy.conditions import (
    compile_condition,
    parse_date,
    parse_operator,
)
from kmssim.choices import PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES

OPS_URL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
)
ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/Alice"


def holds(operator: str, key: str, values: Any, context: dict[str, Any], *, variables: bool = True) -> bool:
    """Run one condition against a request context (context keys in any case, as AWS allows)."""
    cond = compile_condition(operator, key, values, variables=variables)
    assert cond is not None, operator
    return cond.check({k.lower(): v for k, v in context.items()})


# -- String ---------------------------------------------------------------------------------------------------


def test_string_equals_is_case_sensitive_and_literal() -> None:
    """StringEquals: exact, case-sensitive; * is not a wildcard. Source: OPS_URL#Conditions_String."""
    assert holds("StringEquals", "aws:username", "Alice", {"aws:username": "Alice"})
    assert not holds("StringEquals", "aws:username", "alice", {"aws:username": "Alice"})
    assert not holds("StringEquals", "aws:username", "A*", {"aws:username": "Alice"})
    assert holds("StringEquals", "aws:username", "A*", {"aws:username": "A*"})


def test_several_values_are_ored() -> None:
    """Several values for one key: any may match. Source: reference_policies_elements_condition.html (logic)."""
    assert holds("StringEquals", "aws:username", ["Bob", "Alice"], {"aws:username": "Alice"})
    assert not holds("StringEquals", "aws:username", ["Bob", "Carol"], {"aws:username": "Alice"})


def test_negated_operator_with_several_values_needs_no_match_at_all() -> None:
    """StringNotEquals with several values: the request value must match none of them. Source: OPS_URL."""
    assert holds("StringNotEquals", "aws:username", ["Bob", "Carol"], {"aws:username": "Alice"})
    assert not holds("StringNotEquals", "aws:username", ["Bob", "Alice"], {"aws:username": "Alice"})


def test_string_equals_ignore_case() -> None:
    """StringEqualsIgnoreCase / StringNotEqualsIgnoreCase ignore case. Source: OPS_URL#Conditions_String."""
    assert holds("StringEqualsIgnoreCase", "aws:username", "ALICE", {"aws:username": "alice"})
    assert not holds("StringNotEqualsIgnoreCase", "aws:username", "ALICE", {"aws:username": "alice"})
    assert holds("StringNotEqualsIgnoreCase", "aws:username", "BOB", {"aws:username": "alice"})


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("alias/*test*", "alias/my-test-key", True),
        ("alias/*test*", "alias/prod", False),
        ("alias/ke?", "alias/key", True),
        ("alias/ke?", "alias/keys", False),
        ("alias/?", "alias/", False),
        ("*", "", True),
        ("a*b*c", "a:b/c", True),
        ("Alias/*", "alias/x", False),
    ],
)
def test_string_like_wildcards(pattern: str, value: str, expected: bool) -> None:
    """StringLike: * any run (including none), ? exactly one character, case-sensitive. Source: OPS_URL."""
    assert holds("StringLike", "kms:RequestAlias", pattern, {"kms:RequestAlias": value}) is expected
    assert holds("StringNotLike", "kms:RequestAlias", pattern, {"kms:RequestAlias": value}) is (not expected)


def test_string_operators_compare_booleans_and_numbers_as_text() -> None:
    """JSON booleans and numbers in a policy are compared as their text. Source: OPS_URL (Boolean note)."""
    assert holds("StringEquals", "kms:MultiRegion", True, {"kms:MultiRegion": True})
    assert holds("StringEquals", "kms:MultiRegion", "true", {"kms:MultiRegion": True})
    assert holds("StringEquals", "aws:EpochTime", 5, {"aws:EpochTime": 5})


# -- Numeric --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "expected"),
    [
        ("NumericEquals", "30", 30, True),
        ("NumericEquals", "30", "30.0", True),
        ("NumericNotEquals", "30", 7, True),
        ("NumericNotEquals", "30", 30, False),
        ("NumericLessThan", "30", 7, True),
        ("NumericLessThan", "30", 30, False),
        ("NumericLessThanEquals", "30", 30, True),
        ("NumericGreaterThan", 7, 8, True),
        ("NumericGreaterThan", 7, 7, False),
        ("NumericGreaterThanEquals", "7", 7, True),
        ("NumericGreaterThanEquals", "7.5", 7, False),
        ("NumericLessThan", "-1", -2, True),
    ],
)
def test_numeric_operators(operator: str, policy: object, request_value: object, expected: bool) -> None:
    """Numeric* compare integers and decimals. Source: OPS_URL#Conditions_Numeric."""
    key = "kms:ScheduleKeyDeletionPendingWindowInDays"
    assert holds(operator, key, policy, {key: request_value}) is expected


def test_numeric_with_a_non_number_request_value_does_not_match_either_way() -> None:
    """A value that is not a number matches neither the operator nor its negation (type mismatch)."""
    key = "kms:RotationPeriodInDays"
    assert not holds("NumericEquals", key, "30", {key: "thirty"})
    assert not holds("NumericNotEquals", key, "30", {key: "thirty"})
    assert not holds("NumericEquals", key, "30", {key: True})


# -- Date -----------------------------------------------------------------------------------------------------


def test_date_operators_accept_iso8601_and_epoch() -> None:
    """Date*: W3C ISO 8601 dates or epoch seconds. Source: OPS_URL#Conditions_Date."""
    now = {"aws:CurrentTime": "2024-06-01T12:00:00Z"}
    assert holds("DateLessThan", "aws:CurrentTime", "2025-01-01T00:00:00Z", now)
    assert not holds("DateGreaterThan", "aws:CurrentTime", "2025-01-01T00:00:00Z", now)
    assert holds("DateGreaterThanEquals", "aws:CurrentTime", "2024-06-01", now)
    epoch_2025 = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    assert holds("DateLessThan", "aws:CurrentTime", str(epoch_2025), now)
    assert holds("DateLessThan", "aws:EpochTime", epoch_2025, {"aws:EpochTime": epoch_2025 - 1})
    assert holds("DateEquals", "aws:CurrentTime", "2024-06-01T14:00:00+02:00", now)
    assert holds("DateNotEquals", "aws:CurrentTime", "2024-06-01T12:00:01Z", now)


def test_date_request_value_may_be_a_datetime() -> None:
    """Context values may be datetime objects; naive datetimes are UTC."""
    tz = timezone(timedelta(hours=-5))
    ctx = {"kms:ValidTo": datetime(2024, 1, 1, 7, 0, tzinfo=tz)}
    assert holds("DateEquals", "kms:ValidTo", "2024-01-01T12:00:00Z", ctx)
    assert holds(
        "DateLessThanEquals", "kms:ValidTo", "2024-01-01T12:00:00Z", {"kms:ValidTo": datetime(2024, 1, 1)}
    )


def test_parse_date_rejects_garbage() -> None:
    assert parse_date("not a date") is None
    assert parse_date(True) is None
    assert parse_date(float("nan")) is None
    # W3C reduced precision "YYYY-MM"; an all-digit value is epoch seconds.
    assert parse_date("2024-05") == datetime(2024, 5, 1, tzinfo=UTC).timestamp()
    assert parse_date("2024") == 2024.0


# -- Bool, Binary, IP -----------------------------------------------------------------------------------------


def test_bool_accepts_strings_and_json_booleans() -> None:
    """Bool with "true"/"false" or JSON true. Source: OPS_URL#Conditions_Boolean and conditions-kms.html
    (``"kms:GrantIsForAWSResource": true``)."""
    key = "kms:GrantIsForAWSResource"
    assert holds("Bool", key, "true", {key: True})
    assert holds("Bool", key, True, {key: "true"})
    assert not holds("Bool", key, "true", {key: False})
    assert holds("Bool", key, "false", {key: "FALSE"})
    assert not holds("Bool", key, "true", {key: "yes"})


def test_binary_equals_compares_base64_bytes() -> None:
    """BinaryEquals: base64-encoded policy value compared byte for byte. Source: OPS_URL#Conditions_BinaryEquals."""
    assert holds("BinaryEquals", "test:blob", "QmluYXJ5VmFsdWU=", {"test:blob": b"BinaryValue"})
    assert holds("BinaryEquals", "test:blob", "QmluYXJ5VmFsdWU=", {"test:blob": "QmluYXJ5VmFsdWU="})
    assert not holds("BinaryEquals", "test:blob", "QmluYXJ5VmFsdWU=", {"test:blob": b"Other"})


@pytest.mark.parametrize(
    ("cidr", "address", "expected"),
    [
        ("203.0.113.0/24", "203.0.113.7", True),
        ("203.0.113.0/24", "198.51.100.7", False),
        ("203.0.113.7", "203.0.113.7", True),
        ("2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True),
        ("2001:DB8:1234:5678::/64", "203.0.113.7", False),
        ("203.0.113.0/24", "not-an-ip", False),
    ],
)
def test_ip_address(cidr: str, address: str, expected: bool) -> None:
    """IpAddress: CIDR ranges, IPv4 and IPv6; a bare address is /32. Source: OPS_URL#Conditions_IPAddress."""
    assert holds("IpAddress", "aws:SourceIp", cidr, {"aws:SourceIp": address}) is expected


def test_not_ip_address_on_missing_source_ip_matches() -> None:
    """NotIpAddress with aws:SourceIp absent (a VPC endpoint request) is true, so a Deny applies.
    Source: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-aws.html and OPS_URL."""
    assert holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {})
    assert not holds("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.1"})


# -- ARN ------------------------------------------------------------------------------------------------------


def test_arn_like_matches_component_by_component() -> None:
    """ArnLike: each colon-separated component separately; * cannot span colons, unlike StringLike.
    Source: OPS_URL#Conditions_ARN."""
    pattern = "arn:aws:iam::*:role/Finance*"
    assert holds(
        "ArnLike",
        "aws:PrincipalArn",
        pattern,
        {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/FinanceApp"},
    )
    assert not holds(
        "ArnLike", "aws:PrincipalArn", pattern, {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/Finance"}
    )
    spanning = "arn:aws:kms:*:111122223333:key/*"
    value = "arn:aws:kms:us-east-1:extra:111122223333:key/k"
    assert not holds("ArnLike", "test:arn", spanning, {"test:arn": value})
    assert holds("StringLike", "test:arn", spanning.replace("111122223333:", "*"), {"test:arn": value})


def test_arn_equals_behaves_like_arn_like() -> None:
    """ArnEquals and ArnLike are identical (wildcards work in both). Source: OPS_URL#Conditions_ARN."""
    value = {"aws:SourceArn": "arn:aws:s3:::my-bucket"}
    assert holds("ArnEquals", "aws:SourceArn", "arn:aws:s3:::my-*", value)
    assert holds("ArnEquals", "aws:SourceArn", "arn:aws:s3:::my-bucket", value)
    assert not holds("ArnNotEquals", "aws:SourceArn", "arn:aws:s3:::my-*", value)
    assert holds("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::other", value)


def test_arn_operator_is_case_sensitive_and_needs_an_arn() -> None:
    """ARN operators are case-sensitive; a non-ARN value never matches (so ArnNotLike does)."""
    assert not holds(
        "ArnLike", "aws:SourceArn", "arn:aws:s3:::My-Bucket", {"aws:SourceArn": "arn:aws:s3:::my-bucket"}
    )
    assert not holds("ArnLike", "aws:SourceArn", "arn:aws:s3:::*", {"aws:SourceArn": "my-bucket"})
    assert holds("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::*", {"aws:SourceArn": "my-bucket"})


# -- Missing keys, IfExists, Null -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringLike", False),
        ("NumericLessThan", False),
        ("DateGreaterThan", False),
        ("Bool", False),
        ("IpAddress", False),
        ("ArnLike", False),
        ("BinaryEquals", False),
        ("StringNotEquals", True),
        ("StringNotLike", True),
        ("StringNotEqualsIgnoreCase", True),
        ("NumericNotEquals", True),
        ("DateNotEquals", True),
        ("NotIpAddress", True),
        ("ArnNotEquals", True),
        ("ArnNotLike", True),
    ],
)
def test_missing_key_positive_false_negated_true(operator: str, expected: bool) -> None:
    """ "If the key ... is not present in the request context, the values do not match" -- but a negated operator
    is then true. Source: OPS_URL (introduction)."""
    assert holds(operator, "test:absent", "1", {"other:key": "1"}) is expected


@pytest.mark.parametrize(
    "operator", ["StringEqualsIfExists", "StringNotEqualsIfExists", "NumericLessThanIfExists"]
)
def test_if_exists_is_true_for_missing_key_and_normal_otherwise(operator: str) -> None:
    """...IfExists: true when the key is absent, evaluated normally when present. Source: OPS_URL#Conditions_IfExists."""
    assert holds(operator, "test:k", "5", {})
    base = operator.removesuffix("IfExists")
    for value in ("5", "6"):
        assert holds(operator, "test:k", "5", {"test:k": value}) is holds(
            base, "test:k", "5", {"test:k": value}
        )


def test_bool_if_exists_denies_long_term_credentials() -> None:
    """Deny + BoolIfExists aws:MultiFactorAuthPresent false denies access-key requests (the key is absent),
    while Bool alone does not. Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"""
    assert holds("BoolIfExists", "aws:MultiFactorAuthPresent", "false", {})
    assert not holds("Bool", "aws:MultiFactorAuthPresent", "false", {})


def test_null_operator() -> None:
    """Null true: the key must be absent; false: present and not null. Source: OPS_URL#Conditions_Null."""
    assert holds("Null", "kms:EncryptionContextKeys", "true", {})
    assert not holds("Null", "kms:EncryptionContextKeys", "true", {"kms:EncryptionContextKeys": ["a"]})
    assert holds("Null", "kms:EncryptionContextKeys", "false", {"kms:EncryptionContextKeys": ["a"]})
    assert not holds("Null", "kms:EncryptionContextKeys", False, {})
    assert holds("Null", "kms:EncryptionContextKeys", "true", {"kms:EncryptionContextKeys": []})


def test_null_has_no_if_exists_form() -> None:
    """ "...IfExists" exists for every operator except Null. Source: OPS_URL#Conditions_IfExists."""
    assert parse_operator("NullIfExists") is None
    assert parse_operator("ForAnyValue:StringLikeIfExists") is not None


# -- Multivalued keys -----------------------------------------------------------------------------------------

MV_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"


def test_for_any_value() -> None:
    """ForAnyValue: at least one request value matches; false for a missing key or an empty set. Source: MV_URL."""
    key = "kms:EncryptionContextKeys"
    assert holds("ForAnyValue:StringEquals", key, ["Dept"], {key: ["Project", "Dept"]})
    assert not holds("ForAnyValue:StringEquals", key, ["Dept"], {key: ["Project"]})
    assert not holds("ForAnyValue:StringEquals", key, ["Dept"], {})
    assert not holds("ForAnyValue:StringEquals", key, ["Dept"], {key: []})


def test_for_all_values_including_the_empty_set_gotcha() -> None:
    """ForAllValues: every request value matches; true for a missing key or an empty set. Source: MV_URL and
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context-keys"""
    key = "kms:EncryptionContextKeys"
    assert holds("ForAllValues:StringEquals", key, ["Dept", "Project"], {key: ["Project"]})
    assert not holds("ForAllValues:StringEquals", key, ["Dept"], {key: ["Project", "Dept"]})
    assert holds("ForAllValues:StringEquals", key, ["Dept"], {})
    assert holds("ForAllValues:StringEquals", key, ["Dept"], {key: []})


def test_set_operators_with_negated_operators() -> None:
    """ForAllValues:StringNotEquals = none of the request values is listed; ForAnyValue:StringNotEquals = at
    least one request value is not listed. Source: MV_URL."""
    key = "aws:TagKeys"
    assert holds("ForAllValues:StringNotEquals", key, ["Owner"], {key: ["Env", "Team"]})
    assert not holds("ForAllValues:StringNotEquals", key, ["Owner"], {key: ["Env", "Owner"]})
    assert holds("ForAnyValue:StringNotEquals", key, ["Owner"], {key: ["Env", "Owner"]})
    assert not holds("ForAnyValue:StringNotEquals", key, ["Owner"], {key: ["Owner"]})


def test_set_operator_on_single_valued_key_treats_it_as_one_element_set() -> None:
    """Single vs multi is "the number of values in the request context"; a single value is a one-element set."""
    assert holds("ForAnyValue:StringEquals", "aws:username", ["Alice"], {"aws:username": "Alice"})
    assert holds("ForAllValues:StringLike", "aws:username", ["A*"], {"aws:username": "Alice"})


def test_plain_operator_on_several_values_follows_the_named_choice() -> None:
    """A plain operator on a key with several values: the documented choice PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES
    (no match, as iam-simulate does), for negated operators too; one value counts as single-valued."""
    key = "kms:EncryptionContextKeys"
    both = {key: ["Dept", "Project"]}
    assert holds("StringEquals", key, ["Dept", "Project"], both) is PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES
    assert holds("StringNotEquals", key, ["Other"], both) is PLAIN_OPERATOR_ON_MULTIVALUED_KEY_MATCHES
    assert holds("StringEquals", key, "Dept", {key: ["Dept"]})


# -- Names, variables, operators ------------------------------------------------------------------------------


def test_condition_key_names_are_case_insensitive() -> None:
    """Condition-key names, including the suffix of kms:EncryptionContext:, are case-insensitive; values are not.
    Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html"""
    assert holds("StringEquals", "AWS:SourceIP", "1.2.3.4", {"aws:sourceip": "1.2.3.4"})
    assert holds(
        "StringEquals", "kms:EncryptionContext:Department", "IT", {"KMS:encryptioncontext:DEPARTMENT": "IT"}
    )
    assert not holds(
        "StringEquals", "kms:EncryptionContext:Department", "IT", {"kms:EncryptionContext:Department": "it"}
    )


def test_operator_names_parse_with_qualifiers() -> None:
    parsed = parse_operator("ForAllValues:StringNotLikeIfExists")
    assert parsed is not None
    assert (parsed.set_mode, parsed.base, parsed.if_exists) == ("ForAllValues", "StringNotLike", True)
    assert parse_operator("StringEqualz") is None
    assert parse_operator("ForSomeValues:StringEquals") is None


VARS_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"


def test_policy_variable_is_substituted() -> None:
    """${aws:username} and ${aws:PrincipalTag/team} resolve from the request. Source: VARS_URL."""
    ctx = {"aws:username": "Alice", "aws:PrincipalTag/team": "blue", "kms:EncryptionContext:owner": "Alice"}
    assert holds("StringEquals", "kms:EncryptionContext:owner", "${aws:username}", ctx)
    assert holds("StringLike", "kms:EncryptionContext:owner", "${aws:username}*", ctx)
    assert holds("StringEquals", "aws:PrincipalTag/team", "${AWS:PrincipalTag/TEAM}", ctx)
    assert not holds("StringEquals", "kms:EncryptionContext:owner", "${aws:PrincipalTag/team}", ctx)


def test_policy_variable_values_are_literal_in_like_patterns() -> None:
    """A substituted value is literal text, so a * inside it is not a wildcard. Source: VARS_URL (${*})."""
    ctx = {"aws:username": "A*", "test:k": "Alice"}
    assert not holds("StringLike", "test:k", "${aws:username}", ctx)
    assert holds("StringLike", "test:k", "A${*}", {"test:k": "A*"})
    assert not holds("StringLike", "test:k", "A${*}", {"test:k": "Ab"})


def test_escape_variables() -> None:
    """${*}, ${?} and ${$} stand for the literal characters. Source: VARS_URL#policy-vars-specialchars."""
    assert holds("StringEquals", "test:k", "a${*}b${?}c${$}", {"test:k": "a*b?c$"})


def test_missing_variable_matches_nothing_but_negation_matches() -> None:
    """A variable whose key is absent resolves to null: StringEquals does not match, StringNotEquals does.
    Source: VARS_URL (non-existing key)."""
    assert not holds("StringEquals", "test:k", "${aws:PrincipalTag/team}", {"test:k": "x"})
    assert holds("StringNotEquals", "test:k", "${aws:PrincipalTag/team}", {"test:k": "x"})


def test_variable_default_value() -> None:
    """${key, 'default'} uses the default when the key is absent. Source: VARS_URL#policy-vars-default-values."""
    assert holds(
        "StringEquals", "test:k", "${aws:PrincipalTag/team, 'company-wide'}", {"test:k": "company-wide"}
    )
    assert holds(
        "StringEquals",
        "test:k",
        "${aws:PrincipalTag/team, 'company-wide'}",
        {"test:k": "blue", "aws:PrincipalTag/team": "blue"},
    )


def test_variables_are_literal_without_version_2012() -> None:
    """Without "Version": "2012-10-17" variables are plain text. Source: VARS_URL."""
    ctx = {"aws:username": "Alice", "test:k": "${aws:username}"}
    assert holds("StringEquals", "test:k", "${aws:username}", ctx, variables=False)
    assert not holds("StringEquals", "test:k", "${aws:username}", ctx, variables=True)


def test_arn_condition_with_variable() -> None:
    """Variables work in ARN operators. Source: VARS_URL (where you can use policy variables)."""
    ctx = {"aws:username": "Alice", "aws:PrincipalArn": ALICE}
    assert holds("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/${aws:username}", ctx)
    assert not holds("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/${aws:PrincipalTag/x}", ctx)


# -- Through the evaluator ------------------------------------------------------------------------------------


def _policy(condition: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps(
        {
            "Version": version,
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ALICE},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": condition,
                }
            ],
        }
    )


def test_several_operators_and_keys_are_anded() -> None:
    """Several operators, or several keys under one operator, must all hold. Source: reference_policies_elements_condition.html."""
    policy = _policy(
        {
            "StringEquals": {"kms:EncryptionContext:Dept": "IT", "kms:CallerAccount": ACCOUNT},
            "Bool": {"aws:SecureTransport": "true"},
        }
    )
    ok = {"kms:EncryptionContext:Dept": "IT", "aws:SecureTransport": True}
    assert evaluate(
        key_policy=policy, principal=ALICE, action="kms:Decrypt", resource=KEY, context=ok
    ).allowed
    for drop in ok:
        ctx = {k: v for k, v in ok.items() if k != drop}
        assert not evaluate(
            key_policy=policy, principal=ALICE, action="kms:Decrypt", resource=KEY, context=ctx
        ).allowed


def test_unknown_operator_is_malformed() -> None:
    """An unknown operator makes the document invalid (policy grammar)."""
    with pytest.raises(MalformedPolicyDocumentException):
        evaluate(
            key_policy=_policy({"StringEqualz": {"a:b": "c"}}),
            principal=ALICE,
            action="kms:Decrypt",
            resource=KEY,
        )


def test_evaluate_accepts_mixed_case_context_keys_and_kms_context_values() -> None:
    """The evaluator lower-cases context-key names itself. Source: reference_policies_elements_condition.html."""
    policy = _policy({"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"}})
    ctx = {"KMS:ENCRYPTIONCONTEXT:appname": "ExampleApp"}
    assert evaluate(
        key_policy=policy, principal=ALICE, action="kms:Decrypt", resource=KEY, context=ctx
    ).allowed
