"""Floor 3, Silver: one cleaned, typed table per Bronze table.

``reader`` (Bronze CSV as text), ``context`` (row accounting), ``operations`` (the standard
operations), ``functions`` (named functions), ``steps`` (running a contract's steps),
``cleaner`` (one table by its contract or generically), ``table_job`` (one table job's
result and metadata), ``layer`` (the layer's metadata and run log).
"""
