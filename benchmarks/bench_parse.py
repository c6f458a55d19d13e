"""Per-stage CPU cost of parsing, cleaning, hashing and signing one page, on one core.

Run: ``.venv/bin/python -m benchmarks.bench_parse [--passes N] [--site-pages N] [--out PATH]
[--baseline PATH]``

Corpora:

* ``site``: generated benchmark site articles (``benchmarks.sitegen``, built in memory, no
  files written), 1 page in 4 Chinese: what the throughput benchmark crawls;
* ``aeb``: the aeb-dev pages (``shared/datasets/aeb-dev``), real English news pages;
* ``zh``: ``tests/fixtures/pages/zh/*.html``, real Chinese news pages.

For every page the stages run in the order of ``parse_page`` on a freshly parsed ``Page``
(so whatever a ``Page`` caches is paid by the first stage that needs it), each timed on
its own: ``from_bytes``, each field extractor, ``content_hash`` of the article text,
``record`` (the Record's own normalisation), then ``clean_keep`` (``clean_record(record)``),
``signature`` (``neardup.signature`` of the cleaned body, as the store does), and, apart
from the total, ``clean_simplified`` and ``signature_simplified``. Pages that are not
articles are timed only as a whole. ``parse_page`` is also timed as a whole
(``from_bytes`` + ``parse_page``), as a check on the sum of its parts.

``total`` = from_bytes + parse stages + clean_keep + signature. Times are CPU time of this
process (``time.process_time``: another busy process on the core does not inflate them);
each stage's time is the best over the passes (after a warm-up), in ms per page. Results go to
``benchmarks/results/parse-latest.json``; ``--baseline`` prints a before/after table.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml

from benchmarks.bench_extract import pin_one_core, shared_dir
from crawler.article import article_problem
from crawler.parsing import MAX_DEPTH, NotAnArticle, ParseOptions, _canonical, article_body, article_text, parse_page
from crawler.parsing.authors import extract_authors
from crawler.parsing.breadcrumb import extract_breadcrumb, extract_category
from crawler.parsing.clean import clean_record, content_hash, normalize_text, weighs_less
from crawler.parsing.counts import extract_counts
from crawler.parsing.datefields import extract_date_fields
from crawler.parsing.dates import iso, zone_for
from crawler.parsing.kind import not_article_reason
from crawler.parsing.page import Page, deeper_than
from crawler.parsing.pagination import detect_pagination
from crawler.parsing.paywall import extract_paywalled
from crawler.parsing.record import Record
from crawler.parsing.second_opinion import body_floor
from crawler.parsing.source import extract_source
from crawler.parsing.summary import extract_summary
from crawler.parsing.tags import extract_tags
from crawler.parsing.title import extract_title
from crawler.parsing.urls import registered_domain
from storage import neardup

ROOT = Path(__file__).resolve().parents[1]
FETCHED = datetime(2026, 1, 1, tzinfo=UTC)
PARSE_STAGES = ("depth_check", "language", "title", "body", "blocks", "dates", "kind", "breadcrumb", "summary",
                "counts", "canonical", "category", "authors", "source", "tags", "paywall", "content_hash", "record")
STAGES = ("from_bytes", *PARSE_STAGES, "pagination", "clean_keep", "checks", "signature", "clean_simplified",
          "signature_simplified")
TOTAL = ("from_bytes", *PARSE_STAGES, "pagination", "clean_keep", "checks", "signature")


def site_pages(count: int) -> list[tuple[bytes, str]]:
    """``count`` generated articles, built in memory with the default seed."""
    from benchmarks.sitegen import DEFAULT_SEED, all_meta, article_html

    metas = all_meta(DEFAULT_SEED, count)
    return [(article_html(DEFAULT_SEED, m, metas).encode("utf-8"), "http://127.0.0.1:8080" + m.path) for m in metas]


def aeb_pages() -> list[tuple[bytes, str]]:
    aeb = shared_dir() / "datasets" / "aeb-dev"
    truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    return [(gzip.decompress((aeb / "html" / f"{key}.html.gz").read_bytes()), item["url"])
            for key, item in truth.items()]


def zh_fixture_pages() -> list[tuple[bytes, str]]:
    folder = ROOT / "tests" / "fixtures" / "pages" / "zh"
    out = []
    for path in sorted(folder.glob("*.html")):
        label = path.with_suffix(".json")
        url = json.loads(label.read_text(encoding="utf-8"))["url"] if label.exists() else f"http://zh.example/{path.name}"
        out.append((path.read_bytes(), url))
    return out


def _staged(html: bytes, url: str, add: Callable[[str, float], None]) -> None:
    """One page through every stage, in the order of ``judge_page`` and then of the crawl's
    worker (``crawler.article.process_page``), each stage timed alone."""
    opts = ParseOptions()
    t = time.process_time()
    page = Page.from_bytes(html, url)
    t = _lap(add, "from_bytes", t)
    deeper_than(page.tree, MAX_DEPTH)
    t = _lap(add, "depth_check", t)
    language = opts.language or page.language
    tz = zone_for(opts.timezone, language)
    t = _lap(add, "language", t)
    title, title_raw, prefix = extract_title(page, opts.title_prefixes)
    t = _lap(add, "title", t)
    body, blocks, _ = article_body(page, title, opts)
    t = _lap(add, "body", t)
    body_text = "\n".join(blocks)
    weighs_less(body_text, body_floor(body, opts.min_body_chars))
    t = _lap(add, "blocks", t)
    dates = extract_date_fields(page, tz, FETCHED)
    t = _lap(add, "dates", t)
    not_article_reason(page, blocks, dates.published_at, title)
    t = _lap(add, "kind", t)
    crumbs = extract_breadcrumb(page, title_raw)
    t = _lap(add, "breadcrumb", t)
    summary, truncated = extract_summary(page)
    t = _lap(add, "summary", t)
    comments, views = extract_counts(page)
    t = _lap(add, "counts", t)
    canonical = _canonical(page)
    t = _lap(add, "canonical", t)
    category = extract_category(page, crumbs)
    t = _lap(add, "category", t)
    authors = extract_authors(page)
    t = _lap(add, "authors", t)
    source = extract_source(page, blocks)
    t = _lap(add, "source", t)
    tags = extract_tags(page)
    t = _lap(add, "tags", t)
    paywalled = extract_paywalled(page)
    t = _lap(add, "paywall", t)
    digest = content_hash(article_text(blocks))
    t = _lap(add, "content_hash", t)
    record = Record(
        url=page.url, canonical_url=canonical, site=registered_domain(page.url), title=normalize_text(title),
        title_raw=normalize_text(title_raw), title_spam_prefix=prefix, breadcrumb=crumbs, category=category,
        published_at=dates.published_at, modified_at=dates.modified_at, published_raw=dates.published_raw,
        modified_raw=dates.modified_raw, authors=authors, source=source, tags=tags,
        summary=normalize_text(summary) or None, summary_truncated=truncated, body_text=body_text,
        body_html=body.html, images=body.images, language=language, comment_count=comments, view_count=views,
        paywalled=paywalled, content_hash=digest, fetched_at=iso(FETCHED) or "", http_status=200,
    )
    t = _lap(add, "record", t)
    detect_pagination(page)
    t = _lap(add, "pagination", t)
    cleaned = clean_record(record, "keep")
    t = _lap(add, "clean_keep", t)
    article_problem(cleaned)
    t = _lap(add, "checks", t)
    neardup.signature(cleaned.body_text)
    t = _lap(add, "signature", t)
    simplified = clean_record(record, "simplified")
    t = _lap(add, "clean_simplified", t)
    neardup.signature(simplified.body_text)
    _lap(add, "signature_simplified", t)


def _lap(add: Callable[[str, float], None], stage: str, start: float) -> float:
    now = time.process_time()
    add(stage, now - start)
    return time.process_time()


def is_article(html: bytes, url: str) -> bool:
    try:
        parse_page(Page.from_bytes(html, url), fetched_at=FETCHED, http_status=200)
    except NotAnArticle:
        return False
    return True


def measure(pages: list[tuple[bytes, str]], passes: int) -> dict[str, Any]:
    articles = [(html, url) for html, url in pages if is_article(html, url)]
    best: dict[str, float] = {}
    whole = float("inf")
    for n in range(passes + 1):  # pass 0 warms up
        sums = dict.fromkeys(STAGES, 0.0)

        def add(stage: str, seconds: float, sums: dict[str, float] = sums) -> None:
            sums[stage] += seconds

        gc.collect()
        for html, url in articles:
            _staged(html, url, add)
        gc.collect()
        start = time.process_time()
        for html, url in pages:
            try:
                parse_page(Page.from_bytes(html, url), fetched_at=FETCHED, http_status=200)
            except NotAnArticle:
                pass
        elapsed = time.process_time() - start
        if n:
            whole = min(whole, elapsed)
            for stage, seconds in sums.items():
                best[stage] = min(best.get(stage, float("inf")), seconds)
    per_page = {stage: round(1000 * best[stage] / max(1, len(articles)), 3) for stage in STAGES}
    parse_sum = sum(per_page[s] for s in PARSE_STAGES)
    return {
        "pages": len(pages),
        "articles": len(articles),
        "ms_per_page": per_page,
        "parse_ms": round(parse_sum, 3),
        "total_ms": round(sum(per_page[s] for s in TOTAL), 3),
        "whole_parse_page_ms": round(1000 * whole / max(1, len(pages)), 3),
    }


def print_table(results: dict[str, Any], baseline: dict[str, Any] | None) -> None:
    corpora = [c for c in ("site", "aeb", "zh") if c in results]
    rows = [*STAGES, "parse_ms", "total_ms", "whole_parse_page_ms"]
    head = f"{'ms/page':<22}" + "".join(
        f"{c + (' before' if baseline else ''):>14}" + (f"{c + ' after':>14}" if baseline else "") for c in corpora)
    print(head)
    for row in rows:
        line = f"{row:<22}"
        for c in corpora:
            def value(res: dict[str, Any], c: str = c, row: str = row) -> float | None:
                data = res.get(c)
                if not data:
                    return None
                return data["ms_per_page"].get(row) if row in STAGES else data.get(row)
            if baseline:
                before = value(baseline)
                line += f"{before if before is not None else '-':>14}"
            line += f"{value(results):>14}"
        print(line)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--site-pages", type=int, default=500)
    ap.add_argument("--corpus", choices=("site", "aeb", "zh"), action="append",
                    help="only these corpora (repeatable; default all)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "parse-latest.json")
    ap.add_argument("--baseline", type=Path, help="an earlier result file to compare with")
    args = ap.parse_args(argv)

    pinned = pin_one_core()
    loaders = {"site": lambda: site_pages(args.site_pages), "aeb": aeb_pages, "zh": zh_fixture_pages}
    neardup.params()  # the banding and the permutations, outside the timing
    results: dict[str, Any] = {}
    for name in args.corpus or ("site", "aeb", "zh"):
        results[name] = measure(loaders[name](), args.passes)
    results["machine"] = {"platform": platform.platform(), "pinned_one_core": pinned,
                          "python": platform.python_version(), "lxml": lxml.__version__, "passes": args.passes}
    results["timestamp"] = datetime.now(UTC).isoformat(timespec="seconds")
    baseline = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None
    print_table(results, baseline)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
