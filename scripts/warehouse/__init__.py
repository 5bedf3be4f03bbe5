"""runhouse: the importable core of the warehouse.

Pure, unit-testable functions; the rule scripts in scripts/ are thin adapters around them.
"""

__version__ = "0.1.0"
