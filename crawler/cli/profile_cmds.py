"""``profiles list|check|new``: see, validate and start site profiles."""

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
    """Fetch one article page and print a starter profile with the selectors detected on it.

    \b
    Example:
      newscrawl profiles new https://news.example.com/2024/05/01/story.html > profiles/example.toml
    """
    from crawler.profiles.starter import StarterError, starter_profile

    try:
        click.echo(starter_profile(url, name=name, timeout=timeout), nl=False)
    except StarterError as exc:
        raise click.ClickException(str(exc)) from exc
