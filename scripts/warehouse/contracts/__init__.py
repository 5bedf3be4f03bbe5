"""Floor 4: table contracts, above the layers whose registries (named functions, mart
builders, check kinds) they are validated against.

``validation`` (load and validate), ``files`` (the cheap DAG-time read of Gold inputs).
"""
