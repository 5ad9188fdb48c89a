"""Web ingestion against a local HTTP server: safe fetching, main-text extraction and same-site crawling."""

import dataclasses
import io
import itertools

import pytest

from tests.conftest import free_port
from tests.webserver import WebServer, web_server_fixture  # noqa: F401
from tinyeclipse.config import Settings
from tinyeclipse.ingestion.crawl import crawl_site, fetch_page
from tinyeclipse.ingestion.documents import Block, ExtractionError, TransientFetchError
from tinyeclipse.ingestion.fetch import FetchLimits, download, fetch
from tinyeclipse.ingestion.html import html_document

USER_AGENT = "TinyEclipseBot/0.1 (+https://tinyeclipse.dev/bot)"
LOCAL = FetchLimits(timeout=1.0, max_bytes=100_000, max_redirects=3, user_agent=USER_AGENT, allow_private=True)
PUBLIC_ONLY = dataclasses.replace(LOCAL, allow_private=False)
HTML = ("text/html",)


def page(title: str, *paragraphs: str, links: tuple[str, ...] = ()) -> str:
    """A page with a main article between navigation, a script and a footer."""
    anchors = "".join(f'<li><a href="{href}">Link to {href}</a></li>' for href in links)
    text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f"""<!doctype html><html><head><title>{title} | Acme</title><script>var tracking = "SCRIPT";</script></head>
    <body><nav><ul><li><a href="/">Home</a></li><li><a href="/menu">Menu item NAVIGATION</a></li></ul></nav>
    <main><article><h1>{title}</h1>{text}<ul>{anchors}</ul></article></main>
    <footer><p>FOOTER Copyright 2024 Acme Inc. All rights reserved. Privacy policy. Cookie settings.</p></footer>
    </body></html>"""


def about(topic: str) -> str:
    return f"This page explains {topic} in enough words for the extractor to keep it as the main text of the page."


def paths(documents: list, server: WebServer) -> list[str]:
    return [document.url.removeprefix(server.base_url) for document in documents]


# --- Extraction -------------------------------------------------------------------------------------------------


def test_a_page_yields_its_main_text_with_headings_and_title(web_server: WebServer) -> None:
    web_server.route(
        "/pricing",
        """<!doctype html><html><head><title>Pricing | Acme</title><script>var secret = "SCRIPT";</script>
        <style>body { color: red; }</style></head><body>
        <nav><a href="/">Home</a> <a href="/about">About NAVIGATION</a> <a href="/contact">Contact</a></nav>
        <main><h1>Pricing</h1>
        <p>The <strong>basic</strong> plan costs <em>ten</em> euros a month and covers one website with 5 * 3 pages.</p>
        <h2>Enterprise</h2>
        <p>The enterprise plan adds single sign-on, audit logs and a dedicated account manager for your team.</p>
        <ul><li>Priority support by phone</li><li>A yearly invoice</li></ul></main>
        <footer>FOOTER Copyright 2024 Acme Inc. All rights reserved. Privacy policy. Terms of service.</footer>
        </body></html>""",
    )

    document = fetch_page(web_server.url("/pricing"), LOCAL)

    assert document.title == "Pricing"
    assert document.url == document.key == web_server.url("/pricing")
    assert list(document.blocks) == [
        Block("Pricing", heading=True),
        Block("The basic plan costs ten euros a month and covers one website with 5 * 3 pages."),
        Block("Enterprise", heading=True),
        Block("The enterprise plan adds single sign-on, audit logs and a dedicated account manager for your team."),
        Block("- Priority support by phone\n- A yearly invoice"),
    ]
    text = " ".join(block.text for block in document.blocks)
    assert "SCRIPT" not in text and "NAVIGATION" not in text and "FOOTER" not in text and "color" not in text


def test_a_page_without_a_title_gets_the_fallback_title() -> None:
    html = f"<html><body><article><p>{about('refunds')}</p></article></body></html>"

    document = html_document("https://example.com/refunds", html.encode(), fallback_title="Refunds")

    assert document.title == "Refunds"
    assert [block.text for block in document.blocks] == [about("refunds")]


def test_code_keeps_its_characters() -> None:
    html = f"<html><body><article><p>{about('the API')}</p><pre><code>total = a * b\n  print(total)</code></pre>"
    html += "<p>Call <code>get_items()</code> to list them, 2*3 at a time.</p></article></body></html>"

    document = html_document("https://example.com/api", html)

    assert [block.text for block in document.blocks] == [
        about("the API"),
        "total = a * b\n  print(total)",
        "Call get_items() to list them, 2*3 at a time.",
    ]


