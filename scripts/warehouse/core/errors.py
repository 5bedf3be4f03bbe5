"""The one exception type the pipeline raises for problems a user can fix.

Every message names the file (and the row or column where there is one) and says what to do,
so that the Snakemake log reads as an instruction rather than a traceback.
"""


class PipelineError(Exception):
    """A problem with the input, the configuration or the workspace that the user can fix."""
