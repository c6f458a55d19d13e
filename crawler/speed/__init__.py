"""The speed machinery, in one place: what makes a crawl fast, and why each piece is safe.

Nothing here changes what a crawl stores; each piece trades code simplicity for CPU or
memory, was measured before it was kept (README, "Scaling"), and can be turned off:

- ``parsepool``: pages parsed in spawned worker processes on sockets the event loop reads
  itself, so both cores work and the reactor never blocks on a parse
  (NEWSCRAWL_PARSE_WORKERS; 0 parses inline, the polite default).
- ``pool_extension``: the Scrapy extension that owns the pool for one crawl (started with
  the crawl, closed with the spider); the spider asks Scrapy for it
  (``crawler.get_extension``) and never builds one.
- ``gctune``: the crawl and store processes' garbage-collector thresholds and
  ``gc.freeze()`` once the crawl is up (NEWSCRAWL_GC_THRESHOLD; ``off`` keeps Python's).
- The store process: batches written by a process of their own when there are parse
  workers (``crawler.storewriter.StoreExecutor``, NEWSCRAWL_STORE_PROCESS).

Fast paths inside the pure parser (NUL-joined attribute strings, a hand-written
``itertext``, compiled XPath and regular expressions, ASCII shortcuts in text folding) stay
beside the code they speed up, each next to the plain, readable form it must equal; the
test ``tests/perf/test_parse_speed_equivalence.py`` compares every pair on real pages and on
strings made to hit the edge cases.

Importing this package stays light (no Scrapy, no SQLAlchemy): parse workers import
``parsepool`` and must not pay for either.
"""
