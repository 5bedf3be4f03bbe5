"""Contracts: the shipped ones are valid; a broken one is refused with where and how to fix."""

from pathlib import Path

import pytest
import yaml

from conftest import REPO
from warehouse.contracts.validation import load_contract
from warehouse.core.errors import PipelineError

SCHEMA = REPO / "config" / "contract.schema.yaml"
SHIPPED = sorted((REPO / "config" / "contracts" / "silver").glob("*.yaml"))


def write(tmp_path, contract, name="crm_cust_info.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(contract) if isinstance(contract, dict) else contract)
    return path


def minimal(**overrides):
    contract = {
        "table": "crm_cust_info",
        "layer": "silver",
        "grain": "One row per customer.",
        "source": {"source": "crm", "file": "cust_info.csv"},
        "columns": [{"name": "cst_id", "type": "int"}],
        "steps": [],
        "checks": [],
    }
    return {**contract, **overrides}


def test_the_six_domain_contracts_are_valid():
    assert [p.stem for p in SHIPPED] == [
        "crm_cust_info", "crm_prd_info", "crm_sales_details",
        "erp_cust_az12", "erp_loc_a101", "erp_px_cat_g1v2",
    ]  # fmt: skip
    for path in SHIPPED:
        contract = load_contract(path, SCHEMA)
        assert contract["grain"].startswith("One row per")


def test_unknown_operation_names_the_step(tmp_path):
    path = write(tmp_path, minimal(steps=[{"op": "explode", "columns": ["cst_id"]}]))
    with pytest.raises(PipelineError) as info:
        load_contract(path, SCHEMA)
    message = str(info.value)
    assert f"Contract {path} is not valid" in message
    assert "steps[0].op: 'explode' is not one of" in message


def test_missing_parameter_of_an_operation_is_named(tmp_path):
    path = write(tmp_path, minimal(steps=[{"op": "map_values", "column": "cst_id"}]))
    with pytest.raises(PipelineError, match=r"steps\[0\]: 'mapping' is a required property"):
        load_contract(path, SCHEMA)


def test_dedupe_latest_needs_order_by(tmp_path):
    path = write(tmp_path, minimal(steps=[{"op": "dedupe", "key": ["cst_id"], "keep": "latest"}]))
    with pytest.raises(PipelineError, match="'order_by' is a required property"):
        load_contract(path, SCHEMA)


def test_unquoted_yes_no_gets_a_hint(tmp_path):
    text = yaml.safe_dump(minimal()) + (
        "checks:\n- {check: accepted_values, column: cst_id, values: [Yes, No]}\n"
    )
    path = write(tmp_path, text.replace("checks: []\n", ""))
    with pytest.raises(PipelineError, match="quote the value"):
        load_contract(path, SCHEMA)


def test_unknown_function_and_bad_regex_and_undeclared_check_column(tmp_path):
    contract = minimal(
        steps=[{"op": "function", "name": "do_magic"}],
        checks=[
            {"check": "regex", "column": "cst_id", "pattern": "([a-z"},
            {"check": "unique", "columns": ["cst_key"]},
        ],
    )
    with pytest.raises(PipelineError) as info:
        load_contract(write(tmp_path, contract), SCHEMA)
    message = str(info.value)
    assert "steps[0]: unknown function 'do_magic' (known: " in message
    assert "checks[0].pattern: invalid regular expression" in message
    assert "checks[1] (unique) names column 'cst_key', which is not declared" in message


def test_table_name_must_match_file_name(tmp_path):
    path = write(tmp_path, minimal(), name="other.yaml")
    with pytest.raises(PipelineError, match="table is 'crm_cust_info' but the file is named"):
        load_contract(path, SCHEMA)


def test_yaml_syntax_error_is_reported_with_the_file(tmp_path):
    path = write(tmp_path, "table: [unclosed\n")
    with pytest.raises(PipelineError, match=rf"Contract {path} is not readable YAML"):
        load_contract(Path(path), SCHEMA)


# ---- contracts cannot hang or bomb a job -----------------------------------------------------

BOMB = "\n".join(
    ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
)


def test_a_yaml_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    text = yaml.safe_dump(minimal()) + BOMB + "\ndescription: *a8\n"
    assert len(text) < 3000  # stands for 9**9 strings once expanded
    path = write(tmp_path, text)
    with pytest.raises(PipelineError) as info:
        load_contract(path, SCHEMA)
    message = str(info.value)
    assert f"Contract {path} is not readable YAML" in message
    assert "the alias *a0 repeats another part of the file" in message
    assert "line " in message and len(message) < 1000


def test_an_anchor_without_an_alias_is_harmless(tmp_path):
    path = write(tmp_path, yaml.safe_dump(minimal(description="x")).replace("x\n", "&d x\n"))
    assert load_contract(path, SCHEMA)["description"] == "x"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"AW(?=\d)", "invalid perl operator"),  # a lookahead: Python's re has it, RE2 not
        (r"(a)\1", "invalid escape sequence"),  # a backreference
        (r"a)|(b", "unexpected )"),  # invalid alone, though it compiles inside a group
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_with_the_syntax_to_use(tmp_path, pattern, reason):
    check = {"check": "regex", "column": "cst_id", "pattern": pattern}
    path = write(tmp_path, minimal(checks=[check]))
    with pytest.raises(PipelineError) as info:
        load_contract(path, SCHEMA)
    message = str(info.value)
    assert "checks[0].pattern: invalid regular expression" in message
    assert reason in message and "https://github.com/google/re2/wiki/Syntax" in message


def test_the_patterns_of_the_shipped_contracts_run_on_re2():
    from warehouse.core.regex import regex_problem

    contracts = sorted((REPO / "config" / "contracts").glob("*/*.yaml"))
    patterns = [
        part["pattern"]
        for path in contracts
        for part in (yaml.safe_load(path.read_text()).get("checks", []))
        + yaml.safe_load(path.read_text()).get("steps", [])
        if "pattern" in part
    ]
    assert len(patterns) >= 9
    assert [p for p in patterns if regex_problem(p)] == []


def test_a_huge_value_in_a_contract_makes_a_short_message(tmp_path):
    path = write(tmp_path, minimal(grain=["x" * 100_000]))
    with pytest.raises(PipelineError) as info:
        load_contract(path, SCHEMA)
    message = str(info.value)
    assert "grain: ['xxxx" in message and "characters)" in message
    assert len(message) < 2000
