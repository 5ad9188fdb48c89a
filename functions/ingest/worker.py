"""`python -m functions.ingest.worker`: the ingestion worker (the local stack's stand-in for SQS)."""

from functions.ingest.loops import run
from tinyeclipse.ingestion.worker import run_worker

if __name__ == "__main__":
    run(run_worker)
