"""A drafted contract and the two files it is written to: the YAML and its rationale.

:func:`contract_yaml` is the draft contract file (a comment header saying who drafted it and
how to promote it, then the contract in the block style of the shipped contracts);
:func:`rationale_markdown` is ``<table>.md``, what a person reads to review the draft: how it
was drafted, why each step and check, its dry run on the run's Bronze table and the profile.
A draft is a proposal a person reviews and promotes (``tools/promote_contract.py``); nothing
uses it before that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from warehouse.core import paths


@dataclass
class Draft:
    """A drafted contract, who drafted it, how that went, and its dry run on the run's data."""

    contract: dict
    drafted_by: str  # "heuristic" or "model:<name>"
    story: list[str] = field(default_factory=list)
    dry_run: dict = field(default_factory=dict)


class _ContractDumper(yaml.SafeDumper):
    """Block style like the shipped contracts, lists of plain values on one line, no anchors."""

    def ignore_aliases(self, data):
        return True

    def represent_list(self, data):
        flat = all(not isinstance(item, dict | list) for item in data)
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


_ContractDumper.add_representer(list, _ContractDumper.represent_list)


def contract_yaml(draft: Draft, run_id: str) -> str:
    """The draft contract file: a comment header (who drafted it, how to promote it), then the
    contract as YAML."""
    table = draft.contract["table"]
    path = paths.DRAFT_CONTRACT.format(run_id=run_id, table=table)
    header = [
        f"# Draft contract for {table}, run {run_id}. Nothing uses it until a person promotes it:",
        f"#   python tools/promote_contract.py {path}",
        f"# drafted_by: {draft.drafted_by}",
    ]
    body = yaml.dump(
        draft.contract, Dumper=_ContractDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return "\n".join(header) + "\n" + body


def rationale_markdown(draft: Draft, profile: dict, run_id: str) -> str:
    """``<table>.md``: how the draft was made, why each step and check, its dry run, the profile."""
    contract = draft.contract
    table = contract["table"]
    run = draft.dry_run
    lines = [
        f"# Draft contract for `{table}`",
        "",
        f"Run `{run_id}`, source `{contract['source']['source']}/{contract['source']['file']}`, "
        f"drafted by **{draft.drafted_by}**.",
        "",
        "## How it was drafted",
        "",
        *[f"- {sentence}" for sentence in draft.story],
        "",
        f"Grain: {contract['grain']}",
        "",
        "## Steps",
        "",
    ]
    lines += [
        f"- `{s.get('id', s['op'])}` ({s['op']}): {s.get('description', '')}".rstrip(": ")
        for s in contract.get("steps", [])
    ] or ["- none"]
    lines += ["", "## Checks", ""]
    lines += [
        f"- `{c.get('id', c['check'])}` ({c['check']}, {c.get('severity', 'error')}): "
        f"{c.get('description', '')}".rstrip(": ")
        for c in contract.get("checks", [])
    ] or ["- none"]
    lines += [
        "",
        "## Dry run on this run's Bronze table",
        "",
        f"{run.get('rows_in', 0):,} rows in, {run.get('rows_out', 0):,} out, "
        f"{run.get('rows_quarantined', 0):,} quarantined"
        + (
            " (" + ", ".join(f"{k}: {v:,}" for k, v in run["quarantine_by_rule"].items()) + ")"
            if run.get("quarantine_by_rule")
            else ""
        )
        + ".",
        "",
    ]
    lines += [
        f"- check `{c['id']}` ({c['severity']}) fails on {c['failing_rows']:,} rows"
        for c in run.get("failed_checks", [])
    ] or ["- every check passes"]
    lines += [
        "",
        "## Profile",
        "",
        f"{profile['rows']:,} rows, {profile['malformed_lines']} malformed lines; "
        f"{profile['sampling']['method']}.",
        "",
        "| column | type | missing | distinct | patterns | notes |",
        "|---|---|---:|---:|---|---|",
    ]
    for col in profile["columns"]:
        notes = [
            label
            for flag, label in (
                (col["personal"], f"personal ({col['personal']}), masked for models"),
                (col["code_like"], "code-like"),
                (col["date_like_integer"], "yyyymmdd integer"),
                (col["leading_spaces"] + col["trailing_spaces"], "padded values"),
            )
            if flag
        ]
        patterns = ", ".join(f"`{p['pattern']}`" for p in col["patterns"][:3])
        lines.append(
            f"| {col['name']} | {col['inferred_type']} | {col['nulls'] + col['blanks']:,} | "
            f"{col['distinct']:,} | {patterns} | {'; '.join(notes)} |"
        )
    keys = profile["candidate_keys"]
    lines += [
        "",
        "Candidate keys: "
        + (
            "; ".join(
                f"{', '.join(k['columns'])} (duplicates: {k['duplicates']}, missing: "
                f"{k['missing']})"
                for k in keys
            )
            or "none"
        )
        + ".",
        "",
        "## Next",
        "",
        "Review and edit the YAML, then promote it (this validates it and dry-runs it again):",
        "",
        "    python tools/promote_contract.py "
        + paths.DRAFT_CONTRACT.format(run_id=run_id, table=table),
        "",
    ]
    return "\n".join(lines)
