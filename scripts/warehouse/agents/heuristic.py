"""The heuristic drafter: a valid Silver contract from a table's profile, by fixed rules.

:func:`heuristic_draft` turns a table's profile (``warehouse.agents.profiling``) into a valid
contract on its own: trims, key candidates (missing keys rejected, duplicates deduplicated),
integer ``yyyymmdd`` and ISO dates parsed, numbers cast, code columns upper-cased and mapped to
names only where the codes have a well-known meaning (otherwise kept, with an ``accepted_values``
check), and checks at ``warn`` severity, each step and check saying why. What each column
suggests is read by ``warehouse.agents.column_hints``. The model drafter
(``warehouse.agents.model_drafter``) starts from this draft, and falls back to it.
"""

from __future__ import annotations

import re

from warehouse.agents import column_hints
from warehouse.core.errors import PipelineError

COLUMN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
ORDER_BY_HINT = re.compile(r"creat|updat|modif|load|chang|insert|valid|time|stamp")
LOW_CARDINALITY = 12  # at most this many distinct values (that repeat): accepted_values check
NOT_APPLICABLE = "n/a"
KIND_WORDS = {"int": "Integer", "float": "Number", "decimal": "Amount"}


def _check_column_names(profile: dict, table: str, file: str) -> None:
    bad = [c["name"] for c in profile["columns"] if not COLUMN_NAME.match(c["name"])]
    if bad:
        raise PipelineError(
            f"{table}: column(s) {', '.join(repr(b) for b in bad)} of {file} cannot be contract "
            "column names (lower-case letters, digits and '_', starting with a letter). Rename "
            "them in the export's header, then draft again."
        )


