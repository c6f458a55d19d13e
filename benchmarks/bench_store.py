"""CPU per stored article of ``Repository.store_batch``, the store process's whole job.

Run: ``python -m benchmarks.bench_store [--records N] [--rounds R] [--baseline DIR] [--postgres]``

The records are the generated benchmark site's articles (``benchmarks.sitegen``) as the parse
workers hand them to the store: ``crawler.article.process_page`` output, cleaned, with its
near-duplicate signature. They are parsed once and kept in a pickle in the temporary folder
(parsing costs ~5 ms a page; storing them is what is measured).

Each round stores the records in batches of ``NEWSCRAWL_BATCH_SIZE`` (as the crawl does) into a
fresh SQLite file (or PostgreSQL database), in a child process of its own, and counts the
``time.process_time`` spent inside ``store_batch`` (SQLite's work included: it runs in this
process; the PostgreSQL server's CPU is not). The store process's collector settings are
applied first (``crawler.speed.gctune``). Reported: ms of CPU per stored article, best and
median of the rounds.

``--baseline DIR``: another checkout (e.g. ``git archive 297cedf | tar -x -C DIR``) measured in
the same run, rounds interleaved, since CPU times on a shared machine swing by +-20% between
spells. Both builds also store a second stream full of duplicates (exact copies at new URLs,
near copies with a small edit, the same URL again unchanged and changed, copies within one
batch and across batches) and the stored rows (articles, article_versions, lsh_bands,
url_state, without the run's timestamps) are compared: they must be identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
CACHE = Path(tempfile.gettempdir()) / "newscrawl-bench-store"


# --- the records ---------------------------------------------------------------------------------

def parse_records(count: int) -> list[Any]:
    """The first ``count`` site articles that parse into a storable record."""
    from benchmarks.bench_parse import FETCHED, site_pages
    from crawler.article import process_page
    from crawler.parsing import ParseOptions

    options = ParseOptions()
    records = []
    for html, url in site_pages(count):
        outcome = process_page(html, url, options, FETCHED, 200, None, True, False)
        if outcome.record is not None and not outcome.invalid:
            records.append(outcome.record)
    return records


def with_duplicates(records: list[Any]) -> list[Any]:
    """The records with copies mixed in, each kind some within its batch and some across:
    an exact copy at a new URL (same content hash), a near copy at a new URL (a sentence
    added: new hash, similar signature), the same URL again unchanged, and the same URL with
    a changed text (a new version)."""
    from crawler.parsing.clean import content_hash
    from storage import neardup

    out: list[Any] = []
    later: dict[int, list[Any]] = {}
    for i, record in enumerate(records):
        out.append(record)
        out.extend(later.pop(i, []))
        delay = 20 if i % 2 else 170  # the same batch of 100, or a later one
        kind = i % 10
        if kind == 3:
            url = record.canonical_url + "?copy"
            later.setdefault(i + delay, []).append(replace(record, url=url, canonical_url=url))
        elif kind == 7:
            url = record.canonical_url + "?near"
            body = record.body_text + "\nA short line added by the copying site."
            later.setdefault(i + delay, []).append(replace(record, url=url, canonical_url=url, body_text=body,
                                                           content_hash=content_hash(body),
                                                           signature=neardup.signature(body)))
        elif kind == 5:
            later.setdefault(i + delay, []).append(record)
        elif kind == 9:
            body = record.body_text.replace("\n", "\nUpdated: ", 1)
            later.setdefault(i + delay, []).append(replace(record, body_text=body, content_hash=content_hash(body),
                                                           signature=neardup.signature(body)))
    for rest in later.values():
        out.extend(rest)
    return _with_cluster(out, records[100], content_hash, neardup.signature)


def _with_cluster(stream: list[Any], base: Any, content_hash: Any, signature: Any) -> list[Any]:
    """``stream`` with 70 variants of ``base`` (the same words, its digits permuted: the
    numbers disagree, so each is an article of its own) and a near copy of every fifth,
    several in each batch: more than ``MAX_CANDIDATES`` candidates that share most bands,
    whose order and cut decide which one a copy points at."""
    import random

    def changed(record: Any, url: str, body: str) -> Any:
        return replace(record, url=url, canonical_url=url, body_text=body, content_hash=content_hash(body),
                       signature=signature(body))

    out = list(stream)
    for v in range(70):
        digits = "".join(random.Random(v).sample("0123456789", 10))
        body = base.body_text.translate(str.maketrans("0123456789", digits))
        variant = changed(base, f"{base.canonical_url}?variant={v}", body)
        at = 200 + 7 * v + v // 5
        out.insert(at, variant)
        if v % 5 == 0:
            out.insert(at + 3, changed(base, f"{base.canonical_url}?variant-copy={v}", body + "\nCopied."))
    return out


def records_file(count: int) -> Path:
    """The pickled records (parsed once per size, then reused)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"records-{count}.pkl"
    if not path.exists():
        records = parse_records(count)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    return path


# --- one measured run (a child process, in the tree being measured) -----------------------------

