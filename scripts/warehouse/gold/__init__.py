"""Floor 3, Gold: marts built from Silver.

``marts`` (the registered mart builders), ``build`` (one mart job: build, conform, check,
write, metadata), ``layer`` (the layer's metadata, run log and KPIs).
"""
