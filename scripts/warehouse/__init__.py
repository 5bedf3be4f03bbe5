"""runhouse: the importable core of the warehouse (pure functions; rule scripts are thin adapters)."""
__version__ = "0.1.0"
