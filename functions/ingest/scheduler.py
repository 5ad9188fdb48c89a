"""`python -m functions.ingest.scheduler`: scheduled re-ingestion (the local stand-in for EventBridge)."""

from functions.ingest.loops import run
from tinyeclipse.ingestion.scheduler import run_scheduler

if __name__ == "__main__":
    run(run_scheduler)
