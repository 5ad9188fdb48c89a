"""The chat function: the widget's questions and answers (POST /api/chat arrives with its issue)."""

from mangum import Mangum

from tinyeclipse.web.app import create_app

app = create_app("chat")
handler = Mangum(app, lifespan="off")
