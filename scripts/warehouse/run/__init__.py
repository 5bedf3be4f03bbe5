"""Floor 1: the run model.

``ids`` (run ids, ingestion date), ``manifests`` (reading and finding runs), ``fingerprint``,
``sources`` (raw-file discovery), ``workspace`` (which run an invocation targets), ``disk``
(disk use), ``outputs`` (the file lists the rules hand to Snakemake).
"""
