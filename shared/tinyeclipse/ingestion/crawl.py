"""Web pages as documents: one page, or a polite same-site crawl (robots.txt, sitemaps, then links)."""

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import lxml.html
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from lxml.etree import ParserError

from tinyeclipse.ingestion.documents import Document, ExtractionError, TransientFetchError
from tinyeclipse.ingestion.fetch import Fetched, FetchLimits, fetch
from tinyeclipse.ingestion.html import html_document

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
SITEMAP_TYPES = ("application/xml", "text/xml")
# Links to these are not pages (a PDF is a source of its own), so they are not followed.
SKIPPED_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".csv", ".json", ".xml", ".rss"}
    | {".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".ico", ".bmp", ".tif", ".tiff"}
    | {".mp3", ".mp4", ".m4a", ".mov", ".avi", ".webm", ".wav", ".ogg"}
    | {".zip", ".gz", ".tgz", ".tar", ".rar", ".7z", ".exe", ".dmg", ".apk"}
    | {".css", ".js", ".woff", ".woff2", ".ttf", ".eot"}
)
# Broken links and non-HTML targets cost requests too: at most this many fetches per wanted page.
FETCHES_PER_PAGE = 3
MAX_SITEMAP_FILES = 10
# A site that stops answering is retried later as a whole rather than crawled into timeouts.
MAX_TRANSIENT_IN_A_ROW = 3


def fetch_page(url: str, limits: FetchLimits, *, title: str | None = None) -> Document:
    """One HTML page as a document; `title` is used when the page has none."""
    fetched = fetch(url, limits, accept=HTML_TYPES)
    return html_document(fetched.url, fetched.body, fallback_title=title)


def crawl_site(start_url: str, limits: FetchLimits, *, max_pages: int) -> Iterator[Document]:
    """Up to `max_pages` documents from the start page's site, the start page first.

    Failures of the start page propagate; other pages that fail are skipped.
    """
    start = _normalise(start_url)
    if start is None:
        raise ExtractionError(f"Only http and https URLs can be crawled, not {start_url}")
    # The operator named the start page, so it is fetched whatever robots.txt says; its final URL
    # (after a redirect to https or www., say) decides which site is crawled.
    first = fetch(start, limits, accept=HTML_TYPES)
    frontier = _Frontier(first.url, _robots(first.url, limits), _product_token(limits.user_agent))
    frontier.reach(start)  # links back to the start page (or to where it redirected) are not followed
    frontier.reach(first.url)
    budget = max_pages * FETCHES_PER_PAGE
    for url in _sitemap_urls(frontier, limits):
        frontier.add(url)
        if len(frontier) >= budget:
            break

    produced = 0
    for fetched in chain([first], _fetch_pages(frontier, limits, budget - 1)):
        frontier.add_all(_links(fetched))
        document = _document(fetched)
        if document is not None:
            yield document
            produced += 1
            if produced >= max_pages:
                return
    if produced == 0:
        raise ExtractionError(f"No readable text at {start_url} or the pages it links to")


class _Frontier:
    """The pages still to visit, in order: each same-site URL that robots.txt allows, once."""

    def __init__(self, site_url: str, robots: RobotFileParser, agent: str) -> None:
        self.site = _origin(site_url)
        self.robots = robots
        self._agent = agent
        self._queue: deque[str] = deque()
        self._seen: set[str] = set()  # queued or reached: never queued again
        self._reached: set[str] = set()  # where fetches ended

    def __len__(self) -> int:
        return len(self._queue)

    def allows(self, url: str) -> bool:
        return (
            _origin(url) == self.site
            and PurePosixPath(urlsplit(url).path).suffix.lower() not in SKIPPED_EXTENSIONS
            and self.robots.can_fetch(self._agent, url)
        )

    def add(self, url: str) -> None:
        normal = _normalise(url)
        if normal is not None and normal not in self._seen and self.allows(normal):
            self._seen.add(normal)
            self._queue.append(normal)

    def add_all(self, urls: Iterable[str]) -> None:
        for url in urls:
            self.add(url)

    def next(self) -> str | None:
        return self._queue.popleft() if self._queue else None

    def reach(self, url: str) -> bool:
        """Records that a fetch ended at `url`; False if one had already (two URLs redirecting to one page)."""
        normal = _normalise(url) or url
        if normal in self._reached:
            return False
        self._reached.add(normal)
        self._seen.add(normal)
        return True


