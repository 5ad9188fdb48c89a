"""Retrieval at a million chunks (issue 16 point 4): recall and latency of the production query by tenant size.

A private embedded Postgres, migrated like production, holds `--tenants` tenants and `--chunks` chunks with a
realistic skew: most tenants a few hundred chunks, a few 50,000-100,000 (sizes scale with `--chunks`). The
vectors cluster like real embeddings: each tenant's chunks mix a topic's real MiniLM sentence vectors (SQuAD and
XQuAD sentences and questions from ../shared/eval, encoded by the chat's ONNX model) with noise, so tenants on
neighbouring topics overlap as hosting companies' help pages do. Chunks are loaded in shuffled batches (one
source at a time, as ingestion writes them), with COPY as the superuser, then the indexes are built and the
table analysed.

Each query is a fresh draw near one tenant's content. It runs through `tinyeclipse.chat.retrieval.search` (the
production SQL and its SET LOCALs) in `Database.tenant()` (tinyeclipse_app under row-level security, the pool's
prepared statements) and is compared with an exact scan of the tenant's chunks:
- recall@5: the share of the 5 nearest chunks of the tenant (exact) among the 5 returned, no key words, so the
  answer is the vector half's ranking;
- latency of the vector-only query and of the hybrid one (the chunk's key words too), p50/p95, second pass;
- index build time and size.

`--before REV` measures the schema at revision REV first, then migrates the loaded database to head (timing
the migration) and measures again: the same data before and after a change of physical design.

`make bench-scale` runs the full size (nice'd) and appends the results to docs/benchmarks.md; `--chunks 50000`
is a quick run (`--no-append` to keep the docs as they are).
"""

import argparse
import itertools
import json
import math
import os
import re
import shutil
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy
import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from bench.stack import REPO, SQUAD, append_results, machine
from infra.local.harness import free_port
from infra.local.postgres import LocalPostgres
from tinyeclipse import migrations
from tinyeclipse.chat import retrieval
from tinyeclipse.chat.terms import keyword_query
from tinyeclipse.db import Connection, Database
from tinyeclipse.ingestion import repository as ingestion_repository

XQUAD = REPO.parent / "shared" / "eval" / "xquad-dev.json"
MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = 384
K = 5
# The production settings (tinyeclipse.config): candidates of the vector half, answers kept.
CANDIDATES = 20
# The five biggest tenants at a million chunks; every size scales with --chunks.
GIANTS = (100_000, 90_000, 75_000, 60_000, 50_000)
LARGEST_OTHER = 40_000
SMALLEST = 20
# Tenant sizes reported apart (at a million chunks; they scale with --chunks like the sizes).
BUCKETS = (1_000, 10_000, 50_000)
# Queries per tenant of each size class: every tenant gets some, the few big ones more, so each class has a sample.
QUERIES = (2, 5, 10, 10)
KEY_WORDS = 6  # a visitor's question has a handful of key words, not a whole sentence's
SOURCE_CHUNKS = 200  # chunks per source: ingestion writes one source's chunks together
# What the production compose gives Postgres (docker-compose.prod.yml); the build gets memory for its graph.
SERVER_SETTINGS = {"shared_buffers": "192MB", "max_parallel_maintenance_workers": "1", "jit": "off"}
BUILD_MEMORY = "4GB"


# ---------------------------------------------------------------------------------------------------- the data


def base_texts() -> list[str]:
    """Varied real text: the eval sets' sentences and questions (English, German, Spanish)."""
    texts: list[str] = []

    def add(articles: list[dict]) -> None:
        for article in articles:
            for paragraph in article["paragraphs"]:
                texts.extend(s for s in re.split(r"(?<=[.!?])\s+", paragraph["context"]) if len(s) >= 20)
                texts.extend(qa["question"] for qa in paragraph["qas"])

    add(json.loads(SQUAD.read_text())["data"])
    for articles in json.loads(XQUAD.read_text())["data"].values():
        add(articles)
    return sorted(set(texts))


