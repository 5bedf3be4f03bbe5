"""Floor 2: data-quality checks and gates, used by every layer.

``sql_checks`` (the engine: each check a DuckDB query that finds its failing rows),
``sql_compile`` and ``sql_compare`` (the SQL of each check type), ``spec`` (the shape, ids and
columns of checks, without data), ``checks`` (the same checks on a pandas DataFrame),
``descriptions`` (human-readable check texts), ``results`` (reading results, without pandas or
DuckDB), ``gates`` (checks.json summary, gate decision, run completion).
"""
