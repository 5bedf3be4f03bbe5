"""Floor 6: optional model help that proposes and narrates, never executes or decides.

``client`` (the one door to a model), ``profiling``, ``column_hints``, ``heuristic`` (the
deterministic drafter), ``model_drafter``, ``dry_run``, ``draft_files``, ``table_draft``
(one draft job), ``narrative``, ``targets`` (DAG-time draft lists).
"""
