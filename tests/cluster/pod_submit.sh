#!/usr/bin/env bash
# Local stand-in for Kubernetes, for snakemake-executor-plugin-cluster-generic: each job runs
# as a "pod" that shares no file system with the submit host. The job script Snakemake wrote
# changes into the submit host's working directory; here it changes into a new empty folder
# under $POD_ROOT instead, so the job sees only what Kubernetes gives a pod: the workflow's
# sources, unpacked from the archive Snakemake uploads to storage (--job-deploy-sources), and
# its inputs, fetched from the default storage provider. The software environment stands in
# for the container image.
#
# Usage (as --cluster-generic-submit-cmd; the plugin appends the job script path):
#   POD_ROOT=/some/folder bash tests/cluster/pod_submit.sh <rule> <jobscript>
set -euo pipefail

rule="$1" jobscript="$2"
workdir="$PWD"
: "${POD_ROOT:?set POD_ROOT to a folder outside the working directory}"
log_dir="$workdir/.snakemake/cluster-logs"
mkdir -p "$log_dir" "$POD_ROOT"
name="$(basename "$jobscript")"
pod="$(mktemp -d "$POD_ROOT/pod.XXXXXX")"

# The job script's `cd` into the submit host's folder becomes a `cd` into the pod. The job's
# completion markers (.snakemake/tmp.*/<id>.jobfinished) keep their absolute paths: they are the
# executor's status channel, as the Kubernetes API is for the real plugin.
sed "s#cd $workdir &&#cd $pod \&\&#" "$jobscript" >"$pod/jobscript.sh"
if ! grep -q "cd $pod &&" "$pod/jobscript.sh"; then
    echo "pod_submit.sh: the job script does not change into $workdir" >&2
    exit 1
fi
printf '%s\t%s\n' "$rule" "$pod" >>"$log_dir/submissions.tsv"

# The redirections are the background subshell's own: left on the submit command's stdout, it
# would keep the pipe open and the submission would wait for the job to end.
(cd "$pod" && exec setsid bash jobscript.sh) >"$log_dir/$name.log" 2>&1 </dev/null &
echo "$!"
