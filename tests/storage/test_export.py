"""Exporters: CSV (formula-safe, flattened, optional BOM), JSON array, JSON Lines; atomic files."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from crawler.parsing import parse_article
from storage.export import atomic_output, write_records
from tests.conftest import FIXTURES, SEED_URL

SCHEMA = json.loads((FIXTURES / "record.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def records(seed_page: bytes):
    seed = parse_article(seed_page, SEED_URL)
    evil = replace(seed, url="http://zixun.example.com/2.html", canonical_url="http://zixun.example.com/2.html",
                   title='=HYPERLINK("http://evil.example/","click")', tags=["+1", "@cmd"])
    return [seed, evil]


def test_jsonl_lines_validate(records) -> None:
    out = io.StringIO()
    assert write_records(records, "jsonl", out) == 2
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        jsonschema.validate(json.loads(line), SCHEMA)


def test_json_is_one_array(records) -> None:
    out = io.StringIO()
    write_records(records, "json", out)
    data = json.loads(out.getvalue())
    assert [d["url"] for d in data] == [r.url for r in records]
    empty = io.StringIO()
    write_records([], "json", empty)
    assert json.loads(empty.getvalue()) == []


def test_csv_escapes_formulas_and_flattens_lists(records) -> None:
    out = io.StringIO()
    write_records(records, "csv", out, bom=True)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["breadcrumb"] == "首页 > 9"
    assert rows[0]["source_name"] == "APPSO"
    assert rows[1]["title"].startswith("'=HYPERLINK")
    assert rows[1]["tags"] == "'+1 | @cmd"
    assert "\n" in rows[0]["body_text"]


def test_unknown_format_is_refused(records) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        write_records(records, "xml", io.StringIO())


def test_interrupted_export_keeps_the_old_file(tmp_path: Path, records) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def exploding():
        yield records[0]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), atomic_output(str(target)) as handle:
        write_records(exploding(), "jsonl", handle)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_output(str(target)) as handle:
        write_records(records, "jsonl", handle)
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2


# --- Atom -----------------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def _atom(records, **feed) -> str:
    out = io.StringIO()
    assert write_records(records, "atom", out, feed=feed) == len(records)
    return out.getvalue()


def test_atom_feed_parses_and_every_entry_carries_link_attribution_and_safe_content(records) -> None:
    import feedparser

    hostile = replace(records[0], url="http://zixun.example.com/3.html", canonical_url="http://zixun.example.com/3.html",
                      title="<b>bold</b> & \x07bell", body_html='<p onclick="x()">hi<script>alert(1)</script>'
                      '<a href="javascript:alert(2)">j</a></p>', authors=["张三", "李四"], source=None,
                      published_at="2025-07-17T07:13:09+08:00", modified_at=None)
    feed_text = _atom([*records, hostile], feed_id="urn:newscrawl:test", title="测试", self_url="https://x.example/f.atom")
    parsed = feedparser.parse(feed_text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == "urn:newscrawl:test" and parsed.feed.title == "测试" and parsed.feed.updated
    assert len(parsed.entries) == 3
    for entry, record in zip(parsed.entries, [*records, hostile]):
        assert entry.id == record.canonical_url and entry.title and entry.updated
        assert entry.link == record.canonical_url
        assert any(link.rel == "alternate" and link.href == record.canonical_url for link in entry.links)
        content = entry.content[0].value
        assert "Originally published by" in content and record.canonical_url in content
        assert "<script" not in content and "onclick" not in content and "javascript:" not in content
        assert entry.get("author") and entry.get("rights")
    assert parsed.entries[0].source.title == "APPSO"  # the page's 来源, not the site
    assert parsed.entries[0].published.startswith("2025-07-17T07:13:09+08:00")
    assert [a.name for a in parsed.entries[2].authors] == ["张三", "李四"]
    assert parsed.entries[2].title == "<b>bold</b> & bell"  # text, control character dropped


def test_atom_follows_rfc4287_structure(records) -> None:
    """The rules a feed validator checks: one id/title/updated per feed and entry, RFC 3339
    times, unique entry ids, an author on every entry (none on the feed), alternate links."""
    import re

    from lxml import etree

    root = etree.fromstring(_atom(records * 1, updated="2025-08-01T00:00:00Z").encode())
    rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1
    assert rfc3339.match(root.findtext(f"{ATOM}updated"))
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids)) == 2
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert rfc3339.match(entry.findtext(f"{ATOM}updated"))
        assert entry.findall(f"{ATOM}author/{ATOM}name")
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        assert len(alternates) == 1
        assert entry.find(f"{ATOM}content").get("type") == "html"
        assert ":" in entry.findtext(f"{ATOM}id")  # an IRI
    empty = etree.fromstring(_atom([]).encode())
    assert empty.findtext(f"{ATOM}id") and not empty.findall(f"{ATOM}entry")


def test_progress_goes_to_a_terminal_only(records) -> None:
    from storage.export import with_progress

    shown = io.StringIO()
    assert list(with_progress(iter(records), shown, every=0)) == records
    assert "2 records" in shown.getvalue()
    assert list(with_progress(iter(records), None)) == records


def test_export_command_formats_match_the_schema_and_stream(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crawler.cli import main
    from tests.storage.test_search import make_store

    db = f"sqlite:///{tmp_path / 'e.db'}"
    make_store(db).engine.dispose()
    runner = CliRunner()
    jsonl = runner.invoke(main, ["export", "--db", db])
    assert jsonl.exit_code == 0 and jsonl.stderr == ""  # not a terminal: no progress
    lines = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(lines) == 4
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    array = json.loads(runner.invoke(main, ["export", "--db", db, "--format", "json", "--site", "other"]).stdout)
    assert [r["site"] for r in array] == ["other"]
    for record in array:
        jsonschema.validate(record, SCHEMA)
    out = tmp_path / "feed.atom"
    atom = runner.invoke(main, ["export", "--db", db, "--format", "atom", "--out", str(out), "--site", "demo",
                                "--feed-url", "https://example.org/demo.atom"])
    assert atom.exit_code == 0, atom.output
    import feedparser

    parsed = feedparser.parse(out.read_text(encoding="utf-8"))
    assert not parsed.bozo and len(parsed.entries) == 3 and parsed.feed.id == "urn:newscrawl:export:site=demo"
    csv_out = runner.invoke(main, ["export", "--db", db, "--format", "csv", "--limit", "2", "--duplicates", "include"])
    assert len(list(csv.DictReader(io.StringIO(csv_out.stdout)))) == 2
    for bad in (["--format", "csv", "--feed-id", "x"], ["--format", "json", "--excel"], ["--duplicates", "some"],
                ["--since", "2025-05-01", "--until", "2025-04-01"]):
        result = runner.invoke(main, ["export", "--db", db, *bad])
        assert result.exit_code == 2 and "Error" in result.output, bad


def test_export_streams_in_constant_memory(tmp_path: Path) -> None:
    """Peak memory of an export does not grow with the number of records."""
    import tracemalloc

    from storage.db import connect
    from storage.report import iter_records
    from storage.repository import Repository
    from tests.storage.test_search import make_record

    engine = connect(f"sqlite:///{tmp_path / 'm.db'}")
    repo = Repository(engine)
    peaks = []
    for start, end in ((0, 300), (300, 1500)):
        repo.store_batch([make_record(n) for n in range(start, end)])
        tracemalloc.start()
        with open(tmp_path / "out.jsonl", "w", encoding="utf-8") as handle:
            assert write_records(iter_records(engine), "jsonl", handle) == end
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 2, peaks  # five times the records, not five times the memory


def test_fields_choose_the_columns_and_their_order(records) -> None:
    out = io.StringIO()
    write_records(records, "csv", out, fields=["title", "url", "source_name", "authors"])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["title", "url", "source_name", "authors"]
    assert rows[1][1] == records[0].url and rows[1][0] == records[0].title
    out = io.StringIO()
    write_records(records, "jsonl", out, fields=["published_at", "title"])
    first = json.loads(out.getvalue().splitlines()[0])
    assert list(first) == ["published_at", "title"] and first["title"] == records[0].title
    # Without --fields: every field, CSV in the schema's order with source_name before source.
    out = io.StringIO()
    write_records(records, "csv", out)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert header[:4] == ["url", "canonical_url", "site", "title"] and header.index("source_name") + 1 == \
        header.index("source")


def test_export_fields_option_refuses_unknown_names(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crawler.cli import main
    from tests.storage.test_search import make_store

    db = f"sqlite:///{tmp_path / 'f.db'}"
    make_store(db).engine.dispose()
    runner = CliRunner()
    good = runner.invoke(main, ["export", "--db", db, "--format", "csv", "--fields", "url,title"])
    assert good.exit_code == 0 and good.stdout.splitlines()[0] == "url,title"
    for bad in (["--format", "csv", "--fields", "url,headline"], ["--format", "atom", "--fields", "url"],
                ["--format", "jsonl", "--fields", "url,url"]):
        result = runner.invoke(main, ["export", "--db", db, *bad])
        assert result.exit_code == 2 and "--fields" in result.output, (bad, result.output)
    assert "headline" in runner.invoke(main, ["export", "--db", db, "--fields", "headline"]).output


def test_raw_dates_and_the_paywall_flag_in_every_format(records) -> None:
    seed, other = records
    closed = replace(other, paywalled=True, published_raw="Samstag, 9. September 2017", published_at="2017-09-09",
                     modified_raw="2017-09-10T08:00:00Z", modified_at="2017-09-10T08:00:00+00:00")
    free = replace(seed, paywalled=False)
    rows = [free, closed]
    for fmt in ("jsonl", "json"):
        out = io.StringIO()
        write_records(rows, fmt, out)
        text = out.getvalue()
        data = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)
        assert [(d["published_raw"], d["modified_raw"], d["paywalled"]) for d in data] == [
            ("2025-07-17 07:13:09", None, False), ("Samstag, 9. September 2017", "2017-09-10T08:00:00Z", True)]
        for record in data:
            jsonschema.validate(record, SCHEMA)
    out = io.StringIO()
    write_records(rows, "csv", out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["published_raw"], r["modified_raw"], r["paywalled"]) for r in table] == [
        ("2025-07-17 07:13:09", "", "False"), ("Samstag, 9. September 2017", "2017-09-10T08:00:00Z", "True")]
    out = io.StringIO()
    write_records(rows, "html", out)
    page = out.getvalue()
    assert '<time datetime="2017-09-09">Samstag, 9. September 2017</time>' in page  # the date as the page wrote it
    assert page.count('class="paywalled"') == 1
    out = io.StringIO()
    write_records([replace(closed, published_raw=None)], "html", out)
    assert '<time datetime="2017-09-09">2017-09-09</time>' in out.getvalue()  # no raw text: the machine value
