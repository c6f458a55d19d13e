"""``profiles list|check|new|test``: see, validate, start and try site profiles."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.cli import main


@main.group()
def profiles() -> None:
    """Site profiles: one TOML file per site (see crawler/profiles/example.toml).

    Profiles are found by name in $NEWSCRAWL_PROFILES (directories, ':'-separated), then
    among the bundled ones; a path to a .toml file works everywhere a name does.
    """


@profiles.command(name="list")
def list_profiles() -> None:
    """List the profiles found by name, with their start points.

    \b
    Example:
      NEWSCRAWL_PROFILES=./profiles newscrawl profiles list
    """
    from crawler.profiles import all_profiles

    for profile in all_profiles():
        starts = len(profile.start_urls) + len(profile.sitemaps) + len(profile.feeds)
        click.echo(f"{profile.name:20}  {starts} start points  {profile.path}")


@profiles.command()
@click.argument("targets", nargs=-1)
def check(targets: tuple[str, ...]) -> None:
    """Validate profiles (names or .toml paths; default: every profile file found).
    Prints FILE: KEY: REASON for each invalid one and exits 1 if any is invalid.

    \b
    Example:
      newscrawl profiles check ./profiles/*.toml
    """
    from crawler.profiles import ProfileError, find_profile, load_profile_file, profile_dirs

    paths: list[str] = list(targets) or [str(p) for d in profile_dirs() for p in sorted(Path(d).glob("*.toml"))]
    bad = 0
    for target in paths:
        try:
            profile = load_profile_file(target) if target.endswith(".toml") else find_profile(target)
        except ProfileError as exc:
            click.echo(f"invalid: {exc}", err=True)
            bad += 1
        else:
            click.echo(f"ok: {profile.name} ({profile.path})")
    if bad:
        sys.exit(1)


@profiles.command()
@click.argument("url")
@click.option("--name", help="Profile name [default: from the domain].")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds to wait for the page.")
def new(url: str, name: str | None, timeout: float) -> None:
    """Fetch an article page and more article pages of its site, and print a starter profile.

    Sitemaps come from the site's robots.txt (Sitemap: lines; else /sitemap.xml) and feeds
    from the page's links; only those that answer are proposed. Selectors are learned on
    three article pages and checked on up to five others; the fields that could not be
    pinned are printed on stderr with the reason.

    \b
    Example:
      newscrawl profiles new https://news.example.com/2024/05/01/story.html > profiles/example.toml
    """
    from crawler.profiles.starter import StarterError, starter_profile

    notes: list[str] = []
    try:
        click.echo(starter_profile(url, name=name, timeout=timeout, notes=notes), nl=False)
    except StarterError as exc:
        raise click.ClickException(str(exc)) from exc
    for note in notes:
        click.echo(f"# note: {note}", err=True)  # a TOML comment: harmless if stderr joins the file


def _shown(value: object) -> str:
    """A field's value on one line, cut to fit a terminal."""
    import json

    if value is None or value == [] or value == "":
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


@profiles.command(name="test")
@click.argument("name")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--url", help="The URL a saved FILE was fetched from [default: the file's path].")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds to wait for a page.")
def test_profile(name: str, inputs: tuple[str, ...], url: str | None, timeout: float) -> None:
    """Parse pages (URLs, fetched once, or saved files) with profile NAME and print each
    field with the source that gave it: "profile selector" where the profile won, else the
    generic source (JSON-LD, meta tag, <time> element, labelled text, heuristic...). A line
    "selectors that matched nothing" names the selectors the page did not answer. Exits 1
    when a page gave no article.

    \b
    Example:
      newscrawl profiles test ./profiles/mysite.toml https://mysite.example/2024/05/01/story.html
    """
    from crawler.cli.parse_cmd import parse_line
    from crawler.parsing import NotAnArticle
    from crawler.profiles import ProfileError, find_profile
    from crawler.profiles.starter import StarterError, fetch

    try:
        profile = find_profile(name)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from exc
    options = profile.parse_options()
    if profile.renders:  # not rendered here: say so, and how to test the page the crawl will parse
        click.echo(f'# note: {profile.name} has render = "browser": a crawl parses its pages as a browser builds '
                   "them; this test reads them as fetched (to test the built page, save it with "
                   "`chromium --headless --no-sandbox --virtual-time-budget=10000 --dump-dom URL > page.html`)",
                   err=True)
    failed = 0
    for target in inputs:
        try:
            if target.startswith(("http://", "https://")):
                body, page_url = fetch(target, timeout)[0], target
            else:
                body, page_url = Path(target).read_bytes(), url or Path(target).resolve().as_uri()
            line = parse_line(body, page_url, options, None, explain=True)
        except (OSError, StarterError) as exc:
            click.echo(f"{target}: cannot read: {exc}", err=True)
            failed += 1
            continue
        except NotAnArticle as exc:
            click.echo(f"{target}: not an article: {exc.reason}")
            failed += 1
            continue
        click.echo(f"{target}: {line['kind']}" + (f" ({line['kind_reason']})" if line["kind_reason"] else ""))
        failed += line["kind"] != "article"
        sources = line["explain"]
        for field in ("title", "published_at", "modified_at", "authors", "summary", "breadcrumb", "category",
                      "tags", "source", "images", "body_text"):
            where = sources.get("body" if field == "body_text" else field, "")
            click.echo(f"  {field:13} {_shown(line.get(field)):70}  <- {where}")
        if sources.get("selector_missed"):
            click.echo(f"  selectors that matched nothing: {sources['selector_missed'].replace(',', ', ')}")
    if failed:
        sys.exit(1)
