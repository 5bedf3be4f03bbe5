# Run-based Bronze/Silver/Gold warehouse for CRM/ERP CSV exports.
# `snakemake all` builds (or completes) the run that matches raw/, the code and the config;
# `snakemake --config run_id=<id> all` targets one run. See README.md and docs/adr/.

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


validate(config, "config/config.schema.yaml")


include: "rules/common.smk"
include: "rules/orchestrator.smk"
include: "rules/bronze.smk"
include: "rules/silver.smk"
include: "rules/gold.smk"
include: "rules/reports.smk"
include: "rules/agents.smk"
include: "rules/console.smk"


rule all:
    default_target: True
    input:
        get_final_output,
