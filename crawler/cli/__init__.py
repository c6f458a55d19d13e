"""``newscrawl``: a thin command line over the parser, the crawl runner and ``storage``.

Library errors become one clear line on stderr and a non-zero exit, never a traceback.
Commands live in small modules by topic and register themselves on ``main``.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newscrawl")
def main() -> None:
    """newscrawl: crawl news sites into clean, deduplicated article records.

    \b
    Quick start:
      newscrawl demo                       crawl the bundled demo site
      newscrawl crawl https://example.com/news/
      newscrawl list
      newscrawl export --format csv --out articles.csv
    """


from crawler.cli import (  # noqa: E402,F401 - registers the commands
    browse_cmd,
    crawl_cmds,
    parse_cmd,
    profile_cmds,
    prune_cmd,
    reparse_cmd,
    schedule_cmd,
    store_cmds,
)
