"""The consent function: visitors' GDPR consent records (its routes arrive with the chat issue)."""

from mangum import Mangum

from tinyeclipse.web.app import create_app

app = create_app("consent")
handler = Mangum(app, lifespan="off")
