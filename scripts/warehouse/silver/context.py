"""The row-accounting context every cleaning step works in.

Steps are compiled to SQL over a DuckDB relation whose rows carry ``_source_row``, the row's
record number in the Bronze file. A row leaves the table only by a step's reject condition; the
engine (``warehouse.silver.engine``) records it with the step's rule id and reason, so rows_in =
rows_out + rows_quarantined holds by construction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from warehouse.core.errors import PipelineError

SOURCE_ROW = "_source_row"


RULE_ID = "_rule_id"


REASON = "_reason"


@dataclass
class Context:
    """What a step may need besides the relation: the table, the run's date, the rule id."""

    table: str
    ingestion_date: dt.date
    rule_id: str = ""

    def error(self, column: str | None, message: str) -> PipelineError:
        """A PipelineError that names the table, the column and the rule."""
        where = f"{self.table}.{column}" if column else self.table
        return PipelineError(f"{where} (rule {self.rule_id}): {message}")

    def require(self, types: dict[str, str], columns: list[str]) -> None:
        """Fail, naming the column and the columns there are, unless ``types`` has each of
        ``columns`` (``types``: the table's columns at this step, without ``_source_row``)."""
        for column in columns:
            if column not in types:
                raise self.error(
                    column,
                    f"the step names column '{column}', which the table does not have at this "
                    f"point (columns: {', '.join(types)}). Fix the contract.",
                )


def step_columns(step: dict) -> list[str]:
    """The columns a standard step reads or writes, in the order the step names them."""
    if "columns" in step:
        return list(step["columns"])
    if "column" in step:
        return [step["column"]]
    if "key" in step:
        return list(step["key"]) + ([step["order_by"]] if step.get("order_by") else [])
    return []


def default_rule_id(step: dict) -> str:
    """``<op>_<first column>`` (or the function name): stable ids for reports and quarantine."""
    if step["op"] == "function":
        return step["name"]
    columns = step_columns(step)
    return f"{step['op']}_{columns[0]}" if columns else step["op"]
