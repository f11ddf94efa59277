"""Properties of the permission engine that must hold for every policy (Hypothesis).

* Adding a Deny statement never turns a decision into Allow; adding an Allow never takes an Allow away
  ("an explicit deny in any policy overrides any allow":
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
* With every Allow statement removed, nothing is allowed except by grants ("A grant can allow access ... but not
  deny", https://docs.aws.amazon.com/kms/latest/developerguide/grants.html) -- and, for IAM-only actions, the root
  user's implicit permissions in its own account.
* Malformed documents raise MalformedPolicyDocumentException (or AWS's parameter / quota errors), never a crash.
"""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmssim._errors import (
    LimitExceededException,
    MalformedPolicyDocumentException,
    ValidationException,
)
from kmssim._policy import Decision, build_request_context, default_key_policy, evaluate, validate_key_policy

A1, A2 = "111122223333", "444455556666"
KEY = f"arn:aws:kms:us-east-1:{A1}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = f"arn:aws:kms:us-east-1:{A1}:alias/app"
ROOT1, ROOT2 = f"arn:aws:iam::{A1}:root", f"arn:aws:iam::{A2}:root"
ALICE = f"arn:aws:iam::{A1}:user/Alice"
BOB = f"arn:aws:iam::{A2}:user/Bob"
APP = f"arn:aws:iam::{A1}:role/App"
SESSION = f"arn:aws:sts::{A1}:assumed-role/App/s1"
SERVICE = "s3.amazonaws.com"

CALLERS = [ROOT1, ROOT2, ALICE, BOB, APP, SESSION, SERVICE]
ACTIONS = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:CreateAlias",
    "kms:ListKeys",
]
CONTEXT_KEYS = ["kms:EncryptionContext:Dept", "kms:ViaService", "aws:SourceIp", "kms:GrantIsForAWSResource"]

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

principal_values = st.sampled_from(["*", A1, A2, ROOT1, ROOT2, ALICE, BOB, APP, SESSION])
action_values = st.sampled_from(
    ["kms:*", "*", "kms:Decrypt", "kms:Gen*", "kms:?ncrypt", "kms:Describe*", "kms:Put*"]
)
resource_values = st.sampled_from(
    ["*", KEY, f"arn:aws:kms:*:{A1}:key/*", ALIAS, f"arn:aws:kms:us-east-1:{A2}:key/*"]
)
conditions = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(
            [
                "StringEquals",
                "StringNotEquals",
                "StringLike",
                "ForAnyValue:StringEquals",
                "ForAllValues:StringLike",
                "StringEqualsIfExists",
                "Null",
                "Bool",
                "IpAddress",
                "NotIpAddress",
            ]
        ),
        st.dictionaries(
            st.sampled_from(CONTEXT_KEYS),
            st.one_of(
                st.sampled_from(["IT", "HR", "true", "false", "10.0.0.0/8", "s3.us-east-1.amazonaws.com"]),
                st.lists(st.sampled_from(["IT", "HR", "*"]), min_size=1, max_size=2),
            ),
            min_size=1,
            max_size=2,
        ),
        min_size=1,
        max_size=2,
    ),
)


