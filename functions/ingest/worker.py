"""`python -m functions.ingest.worker`: the ingestion worker (the local stack's stand-in for SQS), and beside it
the notification deliveries (webhooks and emails), in the same process."""

from functions.ingest.loops import run
from tinyeclipse.ingestion.worker import run_worker
from tinyeclipse.notifications.delivery import run_deliveries

if __name__ == "__main__":
    run(run_worker, run_deliveries)
