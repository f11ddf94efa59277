"""Laws of list-valued policy elements, checked on random policies (Hypothesis).

These find the class of bug of issue 7 (a list entry matching as a prefix), whatever element or operator it is in.

* List versus single value: "If you specify multiple values for a single key, the condition is met if the request
  matches any of them" (an OR), and for a negated operator "the request must match none of them" (an AND); several
  Action / Resource / Principal entries likewise name the union of what each names
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
  So a statement with N entries decides like N statements with one entry each (any of them, for positive
  operators; all of them, for negated ones).
* Anchoring: a pattern matches a whole value. ``*`` (any run) and ``?`` (one character) are the only wildcards,
  in Action, Resource and the Like operators
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html); a
  value that only shares a prefix or a suffix with a literal entry never matches. The oracle is Python's
  ``fnmatch.fnmatchcase`` on an alphabet without ``[``, an implementation independent of the engine's.
"""

from __future__ import annotations

import base64
import fnmatch
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kmssim._policy import KEY_ACTIONS, evaluate
from kmssim._policy.conditions import BASE_OPERATORS

ACCT = "111122223333"
OTHER = "444455556666"
KEY_PREFIX = f"arn:aws:kms:us-east-1:{ACCT}:key/"
KEY = KEY_PREFIX + "1234abcd"
ROOT = f"arn:aws:iam::{ACCT}:root"
ALICE = f"arn:aws:iam::{ACCT}:user/Alice"
#: The key-policy statement that lets the account's IAM policies decide.
ENABLE_IAM = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
KEY_POLICY = {"Version": "2012-10-17", "Statement": [ENABLE_IAM]}
TEST_KEY = "kmssim:TestKey"
ALLOW_ALL = {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}

LAWS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allowed(
    identity: list[dict[str, Any]],
    *,
    action: str = "kms:Decrypt",
    resource: str = KEY,
    principal: str = ALICE,
    context: dict[str, Any] | None = None,
    key_policy: dict[str, Any] | None = None,
) -> bool:
    d = evaluate(
        key_policy=key_policy or KEY_POLICY,
        identity_policies=identity,
        principal=principal,
        action=action,
        resource=resource,
        context=context,
    )
    return d.effect == "Allow"


# -- strategies ----------------------------------------------------------------------------------------------


def mutate(draw: st.DrawFn, word: str, alphabet: str) -> str:
    """A near miss of ``word``: cut, extended, or with a wildcard put in."""
    how = draw(st.sampled_from(["same", "prefix", "extend", "prepend", "star", "question"]))
    if how == "prefix" and len(word) > 1:
        return word[: draw(st.integers(1, len(word) - 1))]
    if how == "extend":
        return word + draw(st.text(alphabet, min_size=1, max_size=4))
    if how == "prepend":
        return draw(st.text(alphabet, min_size=1, max_size=3)) + word
    if how in ("star", "question") and word:
        i = draw(st.integers(0, len(word) - 1))
        j = draw(st.integers(i, len(word)))
        return word[:i] + ("*" if how == "star" else "?") + word[j if how == "star" else i + 1 :]
    return word


@st.composite
def action_patterns(draw: st.DrawFn, near: str | None = None) -> str:
    """A pattern near a random KMS action, or near ``near`` (the request's action) half of the time."""
    name = (near if near is not None and draw(st.booleans()) else draw(st.sampled_from(KEY_ACTIONS)))[4:]
    return "kms:" + mutate(draw, name, "AEKRSVaeiky")


@st.composite
def action_cases(draw: st.DrawFn) -> tuple[list[str], str]:
    """(Action entries, request action): entries are often near misses of the request's own action."""
    action = draw(st.sampled_from(KEY_ACTIONS))
    return draw(st.lists(action_patterns(action), min_size=1, max_size=4)), action


@st.composite
def key_ids(draw: st.DrawFn) -> str:
    return draw(st.text("1234abcd", min_size=1, max_size=8))


@st.composite
def resource_patterns(draw: st.DrawFn) -> str:
    return KEY_PREFIX + mutate(draw, draw(key_ids()), "1234abcd")


STRING_ALPHABET = "finhrace"
string_values = st.text(STRING_ALPHABET, min_size=0, max_size=7)


@st.composite
def string_patterns(draw: st.DrawFn, near: str | None = None) -> str:
    word = near if near is not None and draw(st.booleans()) else draw(string_values)
    return mutate(draw, word, STRING_ALPHABET)


@st.composite
def string_cases(draw: st.DrawFn) -> tuple[list[str], str]:
    value = draw(string_values)
    return draw(st.lists(string_patterns(value), min_size=1, max_size=4)), value


ROLE_NAMES = ["Admin", "Admin-evil", "Adm", "Ops", "Opsx", "xOps", "App"]
role_arns = st.builds(
    lambda a, n: f"arn:aws:iam::{a}:role/{n}", st.sampled_from([ACCT, OTHER]), st.sampled_from(ROLE_NAMES)
)