def test_a_page_without_text_is_an_extraction_error(web_server: WebServer) -> None:
    web_server.route("/empty", "<html><head><title>Empty</title></head><body><script>x()</script></body></html>")

    with pytest.raises(ExtractionError, match=r"No readable text at .*/empty"):
        fetch_page(web_server.url("/empty"), LOCAL)


# --- Fetching ---------------------------------------------------------------------------------------------------


def test_fetch_sends_the_user_agent_and_reports_the_media_type(web_server: WebServer) -> None:
    web_server.route("/", page("Home", about("us")), content_type="text/HTML; charset=ISO-8859-1")

    fetched = fetch(web_server.url("/"), LOCAL, accept=HTML)

    assert fetched.content_type == "text/html"
    assert fetched.url == web_server.url("/")
    assert b"<h1>Home</h1>" in fetched.body
    assert web_server.request_headers[0]["User-Agent"] == USER_AGENT


def test_a_missing_page_is_an_extraction_error_naming_the_status(web_server: WebServer) -> None:
    url = web_server.url("/gone")

    with pytest.raises(ExtractionError) as error:
        fetch_page(url, LOCAL)

    assert str(error.value) == f"HTTP 404 Not Found at {url}"


def test_a_forbidden_page_is_an_extraction_error(web_server: WebServer) -> None:
    web_server.route("/secret", "no", status=403)

    with pytest.raises(ExtractionError, match="HTTP 403 Forbidden"):
        fetch_page(web_server.url("/secret"), LOCAL)


def test_a_page_of_the_wrong_type_is_an_extraction_error_naming_the_type(web_server: WebServer) -> None:
    web_server.route("/logo", b"\x89PNG\r\n", content_type="image/png")

    with pytest.raises(ExtractionError, match="image/png"):
        fetch_page(web_server.url("/logo"), LOCAL)


@pytest.mark.parametrize("content_length", [True, False], ids=["declared", "streamed"])
def test_a_body_over_the_size_limit_is_an_extraction_error(web_server: WebServer, content_length: bool) -> None:
    web_server.route("/big", "x" * 5_000, content_length=content_length)
    small = dataclasses.replace(LOCAL, max_bytes=1_000)

    with pytest.raises(ExtractionError, match="larger than the limit of 1,000 bytes"):
        fetch(web_server.url("/big"), small, accept=HTML)


def test_a_redirect_is_followed_and_the_final_url_reported(web_server: WebServer) -> None:
    web_server.redirect("/old", "/middle", status=301)
    web_server.redirect("/middle", web_server.url("/new"), status=307)
    web_server.route("/new", page("New home", about("the move")))

    document = fetch_page(web_server.url("/old"), LOCAL)

    assert document.url == web_server.url("/new")
    assert document.title == "New home"
    assert web_server.hits == ["/old", "/middle", "/new"]


def test_too_many_redirects_is_an_extraction_error(web_server: WebServer) -> None:
    for hop in range(5):
        web_server.redirect(f"/{hop}", f"/{hop + 1}")
    web_server.route("/5", page("End", about("the end")))

    with pytest.raises(ExtractionError, match=r"Too many redirects \(more than 3\)"):
        fetch_page(web_server.url("/0"), LOCAL)
    assert web_server.hits == ["/0", "/1", "/2", "/3"]


def test_download_streams_the_body_into_a_file(web_server: WebServer) -> None:
    web_server.redirect("/manual", "/files/manual.pdf")
    web_server.route("/files/manual.pdf", b"%PDF-1.7 ...", content_type="application/pdf", content_length=False)
    into = io.BytesIO()

    final_url = download(web_server.url("/manual"), LOCAL, accept=("application/pdf",), into=into)

    assert final_url == web_server.url("/files/manual.pdf")
    assert into.getvalue() == b"%PDF-1.7 ..."


def test_a_slow_server_is_a_transient_error(web_server: WebServer) -> None:
    web_server.route("/slow", page("Slow", about("patience")), delay=1.0)
    impatient = dataclasses.replace(LOCAL, timeout=0.2)

    with pytest.raises(TransientFetchError, match="Timed out"):
        fetch_page(web_server.url("/slow"), impatient)


