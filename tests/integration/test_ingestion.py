"""Ingestion end to end: sources through the job queue, the worker and the pipeline into pgvector."""

import io
import threading
from datetime import timedelta
from uuid import UUID

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from tests.webserver import WebServer, web_server_fixture  # noqa: F401
from tinyeclipse.config import Settings
from tinyeclipse.db import Database
from tinyeclipse.ingestion import jobs, pipeline, scheduler, worker
from tinyeclipse.ingestion import service as sources
from tinyeclipse.ingestion.models import SOURCE_CREATE, Source

PAGE = """<html><head><title>{title}</title></head><body>
<nav><a href="/">Home</a> | <a href="/pricing">Pricing</a> | Navigation menu text</nav>
<main><h1>{title}</h1>{body}</main>
<script>var tracking = "script text must not be indexed";</script>
<footer>Copyright footer text</footer></body></html>"""


def page(title: str, text: str, links: tuple[str, ...] = ()) -> str:
    anchors = "".join(f'<p>See also <a href="{href}">{href}</a>.</p>' for href in links)
    return PAGE.format(title=title, body=f"<p>{text}</p>{anchors}")


def make_pdf(pages: list[str], *, password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    data = bytes(pdf.output())
    if password is None:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def ingest_settings(settings: Settings) -> Settings:
    # The test web server is on loopback, which production refuses to fetch.
    return settings.model_copy(
        update={"ingest_allow_private_urls": True, "job_backoff_base_seconds": 0.0, "job_max_attempts": 3}
    )


@pytest.fixture
def tenant(clean_db: Database) -> UUID:
    return _new_tenant(clean_db, 7001)


def _new_tenant(db: Database, whmcs_client_id: int, plan: str = "pro", settings: str = "{}") -> UUID:
    with db.operator() as conn:
        row = conn.execute(
            "INSERT INTO tenants (whmcs_client_id, name, plan, settings) VALUES (%s, %s, %s, %s) RETURNING id",
            [whmcs_client_id, f"Tenant {whmcs_client_id}", plan, settings],
        ).fetchone()
    return row["id"]


def add(db: Database, settings: Settings, tenant_id: UUID, **body: object) -> Source:
    return sources.create_source(db, settings, SOURCE_CREATE.validate_python({"tenant_id": tenant_id, **body}))


def run_jobs(db: Database, settings: Settings) -> int:
    """Work the queue until nothing is due; returns how many jobs ran."""
    ran = 0
    while worker.run_once(db, settings, "test-worker"):
        ran += 1
        assert ran < 50, "the queue does not drain"
    return ran


def chunks(db: Database, source: Source) -> list[dict]:
    with db.tenant(source.tenant_id) as conn:
        return conn.execute(
            """SELECT e.id, e.content, e.metadata, d.url, d.key FROM embeddings e
               JOIN documents d ON d.id = e.document_id WHERE e.source_id = %s
               ORDER BY d.position, e.chunk_index""",
            [source.id],
        ).fetchall()


def job_states(db: Database, source: Source) -> list[tuple[str, int]]:
    with db.operator() as conn:
        rows = conn.execute(
            "SELECT status, attempts FROM ingest_jobs WHERE source_id = %s ORDER BY id", [source.id]
        ).fetchall()
    return [(row["status"], row["attempts"]) for row in rows]


def test_a_text_source_is_indexed_into_chunks_that_keep_title_and_position(
    clean_db: Database, ingest_settings: Settings, tenant: UUID
) -> None:
    text = "# Email\n\nUse port 993 for IMAP.\n\n## Webmail\n\nOpen webmail.example.com in your browser."
    source = add(clean_db, ingest_settings, tenant, type="text", title="Email help", content=text)
    assert run_jobs(clean_db, ingest_settings) == 1
    indexed = sources.get_source(clean_db, source.id)
    assert indexed.status == "indexed" and indexed.error is None and indexed.last_indexed_at is not None
    rows = chunks(clean_db, source)
    assert indexed.chunk_count == len(rows) >= 1 and indexed.document_count == 1
    joined = " ".join(row["content"] for row in rows)
    assert "port 993" in joined and "webmail.example.com" in joined
    assert all(row["metadata"]["title"] == "Email help" for row in rows)
    assert [row["metadata"]["position"] for row in rows] == list(range(len(rows)))
    assert job_states(clean_db, source) == [("done", 1)]


def test_faq_pairs_become_one_chunk_each_with_question_and_answer(
    clean_db: Database, ingest_settings: Settings, tenant: UUID
) -> None:
    pairs = [
        {"question": "Do you offer refunds?", "answer": "Yes, within 30 days of the first order."},
        {"question": "Where are your servers?", "answer": "In two data centres in Amsterdam."},
        {"question": "Is there phone support?", "answer": "On weekdays from 9:00 to 17:00."},
    ]
    source = add(clean_db, ingest_settings, tenant, type="faq", title="FAQ", content=pairs)
    run_jobs(clean_db, ingest_settings)
    rows = chunks(clean_db, source)
    assert len(rows) == 3
    for row, pair in zip(rows, pairs, strict=True):
        assert pair["question"] in row["content"] and pair["answer"] in row["content"]


def test_an_uploaded_pdf_is_indexed_with_page_numbers(
    clean_db: Database, ingest_settings: Settings, tenant: UUID
) -> None:
    data = make_pdf(["Terms of service. Payment is due within 14 days.", "", "Cancellation needs 30 days notice."])
    source = sources.upload_pdf(clean_db, ingest_settings, tenant, title="Terms", filename="terms.pdf", data=data)
    run_jobs(clean_db, ingest_settings)
    assert sources.get_source(clean_db, source.id).status == "indexed"
    pages = {row["metadata"]["page"]: row["content"] for row in chunks(clean_db, source)}
    assert set(pages) == {1, 3}
    assert "14 days" in pages[1] and "30 days notice" in pages[3]


def test_a_pdf_by_url_and_a_web_page_are_fetched_and_indexed(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, web_server: WebServer
) -> None:
    web_server.route("/guide.pdf", make_pdf(["The backup retention is 30 days."]), content_type="application/pdf")
    web_server.route("/ssl", page("SSL certificates", "Certificates renew automatically every 60 days."))
    pdf = add(clean_db, ingest_settings, tenant, type="pdf", url=f"{web_server.base_url}/guide.pdf")
    html = add(clean_db, ingest_settings, tenant, type="url", url=f"{web_server.base_url}/ssl")
    run_jobs(clean_db, ingest_settings)
    assert "retention is 30 days" in chunks(clean_db, pdf)[0]["content"]
    web = chunks(clean_db, html)
    text = " ".join(row["content"] for row in web)
    assert "renew automatically every 60 days" in text
    assert "script text" not in text and "Copyright footer" not in text
    assert web[0]["metadata"]["url"] == f"{web_server.base_url}/ssl"
    assert web[0]["metadata"]["title"] == "SSL certificates"


def test_a_crawl_stays_on_its_site_and_within_max_pages(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, web_server: WebServer
) -> None:
    elsewhere = WebServer()
    try:
        elsewhere.route("/", page("Elsewhere", "Another site entirely."))
        links = ("/a", "/b", "/c", "/d", f"{elsewhere.base_url}/")
        web_server.route("/", page("Help centre", "Welcome to the help centre.", links))
        for name in "abcd":
            web_server.route(f"/{name}", page(f"Article {name}", f"Article {name} explains topic {name}.", links))
        source = add(
            clean_db, ingest_settings, tenant, type="url", url=f"{web_server.base_url}/", crawl=True, max_pages=3
        )
        run_jobs(clean_db, ingest_settings)
        indexed = sources.get_source(clean_db, source.id)
        assert indexed.status == "indexed" and indexed.document_count == 3
        urls = {row["url"] for row in chunks(clean_db, source)}
        assert len(urls) == 3 and all(url.startswith(web_server.base_url) for url in urls)
        assert elsewhere.hits == []
    finally:
        elsewhere.close()


@pytest.mark.parametrize(
    ("serve", "reason"),
    [
        (None, "404"),
        ((b"\x89PNG\r\n", "image/png"), "image/png"),
        (("<html><body><script>only()</script></body></html>", "text/html"), "No readable text"),
    ],
)
def test_a_url_that_cannot_be_read_fails_at_once_with_its_reason(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, web_server: WebServer, serve: tuple | None, reason: str
) -> None:
    if serve:
        web_server.route("/page", serve[0], content_type=serve[1])
    source = add(clean_db, ingest_settings, tenant, type="url", url=f"{web_server.base_url}/page")
    run_jobs(clean_db, ingest_settings)
    failed = sources.get_source(clean_db, source.id)
    assert failed.status == "failed" and reason in (failed.error or "")
    assert job_states(clean_db, source) == [("dead", 1)], "a permanent error is not retried"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(make_pdf(["secret"], password="pw"), "encrypted"), (b"%PDF-1.7\n garbage garbage", "not a readable PDF")],
)
def test_a_bad_pdf_fails_with_its_reason(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, data: bytes, reason: str
) -> None:
    source = sources.upload_pdf(clean_db, ingest_settings, tenant, title=None, filename="x.pdf", data=data)
    run_jobs(clean_db, ingest_settings)
    failed = sources.get_source(clean_db, source.id)
    assert failed.status == "failed" and reason in (failed.error or "")


