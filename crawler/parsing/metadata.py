"""Where each field of the record is extracted: this module only gathers them.

One module per field or family, each an ordered list of small sources (structured data,
then visible labelled markup, then heuristics), each source isolated (``sources.attempt``:
a failing source is logged and skipped, never the page):

- ``title``: the title (``headline``: the headline element; ``jsonld``: the article's JSON-LD)
- ``datefields``: published and modified dates (``datesources``: JSON-LD, URL, htmldate)
- ``authors``: bylines (``people``: reading and splitting names)
- ``source``: the original publisher (来源 / 本文来自 / 转载自)
- ``tags``, ``counts`` (comments, views), ``summary``, ``breadcrumb`` (and category)
- ``header``: the meta line after the headline, which dates, authors, source and counts read

The names below stay importable from here for the code and tests that import them so.
"""

from __future__ import annotations

from crawler.parsing.authors import extract_authors
from crawler.parsing.counts import extract_counts
from crawler.parsing.datefields import DateFields, extract_date_fields, extract_dates
from crawler.parsing.header import header_labels, header_texts
from crawler.parsing.source import extract_source, parse_source_line
from crawler.parsing.tags import extract_tags
from crawler.parsing.title import extract_title

__all__ = ["DateFields", "extract_authors", "extract_counts", "extract_date_fields", "extract_dates",
           "extract_source", "extract_tags", "extract_title", "header_labels", "header_texts",
           "parse_source_line"]
