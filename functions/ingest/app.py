"""The ingest function: turns sources into embedded chunks (its worker arrives with the ingestion issue)."""

from mangum import Mangum

from tinyeclipse.web.app import create_app

app = create_app("ingest")
handler = Mangum(app, lifespan="off")