def base_vectors(texts: list[str], cache: Path) -> numpy.ndarray:
    if cache.exists():
        vectors = numpy.load(cache)
        if len(vectors) == len(texts):
            return vectors
    from tinyeclipse.embeddings.onnx_minilm import OnnxMiniLM

    started = time.perf_counter()
    vectors = OnnxMiniLM.load(threads=1).encode(texts)
    print(f"encoded {len(texts)} texts in {time.perf_counter() - started:.0f} s")
    numpy.save(cache, vectors)
    return vectors


def tenant_sizes(tenants: int, chunks: int, rng: numpy.random.Generator) -> list[int]:
    """Five giants, the rest log-normal (median a few hundred at full size), summing to `chunks`."""
    scale = chunks / 1_000_000
    giants = [max(SMALLEST, round(size * scale)) for size in GIANTS[: max(1, tenants // 200)]]
    others = rng.lognormal(mean=math.log(250), sigma=1.1, size=tenants - len(giants))
    target = chunks - sum(giants)
    for _ in range(20):  # rescale, clip, repeat: the clipped tail moves the sum
        others = numpy.clip(others * target / others.sum(), SMALLEST, max(SMALLEST, LARGEST_OTHER * scale))
    sizes = giants + [int(size) for size in others]
    sizes[-1] += chunks - sum(sizes)
    return sizes


@dataclass
class Tenant:
    id: uuid.UUID
    size: int
    pool: numpy.ndarray  # indexes of the base texts of its topic
    style: numpy.ndarray  # what sets its text apart from another tenant's on the same topic
    rng: numpy.random.Generator
    bucket: str = ""  # its size class in the report
    vectors: numpy.ndarray = field(default_factory=lambda: numpy.empty((0, DIMENSIONS), numpy.float32))
    texts: list[int] = field(default_factory=list)

    def draw(self, base: numpy.ndarray, count: int) -> tuple[numpy.ndarray, numpy.ndarray]:
        """`count` vectors near the tenant's topic: two of its sentences mixed, its style, noise; unit length."""
        first = self.rng.integers(len(self.pool), size=count)
        second = self.rng.integers(len(self.pool), size=count)
        mix = self.rng.uniform(0.0, 0.5, size=(count, 1)).astype(numpy.float32)
        vectors = (1 - mix) * base[self.pool[first]] + mix * base[self.pool[second]] + self.style
        vectors += self.rng.normal(scale=0.3 / math.sqrt(DIMENSIONS), size=(count, DIMENSIONS)).astype(numpy.float32)
        vectors /= numpy.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.astype(numpy.float32), self.pool[first]


def size_classes(chunks: int) -> list[tuple[int, str]]:
    """(upper bound, name) of each size class, the bounds scaled like the tenants' sizes."""
    bounds = [round(bound * chunks / 1_000_000) for bound in BUCKETS]
    names = [f"< {bounds[0]:,}"] + [f"{low:,}-{high - 1:,}" for low, high in itertools.pairwise(bounds)]
    return [*zip(bounds, names, strict=True), (10**12, f"≥ {bounds[-1]:,}")]


def make_tenants(base: numpy.ndarray, tenants: int, chunks: int, seed: int) -> list[Tenant]:
    rng = numpy.random.default_rng(seed)
    classes = size_classes(chunks)
    made = []
    for number, size in enumerate(tenant_sizes(tenants, chunks, rng)):
        own = numpy.random.default_rng([seed, number])
        # The topic: the sentences nearest a random one, more of them for a bigger tenant.
        centre = base[own.integers(len(base))]
        pool_size = int(numpy.clip(size // 10, 10, 1_000))
        pool = numpy.argpartition(-(base @ centre), pool_size)[:pool_size]
        style = own.normal(size=DIMENSIONS).astype(numpy.float32)
        style *= 0.15 / numpy.linalg.norm(style)
        tenant = Tenant(uuid.UUID(int=int(own.integers(2**63)) << 64 | number), size, pool, style, own)
        tenant.bucket = next(name for bound, name in classes if size < bound)
        tenant.vectors, texts = tenant.draw(base, size)
        tenant.texts = texts.tolist()
        made.append(tenant)
    return made


# ---------------------------------------------------------------------------------------------- the database


class Server:
    """A private embedded Postgres on a free port, the app's and owner's URLs, migrated to `revision`."""

    def __init__(self, workdir: Path) -> None:
        self.postgres = LocalPostgres(workdir / "pg", port=free_port())
        self.postgres.start()
        with psycopg.connect(self.postgres.superuser_url(), autocommit=True) as conn:
            for name, value in SERVER_SETTINGS.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        self.postgres.stop()
        self.postgres.start()
        password = uuid.uuid4().hex
        host = f"127.0.0.1:{self.postgres.port}/scale"
        self.app_url = f"postgresql://tinyeclipse_app:{password}@{host}"
        self.owner_url = f"postgresql://tinyeclipse_owner:{password}@{host}"
        self.postgres.bootstrap(self.app_url, self.owner_url)
        self.superuser_url = self.postgres.superuser_url("scale")

    def superuser(self) -> psycopg.Connection:
        from pgvector.psycopg import register_vector

        conn = psycopg.connect(self.superuser_url, autocommit=True)
        register_vector(conn)
        return conn

    def stop(self) -> None:
        self.postgres.stop()


def embedding_indexes(conn: psycopg.Connection) -> dict[str, str]:
    """The secondary indexes of `embeddings` (name: definition), the primary key and constraints' aside."""
    rows = conn.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = 'embeddings'::regclass AND NOT x.indisprimary
             AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.oid)"""
    ).fetchall()
    return dict(rows)


def chunk_text(texts: list[str], first: int, row: int) -> str:
    """A chunk's text: its topic sentence and the ones after it, 300-1,000 characters (chunks hold up to 200
    tokens). Its length matters: a row over 2 kB keeps its vector out of line (TOAST), which exact scans pay."""
    length = 300 + 100 * (row % 8)
    parts, size = [], 0
    while size < length:
        parts.append(texts[(first + len(parts)) % len(texts)])
        size += len(parts[-1]) + 1
    return " ".join(parts)


def load(server: Server, tenants: list[Tenant], texts: list[str], seed: int) -> dict[str, float]:
    """Tenants, one source + document per batch, the chunks by binary COPY in shuffled batches; then the
    indexes (timed one by one) and ANALYZE."""
    english = None
    timings: dict[str, float] = {}
    batches = [
        (tenant, start, min(start + SOURCE_CHUNKS, tenant.size))
        for tenant in tenants
        for start in range(0, tenant.size, SOURCE_CHUNKS)
    ]
    numpy.random.default_rng(seed).shuffle(batches)
    with server.superuser() as conn:
        english = conn.execute("SELECT 'english'::regconfig::oid").fetchone()[0]
        indexes = embedding_indexes(conn)
        for name in indexes:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("SET session_replication_role = replica")  # no foreign-key triggers for the bulk load
        with conn.cursor() as cur:
            with cur.copy("COPY tenants (id, whmcs_client_id, name, plan, index_model) FROM STDIN") as copy:
                for number, tenant in enumerate(tenants, start=1):
                    copy.write_row((tenant.id, number, f"Tenant {number}", "pro", MODEL))
            sources = [uuid.uuid4() for _ in batches]
            with cur.copy("COPY sources (id, tenant_id, type, title, status, chunk_count) FROM STDIN") as copy:
                for source, (tenant, start, stop) in zip(sources, batches, strict=True):
                    copy.write_row((source, tenant.id, "text", f"Source {start}", "indexed", stop - start))
            with cur.copy("COPY documents (id, tenant_id, source_id, key, content_hash, position) FROM STDIN") as copy:
                for source, (tenant, _, _) in zip(sources, batches, strict=True):
                    copy.write_row((source, tenant.id, source, "text", "x", 0))
        started = time.perf_counter()
        contents: dict[tuple[int, int], str] = {}
        with conn.cursor() as cur:
            columns = "tenant_id, source_id, document_id, chunk_index, content, metadata, embedding, embedding_model"
            columns += ", language"
            with cur.copy(f"COPY embeddings ({columns}) FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.set_types(["uuid", "uuid", "uuid", "int4", "text", "jsonb", "vector", "text", "oid"])
                for number, (source, (tenant, start, stop)) in enumerate(zip(sources, batches, strict=True)):
                    title = f"Help page {number}"
                    metadata = Jsonb({"title": title, "url": f"https://help.example/{number}", "heading": title})
                    for row in range(start, stop):
                        key = (tenant.texts[row], row % 8)
                        content = contents.get(key) or contents.setdefault(key, chunk_text(texts, *key))
                        vector = tenant.vectors[row]
                        copy.write_row(
                            (tenant.id, source, source, row - start, content, metadata, vector, MODEL, english)
                        )
        timings["copy"] = time.perf_counter() - started
        conn.execute("SET session_replication_role = DEFAULT")
        conn.execute(f"SET maintenance_work_mem = '{BUILD_MEMORY}'")
        for name, definition in indexes.items():
            started = time.perf_counter()
            conn.execute(definition)
            timings[name] = time.perf_counter() - started
            print(f"built {name} in {timings[name]:.1f} s")
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE tenants, sources, documents, embeddings")
        timings["vacuum analyze"] = time.perf_counter() - started
    return timings


def tenant_graphs(server: Server, tenants: list[Tenant]) -> dict[str, float]:
    """What ingestion does after indexing a tenant: its own graph once it is big enough (the head schema)."""
    db = Database(server.app_url, max_size=1, wait_timeout=30.0)
    db.open()
    started, graphs = time.perf_counter(), 0
    try:
        for tenant in tenants:
            if tenant.size >= ingestion_repository.VECTOR_INDEX_MIN_CHUNKS:
                with db.tenant(tenant.id) as conn:
                    graphs += ingestion_repository.ensure_vector_index(conn, tenant.id, MODEL)
    finally:
        db.close()
    return {f"{graphs} tenant graphs (ensure_vector_index)": time.perf_counter() - started}


def index_sizes(server: Server) -> dict[str, int]:
    with server.superuser() as conn:
        rows = conn.execute(
            """SELECT i.relname, pg_relation_size(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = 'embeddings'::regclass ORDER BY 1"""
        ).fetchall()
        table = conn.execute("SELECT pg_relation_size('embeddings'), pg_table_size('embeddings')").fetchone()
    graphs = [size for name, size in rows if name.startswith("embeddings_hnsw_")]
    sizes = {
        "heap": table[0],
        "TOAST": table[1] - table[0],
        **{n: s for n, s in rows if not n.startswith("embeddings_hnsw_")},
    }
    if graphs:
        sizes[f"{len(graphs)} tenant graphs"] = sum(graphs)
    return sizes


# ------------------------------------------------------------------------------------------------- measuring


@dataclass
class Probe:
    tenant: Tenant
    vector: numpy.ndarray
    keywords: str
    nearest: float = 0.0  # the exact 5th-nearest distance within the tenant (a tie counts as found)
    recall: float = 0.0
    vector_ms: float = 0.0
    hybrid_ms: float = 0.0


def make_probes(tenants: list[Tenant], base: numpy.ndarray, texts: list[str], chunks: int, seed: int) -> list[Probe]:
    probes = []
    classes = [name for _, name in size_classes(chunks)]
    for tenant in tenants:
        count = QUERIES[classes.index(tenant.bucket)]
        vectors, text_ids = tenant.draw(base, count)
        for vector, text in zip(vectors, text_ids, strict=True):
            words = keyword_query(texts[text]).split(" | ")
            probes.append(Probe(tenant, vector, " | ".join(words[:KEY_WORDS])))
    numpy.random.default_rng(seed).shuffle(probes)
    return probes


def exact(server: Server, probes: list[Probe]) -> None:
    """The tenant's true 5 nearest: cosine_distance() in its function form is never served by an index."""
    with server.superuser() as conn:
        conn.execute("SET max_parallel_workers_per_gather = 0")
        for probe in probes:
            rows = conn.execute(
                """SELECT cosine_distance(embedding, %s) AS distance FROM embeddings
                   WHERE tenant_id = %s AND embedding_model = %s ORDER BY distance LIMIT %s""",
                [probe.vector, probe.tenant.id, MODEL, K],
            ).fetchall()
            probe.nearest = rows[-1][0]


Search = Callable[[Connection, retrieval.Query, int, int], list[retrieval.Retrieved]]


def production_search(conn: Connection, query: retrieval.Query, k: int, candidates: int) -> list[retrieval.Retrieved]:
    return retrieval.search(conn, query, k=k, candidates=candidates)


# The query of that time: today's without the primary-key lookup of the fused ids (0009 added it).
BEFORE_SQL = retrieval.HYBRID_SEARCH.replace(" AND e.id = ANY (ARRAY(SELECT id FROM fused))", "")


def shared_graph_search(conn: Connection, query: retrieval.Query, k: int, candidates: int) -> list[retrieval.Retrieved]:
    """retrieval.search before migration 0009: one HNSW graph of every tenant's chunks, filtered by tenant."""
    conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
    conn.execute("SET LOCAL hnsw.ef_search = 100")
    with conn.cursor(row_factory=class_row(retrieval.Retrieved)) as cursor:
        return cursor.execute(
            BEFORE_SQL,
            {
                "vector": query.vector,
                "tenant": query.tenant_id,
                "model": query.model,
                "keywords": query.keywords,
                "words": query.words,
                "candidates": candidates,
                "k": k,
                "rrf_k": retrieval.RRF_K,
            },
        ).fetchall()


@dataclass(frozen=True)
class Variant:
    name: str
    search: Search = production_search
    options: str = ""  # server settings for the app's connections (libpq options)


@dataclass
class Outcome:
    recall: list[float] = field(default_factory=list)
    vector_ms: list[float] = field(default_factory=list)
    hybrid_ms: list[float] = field(default_factory=list)
    plans: str = ""  # how the server planned the prepared query: generic or custom plans


def passes(db: Database, variant: Variant, probes: list[Probe], *, hybrid: bool) -> Iterator[tuple[float, list]]:
    for probe in probes:
        query = retrieval.Query(
            tenant_id=probe.tenant.id,
            model=MODEL,
            vector=probe.vector,
            keywords=probe.keywords if hybrid else "",
            words="english",
        )
        started = time.perf_counter()
        with db.tenant(probe.tenant.id) as conn:
            found = variant.search(conn, query, K, CANDIDATES)
        yield (time.perf_counter() - started) * 1000, found


def measure(server: Server, probes: list[Probe], variant: Variant, *, hybrid: bool) -> Outcome:
    """Each query twice without key words (the first pass warms caches and lets psycopg prepare the statement, as
    a pool connection does after 5 runs), then once with; one connection, so its plan statistics tell."""
    url = server.app_url + (f"?options={quote(variant.options)}" if variant.options else "")
    db = Database(url, max_size=1, wait_timeout=30.0)
    db.open()
    outcome = Outcome()
    try:
        for _ in passes(db, variant, probes, hybrid=False):
            pass
        for probe, (elapsed, found) in zip(probes, passes(db, variant, probes, hybrid=False), strict=True):
            hits = sum(1 for hit in found if 1 - hit.similarity <= probe.nearest + 1e-6)
            outcome.recall.append(hits / min(K, probe.tenant.size))
            outcome.vector_ms.append(elapsed)
        if hybrid:
            outcome.hybrid_ms = [elapsed for elapsed, _ in passes(db, variant, probes, hybrid=True)]
        with db.tenant(probes[0].tenant.id) as conn:
            rows = conn.execute(
                """SELECT generic_plans, custom_plans FROM pg_prepared_statements
                   WHERE statement LIKE '%%embeddings%%' ORDER BY generic_plans + custom_plans DESC"""
            ).fetchall()
        outcome.plans = "; ".join(f"{r['generic_plans']} generic, {r['custom_plans']} custom" for r in rows)
    finally:
        db.close()
    return outcome


def plans(server: Server, tenants: list[Tenant], classes: list[str]) -> dict[str, str]:
    """The vector half's plan for the largest tenant of each bucket, as the app runs it (custom plan)."""
    from pgvector.psycopg import register_vector

    shown = {}
    with psycopg.connect(server.app_url) as conn:
        register_vector(conn)
        for name in classes:
            members = [tenant for tenant in tenants if tenant.bucket == name]
            if not members:
                continue
            tenant = max(members, key=lambda t: t.size)
            with conn.transaction():
                conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.id)])
                conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                conn.execute("SET LOCAL hnsw.ef_search = 100")
                rows = conn.execute(
                    """EXPLAIN (COSTS OFF) SELECT id, embedding <=> %s AS distance FROM embeddings
                       WHERE tenant_id = %s AND embedding_model = %s ORDER BY distance LIMIT %s""",
                    [tenant.vectors[0], tenant.id, MODEL, CANDIDATES],
                ).fetchall()
            used = [line for (line,) in rows if "Scan" in line]
            shown[name] = "; ".join(line.strip().lstrip("-> ") for line in used)
    return shown


# ------------------------------------------------------------------------------------------------- reporting


def percentile(values: list[float], share: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]
        if len(values) > 1
        else values[0]
    )


