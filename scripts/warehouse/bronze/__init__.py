"""Floor 3, Bronze: byte-exact copies of the raw exports with their facts (``copy``) and
the layer's metadata and run log (``layer``).
"""
