"""Floor 7: pages and documents.

``render`` (jinja2 and templates/), ``charts``, ``lineage_svg``, ``layer_reports`` (and
``gold_report``, the one that reads marts), ``summary`` and ``run_summary`` (the run's story),
``diff`` and ``row_diff`` (run diffs), ``runs_index``, ``console`` (the end-of-invocation
summary and the one-line job log).
"""
