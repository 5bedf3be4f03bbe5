"""The row-accounting context every cleaning step works in.

A step receives a frame whose index is the row's position in the Bronze file and a ``Context``.
A row is removed only through ``ctx.reject``, which records it with the step's rule id and a
reason, so rows_in = rows_out + rows_quarantined holds by construction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from warehouse.core.errors import PipelineError

SOURCE_ROW = "_source_row"


RULE_ID = "_rule_id"


REASON = "_reason"


@dataclass
class Context:
    """What a step may need besides the frame: the table, the run's date, the reject log."""

    table: str
    ingestion_date: dt.date
    rule_id: str = ""
    rejected: list[pd.DataFrame] = field(default_factory=list)

    def reject(self, frame: pd.DataFrame, mask: pd.Series, reason: str | pd.Series):
        """Remove the rows where ``mask`` holds, recording them under the current rule."""
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            reasons = reason[mask] if isinstance(reason, pd.Series) else reason
            self.rejected.append(
                pd.DataFrame(
                    {
                        SOURCE_ROW: frame.loc[mask, SOURCE_ROW].to_numpy(),
                        RULE_ID: self.rule_id,
                        REASON: pd.Series(reasons, index=frame.index[mask]).astype(str).to_numpy(),
                    }
                )
            )
        return frame.loc[~mask]

    def error(self, column: str | None, message: str) -> PipelineError:
        """A PipelineError that names the table, the column and the rule."""
        where = f"{self.table}.{column}" if column else self.table
        return PipelineError(f"{where} (rule {self.rule_id}): {message}")


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


def require_columns(frame: pd.DataFrame, columns: list[str], ctx: Context) -> None:
    for column in columns:
        if column not in frame.columns:
            raise ctx.error(
                column,
                f"the step names column '{column}', which the table does not have at this "
                f"point (columns: {', '.join(c for c in frame.columns if c != SOURCE_ROW)}). "
                "Fix the contract.",
            )


def as_strings(series: pd.Series) -> pd.Series:
    return series if pd.api.types.is_string_dtype(series.dtype) else series.astype("str")


def rejected_rows(ctx: Context) -> pd.DataFrame:
    """Every rejected row so far: source row, rule id and reason."""
    if not ctx.rejected:
        return pd.DataFrame(
            {
                SOURCE_ROW: pd.Series(dtype="int64"),
                RULE_ID: pd.Series(dtype="str"),
                REASON: pd.Series(dtype="str"),
            }
        )
    return pd.concat(ctx.rejected, ignore_index=True)
