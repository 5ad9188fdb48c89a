"""The demo tenants (English, and its Dutch twin) are seeded once each and found again by the ids remembered
beside their data, whatever the operator changed about them."""

import json
from pathlib import Path

import pytest

from infra.local.seed import DEMO_TENANT, DEMOS, DUTCH, ENGLISH, Demo, demo_origins, seed_demo, seed_demos
from tinyeclipse.chat.language import document_language
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import service as sources
from tinyeclipse.pagination import PageParams
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


def _source_titles(db: Database, tenant_id: object) -> list[str]:
    return sorted(source.title for source in sources.list_sources(db, tenant_id, PageParams(limit=50)).items)


def test_the_english_and_the_dutch_demo_are_seeded_once_each_with_their_own_ids(
    clean_db: Database, settings: Settings, tmp_path: Path
) -> None:
    id_file = tmp_path / "data" / "demo-tenant-id"
    seeded = seed_demos(clean_db, settings, id_file)
    (english, english_added), (dutch, dutch_added) = seeded[ENGLISH], seeded[DUTCH]
    assert (english_added, dutch_added) == (5, 6)
    assert id_file.read_text().strip() == str(english.id)
    assert (tmp_path / "data" / "demo-nl-tenant-id").read_text().strip() == str(dutch.id)

    assert (dutch.name, english.name) == ("Demo Hosting NL", "Demo Hosting Co.")
    assert dutch.whmcs_client_id != english.whmcs_client_id
    nl, en = dutch.effective_settings, english.effective_settings
    assert (nl.language, nl.embedding_model, dutch.index_model) == ("nl", "multilingual-e5-small", nl.embedding_model)
    assert (en.language, en.embedding_model) == ("en", settings.embedding_model)
    assert nl.greeting.startswith("Hoi! Ik ben de assistent van Demo Hosting.") and nl.contact == en.contact
    # The Dutch page is on the same demo site (/nl/), so the same origins may chat.
    assert nl.allowed_domains == en.allowed_domains == demo_origins(settings)
    assert _source_titles(clean_db, dutch.id) == [
        "Aan de slag bij Demo Hosting",
        "Domeinnamen en DNS",
        "E-mail",
        "Pakketten en prijzen",
        "SSL-certificaten en back-ups",
        "Veelgestelde vragen",
    ]

    again = seed_demos(clean_db, settings, id_file)
    assert [(tenant.id, added) for tenant, added in again.values()] == [(english.id, 0), (dutch.id, 0)]
    with clean_db.operator() as conn:
        assert conn.execute("SELECT count(*) AS n FROM tenants").fetchone()["n"] == 2


def test_a_data_dir_with_only_the_english_demo_gets_the_dutch_one_added(
    clean_db: Database, settings: Settings, tmp_path: Path
) -> None:
    id_file = tmp_path / "demo-tenant-id"
    english, _ = seed_demo(clean_db, settings, id_file)  # as `make up` did before the Dutch demo
    tenants.update_tenant(clean_db, settings, english.id, TenantUpdate(whmcs_client_id=4242))
    seeded = seed_demos(clean_db, settings, id_file)
    assert seeded[ENGLISH][0].id == english.id and seeded[ENGLISH][1] == 0
    assert seeded[DUTCH][0].name == "Demo Hosting NL" and seeded[DUTCH][1] == 6


@pytest.mark.parametrize("demo", DEMOS, ids=lambda demo: demo.tenant.name)
def test_every_demo_page_and_faq_answer_is_in_its_tenant_s_language(demo: Demo) -> None:
    language = demo.tenant.settings.get("language", "en")
    texts = [page.read_text() for page in sorted(demo.folder.glob("*.md"))]
    faq = json.loads((demo.folder / "faq.json").read_text())
    texts += [f"{pair['question']} {pair['answer']}" for pair in faq]
    assert [document_language(text) for text in texts] == [language] * len(texts)