def heuristic_draft(table: str, source: str, file: str, profile: dict) -> dict:
    """A valid contract drafted from a table's profile by fixed rules (no model).

    Every step and check carries a ``description`` saying what in the profile led to it, and
    every check has severity ``warn``: a draft reports, it never blocks a run.
    """
    _check_column_names(profile, table, file)
    columns = profile["columns"]
    by_name = {c["name"]: c for c in columns}
    keys = profile["candidate_keys"]
    key = keys[0]["columns"] if keys else []
    types = {c["name"]: column_hints.column_type(c) for c in columns}
    dates = [c for c in columns if types[c["name"]][0] == "date"]

    steps: list[dict] = []
    checks: list[dict] = []
    descriptions: dict[str, str] = {}
    padded = sum(c["leading_spaces"] + c["trailing_spaces"] for c in columns)
    blanks = sum(c["blanks"] for c in columns)
    steps.append(
        {
            "op": "trim",
            "id": "trim_values",
            "description": f"Strip surrounding spaces ({padded} padded values in the profile); "
            f"blank values ({blanks}) become missing.",
            "columns": [c["name"] for c in columns],
        }
    )
    if key:
        missing = sum(by_name[k]["nulls"] + by_name[k]["blanks"] for k in key)
        steps.append(
            {
                "op": "reject_when",
                "id": "missing_key",
                "description": f"A row without its key cannot be identified ({missing} such rows "
                "in the profile).",
                "columns": list(key),
                "condition": "missing",
                "reason": f"missing key ({', '.join(key)})",
            }
        )
    for col in columns:
        kind, on_error = types[col["name"]]
        if kind in ("int", "float", "decimal"):
            if col["name"] in key:
                on_error = "reject"
            steps.append(
                {
                    "op": "cast",
                    "id": f"{col['name']}_is_{kind}",
                    "description": f"{col['type_shares']['int' if kind == 'int' else 'float']:.1%} "
                    f"of the values are {'integers' if kind == 'int' else 'numbers'}; others are "
                    + ("quarantined." if on_error == "reject" else "made missing."),
                    "column": col["name"],
                    "to": kind,
                    "on_error": on_error,
                }
            )
            if not col["personal"]:
                descriptions[col["name"]] = (
                    f"{KIND_WORDS[kind]}; {col['min']} to {col['max']} in the profile."
                )
    for col in dates:
        step = {
            "op": "parse_date",
            "id": f"{col['name']}_date",
            "column": col["name"],
            "format": col["date_format"],
            "on_error": "null",
        }
        if col["date_like_integer"]:
            step["exact_length"] = 8
            step["description"] = (
                f"An integer date (yyyymmdd): {col['date_share']:.1%} of the values are valid "
                "dates; the others (0, wrong length, impossible dates) become missing."
            )
            descriptions[col["name"]] = "Date, an integer yyyymmdd in the export."
        else:
            step["description"] = (
                f"{col['date_share']:.1%} of the values are dates in format {col['date_format']}; "
                "the others become missing."
            )
            descriptions[col["name"]] = f"Date, {col['date_format']} in the export."
        steps.append(step)
        if col["personal"] == "birth_date":
            steps.append(
                {
                    "op": "function",
                    "id": f"{col['name']}_not_in_future",
                    "description": "A birth date after the run's ingestion date is impossible: "
                    "it becomes missing.",
                    "name": "null_dates_after_ingestion",
                    "args": {"column": col["name"]},
                }
            )
    if key and keys[0]["duplicates"]:
        order_by = next(
            (c["name"] for c in dates if ORDER_BY_HINT.search(c["name"])),
            dates[0]["name"] if dates else None,
        )
        dedupe = {
            "op": "dedupe",
            "id": "superseded_duplicate",
            "description": f"{keys[0]['duplicates']} rows repeat a key in the profile; "
            + (
                f"the row with the latest {order_by} is kept."
                if order_by
                else "the first row in file order is kept (no date column to order by)."
            ),
            "key": list(key),
            "keep": "latest" if order_by else "first",
        }
        if order_by:
            dedupe["order_by"] = order_by
        steps.append(dedupe)

    for col in columns:
        name = col["name"]
        if types[name][0] != "string" or name in key or col["personal"]:
            continue
        values = column_hints.listed_values(col)
        vocabulary = column_hints.code_set(col)
        countries = column_hints.country_codes(col)
        if vocabulary:
            label, codes = vocabulary
            names = sorted(set(codes.values()))
            steps.append(
                {
                    "op": "case",
                    "id": f"upper_{name}",
                    "description": "Codes are compared in upper case.",
                    "columns": [name],
                    "to": "upper",
                }
            )
            steps.append(
                {
                    "op": "map_values",
                    "id": f"{name}_names",
                    "description": f"{', '.join(values)} are {label} codes: mapped to names; "
                    f"anything else and missing values become {NOT_APPLICABLE}.",
                    "column": name,
                    "mapping": {k: v for k, v in codes.items()},
                    "default": NOT_APPLICABLE,
                    "missing": NOT_APPLICABLE,
                }
            )
            checks.append(_accepted(name, names + [NOT_APPLICABLE], f"{label} names"))
            descriptions[name] = f"{label.capitalize()}: {', '.join(names)} or {NOT_APPLICABLE}."
        elif countries:
            names = sorted({countries.get(v, v) for v in values} | {NOT_APPLICABLE})
            steps.append(
                {
                    "op": "map_values",
                    "id": f"{name}_names",
                    "description": f"Country codes ({', '.join(countries)}) become names, the "
                    f"names are kept; missing values become {NOT_APPLICABLE}.",
                    "column": name,
                    "mapping": countries,
                    "missing": NOT_APPLICABLE,
                }
            )
            checks.append(_accepted(name, names, "the countries in this export"))
            descriptions[name] = f"Country name; {NOT_APPLICABLE} when missing."
        elif col["code_like"]:
            steps.append(
                {
                    "op": "case",
                    "id": f"upper_{name}",
                    "description": f"A code column ({', '.join(values)}); compared in upper case. "
                    "Their meaning is not evident from the data, so they are kept as codes.",
                    "columns": [name],
                    "to": "upper",
                }
            )
            checks.append(_accepted(name, sorted({v.upper() for v in values}), "the codes seen"))
            descriptions[name] = f"Code: {', '.join(values)} (meaning to be documented)."
        elif values and len(values) <= LOW_CARDINALITY and col["distinct"] * 2 <= col["present"]:
            checks.append(_accepted(name, values, "the values seen"))

    if key:
        checks.insert(0, _check("not_null", list(key), "The key is never missing.", "key_not_null"))
        checks.insert(1, _check("unique", list(key), "One row per key.", "key_unique"))
    complete = [
        c["name"]
        for c in columns
        if c["name"] not in key and c["present"] == c["rows"] and c["rows"]
    ]
    if complete:
        checks.append(
            _check(
                "not_null",
                complete,
                "Never missing in the profiled export (invalid dates become missing and show "
                "up here).",
                "complete_in_export",
            )
        )
    strings = [c["name"] for c in columns if types[c["name"]][0] == "string"]
    if strings:
        checks.append(_check("no_stray_spaces", strings, "Values are trimmed.", "no_stray_spaces"))
    for col in columns:
        pattern = column_hints.dominant_pattern(col)
        if types[col["name"]][0] == "string" and col["id_like_name"] and pattern:
            checks.append(
                {
                    "check": "regex",
                    "id": f"{col['name']}_pattern",
                    "severity": "warn",
                    "description": f"Values look like {pattern} (at least "
                    f"{column_hints.DOMINANT_PATTERN:.0%} of the profiled values).",
                    "column": col["name"],
                    "pattern": column_hints.regex_of(pattern),
                }
            )
        kind = types[col["name"]][0]
        if kind in ("int", "float", "decimal") and (
            column_hints.MONEY.search(col["name"]) or column_hints.QUANTITY.search(col["name"])
        ):
            checks.append(
                {
                    "check": "range",
                    "id": f"{col['name']}_not_negative",
                    "severity": "warn",
                    "description": "An amount or quantity below zero is suspicious"
                    + ("." if col["personal"] else f" (profile: {col['min']} to {col['max']})."),
                    "column": col["name"],
                    "min": 0,
                }
            )
    checks.append(
        {"check": "row_count", "id": "has_rows", "severity": "warn", "description": "Not empty.",
         "min": 1}
    )  # fmt: skip

    grain = (
        f"One row per {', '.join(key)} (drafted: the best key candidate of the profile)."
        if key
        else f"One row per line of {file} (drafted: no column identifies a row)."
    )
    contract = {
        "table": table,
        "layer": "silver",
        "description": f"Drafted from the profile of {source}/{file}; review before promoting.",
        "grain": grain,
        "source": {"source": source, "file": file},
    }
    if key:
        contract["key"] = list(key)
    contract["columns"] = [
        {"name": c["name"], "type": types[c["name"]][0]}
        | ({"description": descriptions[c["name"]]} if c["name"] in descriptions else {})
        for c in columns
    ]
    contract["steps"] = steps
    contract["checks"] = checks
    return contract


def _check(kind: str, columns: list[str], description: str, check_id: str) -> dict:
    return {
        "check": kind,
        "id": check_id,
        "severity": "warn",
        "description": description,
        "columns": columns,
    }


def _accepted(column: str, values: list[str], what: str) -> dict:
    return {
        "check": "accepted_values",
        "id": f"{column}_values",
        "severity": "warn",
        "description": f"Only {what}; a new value is kept and flagged for review.",
        "column": column,
        "values": values,
    }