@pytest.mark.parametrize(
    ("status", "reason"), [(500, "Internal Server Error"), (503, "Service Unavailable"), (429, "")]
)
def test_server_errors_and_rate_limits_are_transient(web_server: WebServer, status: int, reason: str) -> None:
    web_server.route("/busy", "busy", status=status)

    with pytest.raises(TransientFetchError, match=f"HTTP {status} {reason}"):
        fetch_page(web_server.url("/busy"), LOCAL)


def test_a_refused_connection_is_transient() -> None:
    with pytest.raises(TransientFetchError, match="Could not fetch"):
        fetch_page(f"http://127.0.0.1:{free_port()}/", LOCAL)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/file.html", "example.com"])
def test_only_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(ExtractionError, match="Only http and https"):
        fetch(url, LOCAL, accept=HTML)


def test_private_addresses_are_refused_unless_allowed(web_server: WebServer) -> None:
    web_server.route("/", page("Intranet", about("internal matters")))

    for url in (web_server.url("/"), web_server.url("/").replace("127.0.0.1", "localhost")):
        with pytest.raises(ExtractionError, match="non-public address"):
            fetch(url, PUBLIC_ONLY, accept=HTML)
    assert web_server.hits == []
    assert fetch(web_server.url("/"), LOCAL, accept=HTML).url == web_server.url("/")


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/"])
def test_cloud_metadata_and_private_networks_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(ExtractionError, match="non-public address"):
        fetch(url, PUBLIC_ONLY, accept=HTML)


def test_limits_come_from_the_settings() -> None:
    settings = Settings(
        _env_file=None,
        database_url="postgresql://app@localhost/db",
        migrations_database_url="postgresql://owner@localhost/db",
        admin_api_key="k" * 16,
        ingest_max_redirects=2,
    )

    html_limits = FetchLimits.from_settings(settings)
    pdf_limits = FetchLimits.from_settings(settings, max_bytes=settings.ingest_max_pdf_bytes)

    assert html_limits.max_bytes == settings.ingest_max_html_bytes
    assert pdf_limits.max_bytes == settings.ingest_max_pdf_bytes
    assert (html_limits.max_redirects, html_limits.allow_private) == (2, False)
    assert html_limits.user_agent == settings.ingest_user_agent


# --- Crawling ---------------------------------------------------------------------------------------------------


def sitemap(*urls: str, index: bool = False) -> str:
    kind, entry = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    entries = "".join(f"<{entry}><loc>{url}</loc></{entry}>" for url in urls)
    return f'<?xml version="1.0"?><{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{kind}>'


def test_a_crawl_reads_the_sitemap_stays_on_the_site_and_within_max_pages(web_server: WebServer) -> None:
    with WebServer() as elsewhere:
        elsewhere.route("/", page("Elsewhere", about("another site")))
        urls = [web_server.url(f"/page{n}") for n in range(1, 6)]
        web_server.route("/sitemap.xml", sitemap(elsewhere.url("/"), *urls), content_type="application/xml")
        web_server.route("/", page("Home", about("the home page"), links=(elsewhere.url("/"),)))
        for n in range(1, 6):
            web_server.route(f"/page{n}", page(f"Page {n}", about(f"topic {n}"), links=(elsewhere.url("/"),)))

        documents = list(crawl_site(web_server.url("/"), LOCAL, max_pages=3))

        assert paths(documents, web_server) == ["/", "/page1", "/page2"]
        assert [document.title for document in documents] == ["Home", "Page 1", "Page 2"]
        assert elsewhere.hits == []
        assert "/page3" not in web_server.hits


def test_a_crawl_follows_sitemap_indexes_and_robots_sitemap_lines(web_server: WebServer) -> None:
    web_server.route("/robots.txt", f"Sitemap: {web_server.url('/maps/index.xml')}\n", content_type="text/plain")
    web_server.route("/maps/index.xml", sitemap(web_server.url("/maps/pages.xml"), index=True), content_type="text/xml")
    web_server.route("/maps/pages.xml", sitemap(web_server.url("/faq")), content_type="text/xml")
    web_server.route("/", page("Home", about("the home page")))
    web_server.route("/faq", page("FAQ", about("frequent questions")))

    documents = list(crawl_site(web_server.url("/"), LOCAL, max_pages=10))

    assert paths(documents, web_server) == ["/", "/faq"]


