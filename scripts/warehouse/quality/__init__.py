"""Floor 2: data-quality checks and gates, used by every layer.

``checks`` (the engine), ``evaluators`` (one function per check kind), ``descriptions``
(human-readable check texts), ``results`` (reading results, without pandas), ``gates``
(checks.json summary, gate decision, run completion).
"""
