"""Floor 3, Gold: marts built from Silver by SQL models.

``sql`` (where a mart's model lives and the tables it reads, parsed without running it),
``models`` (running a model on DuckDB and holding the result to its contract), ``build`` (one
mart job: run, conform, check, write, metadata), ``layer`` (the layer's metadata, run log and
KPIs).
"""