def report(variant: Variant, outcome: Outcome, probes: list[Probe], tenants: list[Tenant], classes: list[str]) -> str:
    lines = [
        f"*{variant.name}*" + (f" (`{variant.options}`)" if variant.options else ""),
        "",
        "| tenant chunks | tenants | chunks | queries | recall@5 mean | recall@5 min | queries < 1.0 "
        "| vector p50 / p95 ms | hybrid p50 / p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in [*classes, "**all**"]:
        rows = [i for i, probe in enumerate(probes) if name in ("**all**", probe.tenant.bucket)]
        if not rows:
            continue
        members = [t for t in tenants if name in ("**all**", t.bucket)]
        recalls = [outcome.recall[i] for i in rows]
        vector_ms = [outcome.vector_ms[i] for i in rows]
        hybrid_ms = [outcome.hybrid_ms[i] for i in rows] if outcome.hybrid_ms else []
        hybrid = f"{percentile(hybrid_ms, 0.5):.1f} / {percentile(hybrid_ms, 0.95):.1f}" if hybrid_ms else "not timed"
        lines.append(
            f"| {name} | {len(members)} | {sum(t.size for t in members):,} | {len(rows)} "
            f"| {statistics.fmean(recalls):.4f} | {min(recalls):.2f} | {sum(r < 1 for r in recalls)} "
            f"| {percentile(vector_ms, 0.5):.1f} / {percentile(vector_ms, 0.95):.1f} "
            f"| {hybrid} |"
        )
    lines += ["", f"Prepared statements of this connection: {outcome.plans or 'none'}."]
    return "\n".join(lines)


def sizes_note(sizes: dict[str, int]) -> str:
    return "Sizes: " + ", ".join(f"{name} {size / 2**20:,.0f} MB" for name, size in sizes.items()) + "."


# What is measured before the migration (--before, the schema of 0008): the query of that time as the pool runs
# it (and, --custom-plans, with a plan made for each query's tenant); after: retrieval.search.
CUSTOM_PLANS = "-c plan_cache_mode=force_custom_plan"
BEFORE = Variant("one graph for all tenants (retrieval.search before 0009)", shared_graph_search)
BEFORE_CUSTOM = Variant("the same with a plan for each query", shared_graph_search, CUSTOM_PLANS)
AFTER = Variant("retrieval.search: exact scan, or the tenant's own graph")


def run(args: argparse.Namespace) -> str:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(workdir / "pg", ignore_errors=True)
    texts = base_texts()
    base = base_vectors(texts, workdir / f"base-{len(texts)}.npy")
    started = time.perf_counter()
    tenants = make_tenants(base, args.tenants, args.chunks, args.seed)
    probes = make_probes(tenants, base, texts, args.chunks, args.seed + 1)
    classes = [name for _, name in size_classes(args.chunks)]
    print(
        f"{len(tenants)} tenants, {sum(t.size for t in tenants):,} chunks, {len(probes)} queries "
        f"generated in {time.perf_counter() - started:.0f} s"
    )
    server = Server(workdir)
    sections = []
    try:
        migrations.upgrade(server.owner_url, args.before or "head")
        timings = load(server, tenants, texts, args.seed + 2)
        if not args.before:
            timings.update(tenant_graphs(server, tenants))
        for tenant in tenants:  # the data is in the database now
            tenant.vectors = tenant.vectors[:1]
        exact(server, probes)
        before = [BEFORE, BEFORE_CUSTOM] if args.custom_plans else [BEFORE]
        stages = [(args.before, before), ("head", [AFTER])] if args.before else [("head", [AFTER])]
        for number, (revision, variants) in enumerate(stages):
            notes = []
            if number:
                started = time.perf_counter()
                migrations.upgrade(server.owner_url, "head")
                notes.append(
                    f"Migration {args.before} → head on the loaded data: {time.perf_counter() - started:.1f} s."
                )
            else:
                notes.append(
                    "Load: COPY {copy:.0f} s; ".format(**timings)
                    + "; ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items() if name != "copy")
                    + "."
                )
            notes.append(sizes_note(index_sizes(server)))
            shown = plans(server, tenants, classes)
            notes.append(
                "Plans of the vector half (custom, largest tenant of each size): "
                + " | ".join(f"{b}: {p}" for b, p in shown.items())
                + "."
            )
            tables = []
            for variant in variants:
                load_before = os.getloadavg()[0]
                # The key-word half is not what changes here: timed in the last stage only, to keep the run short.
                outcome = measure(server, probes, variant, hybrid=number == len(stages) - 1)
                tables.append(report(variant, outcome, probes, tenants, classes))
                tables[-1] += f" Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after."
                print(tables[-1])
                if args.verbose:
                    for probe, recall in zip(probes, outcome.recall, strict=True):
                        if recall < 1:
                            print(f"recall {recall:.2f}: tenant of {probe.tenant.size} chunks, {probe.tenant.id}")
            sections.append(f"**Schema at revision {revision}**\n\n" + "\n".join(notes) + "\n\n" + "\n\n".join(tables))
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(workdir / "pg", ignore_errors=True)
    header = (
        f"## Retrieval at scale — {machine()}\n\n"
        f"`python -m bench.scale --tenants {args.tenants} --chunks {args.chunks}`: {len(tenants)} tenants, "
        f"{sum(t.size for t in tenants):,} chunks of {DIMENSIONS}-d vectors (largest tenant "
        f"{max(t.size for t in tenants):,}, median {int(statistics.median(t.size for t in tenants))}), "
        f"{len(probes)} queries near their tenant's content; recall@5 against an exact scan of the tenant's "
        f"chunks; latency of `retrieval.search` in `Database.tenant()` as tinyeclipse_app, one client, "
        f"second pass; Postgres 18 + pgvector with {', '.join(f'{k}={v}' for k, v in SERVER_SETTINGS.items())}.\n"
    )
    return header + "\n" + "\n\n".join(sections) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1_000)
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--before", help="measure this revision first, then migrate to head and measure again")
    parser.add_argument("--workdir", default=os.environ.get("SCALE_WORKDIR", "/tmp/tinyeclipse-scale"))
    parser.add_argument("--keep", action="store_true", help="keep the database (the default deletes it)")
    parser.add_argument("--custom-plans", action="store_true", help="before: also with a plan for each query")
    parser.add_argument("--verbose", action="store_true", help="list the queries that missed")
    parser.add_argument("--no-append", action="store_true", help="print the results only")
    args = parser.parse_args()
    text = run(args)
    if args.no_append:
        print(text)
    else:
        append_results(text)


if __name__ == "__main__":
    main()
