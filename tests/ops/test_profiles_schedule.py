"""Site profiles (validation with file/key/reason, lookup, starter drafts) and the scheduler."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.profiles import ProfileError, find_profile, load_profile_file
from crawler.schedule import ScheduleError, load_schedule, parse_interval
from storage.db import connect
from storage.repository import Repository
from tests.conftest import ROOT
from tests.helpers.localserver import LocalSite
from tests.helpers.pages import article, listing


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "key", "reason"), [
    ('name = "x"\nstart_urls = ["ftp://a"]\n', "start_urls", "not an http(s) URL"),
    ('name = "x"\nfoo = 1\n', "foo", "unknown key"),
    ('name = "x"\n[rules]\narticle = ["("]\n', "rules.article", "bad regular expression"),
    ('name = "x"\nscript = "klingon"\n', "script", "must be one of"),
    ('name = "x"\nrender = "pdf"\n', "render", "must be one of html, browser"),
    ('name = "x"\nrender = true\n', "render", "expected a string"),
    ('name = "x"\ntimezone = "Mars/Olympus"\n', "timezone", "unknown time zone"),
    ('name = "x"\n[politeness]\ndelay = "fast"\n', "politeness.delay", "expected an integer or a number"),
    ('start_urls = []\n', "name", "missing"),
    ('name = "x"\n[selectors]\nbodyy = "div"\n', "selectors.bodyy", "unknown field"),
])
def test_invalid_profiles_name_file_key_and_reason(tmp_path: Path, text: str, key: str, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        load_profile_file(path)
    assert info.value.key == key and reason in info.value.reason and str(path) in str(info.value)


def test_render_key_defaults_to_html(tmp_path: Path) -> None:
    assert load_profile_file(write(tmp_path, 'name = "x"\n')).renders is False
    assert load_profile_file(write(tmp_path, 'name = "x"\nrender = "html"\n')).renders is False
    assert load_profile_file(write(tmp_path, 'name = "x"\nrender = "browser"\n')).renders is True


def test_profiles_test_says_a_render_profile_is_not_rendered_there(tmp_path: Path) -> None:
    profile = write(tmp_path, 'name = "x"\nrender = "browser"\n')
    page = write(tmp_path, "<html><body><main>Loading\u2026</main></body></html>", "page.html")
    result = CliRunner().invoke(main, ["profiles", "test", str(profile), str(page)])
    assert result.exit_code == 1 and 'x has render = "browser"' in result.stderr and "--dump-dom" in result.stderr
    plain = write(tmp_path, 'name = "y"\n', "plain.toml")
    assert "render" not in CliRunner().invoke(main, ["profiles", "test", str(plain), str(page)]).stderr


def test_bundled_profiles_are_valid_and_found_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_profile("demo").name == "demo"
    assert CliRunner().invoke(main, ["profiles", "check"]).exit_code == 0
    write(tmp_path, 'name = "mine"\nstart_urls = ["https://a.example/"]\n', "mine.toml")
    monkeypatch.setenv("NEWSCRAWL_PROFILES", str(tmp_path))
    assert find_profile("mine").start_urls == ("https://a.example/",)
    listed = CliRunner().invoke(main, ["profiles", "list"])
    assert "mine" in listed.output and "demo" in listed.output
    bad = write(tmp_path, 'name = "bad"\nfoo = 1\n', "bad.toml")
    result = CliRunner().invoke(main, ["profiles", "check", str(bad)])
    assert result.exit_code == 1 and "bad.toml: foo: unknown key" in result.output


@pytest.mark.server
def test_profiles_new_drafts_a_loadable_profile(tmp_path: Path) -> None:
    with LocalSite() as site:
        site.route("/2024/05/01/council-story.html", article(1))
        result = CliRunner().invoke(main, ["profiles", "new", site.url("/2024/05/01/council-story.html"),
                                           "--name", "testtimes"])
    assert result.exit_code == 0, result.output
    profile = load_profile_file(write(tmp_path, result.output))
    assert profile.name == "testtimes"
    assert profile.is_article_url(site.url("/2023/12/31/other-story.html"))
    assert profile.selectors["body"] == "article" and profile.selectors["title"] == "h1"


@pytest.mark.server
def test_profiles_new_refuses_a_non_article() -> None:
    with LocalSite() as site:
        site.route("/", listing(["/a"]))
        result = CliRunner().invoke(main, ["profiles", "new", site.url("/")])
    assert result.exit_code == 1 and "does not look like an article" in result.output


def test_schedule_file_validation(tmp_path: Path) -> None:
    assert parse_interval("90s") == 90 and parse_interval("2h") == 7200
    with pytest.raises(ScheduleError, match="'soon' is not an interval"):
        load_schedule(write(tmp_path, '[[job]]\nname = "a"\ntargets = ["demo"]\nevery = "soon"\n', "s.toml"))
    with pytest.raises(ScheduleError, match="no \\[\\[job\\]\\]"):
        load_schedule(write(tmp_path, "", "empty.toml"))


@pytest.mark.server
@pytest.mark.process
def test_schedule_runs_jobs(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sched.db'}"
    with LocalSite() as site:
        site.route("/", listing(["/news/1.html"]))
        site.route("/news/1.html", article(1))
        schedule = write(tmp_path, f'[[job]]\nname = "local"\ntargets = ["{site.url("/")}"]\nevery = "1h"\n'
                                   'args = ["--profile", "fast", "--log-level", "WARNING"]\n', "schedule.toml")
        result = subprocess.run([sys.executable, "-m", "crawler.cli", "schedule", str(schedule), "--db", db, "--once"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-1500:]
    assert "job local: ok" in result.stderr
    assert Repository(connect(db)).stats()["articles"] == 1


@pytest.mark.parametrize(("page", "url", "allow_private", "allowed"), [
    ("http://93.184.216.34/news/1.html", "http://93.184.216.34/api/1.json", False, True),
    ("http://93.184.216.34/news/1.html", "http://151.101.1.69/lib.js", False, True),  # another public host
    ("http://93.184.216.34/news/1.html", "http://127.0.0.1:8080/admin", False, False),  # a public page into loopback
    ("http://93.184.216.34/news/1.html", "http://169.254.169.254/latest/meta-data/", False, False),
    ("http://93.184.216.34/news/1.html", "http://10.0.0.5/", True, True),  # the profile allows private addresses
    ("http://127.0.0.1:8000/news/1.html", "http://127.0.0.1:8000/api/1.json", False, True),  # a local site's own
    ("http://93.184.216.34/news/1.html", "file:///etc/passwd", True, False),
    ("http://93.184.216.34/news/1.html", "ftp://93.184.216.34/x", False, False),
])
def test_a_rendered_pages_own_requests_follow_the_crawls_safety_rules(page: str, url: str, allow_private: bool,
                                                                       allowed: bool) -> None:
    from crawler.render import page_request_allowed

    assert page_request_allowed(page, url, allow_private) is allowed
