"""Floor 5: lineage.

``dag`` (table-level graph from ``snakemake --dag``), ``openlineage`` (events, the JSON Lines
log, transports), ``job_events`` (one job's START and COMPLETE/FAIL).
"""