def test_a_crawl_without_sitemap_follows_links_breadth_first_each_page_once(web_server: WebServer) -> None:
    web_server.route("/", page("Home", about("home"), links=("/a", "b#section", "mailto:hi@example.com", "/a#top")))
    web_server.route("/a", page("A", about("a"), links=("/a/deep", "/", "/b?lang=en", "/manual.pdf")))
    web_server.route("/b", page("B", about("b"), links=("https://127.0.0.1:1/elsewhere",)))
    web_server.route("/a/deep", page("Deep", about("depth"), links=("javascript:void(0)",)))
    web_server.route("/b?lang=en", page("B in English", about("b")))

    documents = list(crawl_site(web_server.url("/"), LOCAL, max_pages=10))

    assert paths(documents, web_server) == ["/", "/a", "/b", "/a/deep", "/b?lang=en"]
    assert "/manual.pdf" not in web_server.hits
    assert web_server.hits.count("/a") == 1


def test_a_crawl_honours_robots_txt(web_server: WebServer) -> None:
    web_server.route(
        "/robots.txt",
        "User-agent: *\nDisallow: /\n\nUser-agent: TinyEclipseBot\nDisallow: /private/\n",
        content_type="text/plain",
    )
    web_server.route("/", page("Home", about("home"), links=("/private/salaries", "/public")))
    web_server.route("/private/salaries", page("Salaries", about("money")))
    web_server.route("/public", page("Public", about("open things")))

    documents = list(crawl_site(web_server.url("/"), LOCAL, max_pages=10))

    assert paths(documents, web_server) == ["/", "/public"]
    assert "/private/salaries" not in web_server.hits


def test_a_crawl_skips_broken_and_non_html_links(web_server: WebServer) -> None:
    web_server.route("/", page("Home", about("home"), links=("/missing", "/data", "/empty", "/down", "/fine")))
    web_server.route("/data", '{"a": 1}', content_type="application/json")
    web_server.route("/empty", "<html><body><script>render()</script></body></html>")
    web_server.route("/down", "oops", status=500)
    web_server.route("/fine", page("Fine", about("working pages")))

    documents = list(crawl_site(web_server.url("/"), LOCAL, max_pages=10))

    assert paths(documents, web_server) == ["/", "/fine"]
    assert {"/missing", "/data", "/empty", "/down"} <= set(web_server.hits)


def test_a_crawl_gives_up_for_now_when_the_site_stops_answering(web_server: WebServer) -> None:
    web_server.route("/", page("Home", about("home"), links=("/a", "/b", "/c", "/d")))
    for path in ("/menu", "/a", "/b", "/c", "/d"):
        web_server.route(path, "overloaded", status=503)

    crawl = crawl_site(web_server.url("/"), LOCAL, max_pages=10)

    assert paths([next(crawl)], web_server) == ["/"]
    with pytest.raises(TransientFetchError, match="HTTP 503"):
        next(crawl)
    assert "/c" not in web_server.hits


def test_a_crawl_whose_start_page_redirects_crawls_the_target_site(web_server: WebServer) -> None:
    web_server.redirect("/", "/en/")
    web_server.route("/en/", page("Welcome", about("welcome"), links=("/en/shop", "/")))
    web_server.route("/en/shop", page("Shop", about("buying")))

    documents = list(crawl_site(web_server.url("/"), LOCAL, max_pages=10))

    assert paths(documents, web_server) == ["/en/", "/en/shop"]
    assert web_server.hits.count("/") == 1


def test_a_crawl_is_lazy(web_server: WebServer) -> None:
    web_server.route("/", page("Home", about("home"), links=("/next",)))
    web_server.route("/next", page("Next", about("later")))

    first = list(itertools.islice(crawl_site(web_server.url("/"), LOCAL, max_pages=10), 1))

    assert paths(first, web_server) == ["/"]
    assert "/next" not in web_server.hits


def test_a_crawl_fails_when_its_start_page_fails(web_server: WebServer) -> None:
    web_server.route("/busy", "busy", status=503)

    with pytest.raises(ExtractionError, match="HTTP 404"):
        list(crawl_site(web_server.url("/missing"), LOCAL, max_pages=5))
    with pytest.raises(TransientFetchError, match="HTTP 503"):
        list(crawl_site(web_server.url("/busy"), LOCAL, max_pages=5))


def test_a_crawl_without_any_text_is_an_extraction_error(web_server: WebServer) -> None:
    web_server.route("/", "<html><body><a href='/blank'><img src='/go.png'></a></body></html>")
    web_server.route("/blank", "<html><body></body></html>")

    with pytest.raises(ExtractionError, match="No readable text"):
        list(crawl_site(web_server.url("/"), LOCAL, max_pages=5))