@st.composite
def arn_patterns(draw: st.DrawFn) -> str:
    account = draw(st.sampled_from([ACCT, OTHER, "*", "1111*"]))
    return f"arn:aws:iam::{account}:role/" + mutate(draw, draw(st.sampled_from(ROLE_NAMES)), "Admin-evOps")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


#: Operator family -> (policy values, request values) strategies. Each family's operators are listed below.
FAMILIES: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    "String": (string_patterns(), st.text(STRING_ALPHABET, min_size=1, max_size=7)),
    "Numeric": (st.integers(-2, 5).map(str) | st.sampled_from(["1.5", "02", "+3"]), st.integers(-2, 5)),
    "Date": (
        st.sampled_from(["2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", "2027-01-01", "1767225600"]),
        st.sampled_from(["2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
    ),
    "Bool": (st.sampled_from(["true", "false"]), st.sampled_from([True, False, "true", "false"])),
    "Binary": (st.binary(min_size=0, max_size=2).map(b64), st.binary(min_size=0, max_size=2).map(b64)),
    "Ip": (
        st.sampled_from(["10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "203.0.113.7", "2001:db8::/32"]),
        st.sampled_from(
            ["10.1.2.3", "10.200.0.1", "192.0.2.9", "203.0.113.7", "203.0.113.70", "2001:db8::1"]
        ),
    ),
    "Arn": (arn_patterns(), role_arns),
}
#: Every operator of each family, as the engine lists them.
OPERATORS: dict[str, list[str]] = {
    family: [op for op, (f, _negated, _cmp) in BASE_OPERATORS.items() if f == family] for family in FAMILIES
}
#: Families drawn in these proportions: String (the Like operators take wildcards) and Arn most often.
FAMILY_WEIGHTS = ["String"] * 4 + ["Arn"] * 2 + sorted(FAMILIES)
#: Negated operators, read from their names (the expectation does not come from the engine).
NEGATED = {op for op in BASE_OPERATORS if "Not" in op}


@st.composite
def condition_cases(draw: st.DrawFn) -> tuple[str, list[Any], dict[str, Any], bool]:
    """(operator, policy values, request context, negated) for one family."""
    family = draw(st.sampled_from(FAMILY_WEIGHTS))
    base = draw(st.sampled_from(OPERATORS[family]))
    policy_values, request_values = FAMILIES[family]
    request_value = draw(request_values)
    if family == "String":  # near misses of the request's own value find prefix bugs
        policy_values = string_patterns(request_value)
    elif family == "Arn":
        policy_values = policy_values | st.sampled_from(
            [request_value + "x", request_value[:-1], request_value]
        )
    values = draw(st.lists(policy_values, min_size=2, max_size=4))
    if family in ("String", "Arn") and len(request_value) > 1 and draw(st.booleans()):
        # a literal that is only a prefix of the request's value, first in the list (issue 7's shape)
        values.insert(0, request_value[: draw(st.integers(1, len(request_value) - 1))])
    prefix = draw(st.sampled_from(["", "ForAnyValue:"])) if base not in NEGATED else ""
    operator = prefix + base + draw(st.sampled_from(["", "IfExists"]))
    shape = draw(st.sampled_from(["missing", "one", "one", "set"] if prefix else ["missing", "one", "one"]))
    context: dict[str, Any] = {}
    if shape == "one":
        context[TEST_KEY] = request_value
    elif shape == "set":
        context[TEST_KEY] = [request_value, *draw(st.lists(request_values, max_size=2))]
    return operator, values, context, base in NEGATED


# -- list versus single value --------------------------------------------------------------------------------


@LAWS
@given(action_cases(), st.sampled_from(["Allow", "Deny"]))
def test_action_list_decides_like_one_statement_per_entry(case: tuple[list[str], str], effect: str) -> None:
    """Action [a1..aN] in one statement == N statements with one Action each.

    NotAction [a1..aN] covers what no entry names, the intersection of what each one-entry NotAction covers.
    """
    entries, action = case
    base = [] if effect == "Allow" else [ALLOW_ALL]
    for element in ("Action", "NotAction"):
        one = {"Effect": effect, element: entries, "Resource": "*"}
        singles = [
            allowed([policy(*base, {"Effect": effect, element: e, "Resource": "*"})], action=action)
            for e in entries
        ]
        union = (element == "Action") == (effect == "Allow")
        expected = any(singles) if union else all(singles)
        assert allowed([policy(*base, one)], action=action) == expected, (element, entries, action, effect)


@LAWS
@given(st.lists(resource_patterns(), min_size=2, max_size=4), key_ids(), st.sampled_from(["Allow", "Deny"]))
def test_resource_list_decides_like_one_statement_per_entry(
    entries: list[str], key_id: str, effect: str
) -> None:
    resource = KEY_PREFIX + key_id
    base = [] if effect == "Allow" else [ALLOW_ALL]
    one = {"Effect": effect, "Action": "kms:Decrypt", "Resource": entries}
    split = [{"Effect": effect, "Action": "kms:Decrypt", "Resource": e} for e in entries]
    assert allowed([policy(*base, one)], resource=resource) == allowed(
        [policy(*base, *split)], resource=resource
    )


@LAWS
@given(
    st.lists(st.sampled_from(ROLE_NAMES), min_size=2, max_size=4),
    st.sampled_from(ROLE_NAMES),
    st.sampled_from(["Allow", "Deny"]),
)
def test_principal_list_decides_like_one_statement_per_entry(
    names: list[str], caller: str, effect: str
) -> None:
    principal = f"arn:aws:iam::{ACCT}:role/{caller}"
    arns = [f"arn:aws:iam::{ACCT}:role/{n}" for n in names]
    everyone = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
    iam = [policy(ALLOW_ALL)] if effect == "Deny" else []
    one = {"Effect": effect, "Principal": {"AWS": arns}, "Action": "kms:Decrypt", "Resource": "*"}
    split = [
        {"Effect": effect, "Principal": {"AWS": a}, "Action": "kms:Decrypt", "Resource": "*"} for a in arns
    ]
    together = allowed(iam, principal=principal, key_policy=policy(everyone, one))
    separately = allowed(iam, principal=principal, key_policy=policy(everyone, *split))
    assert together == separately
    if effect == "Allow":
        assert together == (caller in names)  # a role is named exactly, never by a prefix of its name
    else:
        assert together == (caller not in names)


@settings(LAWS, max_examples=250)
@given(condition_cases())
@example(("StringLike", ["fin", "hr"], {TEST_KEY: "finance"}, False))  # issue 7's examples
@example(
    (
        "StringNotLike",
        [f"arn:aws:iam::{ACCT}:role/Admin", f"arn:aws:iam::{ACCT}:role/Ops"],
        {TEST_KEY: f"arn:aws:iam::{ACCT}:role/Admin-evil"},
        True,
    )
)
def test_condition_values_list_is_an_or_and_for_negated_operators_an_and(
    case: tuple[str, list[Any], dict[str, Any], bool],
) -> None:
    """{op: {key: [v1..vN]}} allows iff any one-value statement allows (all of them for a negated operator)."""
    operator, values, context, negated = case

    def allows(vals: Any) -> bool:
        st_ = {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {operator: {TEST_KEY: vals}},
        }
        return allowed([policy(st_)], context=context)

    singles = [allows(v) for v in values]
    expected = all(singles) if negated else any(singles)
    assert allows(values) == expected, (operator, values, context)


# -- anchoring -----------------------------------------------------------------------------------------------


@LAWS
@given(action_cases())
def test_action_patterns_match_whole_action_names(case: tuple[list[str], str]) -> None:
    """An Action entry matches an action iff the whole name matches it as a glob (case-insensitively)."""
    entries, action = case
    st_ = {"Effect": "Allow", "Action": entries, "Resource": "*"}
    expected = any(fnmatch.fnmatchcase(action.lower(), e.lower()) for e in entries)
    assert allowed([policy(st_)], action=action) == expected, (entries, action)


@LAWS
@given(string_cases())
def test_string_like_patterns_match_whole_values(case: tuple[list[str], str]) -> None:
    """StringLike matches iff a whole entry matches as a glob; StringEquals iff the value is an entry."""
    entries, value = case
    for operator, expected in (
        ("StringLike", any(fnmatch.fnmatchcase(value, e) for e in entries)),
        ("StringEquals", value in entries),
        ("StringNotLike", not any(fnmatch.fnmatchcase(value, e) for e in entries)),
    ):
        st_ = {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {operator: {TEST_KEY: entries}},
        }
        assert allowed([policy(st_)], context={TEST_KEY: value}) == expected, (operator, entries, value)


@LAWS
@given(
    st.lists(string_values.filter(bool), min_size=1, max_size=3),
    st.text(STRING_ALPHABET, min_size=1, max_size=3),
    st.booleans(),
)
def test_a_value_sharing_only_a_prefix_or_suffix_never_matches(
    entries: list[str], extra: str, at_end: bool
) -> None:
    """Literal entries (no wildcard): ``entry + extra`` or ``extra + entry`` matches only if it is an entry."""
    for entry in entries:
        value = entry + extra if at_end else extra + entry
        for operator in ("StringEquals", "StringLike", "StringEqualsIgnoreCase"):
            st_ = {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {operator: {TEST_KEY: entries}},
            }
            assert allowed([policy(st_)], context={TEST_KEY: value}) == (value in entries), (operator, value)
        arn_entries = [f"arn:aws:iam::{ACCT}:role/{e}" for e in entries]
        arn_value = f"arn:aws:iam::{ACCT}:role/{value}"
        for operator in ("ArnEquals", "ArnLike"):
            st_ = {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {operator: {"aws:PrincipalArn": arn_entries}},
            }
            got = allowed([policy(st_)], context={"aws:PrincipalArn": arn_value})
            assert got == (value in entries), (operator, arn_value)
        key_entries = [KEY_PREFIX + e for e in entries]
        st_ = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_entries}
        assert allowed([policy(st_)], resource=KEY_PREFIX + value) == (value in entries)
