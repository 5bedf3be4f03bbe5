"""OpenLineage events for one Snakemake job: START when it begins, COMPLETE or FAIL when it ends.

The glue between a rule script's ``snakemake`` object and ``warehouse.lineage.openlineage``:
datasets are the job's input and output files; a Parquet output carries its schema, and, when
the job also wrote a table metadata file, the data-quality assertions of its checks and (for
Gold) its column lineage. Events go to ``artifacts/reports/<run_id>/openlineage.jsonl`` (those
of a job that rebuilds a lost file of a complete run to ``artifacts/repairs/<run_id>/``).
Emitting an event must never fail a job: problems are logged as warnings. The client library
is loaded (by :mod:`warehouse.lineage.transport`) only in a job whose environment configures a
transport: writing the JSON Lines file needs none of it.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.core import paths
from warehouse.core.io import read_yaml
from warehouse.lineage import openlineage as ol
from warehouse.lineage import transport


class JobLineage:
    """Events of one job; a no-op for jobs outside a run (such as a diff of two runs)."""

    def __init__(self, snakemake, log, repair: bool = False):
        self.log = log
        # A job rebuilding a lost file of a complete run writes its events beside the run.
        self.repair = repair
        wildcards = dict(snakemake.wildcards.items())
        self.run_id = wildcards.get("run_id")
        self.rule = snakemake.rule
        self.wildcards = wildcards
        self.inputs = [str(p) for p in snakemake.input]
        self.outputs = [str(p) for p in snakemake.output]
        # The workspace's top-level folders, which name a dataset on every executor.
        raw_root = Path(snakemake.config.get("raw_dir", "raw")).parts[0]
        self.roots = (paths.ARTIFACTS, Path(paths.CONTRACT).parts[0], raw_root)

    def _name(self, path: str) -> str:
        return ol.dataset_name(path, self.roots)

    @property
    def path(self) -> Path:
        return paths.at(
            paths.REPAIR_OPENLINEAGE if self.repair else paths.OPENLINEAGE, run_id=self.run_id
        )

    def _emit(self, build) -> None:
        if not self.run_id:
            return
        try:
            event = build(ol)
        except Exception as exc:  # noqa: BLE001 - lineage is a report, never a reason to fail
            self.log.warning("could not build the OpenLineage event: %s", exc)
            return
        try:
            ol.append_event(self.path, event)
        except Exception as exc:  # noqa: BLE001
            self.log.warning("could not write the OpenLineage event: %s", exc)
        if ol.transport_configured():
            try:
                transport.send_event(event)
            except Exception as exc:  # noqa: BLE001
                self.log.warning("could not send the OpenLineage event: %s", exc)

    def close(self) -> None:
        """Wait until a configured transport has sent this job's events (see close_client)."""
        if not ol.transport_configured():
            return
        try:
            if not transport.close_client():
                self.log.warning("the OpenLineage transport did not send every event in time")
        except Exception as exc:  # noqa: BLE001
            self.log.warning("could not close the OpenLineage client: %s", exc)

    def start(self) -> None:
        self._emit(
            lambda ol: ol.start_event(
                run_id=self.run_id,
                rule=self.rule,
                wildcards=self.wildcards,
                inputs=[self._name(p) for p in self.inputs],
                outputs=[self._name(p) for p in self.outputs],
            )
        )

    def complete(self) -> None:
        self._emit(
            lambda ol: ol.complete_event(
                run_id=self.run_id,
                rule=self.rule,
                wildcards=self.wildcards,
                inputs=[self._name(p) for p in self.inputs],
                outputs=self._outputs_with_facets(ol),
            )
        )

    def fail(self, message: str) -> None:
        self._emit(
            lambda ol: ol.fail_event(
                run_id=self.run_id,
                rule=self.rule,
                wildcards=self.wildcards,
                inputs=[self._name(p) for p in self.inputs],
                outputs=[self._name(p) for p in self.outputs],
                message=message,
            )
        )

    def _is(self, template: str, path: str) -> bool:
        # By dataset name: on a storage executor the local copy's path has a prefix.
        return paths.match(template, self._name(path)) is not None

    def _outputs_with_facets(self, ol) -> list:
        meta = next(
            (
                read_yaml(p)
                for p in self.outputs
                if self._is(paths.SILVER_TABLE_META, p) or self._is(paths.GOLD_TABLE_META, p)
            ),
            {},
        )
        path_of = {Path(p).stem: self._name(p) for p in self.inputs if p.endswith(".parquet")}
        outputs = []
        for path in self.outputs:
            if not path.endswith(".parquet") or self._is(paths.SILVER_QUARANTINE, path):
                outputs.append(self._name(path))
                continue
            facets = ol.dataset_facets(
                schema=meta.get("schema_out") or _parquet_schema(path),
                checks=meta.get("checks"),
                column_lineage=meta.get("column_lineage"),
                path_of=path_of,
            )
            outputs.append((self._name(path), facets))
        return outputs


def _parquet_schema(path: str) -> list[dict]:
    # Imported here, not at the top: most jobs write no Parquet and need no pyarrow.
    import pyarrow.parquet as pq

    return [{"name": f.name, "type": str(f.type)} for f in pq.read_schema(path)]
