"""Export benchmark: N synthetic records (default 200,000) bulk-inserted into a SQLite store,
then `newscrawl export` to every format, each in its own process, with wall time,
records/s and the process's peak resident memory (target: under 200 MB). Also times the
first build of the search index and one search. Writes benchmarks/results/export-latest.json.

    python -m benchmarks.bench_export [--records 200000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FORMATS = ("jsonl", "json", "csv", "atom", "html")
TARGET_MB = 200

ZH = ("经济 市场 政府 城市 学校 医院 科技 公司 交通 地铁 银行 旅游 农业 环境 能源 电影 音乐 体育 足球 比赛 教育 文化 "
      "历史 工程 网络 手机 汽车 房价 工资 消费 投资 法律 法院 警方 消防 海关 机场 铁路 港口 物流 天气 预报").split()
EN = ("market city school hospital company traffic metro bank travel farm energy movie music sport football match "
      "education culture history network phone car price salary invest court police port weather").split()


def paragraphs(rng: random.Random, count: int) -> list[str]:
    out = []
    for i in range(count):
        if i % 3 == 2:
            out.append(" ".join(rng.choice(EN) for _ in range(60)).capitalize() + ".")
        else:
            out.append("".join(rng.choice(ZH) for _ in range(90)) + "。")
    return out


def populate(db_path: Path, records: int, batch: int = 5000) -> float:
    """Bulk insert straight into the articles table (no dedupe, no crawl state): fast."""
    from sqlalchemy import insert

    from storage.db import connect
    from storage.models import Article

    engine = connect(f"sqlite:///{db_path}")
    rng = random.Random(7)
    pool = paragraphs(rng, 3000)
    sites = [f"site{n}" for n in range(20)]
    categories = ["news", "sport", "tech", "finance", "culture", None]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC).replace(tzinfo=None)
    start = time.perf_counter()
    with engine.begin() as conn:
        rows = []
        for n in range(1, records + 1):
            site = sites[n % len(sites)]
            url = f"https://{site}.example.com/news/{n}.html"
            published = base + timedelta(minutes=7 * n)
            body = "\n".join(pool[(n * k) % len(pool)] for k in (1, 7, 13, 29))
            rows.append({
                "url": url, "canonical_url": url, "site": site, "title": f"第{n}号新闻 {pool[n % len(pool)][:20]}",
                "title_raw": None, "title_spam_prefix": None,
                "breadcrumb": [{"name": "首页", "url": f"https://{site}.example.com/"}],
                "category": categories[n % len(categories)],
                "published_at": published.astimezone().isoformat(timespec="seconds"),
                "published_utc": published.replace(tzinfo=None), "modified_at": None,
                "authors": ["记者 张三"] if n % 2 else [], "source": {"name": "新华社", "line": "来源：新华社"},
                "tags": ["经济", "=cmd"] if n % 5 == 0 else [], "summary": pool[(n * 3) % len(pool)][:80],
                "summary_truncated": False, "body_text": body,
                "body_html": "".join(f"<p>{p}</p>" for p in body.split("\n")),
                "images": [{"src": f"https://{site}.example.com/i/{n}.jpg", "alt": None, "caption": "图"}],
                "language": "zh", "comment_count": n % 50, "view_count": None, "content_hash": f"{n:064x}",
                "duplicate_of": None, "fetched_at": now.isoformat(timespec="seconds") + "+00:00", "http_status": 200,
                "version": 1, "first_seen": now, "last_seen": now, "original": None, "minhash": b"",
            })
            if len(rows) == batch:
                conn.execute(insert(Article.__table__), rows)
                rows = []
        if rows:
            conn.execute(insert(Article.__table__), rows)
    engine.dispose()
    return time.perf_counter() - start


def run_measured(args: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(proc.stderr.read().decode(errors="replace"))
    proc.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="Keep the database and exports in DIR.")
    parser.add_argument("--no-search", action="store_true", help="Skip the search-index timing.")
    opts = parser.parse_args()
    work = opts.keep or Path(tempfile.mkdtemp(prefix="newscrawl-bench-export-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    for stale in work.glob("bench.db*"):
        stale.unlink()
    print(f"inserting {opts.records:,} records into {db} ...", file=sys.stderr)
    insert_s = populate(db, opts.records)
    result = {"records": opts.records, "database_mb": round(db.stat().st_size / 2**20, 1),
              "insert_seconds": round(insert_s, 1), "target_peak_mb": TARGET_MB, "python": sys.version.split()[0],
              "when": datetime.now(UTC).isoformat(timespec="seconds"), "formats": {}}
    for fmt in FORMATS:
        out = work / f"export.{fmt}"
        seconds, peak, code = run_measured([sys.executable, "-m", "crawler.cli", "export", "--db", f"sqlite:///{db}",
                                            "--format", fmt, "--out", str(out), "--quiet"])
        entry = {"seconds": round(seconds, 1), "records_per_s": round(opts.records / seconds),
                 "peak_rss_mb": round(peak, 1), "under_target": peak < TARGET_MB, "exit_code": code,
                 "output_mb": round(out.stat().st_size / 2**20, 1) if out.exists() else None}
        result["formats"][fmt] = entry
        print(f"{fmt:6} {entry}", file=sys.stderr)
    if not opts.no_search:
        seconds, peak, code = run_measured([sys.executable, "-m", "crawler.cli", "search", "天气预报", "--db",
                                            f"sqlite:///{db}", "--limit", "10", "--json"])
        again, _, _ = run_measured([sys.executable, "-m", "crawler.cli", "search", "天气", "--db", f"sqlite:///{db}",
                                    "--limit", "10", "--json"])
        index = db.with_name(db.name + ".search")
        result["search"] = {"first_search_with_index_build_seconds": round(seconds, 1), "peak_rss_mb": round(peak, 1),
                            "next_search_seconds": round(again, 2), "exit_code": code,
                            "index_mb": round(index.stat().st_size / 2**20, 1) if index.exists() else None}
        print(f"search {result['search']}", file=sys.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "export-latest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