def fresh_postgres() -> str:
    import psycopg

    name = f"nc_bench_store_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def dump(engine: Any) -> str:
    """The stored rows that a build must reproduce: everything but the run's timestamps."""
    from sqlalchemy import text

    queries = {
        "articles": "SELECT * FROM articles ORDER BY id",
        "article_versions": "SELECT * FROM article_versions ORDER BY id",
        "lsh_bands": "SELECT band, key, article_id FROM lsh_bands ORDER BY key, article_id",
        "url_state": "SELECT * FROM url_state ORDER BY url",
    }
    skip = {"first_seen", "last_seen", "updated_at"}
    lines = []
    with engine.connect() as conn:
        for table, sql in queries.items():
            for row in conn.execute(text(sql)).mappings():
                values = {k: (bytes(v).hex() if isinstance(v, bytes | memoryview) else v)
                          for k, v in row.items() if k not in skip}
                lines.append(f"{table} {json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)}")
    return "\n".join(lines)


def run_child(path: Path, backend: str, batch: int, dump_to: str | None) -> dict[str, Any]:
    import gc
    import time

    from crawler.settings import NEWSCRAWL_BATCH_SIZE
    from crawler.speed.gctune import DEFAULT_THRESHOLD, tune
    from storage.db import connect
    from storage.repository import Repository

    records = pickle.loads(path.read_bytes())
    batch = batch or NEWSCRAWL_BATCH_SIZE
    with tempfile.TemporaryDirectory(prefix="nc-bench-store-") as tmp:
        url = fresh_postgres() if backend == "postgresql" else f"sqlite:///{tmp}/store.db"
        try:
            engine = connect(url)
            repo = Repository(engine)
            repo.ensure_neardup_index()
            tune(DEFAULT_THRESHOLD)
            outcomes: dict[str, int] = {}
            cpu = 0.0
            wall = time.perf_counter()
            for start in range(0, len(records), batch):
                chunk = records[start:start + batch]
                begin = time.process_time()
                done = repo.store_batch(chunk)
                cpu += time.process_time() - begin
                for outcome in done:
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
            wall = time.perf_counter() - wall
            gc.collect()
            rows = dump(engine)
            if dump_to:
                Path(dump_to).write_text(rows)
            engine.dispose()
        finally:
            if backend == "postgresql":
                drop_postgres(url)
    return {"records": len(records), "cpu_ms": 1000 * cpu / len(records), "wall_s": wall, "outcomes": outcomes,
            "digest": hashlib.sha256(rows.encode()).hexdigest()[:16]}


# --- the driver ----------------------------------------------------------------------------------

def measure(tree: Path, path: Path, backend: str, batch: int, dump_to: str | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_store", "--child", str(path), "--backend", backend,
           "--batch", str(batch)]
    if dump_to:
        cmd += ["--dump-to", dump_to]
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{tree}: child failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def duplicates_file(count: int) -> Path:
    path = CACHE / f"records-{count}-dups.pkl"
    if not path.exists():
        records = pickle.loads(records_file(count).read_bytes())
        path.write_bytes(pickle.dumps(with_duplicates(records), protocol=pickle.HIGHEST_PROTOCOL))
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds (0: only compare the stored rows)")
    ap.add_argument("--batch", type=int, default=0, help="items per store_batch (default NEWSCRAWL_BATCH_SIZE)")
    ap.add_argument("--baseline", type=Path, help="another checkout, measured interleaved")
    ap.add_argument("--postgres", action="store_true", help="also measure and compare on PostgreSQL")
    ap.add_argument("--no-check", action="store_true", help="skip the stored-rows comparison")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--backend", default="sqlite", help=argparse.SUPPRESS)
    ap.add_argument("--dump-to", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child, args.backend, args.batch, args.dump_to)))
        return 0
    plain = records_file(args.records)
    trees = {"new": ROOT} | ({"old": args.baseline.resolve()} if args.baseline else {})
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    failed = False
    for backend in backends:
        times: dict[str, list[float]] = {name: [] for name in trees}
        for n in range(args.rounds):
            for name, tree in (trees.items() if n % 2 == 0 else reversed(trees.items())):
                result = measure(tree, plain, backend, args.batch)
                times[name].append(result["cpu_ms"])
                print(f"{backend} round {n + 1} {name}: {result['cpu_ms']:.3f} ms/article "
                      f"(wall {result['wall_s']:.1f} s, {result['outcomes']})", flush=True)
        for name, values in times.items() if args.rounds else ():
            print(f"{backend} {name}: best {min(values):.3f} median {statistics.median(values):.3f} ms of CPU "
                  f"per stored article over {len(values)} rounds")
        if "old" in times and args.rounds:
            ratio = statistics.median(times["new"]) / statistics.median(times["old"])
            print(f"{backend} new/old (medians): {ratio:.3f}")
        if args.no_check or "old" not in trees:
            continue
        for label, path in (("plain", plain), ("duplicates", duplicates_file(args.records))):
            dumps = {name: str(CACHE / f"dump-{backend}-{label}-{name}.txt") for name in trees}
            digests = {name: measure(tree, path, backend, args.batch, dumps[name]) for name, tree in trees.items()}
            same = len({d["digest"] for d in digests.values()}) == 1
            failed |= not same
            if same:
                for dumped in dumps.values():
                    Path(dumped).unlink()
            print(f"{backend} stored rows, {label} stream: "
                  + ", ".join(f"{name} {d['digest']} {d['outcomes']}" for name, d in digests.items())
                  + (" IDENTICAL" if same else f" DIFFER (diff {' '.join(dumps.values())})"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