def test_transient_errors_are_retried_then_dead_lettered(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, web_server: WebServer
) -> None:
    web_server.route("/flaky", "down for maintenance", status=503)
    source = add(clean_db, ingest_settings, tenant, type="url", url=f"{web_server.base_url}/flaky")
    assert worker.run_once(clean_db, ingest_settings, "w")
    assert sources.get_source(clean_db, source.id).status == "pending"
    assert job_states(clean_db, source) == [("queued", 1)]
    run_jobs(clean_db, ingest_settings)
    failed = sources.get_source(clean_db, source.id)
    assert failed.status == "failed" and "503" in (failed.error or "") and "after 3 attempts" in (failed.error or "")
    assert job_states(clean_db, source) == [("dead", 3)]
    assert web_server.hits.count("/flaky") == 3


def test_a_transient_error_heals_on_retry(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, web_server: WebServer
) -> None:
    web_server.route("/later", "busy", status=503)
    source = add(clean_db, ingest_settings, tenant, type="url", url=f"{web_server.base_url}/later")
    worker.run_once(clean_db, ingest_settings, "w")
    web_server.route("/later", page("Later", "Now the page works fine."))
    run_jobs(clean_db, ingest_settings)
    assert sources.get_source(clean_db, source.id).status == "indexed"
    assert job_states(clean_db, source) == [("done", 2)]


