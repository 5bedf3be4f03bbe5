"""Floor 5: lineage.

``graph`` (the run's table graph from what it declares), ``dag`` (the table graph of
``snakemake --dag`` output, the yardstick ``graph`` is tested against), ``openlineage`` (events
as plain JSON, the JSON Lines log), ``job_events`` (one job's START and COMPLETE/FAIL),
``transport`` (sending them through openlineage-python's client).
"""
