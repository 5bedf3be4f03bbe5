# The console of an invocation (main process only): one line per job while it runs, and at the
# end a short summary of the run it targeted (warehouse.report.console). The full Snakemake log
# stays in .snakemake/log/, each job's log under artifacts/orchestrator/<run_id>/logs/; --verbose
# brings Snakemake's own console back. Snakemake keeps one onsuccess and one onerror handler per
# workflow (the last one read), so every end-of-invocation step is called from here.

from datetime import datetime

from warehouse.report import console


def compact_console():
    """Shorten Snakemake's console (not its log file) unless --verbose, a dry run (the plan is
    shown in full) or a job's own snakemake process."""
    # While the Snakefile is read, workflow.dryrun is not known yet; the output settings are.
    settings = workflow.output_settings
    if (
        settings.dryrun
        or settings.verbose
        or workflow.remote_exec
        or workflow.subprocess_exec
    ):
        return
    for handler in logger.handlers:
        if handler.name == "DefaultStreamHandler" and not isinstance(
            handler.formatter, console.CompactConsole
        ):
            handler.setFormatter(console.CompactConsole(handler.formatter))


def run_origin(run_id):
    """``new`` when this invocation made the run, ``completed`` when it finished an existing
    one, else ``reused`` (from the jobs it ran; nothing is fingerprinted again)."""
    ran = {
        job.rule.name
        for job in workflow.dag.finished_jobs
        if job.wildcards_dict.get("run_id") == run_id
    }
    if "run_manifest" in ran:
        return "new"
    return "completed" if "run_complete" in ran else "reused"


def print_run_summary(stopped):
    """The summary block of the run that a run-level target (all, bronze, silver, gold) chose;
    nothing on a dry run or for file targets. Never fails the invocation."""
    if workflow.dryrun:
        return
    try:
        seconds = (datetime.now() - workflow.start_time).total_seconds()
        for run_id in _announced:
            facts = console.facts(console.read_artifacts(run_id, locate=readable))
            lines = console.run_block(
                facts, origin=run_origin(run_id), seconds=seconds, stopped=stopped
            )
            logger.info("\n" + "\n".join(lines))
    except Exception as exc:  # a summary must never hide how the invocation ended
        logger.warning(f"Could not print the run's summary: {exc}")


compact_console()


onsuccess:
    refresh_runs_index()
    print_run_summary(stopped=False)


onerror:
    explain_failure()
    refresh_runs_index()
    print_run_summary(stopped=True)