def test_re_running_replaces_chunks_without_duplicates_and_skips_unchanged_pages(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, web_server: WebServer
) -> None:
    web_server.route("/", page("Home", "Hosting plans start at five euros.", ("/one", "/two")))
    web_server.route("/one", page("One", "Page one is about domains."))
    web_server.route("/two", page("Two", "Page two is about email."))
    source = add(clean_db, ingest_settings, tenant, type="url", url=f"{web_server.base_url}/", crawl=True)
    run_jobs(clean_db, ingest_settings)
    first = chunks(clean_db, source)

    # Unchanged site: everything fetched again, nothing embedded again.
    result = pipeline.index_source(clean_db, ingest_settings, tenant, source.id)
    assert result is not None and result.embedded_chunks == 0 and result.reused_documents == 3
    assert chunks(clean_db, source) == first

    # One page changed, one gone: only the changed page is embedded; nothing is duplicated.
    web_server.route("/one", page("One", "Page one is now about DNS records."))
    web_server.route("/two", "gone", status=404)
    sources.request_ingestion(clean_db, ingest_settings, source.id)
    run_jobs(clean_db, ingest_settings)
    second = chunks(clean_db, source)
    text = " ".join(row["content"] for row in second)
    assert "DNS records" in text and "about domains" not in text and "about email" not in text
    assert len({row["content"] for row in second}) == len(second)
    home_ids = {row["id"] for row in first if row["url"].endswith("/")}
    assert home_ids <= {row["id"] for row in second}, "the unchanged home page kept its chunks"
    assert sources.get_source(clean_db, source.id).chunk_count == len(second)


def test_readers_see_the_old_chunks_until_a_re_run_commits_and_after_it_fails(
    clean_db: Database, ingest_settings: Settings, tenant: UUID, web_server: WebServer
) -> None:
    web_server.route("/doc", page("Doc", "The original text about invoices."))
    source = add(clean_db, ingest_settings, tenant, type="url", url=f"{web_server.base_url}/doc")
    run_jobs(clean_db, ingest_settings)
    original = chunks(clean_db, source)
    web_server.route("/doc", page("Doc", "A rewritten text about quotes."))
    seen_during: list[list[dict]] = []
    pipeline.index_source(
        clean_db, ingest_settings, tenant, source.id, progress=lambda: seen_during.append(chunks(clean_db, source))
    )
    assert seen_during and all(seen == original for seen in seen_during)
    assert "quotes" in chunks(clean_db, source)[0]["content"]

    rewritten = chunks(clean_db, source)
    web_server.route("/doc", "gone", status=404)
    sources.request_ingestion(clean_db, ingest_settings, source.id)
    run_jobs(clean_db, ingest_settings)
    assert sources.get_source(clean_db, source.id).status == "failed"
    assert chunks(clean_db, source) == rewritten, "a failed re-run keeps the last good chunks"


