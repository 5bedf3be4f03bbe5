"""Floor 0: what every other package stands on, importing nothing else of ``warehouse``.

``errors`` (PipelineError), ``paths`` (the one path catalog), ``io`` (YAML/JSON/text files),
``environment`` (software versions), ``parquet`` (tables in and out, content checksums),
``types`` (contract column types), ``hashing`` (SHA-256, digest cache), ``schemas``,
``encoding`` (detecting an export's text encoding), ``regex`` (contract patterns on RE2).
"""
