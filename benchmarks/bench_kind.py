"""How well does the parser tell articles from everything else a crawler fetches?

Run: ``.venv/bin/python -m benchmarks.bench_kind [--sets aeb,fundus,dates,snippets] [--no-datasets]
[--json OUT]``

The crawl stores only pages the parser judges to be articles, so two errors matter and pull
in opposite directions: a listing, tag, author or "about" page stored as an article pollutes
the corpus, and an article judged "not an article" is silently lost. A rule change that
improves one usually costs the other, so both are measured on the same run.

Corpora (each page goes through ``judge_article`` with its URL; a ``NotAnArticle`` raised because
no record could be built counts as "not an article" too, as it does in the crawl):

* ``nonarticles``: ``tests/fixtures/nonarticles/manifest.jsonl``, hand-written listing, home,
  tag, search, profile, about, contact, soft-404 and archive pages, plus the demo site's
  listing pages (referenced by path);
* ``hardarticles``: ``tests/fixtures/hardarticles/manifest.jsonl``, hand-written articles that
  look like non-articles (short briefs, undated posts, liveblogs, link-heavy digests);
* the dev sets in ``shared/datasets``: ``aeb`` (121) and ``fundus`` (90) are all articles;
  ``dates`` (510) and ``snippets`` (521) are mostly articles and are treated as articles here,
  so their pages decided "not an article" are listed for a human to look at rather than
  counted as certain errors.

Reported: non-article recall (share of non-article pages told apart), article recall per
set (share kept as article), and the precision of the "not an article" decision (share of
pages decided non-article that are labelled non-article; a lower bound, since the dates and
snippets sets hold some real non-articles). Nothing is written to the repository unless
``--json`` names a file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_extract import shared_dir
from crawler.parsing import NotAnArticle, judge_article
from tests.helpers.fixtures import fixture_time
from tests.helpers.fixtures import load_manifest as load_fixture_manifest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CORPORA = ("nonarticles", "hardarticles")
#: corpora whose every label is certain; dates and snippets are "mostly articles"
CERTAIN = frozenset({"nonarticles", "hardarticles", "aeb", "fundus"})
DATASETS = {"aeb": "aeb-dev", "fundus": "fundus-dev", "dates": "dates-dev", "snippets": "snippets-dev"}
ARTICLE = "article"


@dataclass(frozen=True)
class Case:
    """One page to judge: where it is, what it is, and the fetch time its relative dates need."""

    corpus: str
    id: str
    path: Path
    url: str | None
    label: str  # "article" or the non-article kind from the manifest (listing, tag, about ...)
    fetched_at: datetime | None = None
    gzipped: bool = False
    note: str = ""
    borrowed: bool = False  # the page lives outside the manifest's folder (the demo site's listings)

    @property
    def is_article(self) -> bool:
        return self.label == ARTICLE

    def html(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if self.gzipped else data


@dataclass(frozen=True)
class Outcome:
    """The parser's decision on one case: ``kind`` is the verdict's kind, or ``"rejected"`` when
    no record could be built (``NotAnArticle`` raised); ``reason`` says why it is not an article."""

    corpus: str
    id: str
    url: str | None
    label: str
    kind: str
    reason: str | None
    borrowed: bool = False

    @property
    def judged_article(self) -> bool:
        return self.kind == ARTICLE

    @property
    def correct(self) -> bool:
        return self.judged_article == (self.label == ARTICLE)


def load_manifest(path: Path, corpus: str | None = None) -> list[Case]:
    """The cases of a fixture manifest (``tests/helpers/fixtures.py``: the one fixture
    format, read as ``newscrawl parse --manifest`` reads it; pages kept outside the
    manifest's folder, the demo site's listings, are referenced, not copied)."""
    return [Case(corpus or path.parent.name, page.name, page.path, page.url, page.kind, page.fetched_at,
                 note=page.note, borrowed=path.parent.resolve() not in page.path.parents)
            for page in load_fixture_manifest(path)]


def fixture_cases(corpora: Iterable[str] = CORPORA) -> list[Case]:
    return [case for name in corpora for case in load_manifest(FIXTURES / name / "manifest.jsonl", name)]


def dataset_cases(name: str, shared: Path | None = None) -> list[Case]:
    """Every page of one dev set, labelled article (see the module docstring for why)."""
    folder = (shared or shared_dir()) / "datasets" / DATASETS[name]
    if name == "aeb":
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        return [Case(name, key, folder / "html" / f"{key}.html.gz", item.get("url"), ARTICLE, gzipped=True)
                for key, item in truth.items()]
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    return [Case(name, g["id"], folder / g["path"], g.get("url"), ARTICLE, fixture_time(g.get("crawl_date")),
                 gzipped=True) for g in gold]


def decide(case: Case) -> Outcome:
    """Judge one page exactly as the crawl does: a verdict of another kind, or no record at
    all, both mean the page is not stored."""
    url = case.url or case.path.resolve().as_uri()
    try:
        verdict = judge_article(case.html(), url, fetched_at=case.fetched_at)
        kind, reason = verdict.kind, verdict.reason
    except NotAnArticle as exc:
        kind, reason = "rejected", exc.reason
    return Outcome(case.corpus, case.id, case.url, case.label, kind, reason, case.borrowed)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _precision(outcomes: list[Outcome]) -> dict[str, Any]:
    """Share of "not an article" decisions that hit a page labelled non-article."""
    decided = [o for o in outcomes if not o.judged_article]
    right = sum(1 for o in decided if o.label != ARTICLE)
    return {"precision": _share(right, len(decided)), "right": right, "decided": len(decided)}


def reason_group(reason: str | None) -> str:
    """A reason without its page-specific numbers, to count reasons across pages."""
    return re.sub(r"\s*\(.*", "", reason or "kept as article").strip()


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    """Recall per corpus (of its own label), precision of "not an article" over everything,
    over the certain labels only, and for the verdict's own rules (no-record rejections left out:
    those come from the extractor, not from the kind rules)."""
    corpora: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(o.corpus for o in outcomes):
        mine = [o for o in outcomes if o.corpus == name]
        right = sum(o.correct for o in mine)
        by_label: dict[str, list[int]] = {}
        for o in mine:
            counts = by_label.setdefault(o.label, [0, 0])
            counts[0] += o.correct
            counts[1] += 1
        corpora[name] = {
            "pages": len(mine),
            "label": "non-article" if all(o.label != ARTICLE for o in mine) else ARTICLE,
            "recall": _share(right, len(mine)),
            "missed": len(mine) - right,
            "decided_by": dict(Counter(o.kind for o in mine)),
            "by_label": {k: {"right": r, "pages": n, "recall": _share(r, n)} for k, (r, n) in sorted(by_label.items())},
            "own_pages": sum(not o.borrowed for o in mine),
            "own_recall": _share(sum(o.correct for o in mine if not o.borrowed), sum(not o.borrowed for o in mine)),
            "reasons": dict(Counter(reason_group(o.reason) for o in mine if not o.judged_article).most_common()),
        }
    non = [o for o in outcomes if o.label != ARTICLE]
    arts = [o for o in outcomes if o.label == ARTICLE]
    return {
        "corpora": corpora,
        "non_article_recall": _share(sum(not o.judged_article for o in non), len(non)),
        "article_recall": _share(sum(o.judged_article for o in arts), len(arts)),
        "not_article_precision": _precision(outcomes),
        "not_article_precision_certain": _precision([o for o in outcomes if o.corpus in CERTAIN]),
        "verdict_precision": _precision([o for o in outcomes if o.kind != "rejected"]),
        "verdict_precision_certain": _precision([o for o in outcomes if o.kind != "rejected" and o.corpus in CERTAIN]),
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def report(summary: dict[str, Any], outcomes: list[Outcome]) -> str:
    """A markdown table, then every wrong decision with its reason."""
    lines = ["| corpus | pages | labelled | recall | missed | decided as |", "|---|---:|---|---:|---:|---|"]
    for name, c in summary["corpora"].items():
        decided = ", ".join(f"{k} {n}" for k, n in sorted(c["decided_by"].items()))
        lines.append(f"| {name} | {c['pages']} | {c['label']} | {_fmt(c['recall'])} | {c['missed']} | {decided} |")
    lines += ["", f"non-article recall (all non-article pages): {_fmt(summary['non_article_recall'])}",
              f"article recall (all article pages): {_fmt(summary['article_recall'])}",
              ""]
    for key, what in (("not_article_precision", "all corpora"),
                      ("not_article_precision_certain", "certain labels only"),
                      ("verdict_precision", "kind rules only, all corpora"),
                      ("verdict_precision_certain", "kind rules only, certain labels")):
        p = summary[key]
        lines.append(f"precision of 'not an article' ({what}): {_fmt(p['precision'])} ({p['right']} of {p['decided']})")
    lines.append("(dates/snippets pages count as articles, so their precision figures are lower bounds; 'kind rules "
                 "only' leaves out pages rejected because no record could be built)")
    for name, c in summary["corpora"].items():
        if c["label"] != ARTICLE:
            per = ", ".join(f"{k} {v['right']}/{v['pages']}" for k, v in c["by_label"].items())
            lines.append(f"{name} by kind: {per}")
        if c["own_pages"] != c["pages"]:
            lines.append(f"{name} without the borrowed (demo site) pages: recall {_fmt(c['own_recall'])} "
                         f"over {c['own_pages']} pages")
    lines += ["", "Reasons of the 'not an article' decisions, per corpus:"]
    for name, c in summary["corpora"].items():
        lines.append(f"- {name}: " + "; ".join(f"{r} {n}" for r, n in c["reasons"].items()))
    wrong = [o for o in outcomes if not o.correct]
    if wrong:
        lines += ["", "Wrong or doubtful decisions (label -> decision: reason):"]
        for o in wrong:
            why = o.reason or "kept as article"
            lines.append(f"- [{o.corpus}] {o.id} ({o.url or '-'}): {o.label} -> {o.kind}: {why}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(DATASETS), help="dev sets to include (default: all four)")
    parser.add_argument("--no-datasets", action="store_true", help="only the fixture corpora")
    parser.add_argument("--json", metavar="OUT", help="write the summary and every page's decision here")
    args = parser.parse_args(argv)
    cases = fixture_cases()
    if not args.no_datasets:
        for name in (s.strip() for s in args.sets.split(",") if s.strip()):
            if name not in DATASETS:
                parser.error(f"unknown set {name!r}; choose from {', '.join(DATASETS)}")
            cases += dataset_cases(name)
    outcomes = [decide(case) for case in cases]
    summary = summarize(outcomes)
    print(report(summary, outcomes))
    if args.json:
        payload = {"summary": summary, "pages": [asdict(o) for o in outcomes],
                   "timestamp": datetime.now(UTC).isoformat(timespec="seconds")}
        Path(args.json).write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
