# The run itself: its manifest records the fingerprint and the raw files of the run.


rule run_manifest:
    output:
        manifest=paths.RUN_MANIFEST,
    log:
        paths.log("run_manifest"),
    benchmark:
        paths.benchmark("run_manifest")
    localrule: True
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        manifest=lambda wildcards: run_manifest(wildcards.run_id),
    script:
        "../scripts/run_manifest.py"
