"""The demo tenant is found again by the id remembered beside its data, whatever the operator changed about it."""

from pathlib import Path

from infra.local.seed import DEMO_TENANT, seed_demo
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.tenants import service as tenants
from tinyeclipse.tenants.models import TenantUpdate


def _demo_count(db: Database) -> int:
    with db.operator() as conn:
        return conn.execute("SELECT count(*) AS n FROM tenants WHERE domain = %s", [DEMO_TENANT.domain]).fetchone()["n"]


def test_the_demo_tenant_is_found_by_its_remembered_id_after_its_whmcs_id_changed(
    clean_db: Database, settings: Settings, tmp_path: Path
) -> None:
    id_file = tmp_path / "data" / "demo-tenant-id"
    demo, added = seed_demo(clean_db, settings, id_file)
    assert added == 5 and id_file.read_text().strip() == str(demo.id)

    tenants.update_tenant(clean_db, settings, demo.id, TenantUpdate(whmcs_client_id=4242, name="Our demo"))
    again, added_again = seed_demo(clean_db, settings, id_file)
    assert again.id == demo.id and again.whmcs_client_id == 4242 and again.name == "Our demo"
    assert added_again == 0 and _demo_count(clean_db) == 1


def test_a_data_dir_from_before_the_remembered_id_finds_the_demo_by_its_whmcs_id_once(
    clean_db: Database, settings: Settings, tmp_path: Path
) -> None:
    demo, _ = seed_demo(clean_db, settings)  # as the runner did before: nothing remembered
    id_file = tmp_path / "demo-tenant-id"
    found, added = seed_demo(clean_db, settings, id_file)
    assert found.id == demo.id and added == 0
    assert id_file.read_text().strip() == str(demo.id), "remembered from now on"


def test_a_remembered_id_of_no_tenant_seeds_the_demo_afresh(
    clean_db: Database, settings: Settings, tmp_path: Path
) -> None:
    id_file = tmp_path / "demo-tenant-id"
    id_file.write_text("00000000-0000-0000-0000-000000000000\n")
    demo, added = seed_demo(clean_db, settings, id_file)
    assert added == 5 and id_file.read_text().strip() == str(demo.id)
    id_file.write_text("not a uuid\n")
    assert seed_demo(clean_db, settings, id_file)[0].id == demo.id
