"""The regular expressions of contracts, run on RE2 (DuckDB's ``regexp_full_match``) in linear
time.

Python's ``re`` backtracks: a pattern such as ``(\\w+)+$`` compiles fine and then runs for
hours on one value it nearly matches (pandas hands patterns to ``re`` whenever the data is not
plain ASCII). RE2 never backtracks, so a check or a step costs time in proportion to the data,
whatever the pattern. The contract validator compiles every pattern with RE2 (pyarrow's build,
which the validator already loads; DuckDB's steps and checks use the same library), so a
pattern RE2 does not support (lookarounds, backreferences, Python's ``\\Z``) is refused before
anything runs, never at the first row.

RE2 syntax differs from Python's in a few places: ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are
ASCII only (write ``\\p{L}`` for any letter, ``\\p{N}`` for any digit), and there are no
lookarounds or backreferences (https://github.com/google/re2/wiki/Syntax).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

SYNTAX = "https://github.com/google/re2/wiki/Syntax"


def regex_problem(pattern: str) -> str | None:
    """Why RE2 cannot compile ``pattern``, or None when it can."""
    try:
        # Compiled on its own first: wrapped in an anchored group, "a)|(b" would compile.
        pc.match_substring_regex(pa.array([""], pa.string()), pattern=pattern)
    except pa.ArrowInvalid as exc:
        return str(exc).removeprefix("Invalid regular expression: ")
    return None
