"""The cheap read of a Gold mart's inputs that the DAG needs: the tables its SQL model reads.

Nothing here imports a data library up front: the rules import it while Snakemake builds the
DAG, and DuckDB is loaded only once a model is parsed (warehouse.gold.sql).
"""

from __future__ import annotations

from pathlib import Path

from warehouse.core.errors import PipelineError
from warehouse.gold.sql import referenced_tables


def declared_inputs(path: Path) -> dict:
    """{"silver": [...], "gold": [...]}: the tables the SQL model beside the Gold contract at
    ``path`` reads; a name with a Gold contract of its own is an earlier mart, any other a
    Silver table.

    A model that is missing or cannot be parsed gives no inputs; its job then reports the
    problem in full. Only plain table names come back (never a path outside the run's folders).
    """
    model = Path(path).with_suffix(".sql")
    try:
        names = referenced_tables(model.read_text(encoding="utf-8"), model.as_posix())
    except (OSError, PipelineError):
        return {}
    marts = [n for n in names if model.with_name(f"{n}.yaml").is_file()]
    return {"silver": [n for n in names if n not in marts], "gold": marts}
