"""The one definition of how each process of the stack is started.

The local runner (`make up`) and docker-compose.yml start the very same programs; a test holds the
compose file to these lists, so the two ways of running the stack cannot drift apart.
"""

FUNCTIONS = ("chat", "consent", "ingest", "admin")
# The ingest function's background loops: the local stand-ins for SQS and EventBridge.
LOOPS = ("worker", "scheduler")
KEEP_ALIVE_SECONDS = 150
# infra/database.py takes its choices from here.
DATABASE_ACTIONS = ("bootstrap", "migrate", "seed-demo")


def function_command(name: str, port: int, host: str) -> list[str]:
    """One function as an HTTP server (uvicorn); argv[0] is "python", the runner puts its own interpreter there."""
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}: one of {', '.join(FUNCTIONS)}")
    app = f"functions.{name}.app:app"
    # No Server header: Caddy is the only thing a client should see answering. Idle keep-alive connections stay
    # open longer than Caddy keeps them (2 min): if uvicorn closed one first (its default is 5 s), Caddy could send
    # the next request on it as it closes, and a POST is not retried: a 502 (seen in `make soak`).
    keep_alive = ["--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)]
    return ["python", "-m", "uvicorn", app, "--host", host, "--port", str(port), "--no-server-header", *keep_alive]


def loop_command(loop: str) -> list[str]:
    """One of the ingest function's background loops (worker or scheduler)."""
    if loop not in LOOPS:
        raise ValueError(f"unknown loop {loop!r}: one of {', '.join(LOOPS)}")
    return ["python", "-m", f"functions.ingest.{loop}"]


def database_command(*actions: str, tenant_id_file: str | None = None) -> list[str]:
    """The database set-up (infra/database.py): bootstrap, migrate, seed-demo, in the order given."""
    if not actions or set(actions) - set(DATABASE_ACTIONS):
        raise ValueError(f"actions must be some of {', '.join(DATABASE_ACTIONS)}, not {actions!r}")
    options = ["--tenant-id-file", tenant_id_file] if tenant_id_file else []
    return ["python", "-m", "infra.database", *actions, *options]
