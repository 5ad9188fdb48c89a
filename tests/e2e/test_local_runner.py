"""`make up`'s program, for real: Postgres, four functions and Caddy come up, serve, and all stop on a signal."""

import re
import signal
import time

import httpx
import pytest

from tests.e2e.stack import FUNCTIONS, Stack, alive, stack_fixture  # noqa: F401


def test_the_stack_comes_up_behind_caddy_serves_and_stops_without_orphans(stack: Stack) -> None:
    banner = stack.start()
    demo_id = re.search(r"demo tenant\s+([0-9a-f-]{36})", banner)[1]  # type: ignore[index]
    assert stack.base in banner and "ADMIN_API_KEY" in banner

    with httpx.Client(base_url=stack.base, timeout=10) as http:
        for name in FUNCTIONS:
            response = http.get(f"/api/{name}/health")
            assert response.status_code == 200, (name, response.text)
            assert response.json() == {"status": "ok"}
            assert "Caddy" in response.headers.get("via", ""), "answered through Caddy's reverse proxy"
        assert http.get("/api/nowhere").json()["code"] == "not_found"
        # The admin panel (built by `make test` / `make up`) and the widget are static files behind Caddy.
        panel = http.get("/admin/", follow_redirects=True)
        assert panel.status_code == 200 and panel.headers["content-type"].startswith("text/html")
        assert http.get("/admin").status_code == 308
        widget = http.get("/widget/v1/widget.js")
        assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
        assert "max-age=604800" in widget.headers["cache-control"]

        auth = {"Authorization": f"Bearer {stack.admin_key}"}
        assert http.get("/api/admin/tenants").status_code == 401
        listed = http.get("/api/admin/tenants", headers=auth).json()
        assert [t["id"] for t in listed["items"]] == [demo_id]
        created = http.post(
            "/api/admin/tenants", headers=auth, json={"name": "Through Caddy", "whmcs_client_id": 77, "plan": "tiny"}
        )
        assert created.status_code == 201, created.text

        # The demo knowledge is seeded and indexed by the ingest worker in the background.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            demo = http.get("/api/admin/sources", headers=auth, params={"tenant_id": demo_id}).json()["items"]
            if demo and all(source["status"] != "pending" for source in demo):
                break
            time.sleep(0.5)
        assert len(demo) == 5 and {source["type"] for source in demo} == {"text", "faq"}
        assert all(source["status"] == "indexed" and source["chunk_count"] > 0 for source in demo), demo

    processes = stack.processes()
    names = " ".join(" ".join(p.cmdline()) for p in processes)
    assert names.count("uvicorn") == 4 and "caddy" in names and "postgres" in names
    assert "functions.ingest.worker" in names and "functions.ingest.scheduler" in names
    assert stack.stop(signal.SIGINT) == 0
    deadline = time.monotonic() + 10
    while any(alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p.pid for p in processes if alive(p)] == [], "no process is left behind"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{stack.base}/api/admin/health", timeout=2)

    # Data is kept between runs and the demo seed is idempotent; SIGTERM stops it as cleanly.
    second = stack.start()
    assert demo_id in second
    with httpx.Client(base_url=stack.base, headers={"Authorization": f"Bearer {stack.admin_key}"}) as http:
        names_now = sorted(t["name"] for t in http.get("/api/admin/tenants").json()["items"])
        demo_sources = http.get("/api/admin/sources", params={"tenant_id": demo_id}).json()["total"]
    assert names_now == ["Demo Hosting Co.", "Through Caddy"]
    assert demo_sources == 5, "the demo knowledge is seeded once"
    processes = stack.processes()
    assert stack.stop(signal.SIGTERM) == 0
    time.sleep(0.5)
    assert [p.pid for p in processes if alive(p)] == []