def test_tenant_b_never_sees_tenant_a_chunks(clean_db: Database, ingest_settings: Settings, tenant: UUID) -> None:
    other = _new_tenant(clean_db, 7002)
    add(clean_db, ingest_settings, tenant, type="text", content="Tenant A's secret discount code is ALPHA42.")
    add(clean_db, ingest_settings, other, type="text", content="Tenant B sells web hosting.")
    run_jobs(clean_db, ingest_settings)
    with clean_db.tenant(other) as conn:
        visible = [row["content"] for row in conn.execute("SELECT content FROM embeddings")]
    assert visible and not any("ALPHA42" in text for text in visible)


def test_a_job_whose_worker_died_is_taken_over_when_its_lease_runs_out(
    clean_db: Database, ingest_settings: Settings, tenant: UUID
) -> None:
    source = add(clean_db, ingest_settings, tenant, type="text", content="Lease test text.")
    with clean_db.operator() as conn:
        claimed = jobs.claim(conn, "dead-worker", lease_seconds=60)
    assert claimed is not None
    assert not worker.run_once(clean_db, ingest_settings, "live-worker"), "a leased job is left alone"
    with clean_db.operator() as conn:
        conn.execute("UPDATE ingest_jobs SET locked_until = now() - interval '1 second' WHERE id = %s", [claimed.id])
    assert worker.run_once(clean_db, ingest_settings, "live-worker")
    assert sources.get_source(clean_db, source.id).status == "indexed"
    assert job_states(clean_db, source) == [("done", 2)]


def test_a_job_that_keeps_killing_its_worker_is_dead_lettered(
    clean_db: Database, ingest_settings: Settings, tenant: UUID
) -> None:
    source = add(clean_db, ingest_settings, tenant, type="text", content="Poison text.")
    with clean_db.operator() as conn:
        conn.execute(
            "UPDATE ingest_jobs SET attempts = max_attempts, status = 'running', locked_until = now() - interval '1 s'"
        )
    worker.run_once(clean_db, ingest_settings, "w")
    failed = sources.get_source(clean_db, source.id)
    assert failed.status == "failed" and "stopped during ingestion" in (failed.error or "")


def test_a_source_deleted_while_queued_is_skipped(clean_db: Database, ingest_settings: Settings, tenant: UUID) -> None:
    source = add(clean_db, ingest_settings, tenant, type="text", content="Soon gone.")
    with clean_db.operator() as conn:
        job = jobs.claim(conn, "w", 60)
    sources.delete_source(clean_db, source.id)
    assert job is not None and worker.process(clean_db, ingest_settings, job, "w") == worker.Processed("done")


def test_the_scheduler_queues_due_url_and_pdf_sources_per_tenant_interval(
    clean_db: Database, ingest_settings: Settings, tenant: UUID
) -> None:
    never = _new_tenant(clean_db, 7003, settings='{"reingest_interval_hours": 0}')
    url = add(clean_db, ingest_settings, tenant, type="url", url="https://example.com/a")
    pdf = add(clean_db, ingest_settings, tenant, type="pdf", url="https://example.com/a.pdf")
    text = add(clean_db, ingest_settings, tenant, type="text", content="Static text.")
    off = add(clean_db, ingest_settings, never, type="url", url="https://example.com/b")
    assert scheduler.enqueue_due(clean_db, ingest_settings) == 0, "queued jobs are not queued twice"

    with clean_db.operator() as conn:
        conn.execute("UPDATE ingest_jobs SET status = 'done', created_at = now() - %s", [timedelta(hours=25)])
    assert scheduler.enqueue_due(clean_db, ingest_settings) == 2  # the pro plan re-ingests daily
    assert job_states(clean_db, url)[-1] == ("queued", 0) and job_states(clean_db, pdf)[-1] == ("queued", 0)
    assert len(job_states(clean_db, text)) == 1 and len(job_states(clean_db, off)) == 1
    assert scheduler.enqueue_due(clean_db, ingest_settings) == 0


def test_the_worker_loop_works_the_queue_until_stopped(
    clean_db: Database, ingest_settings: Settings, tenant: UUID
) -> None:
    source = add(clean_db, ingest_settings, tenant, type="text", content="Loop text.")
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_worker,
        args=(clean_db, ingest_settings.model_copy(update={"worker_poll_seconds": 0.05}), stop),
    )
    thread.start()
    try:
        for _ in range(200):
            if sources.get_source(clean_db, source.id).status == "indexed":
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert sources.get_source(clean_db, source.id).status == "indexed"
