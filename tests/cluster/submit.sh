#!/usr/bin/env bash
# Local stand-in for a cluster's submit command (sbatch, qsub, ...), for
# snakemake-executor-plugin-cluster-generic: starts the job script Snakemake wrote as its own
# background process, in its own session, and prints the process id as the external job id.
#
# Usage (as --cluster-generic-submit-cmd; the plugin appends the job script path):
#   bash tests/cluster/submit.sh <threads> <mem_mb> <runtime_min> <rule> <jobscript>
#
# A real scheduler refuses a job without a size; so does this script, so a rule that lacks
# threads, mem_mb or runtime fails the submission instead of running with a made-up size.
set -euo pipefail

threads="$1" mem_mb="$2" runtime="$3" rule="$4" jobscript="$5"
for pair in "threads=$threads" "mem_mb=$mem_mb" "runtime=$runtime"; do
    value="${pair#*=}"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -le 0 ]; then
        echo "submit.sh: rule $rule has no usable ${pair%%=*} (got '$value')" >&2
        exit 1
    fi
done

# Job logs and the submission record go where the test can read them after the job script
# (in Snakemake's temporary folder) is gone.
log_dir=".snakemake/cluster-logs"
mkdir -p "$log_dir"
name="$(basename "$jobscript")"
printf '%s\t%s\t%s\t%s\t%s\n' "$rule" "$threads" "$mem_mb" "$runtime" "$name" \
    >>"$log_dir/submissions.tsv"

setsid bash "$jobscript" >"$log_dir/$name.log" 2>&1 </dev/null &
echo "$!"