def one_or_list(values: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


@st.composite
def statements(draw: st.DrawFn, *, key_policy: bool, effect: str | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    if key_policy:
        p = draw(st.sampled_from(["*", "aws", "aws", "aws", "service", "not"]))
        if p == "*":
            s["Principal"] = "*"
        elif p == "service":
            s["Principal"] = {"Service": SERVICE}
        elif p == "not":
            s["NotPrincipal"] = {"AWS": draw(one_or_list(principal_values))}
        else:
            s["Principal"] = {"AWS": draw(one_or_list(principal_values))}
    s["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = draw(one_or_list(action_values))
    s["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = draw(one_or_list(resource_values))
    cond = draw(conditions)
    if cond:
        s["Condition"] = cond
    return s


def policy_doc(stmts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": stmts}


grants = st.lists(
    st.fixed_dictionaries(
        {
            "GrantId": st.sampled_from(["g1", "g2"]),
            "GranteePrincipal": st.sampled_from([ALICE, BOB, APP, ROOT2]),
            "Operations": st.lists(
                st.sampled_from(["Decrypt", "Encrypt", "DescribeKey", "CreateGrant"]), max_size=3
            ),
        },
        optional={"Constraints": st.just({"EncryptionContextSubset": {"Dept": "IT"}})},
    ),
    max_size=2,
)
contexts = st.dictionaries(
    st.sampled_from(CONTEXT_KEYS),
    st.sampled_from(["IT", "HR", True, False, "10.1.2.3", "s3.us-east-1.amazonaws.com"]),
    max_size=3,
)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    action = draw(st.sampled_from(ACTIONS))
    if action == "kms:ListKeys":
        resource, kp = "*", None
    elif action == "kms:CreateAlias" and draw(st.booleans()):
        resource, kp = ALIAS, None
    else:
        resource = KEY
        kp = policy_doc(draw(st.lists(statements(key_policy=True), min_size=1, max_size=4)))
    ips = [
        policy_doc(draw(st.lists(statements(key_policy=False), min_size=1, max_size=3)))
        for _ in range(draw(st.integers(0, 2)))
    ]
    return {
        "key_policy": kp,
        "identity_policies": ips,
        "grants": draw(grants),
        "principal": draw(st.sampled_from(CALLERS)),
        "action": action,
        "resource": resource,
        "context": draw(contexts),
    }


def run(s: dict[str, Any]) -> Decision:
    d = evaluate(**s)
    # Presenting a decision never fails either.
    d.explain()
    json.dumps(d.to_dict())
    d._repr_html_()
    return d


def _with_statement(
    s: dict[str, Any], stmt_key: dict[str, Any], stmt_iam: dict[str, Any], target: int
) -> dict[str, Any]:
    s2 = copy.deepcopy(s)
    if target == 0 and s2["key_policy"] is not None:
        s2["key_policy"]["Statement"].append(stmt_key)
    elif target == 1 and s2["identity_policies"]:
        s2["identity_policies"][0]["Statement"].append(stmt_iam)
    else:
        s2["identity_policies"].append(policy_doc([stmt_iam]))
    return s2


@FAST
@given(
    scenarios(),
    statements(key_policy=True, effect="Deny"),
    statements(key_policy=False, effect="Deny"),
    st.integers(0, 2),
)
def test_adding_a_deny_never_grants(
    s: dict[str, Any], kdeny: dict[str, Any], ideny: dict[str, Any], target: int
) -> None:
    """A Deny statement can only take permissions away."""
    before = run(s)
    after = run(_with_statement(s, kdeny, ideny, target))
    if after.allowed:
        assert before.allowed
    if before.effect == "ExplicitDeny":
        assert after.effect == "ExplicitDeny"


@FAST
@given(
    scenarios(),
    statements(key_policy=True, effect="Allow"),
    statements(key_policy=False, effect="Allow"),
    st.integers(0, 2),
)
def test_adding_an_allow_never_denies(
    s: dict[str, Any], kallow: dict[str, Any], iallow: dict[str, Any], target: int
) -> None:
    """An Allow statement can only add permissions, and never removes an explicit deny."""
    before = run(s)
    after = run(_with_statement(s, kallow, iallow, target))
    if before.allowed:
        assert after.allowed
    if before.effect == "ExplicitDeny":
        assert after.effect == "ExplicitDeny"


NEVER = {"Effect": "Deny", "Principal": {"AWS": ROOT1}, "Action": "kms:NoSuchAction", "Resource": "*"}


@FAST
@given(scenarios())
def test_without_allow_statements_only_grants_allow(s: dict[str, Any]) -> None:
    """Remove every Allow: only a grant (or the root user's implicit IAM permissions for IAM-only resources) can
    still allow."""
    s2 = copy.deepcopy(s)
    if s2["key_policy"] is not None:
        s2["key_policy"]["Statement"] = [
            x for x in s2["key_policy"]["Statement"] if x["Effect"] == "Deny"
        ] or [NEVER]
    s2["identity_policies"] = [
        policy_doc(kept)
        for p in s2["identity_policies"]
        if (kept := [x for x in p["Statement"] if x["Effect"] == "Deny"])
    ]
    d = run(s2)
    # The root user is implicitly allowed by IAM in its own account (for "*" resources: whichever account).
    root_implicit = s2["key_policy"] is None and (
        s2["principal"] == ROOT1 or (s2["principal"] == ROOT2 and s2["resource"] == "*")
    )
    if d.allowed:
        assert d.reason == ("root-implicit" if s2["key_policy"] is None else "grant")
    without_grants = run({**s2, "grants": []})
    assert without_grants.allowed is (root_implicit and d.allowed)
    if root_implicit:
        assert d.allowed or d.effect == "ExplicitDeny"


@FAST
@given(scenarios())
def test_text_and_mapping_inputs_agree(s: dict[str, Any]) -> None:
    """A policy given as a dict or as its JSON text decides the same way (the parse cache is keyed safely)."""
    as_text = dict(s)
    if s["key_policy"] is not None:
        as_text["key_policy"] = json.dumps(s["key_policy"])
    as_text["identity_policies"] = [json.dumps(p) for p in s["identity_policies"]]
    a, b = run(s), run(as_text)
    assert (a.effect, a.reason) == (b.effect, b.reason)


ALLOWED_ERRORS = (MalformedPolicyDocumentException, LimitExceededException, ValidationException)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "Version",
                        "Statement",
                        "Effect",
                        "Principal",
                        "Action",
                        "Resource",
                        "Condition",
                        "AWS",
                        "Sid",
                    ]
                ),
                st.text(max_size=6),
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=20,
)


def check_never_crashes(text: str) -> None:
    with contextlib.suppress(*ALLOWED_ERRORS):
        validate_key_policy(text, account_id=A1)
    with contextlib.suppress(MalformedPolicyDocumentException):
        evaluate(
            key_policy=text,
            principal=ALICE,
            action="kms:Decrypt",
            resource=KEY,
            context={"aws:SourceIp": "1.2.3.4"},
        )
    with contextlib.suppress(MalformedPolicyDocumentException):
        evaluate(identity_policies=[text], principal=ALICE, action="kms:ListKeys", resource="*")


@FAST
@given(json_values)
def test_random_json_never_crashes(value: Any) -> None:
    """Any JSON value: validation and evaluation either succeed or raise AWS's errors."""
    check_never_crashes(json.dumps(value))


@FAST
@given(st.text(max_size=40))
def test_random_text_never_crashes(text: str) -> None:
    check_never_crashes(text)


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    doc = policy_doc(draw(st.lists(statements(key_policy=True), min_size=1, max_size=3)))
    for _ in range(draw(st.integers(1, 3))):
        # Walk to a random container inside the document and change one thing there.
        node: Any = doc
        for _depth in range(draw(st.integers(0, 4))):
            children = (
                list(node.values()) if isinstance(node, dict) else node if isinstance(node, list) else []
            )
            children = [c for c in children if isinstance(c, dict | list)]
            if not children:
                break
            node = draw(st.sampled_from(children))
        how = draw(st.sampled_from(["delete", "replace", "rename", "wrap", "case"]))
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if how == "delete":
                del node[key]
            elif how == "replace":
                node[key] = draw(json_values)
            elif how == "rename":
                node[draw(st.text(max_size=6))] = node.pop(key)
            elif how == "wrap":
                node[key] = [node[key]]
            elif isinstance(node[key], str):
                node[key] = node[key].swapcase()
        elif isinstance(node, list):
            if how == "delete" and node:
                node.pop(draw(st.integers(0, len(node) - 1)))
            else:
                node.append(draw(json_values))
    return json.dumps(doc)


@FAST
@given(mutated_documents())
def test_mutated_valid_documents_never_crash(text: str) -> None:
    """Random mutations of well-formed documents are rejected with AWS's errors or accepted, never crash."""
    check_never_crashes(text)


REQUEST_PARAMS = st.sampled_from(
    [
        "KeyId",
        "EncryptionContext",
        "Operations",
        "Constraints",
        "Tags",
        "TagKeys",
        "GranteePrincipal",
        "SourceKeyId",
    ]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([*ACTIONS, "kms:ReEncrypt", "CreateKey", "kms:TagResource", "Nonsense"]),
    st.dictionaries(st.one_of(REQUEST_PARAMS, st.text(max_size=6)), json_values, max_size=5),
    st.one_of(
        st.none(),
        st.dictionaries(st.sampled_from(["arn", "tags", "aliases", "region", "key_spec"]), json_values),
    ),
    st.lists(json_values, max_size=3),
    st.dictionaries(st.text(max_size=12), json_values, max_size=3),
)
def test_garbage_requests_contexts_and_grants_never_crash(
    operation: str, request: dict[str, Any], key: Any, grant_list: list[Any], extra: dict[str, Any]
) -> None:
    """Whatever the request parameters, key facts, grants or extra context, building the context and deciding
    never raises."""
    ctx = build_request_context(
        operation=operation,
        principal_arn=ALICE,
        principal_tags={"team": "x"},
        key=key,
        request=request,
        now=datetime(2024, 1, 1, tzinfo=UTC),
        global_context=extra,
    )
    conditional = policy_doc(
        [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "kms:*",
                "Resource": "*",
                "Condition": {
                    "StringLike": {"kms:EncryptionContext:a": "${aws:username}*"},
                    "NumericLessThan": {"kms:RotationPeriodInDays": "100"},
                    "DateGreaterThan": {"aws:CurrentTime": "2020-01-01"},
                    "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                    "ForAllValues:ArnLike": {
                        "kms:GranteePrincipal": "arn:aws:iam::*:role/${aws:PrincipalTag/team}"
                    },
                },
            }
        ]
    )
    for kp in (default_key_policy(A1), conditional):
        run(
            {
                "key_policy": kp,
                "grants": grant_list,
                "principal": ALICE,
                "action": "kms:CreateGrant",
                "resource": KEY,
                "context": {**ctx, **extra},
            }
        )


def test_known_malformed_mutation_is_rejected() -> None:
    """A concrete mutation (Effect with the wrong case) is rejected: the property tests can fail."""
    text = json.dumps(policy_doc([{"Effect": "ALLOW", "Principal": "*", "Action": "kms:*", "Resource": "*"}]))
    try:
        validate_key_policy(text, account_id=A1)
    except MalformedPolicyDocumentException as exc:
        assert "Effect" in exc.message
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("a lower-case Effect must be rejected")
