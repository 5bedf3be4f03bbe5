"""What one profiled column suggests to the heuristic drafter (``warehouse.agents.heuristic``).

Its contract type (and what a failed cast does), the values it lists, the well-known code set
its values belong to (gender, marital status, yes/no), the country codes it holds, and its
dominant value pattern written as a regex. Each reads only the column's profile
(``warehouse.agents.profiling``), never the data.
"""

from __future__ import annotations

import re

MONEY = re.compile(r"amount|price|cost|sales|revenue|total|fee|tax|discount|paid|payment|value")
QUANTITY = re.compile(r"qty|quantity|count|units")
DOMINANT_PATTERN = 0.95  # share of values with one pattern for a regex check
MOSTLY_TYPED = 0.95  # share of values of one type for a cast that makes the others missing

# Codes whose meaning is well known, so mapping them to names is honest. Keys are upper case.
VOCABULARIES = (
    (
        "gender",
        re.compile(r"(^|_)(gen|gndr|gender|sex)$"),
        {"F": "Female", "FEMALE": "Female", "M": "Male", "MALE": "Male"},
    ),
    (
        "marital status",
        re.compile(r"marital|(^|_)mar_?st"),
        {"S": "Single", "SINGLE": "Single", "M": "Married", "MARRIED": "Married",
         "D": "Divorced", "DIVORCED": "Divorced", "W": "Widowed", "WIDOWED": "Widowed"},
    ),
    ("yes/no", re.compile(r".*"), {"Y": "Yes", "YES": "Yes", "N": "No", "NO": "No"}),
)  # fmt: skip
COUNTRY_NAME = re.compile(r"cntry|country|ctry")
COUNTRY_CODES = {
    "AT": "Austria", "AU": "Australia", "BE": "Belgium", "CA": "Canada", "CH": "Switzerland",
    "DE": "Germany", "DK": "Denmark", "ES": "Spain", "FR": "France", "GB": "United Kingdom",
    "IE": "Ireland", "IT": "Italy", "JP": "Japan", "NL": "Netherlands", "NO": "Norway",
    "PL": "Poland", "SE": "Sweden", "UK": "United Kingdom", "US": "United States",
    "USA": "United States", "DEU": "Germany", "FRA": "France", "GBR": "United Kingdom",
    "CAN": "Canada", "AUS": "Australia",
}  # fmt: skip


def column_type(col: dict) -> tuple[str, str | None]:
    """(contract type, on_error of its cast or parse) for a profiled column."""
    shares = col["type_shares"]
    money = bool(MONEY.search(col["name"])) and not col["id_like_name"]
    if col["date_format"]:
        return "date", "null"
    if shares["int"] == 1.0 and col["present"]:
        return ("decimal" if money else "int"), "reject"
    if shares["float"] == 1.0 and col["present"]:
        return ("decimal" if money else "float"), "reject"
    if shares["int"] >= MOSTLY_TYPED:
        return ("decimal" if money else "int"), "null"
    if shares["float"] >= MOSTLY_TYPED:
        return ("decimal" if money else "float"), "null"
    return "string", None


def listed_values(col: dict) -> list[str]:
    """Every distinct value of the column when the profile lists them all, else none."""
    return [v["value"] for v in col["top_values"]] if col["all_values_listed"] else []


def code_set(col: dict) -> tuple[str, dict] | None:
    """The well-known code set a column's values belong to (after upper-casing), if any."""
    values = {v.upper() for v in listed_values(col)}
    if not values:
        return None
    for label, name_hint, codes in VOCABULARIES:
        if name_hint.search(col["name"]) and values <= set(codes):
            # Only the codes seen: a mapping of codes that never occur would only be noise.
            return label, {code: codes[code] for code in codes if code in values}
    return None


def country_codes(col: dict) -> dict[str, str]:
    """Country codes (exactly as spelt in the export) -> names, for a country column."""
    if not COUNTRY_NAME.search(col["name"]):
        return {}
    return {v: COUNTRY_CODES[v] for v in listed_values(col) if v.isupper() and v in COUNTRY_CODES}


def regex_of(pattern: str) -> str:
    """``AA-99999999`` -> ``[A-Z]{2}-\\d{8}``."""
    parts = []
    for run in re.finditer(r"(.)\1*", pattern):
        char, n = run.group(1), len(run.group(0))
        literal = char if char.isalnum() or char in " _-/:,@#" else re.escape(char)
        token = {"A": "[A-Z]", "a": "[a-z]", "9": r"\d"}.get(char, literal)
        parts.append(token + (f"{{{n}}}" if n > 1 else ""))
    return "".join(parts)


def dominant_pattern(col: dict) -> str | None:
    """The value pattern of at least :data:`DOMINANT_PATTERN` of the profiled values, if any."""
    if not col["patterns"] or not col["patterns_from_values"]:
        return None
    top = col["patterns"][0]
    if top["count"] / col["patterns_from_values"] < DOMINANT_PATTERN or "…" in top["pattern"]:
        return None
    return top["pattern"]