def _fetch_pages(frontier: _Frontier, limits: FetchLimits, budget: int) -> Iterator[Fetched]:
    transient_in_a_row = 0
    while budget > 0 and (url := frontier.next()) is not None:
        budget -= 1
        try:
            fetched = fetch(url, limits, accept=HTML_TYPES)
        except ExtractionError as exc:
            logger.info("Crawl skips %s: %s", url, exc)
            continue
        except TransientFetchError as exc:
            transient_in_a_row += 1
            if transient_in_a_row >= MAX_TRANSIENT_IN_A_ROW:
                raise
            logger.info("Crawl skips %s for now: %s", url, exc)
            continue
        transient_in_a_row = 0
        if not (frontier.allows(fetched.url) and frontier.reach(fetched.url)):
            logger.info("Crawl skips %s: it redirects to %s, off the site or seen already", url, fetched.url)
            continue
        yield fetched


def _document(fetched: Fetched) -> Document | None:
    try:
        return html_document(fetched.url, fetched.body)
    except ExtractionError as exc:
        logger.info("Crawl skips %s: %s", fetched.url, exc)
        return None


def _robots(site_url: str, limits: FetchLimits) -> RobotFileParser:
    robots = RobotFileParser(f"{_origin(site_url)}/robots.txt")
    try:
        fetched = fetch(robots.url, limits, accept=("text/plain",))
    except ExtractionError:
        # RFC 9309: an unavailable robots.txt (4xx) allows everything. A TransientFetchError
        # (unreachable: allow nothing) propagates so that the crawl is retried later.
        robots.allow_all = True
        return robots
    robots.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
    return robots


def _sitemap_urls(frontier: _Frontier, limits: FetchLimits) -> Iterator[str]:
    """Page URLs from the site's sitemaps (robots.txt's `Sitemap:` lines and /sitemap.xml), indexes followed."""
    pending = deque([*(frontier.robots.site_maps() or []), f"{frontier.site}/sitemap.xml"])
    done: set[str] = set()
    while pending and len(done) < MAX_SITEMAP_FILES:
        url = _normalise(pending.popleft())
        if url is None or url in done or _origin(url) != frontier.site:
            continue
        done.add(url)
        try:
            is_index, locations = _parse_sitemap(fetch(url, limits, accept=SITEMAP_TYPES).body)
        except (ExtractionError, TransientFetchError, ParseError, DefusedXmlException) as exc:
            logger.info("Crawl skips sitemap %s: %s", url, exc)
            continue
        if is_index:
            pending.extend(locations)
        else:
            yield from locations


def _parse_sitemap(body: bytes) -> tuple[bool, list[str]]:
    """(is a sitemap index, the <loc> of each entry); namespaces are ignored, extensions' <loc>s too."""
    root = fromstring(body)
    locations = [
        child.text.strip()
        for entry in root
        for child in entry
        if _local_name(child.tag) == "loc" and child.text and child.text.strip()
    ]
    return _local_name(root.tag) == "sitemapindex", locations


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _links(fetched: Fetched) -> list[str]:
    try:
        tree = lxml.html.fromstring(fetched.body)
    except (ParserError, ValueError):
        return []
    base = _join(fetched.url, next(iter(tree.xpath("//base/@href")), "")) or fetched.url
    return [link for href in tree.xpath("//a/@href") if (link := _join(base, href))]


def _join(base: str, href: str) -> str | None:
    try:
        return urljoin(base, str(href).strip())
    except ValueError:  # e.g. "http://[oops"
        return None


def _normalise(url: str) -> str | None:
    """`url` without fragment, userinfo or default port, scheme and host lower-cased; None if not http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def _origin(url: str) -> str:
    parts = urlsplit(_normalise(url) or "")
    return f"{parts.scheme}://{parts.netloc}"


def _product_token(user_agent: str) -> str:
    """The name robots.txt groups address: "TinyEclipseBot" for "TinyEclipseBot/0.1 (+https://...)"."""
    return user_agent.split("/")[0].strip() or "*"
