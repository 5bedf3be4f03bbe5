"""smelthouse: the importable core of the warehouse.

Pure, unit-testable functions; the rule scripts in scripts/ are thin adapters around them.
"""

__project__ = "smelthouse"
__version__ = "0.1.0"
PROJECT_URL = "https://github.com/smelthouse/smelthouse"
