"""The ipywidgets apps, headless: set ``.value``, call ``.click()``, read the HTML widgets' ``.value``.

No kernel and no browser: ipywidgets 8 widgets work without a front end, traitlets observers fire
synchronously and ``Button.click()`` runs the click handlers.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import kmssim
from kmssim import scenarios
from kmssim._pricing._paths import data_file
from kmssim.apps import (
    CostCalculatorApp,
    CostInputs,
    LabSetup,
    PolicyLabApp,
    TimeMachineApp,
    compute_cost,
    inputs_from_scenario,
    key_inventory,
    lab_decision,
    lab_matrix,
    parse_pairs,
    plot_access_matrix,
)
from kmssim.apps._base import format_usd
from kmssim.apps.policy_lab import lab_key_policy

USD = re.compile(r"\$\d{1,3}(?:,\d{3})*\.\d{2}")


def shown_total(app: CostCalculatorApp) -> Decimal:
    """The dollar amount shown in the total widget, as the browser would read it."""
    found = USD.findall(app.total.value)
    assert len(found) == 1, app.total.value
    return Decimal(found[0].replace("$", "").replace(",", ""))


def classes(widget: Any) -> set[str]:
    return set(widget._dom_classes)


# ------------------------------------------------------------------------------------------ cost calculator


def test_format_usd() -> None:
    assert format_usd(Decimal("1234.5")) == "$1,234.50"
    assert format_usd(Decimal("0.005")) == "$0.01"
    assert format_usd(Decimal("-0.06")) == "-$0.06"
    assert format_usd(Decimal("1234567")) == "$1,234,567.00"


def test_compute_cost_matches_estimate() -> None:
    inputs = CostInputs(keys=3, requests=1_000_000, rotations=1, region="us-east-2")
    result = compute_cost(inputs)
    expected = kmssim.estimate(
        keys=[{"count": 3, "region": "us-east-2", "rotations": 1}],
        requests=[{"operation": "Decrypt", "count": 1_000_000, "region": "us-east-2"}],
        month="2026-06",
    )
    assert result.error == ""
    assert result.total == expected.total == Decimal("8.94")  # 3 keys + 3 rotation surcharges + $3 - $0.06


def test_compute_cost_zero_everything_is_free() -> None:
    result = compute_cost(CostInputs(keys=0, requests=0))
    assert result.total == Decimal("0.00")
    assert "No charges" in result.lines_html()


@pytest.mark.parametrize("field", ["keys", "requests", "rotations"])
def test_compute_cost_negative_counts_give_a_message(field: str) -> None:
    result = compute_cost(CostInputs(**{field: -1}))  # type: ignore[arg-type]
    assert result.estimate is None
    assert "must be 0 or more" in result.error


def test_compute_cost_region_without_prices() -> None:
    result = compute_cost(CostInputs(region="us-gov-west-1"))
    assert result.estimate is None
    assert "No price for KMS keys (customer managed) in us-gov-west-1" in result.error
    assert "us-east-1" in result.error  # names Regions that have the price


def test_compute_cost_prices_every_commercial_region() -> None:
    """Issue 11: af-south-1's request prices are the pricing page's uniform rates (data/README.md)."""
    result = compute_cost(CostInputs(region="af-south-1"))
    assert result.error == ""
    assert result.total == compute_cost(CostInputs(region="us-east-1")).total
    assert "requests_symmetric in af-south-1 is uniform" in result.lines_html()


def test_compute_cost_own_pricing_assumption() -> None:
    pricing = kmssim.load_pricing().assume_same_as("us-east-1", ["us-gov-west-1"])
    result = compute_cost(CostInputs(region="us-gov-west-1"), pricing)
    assert result.error == ""
    assert result.total == compute_cost(CostInputs(region="us-east-1")).total


def test_compute_cost_rotation_needs_a_symmetric_key() -> None:
    result = compute_cost(CostInputs(key_spec="RSA_2048", rotations=1))
    assert "cannot be rotated" in result.error
    assert compute_cost(CostInputs(key_spec="RSA_2048", rotations=0)).error == ""


def test_compute_cost_requests_priced_by_key_spec() -> None:
    symmetric = compute_cost(CostInputs(keys=1, requests=100_000, free_tier=False)).total
    rsa = compute_cost(CostInputs(keys=1, requests=100_000, key_spec="RSA_2048", free_tier=False)).total
    ecc = compute_cost(CostInputs(keys=1, requests=100_000, key_spec="ECC_NIST_P256", free_tier=False)).total
    assert (symmetric, rsa, ecc) == (Decimal("1.30"), Decimal("1.30"), Decimal("2.50"))
    assert compute_cost(CostInputs(keys=1, requests=100_000, key_spec="RSA_2048")).total == Decimal("1.30")
    ml_kem = compute_cost(CostInputs(key_spec="ML_KEM_768"))
    assert "no request price" in ml_kem.error
    assert compute_cost(CostInputs(key_spec="ML_KEM_768", requests=0)).total == Decimal("10.00")


@pytest.mark.parametrize("name", scenarios.names())
def test_every_preset_folds_into_the_form_exactly(name: str) -> None:
    fill = inputs_from_scenario(name)
    assert fill.exact, fill.note
    assert compute_cost(fill.inputs).total == scenarios.load(name).estimate().total
    assert fill.lever_total is not None and fill.preset_total is not None
    assert fill.lever_total < fill.preset_total


def test_calculator_dom_contract() -> None:
    app = CostCalculatorApp()
    for widget, cls in [
        (app.keys, "kmssim-keys"),
        (app.key_spec, "kmssim-key-spec"),
        (app.region, "kmssim-region"),
        (app.requests, "kmssim-requests"),
        (app.rotations, "kmssim-rotations"),
        (app.free_tier, "kmssim-free-tier"),
        (app.scenario, "kmssim-scenario"),
        (app.total, "kmssim-total"),
        (app.lines, "kmssim-lines"),
        (app.error, "kmssim-error"),
    ]:
        assert cls in classes(widget)
    assert type(app.keys).__name__ == "Text"  # parsed by the model: IntText's browser parsing mangled 1e9
    assert type(app.requests).__name__ == "Text"
    assert type(app.free_tier).__name__ == "Checkbox"
    assert type(app.scenario).__name__ == "Dropdown"
    assert "application/vnd.jupyter.widget-view+json" in app._repr_mimebundle_()


def test_calculator_total_follows_keys() -> None:
    app = CostCalculatorApp()
    before = shown_total(app)
    app.keys.value = str(int(app.keys.value) + 5)
    assert shown_total(app) == before + 5
    assert app.result.total == before + 5
    assert "KMS keys (customer managed)" in app.lines.value
    assert "$0.03 per 10,000" in app.lines.value  # request prices as AWS lists them
    assert "-$0.03 per 10,000" in app.lines.value  # the free tier line
    assert app.error.value == ""


def test_calculator_updates_on_every_input() -> None:
    app = CostCalculatorApp()
    seen = {shown_total(app)}
    app.requests.value = "5000000"
    seen.add(shown_total(app))
    app.rotations.value = "2"
    seen.add(shown_total(app))
    app.free_tier.value = False
    seen.add(shown_total(app))
    app.key_spec.value = "HMAC_256"  # cannot rotate: an error, then fix it
    assert "cannot be rotated" in app.error.value
    app.rotations.value = "0"
    seen.add(shown_total(app))
    app.region.value = "eu-central-1"
    assert app.error.value == ""
    assert len(seen) == 5


def test_calculator_negative_count_shows_an_inline_message() -> None:
    app = CostCalculatorApp()
    app.keys.value = "-3"
    assert "Number of keys must be 0 or more" in app.error.value
    assert "Traceback" not in app.error.value
    assert not USD.search(app.total.value)
    assert app.lines.value == ""
    app.keys.value = "3"
    assert app.error.value == ""
    assert shown_total(app) == compute_cost(CostInputs(keys=3)).total


def test_calculator_region_without_prices_shows_an_inline_message() -> None:
    app = CostCalculatorApp()
    app.region.value = "cn-north-1"
    assert "No price for" in app.error.value
    assert "cn-north-1" in app.error.value
    app.region.value = "us-west-2"
    assert app.error.value == ""


def test_calculator_scenario_fills_the_inputs() -> None:
    app = CostCalculatorApp()
    app.scenario.value = "s3-sse-kms"
    assert app.region.value == "eu-central-1"
    assert app.requests.value == "120000000"
    assert app.rotations.value == "1"
    assert shown_total(app) == scenarios.load("s3-sse-kms").estimate().total
    assert "Enable S3 Bucket Keys" in app.scenario_info.value
    # a hand edit leaves the preset
    app.keys.value = "2"
    assert app.scenario.value == ""
    assert app.scenario_info.value == ""
    assert shown_total(app) == scenarios.load("s3-sse-kms").estimate().total + 2  # key + rotation surcharge


def test_calculator_with_a_pricing_table_of_one_region(tmp_path: Path) -> None:
    source = data_file("kms_pricing.csv").read_text(encoding="utf-8").splitlines()
    rows = [source[0], *(line for line in source[1:] if line.startswith("us-east-1,"))]
    (tmp_path / "prices.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = CostCalculatorApp(pricing=kmssim.load_pricing(tmp_path / "prices.csv"))
    assert list(app.region.options) == ["us-east-1"]
    before = shown_total(app)
    app.scenario.value = "s3-sse-kms"  # a preset in eu-central-1: reported, not raised
    assert "eu-central-1" in app.error.value
    assert "cannot price the preset" in app.scenario_info.value
    assert shown_total(app) == before
    app.scenario.value = "ebs-volumes"
    assert app.error.value == ""
    assert shown_total(app) == scenarios.load("ebs-volumes").estimate().total


def test_calculator_recompute_and_month() -> None:
    app = CostCalculatorApp(month="2024-02")  # before May 2024 every rotation was charged
    app.requests.value = "0"
    app.rotations.value = "3"
    result = app.recompute()
    assert result.total == Decimal("40.00")
    assert "2024-02" in app.total.value


# ------------------------------------------------------------------------------------------------ policy lab


def test_parse_pairs() -> None:
    assert parse_pairs("") == {}
    assert parse_pairs("a=1, b = x=y ,") == {"a": "1", "b": "x=y"}
    with pytest.raises(ValueError, match="not key=value"):
        parse_pairs("a=1, b")
    with pytest.raises(ValueError, match="twice"):
        parse_pairs("a=1, a=2")


def test_lab_decisions_without_widgets() -> None:
    setup = LabSetup.default()
    root, role, alice, bob, partner = setup.principals
    assert lab_decision(setup, role, "kms:Decrypt").decision.effect == "Allow"  # type: ignore[union-attr]
    assert lab_decision(setup, alice, "kms:Decrypt").decision.effect == "Allow"  # type: ignore[union-attr]
    bob_says = lab_decision(setup, bob, "kms:Decrypt").decision
    assert bob_says is not None and bob_says.effect == "ImplicitDeny"
    assert any(n.element == "IdentityPolicy" for n in bob_says.near_misses)
    partner_says = lab_decision(setup, partner, "kms:Decrypt").decision
    assert partner_says is not None and partner_says.effect == "ImplicitDeny"
    grid = lab_matrix(setup).matrix
    assert grid is not None
    assert list(grid.index) == setup.principals
    assert set(grid.loc[root]) == {"Allow"}
    assert set(grid.loc[bob]) == {"ImplicitDeny"}


def test_lab_dom_contract() -> None:
    app = PolicyLabApp()
    for widget, cls in [
        (app.policy, "kmssim-policy"),
        (app.principal, "kmssim-principal"),
        (app.action, "kmssim-action"),
        (app.identity_policy, "kmssim-identity-policy"),
        (app.context, "kmssim-context"),
        (app.evaluate_button, "kmssim-evaluate"),
        (app.decision, "kmssim-decision"),
        (app.error, "kmssim-error"),
        (app.matrix, "kmssim-matrix"),
    ]:
        assert cls in classes(widget)
    assert app.evaluate_button.description == "Evaluate"
    policy = json.loads(app.policy.value)
    assert policy["Statement"][0]["Sid"] == "Enable IAM User Permissions"
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:role/AppRole"}
    assert "Allow" in app.decision.value  # evaluated once on start
    assert "<table" in app.matrix.value


def add_statement(app: PolicyLabApp, statement: dict[str, Any]) -> None:
    doc = json.loads(app.policy.value)
    doc["Statement"].append(statement)
    app.policy.value = json.dumps(doc, indent=2)


def test_lab_deny_statement_gives_explicit_deny() -> None:
    app = PolicyLabApp()
    app.principal.value = "arn:aws:iam::111122223333:role/AppRole"
    app.action.value = "kms:Decrypt"
    app.evaluate_button.click()
    assert "Allow" in app.decision.value and "ExplicitDeny" not in app.decision.value
    add_statement(
        app,
        {
            "Sid": "NoDecrypt",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        },
    )
    app.evaluate_button.click()
    assert "ExplicitDeny" in app.decision.value
    assert "NoDecrypt" in app.decision.value
    assert "ExplicitDeny" in app.matrix.value
    assert app.error.value == ""


def test_lab_malformed_json_shows_the_aws_message_inline() -> None:
    app = PolicyLabApp()
    app.policy.value = '{"Version": "2012-10-17", "Statement": ['
    app.evaluate_button.click()
    assert "MalformedPolicyDocumentException" in app.error.value
    assert "not valid JSON" in app.error.value
    assert "Traceback" not in app.error.value
    assert app.decision.value == ""
    assert app.matrix.value == ""


def test_lab_invalid_principal_is_rejected_like_put_key_policy() -> None:
    app = PolicyLabApp()
    add_statement(
        app,
        {"Effect": "Allow", "Principal": {"AWS": "not-an-arn"}, "Action": "kms:*", "Resource": "*"},
    )
    app.evaluate_button.click()
    assert "MalformedPolicyDocumentException" in app.error.value
    assert "invalid principals" in app.error.value


def test_lab_identity_policy_per_principal() -> None:
    app = PolicyLabApp()
    bob = "arn:aws:iam::111122223333:user/Bob"
    app.principal.value = bob
    assert app.identity_policy.value == ""
    app.evaluate_button.click()
    assert "ImplicitDeny" in app.decision.value
    assert "IdentityPolicy" in app.decision.value  # the near miss names the missing half
    app.identity_policy.value = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
        }
    )
    app.evaluate_button.click()
    assert "Allow" in app.decision.value and "ImplicitDeny" not in app.decision.value
    # switching away and back keeps Bob's policy
    app.principal.value = "arn:aws:iam::111122223333:user/Alice"
    assert "kms:GenerateDataKey" in app.identity_policy.value
    app.principal.value = bob
    assert "kms:Decrypt" in app.identity_policy.value
    app.identity_policy.value = "{not json"
    app.evaluate_button.click()
    assert f"IAM policy of {bob}: MalformedPolicyDocumentException" in app.error.value


def test_lab_cross_account_needs_both_sides() -> None:
    app = PolicyLabApp()
    app.principal.value = "arn:aws:iam::444455556666:role/Partner"
    app.evaluate_button.click()
    assert "ImplicitDeny" in app.decision.value
    add_statement(
        app,
        {
            "Sid": "Partner account",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
        },
    )
    app.evaluate_button.click()
    assert "ImplicitDeny" not in app.decision.value
    app.identity_policy.value = ""  # the partner account's IAM side removed
    app.evaluate_button.click()
    assert "ImplicitDeny" in app.decision.value


def test_lab_encryption_context_and_request_context_conditions() -> None:
    app = PolicyLabApp()
    doc = json.loads(app.policy.value)
    doc["Statement"][1]["Condition"] = {
        "StringEquals": {"kms:EncryptionContext:app": "orders"},
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
    }
    app.policy.value = json.dumps(doc)
    app.evaluate_button.click()
    assert "ImplicitDeny" in app.decision.value
    assert "kms:EncryptionContext:app" in app.decision.value
    app.context.value = "app=orders"
    app.request_context.value = "aws:SourceIp=203.0.113.7"
    app.evaluate_button.click()
    assert "ImplicitDeny" not in app.decision.value and "Allow" in app.decision.value
    app.request_context.value = "aws:SourceIp=198.51.100.1"
    app.evaluate_button.click()
    assert "ImplicitDeny" in app.decision.value
    app.context.value = "app"
    app.evaluate_button.click()
    assert "Encryption context" in app.error.value and "not key=value" in app.error.value


def test_lab_uses_the_simulators_account_and_leaves_it_alone() -> None:
    sim = kmssim.Simulator(seed=5, account_id="999988887777", region="eu-west-1")
    app = PolicyLabApp(sim)
    assert "arn:aws:kms:eu-west-1:999988887777:key/" in app.setup.key_arn
    assert app.principal.value == "arn:aws:iam::999988887777:role/AppRole"
    assert "Allow" in app.decision.value
    assert len(sim.trail()) == 0


def test_lab_key_policy_is_a_valid_key_policy() -> None:
    sim = kmssim.Simulator(seed=1)
    kms: Any = sim.client("kms")
    role = sim.add_principal("arn:aws:iam::111122223333:role/AppRole")
    key_id = kms.create_key(Policy=lab_key_policy("111122223333", role))["KeyMetadata"]["KeyId"]
    assert sim.decide(role, "kms:Decrypt", key_id).effect == "Allow"


def test_plot_access_matrix() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = lab_matrix(LabSetup.default()).matrix
    assert grid is not None
    ax = plot_access_matrix(grid)
    assert [t.get_text() for t in ax.get_yticklabels()][1] == "role/AppRole (111122223333)"
    plt.close("all")


# ---------------------------------------------------------------------------------------------- time machine


@pytest.fixture
def world() -> tuple[kmssim.Simulator, str, str]:
    sim = kmssim.Simulator(seed=11)
    kms: Any = sim.client("kms")
    rotating = kms.create_key(Description="rotating")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotating, RotationPeriodInDays=90)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=rotating)
    doomed = kms.create_key(Description="doomed")["KeyMetadata"]["KeyId"]
    kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    return sim, rotating, doomed


def test_time_machine_dom_contract(world: tuple[kmssim.Simulator, str, str]) -> None:
    app = TimeMachineApp(world[0])
    assert [(b.description, sorted(classes(b))) for b in app.buttons.values()] == [
        ("+1 day", ["kmssim-advance-1"]),
        ("+30 days", ["kmssim-advance-30"]),
        ("+1 year", ["kmssim-advance-365"]),
    ]
    assert "kmssim-now" in classes(app.now)
    assert "kmssim-keys-table" in classes(app.keys_table)
    assert "kmssim-trail" in classes(app.trail)


def test_time_machine_now_label_moves(world: tuple[kmssim.Simulator, str, str]) -> None:
    app = TimeMachineApp(world[0])
    assert app.now.value == "Simulated time: 2026-01-01 00:00 UTC"
    app.buttons[30].click()
    assert app.now.value == "Simulated time: 2026-01-31 00:00 UTC"
    app.buttons[1].click()
    assert app.now.value == "Simulated time: 2026-02-01 00:00 UTC"


def test_time_machine_deleted_key_disappears(world: tuple[kmssim.Simulator, str, str]) -> None:
    sim, rotating, doomed = world
    app = TimeMachineApp(sim)
    assert doomed in app.keys_table.value and "PendingDeletion" in app.keys_table.value
    assert "2026-01-08 00:00" in app.keys_table.value
    app.buttons[30].click()
    assert doomed not in app.keys_table.value
    assert rotating in app.keys_table.value
    assert "DeleteKey" in app.trail.value


def test_time_machine_rotations(world: tuple[kmssim.Simulator, str, str]) -> None:
    sim, rotating, _ = world
    app = TimeMachineApp(sim)
    row = next(r for r in key_inventory(sim) if r.key_id == rotating)
    assert (row.aliases, row.rotation, row.next_rotation, row.rotations) == (
        "alias/orders",
        "every 90 days",
        "2026-04-01 00:00",
        0,
    )
    app.buttons[365].click()
    row = next(r for r in key_inventory(sim) if r.key_id == rotating)
    assert row.rotations == 4
    assert row.next_rotation == "2027-03-27 00:00"
    assert "RotateKey" in app.trail.value


def test_time_machine_reads_without_calling_kms(world: tuple[kmssim.Simulator, str, str]) -> None:
    sim = world[0]
    before = (len(sim.trail()), sim.usage()["requests"])
    app = TimeMachineApp(sim)
    app.refresh()
    assert (len(sim.trail()), sim.usage()["requests"]) == before


def test_time_machine_refresh_sees_new_keys(world: tuple[kmssim.Simulator, str, str]) -> None:
    sim = world[0]
    app = TimeMachineApp(sim)
    kms: Any = sim.client("kms")
    new = kms.create_key()["KeyMetadata"]["KeyId"]
    assert new not in app.keys_table.value
    app.refresh()
    assert new in app.keys_table.value
