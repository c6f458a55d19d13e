"""Tables: articles (one row per canonical URL), their past versions, per-URL crawl state,
crawl runs, rejects, raw pages, the near-duplicate index and a little store metadata.

Nested record parts (breadcrumb, authors, source, tags, images) are JSON columns: they are
read and written whole, never queried piecewise, and JSON works the same on SQLite and
PostgreSQL. ``published_at`` keeps the page's own offset as text; ``published_utc`` is the
same instant in UTC for sorting and date filters.

``original`` holds the fields script conversion changed, as the page had them (see
``crawler.parsing.clean.clean_record``); it is outside the record schema, so exports never
show it. ``minhash`` is the article's MinHash signature (``storage.neardup``), and
``lsh_bands`` its LSH band keys: the near-duplicate index lives in the database, so it
survives restarts, is shared by every crawl process and costs the crawler no memory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    site: Mapped[str] = mapped_column(String(255), index=True)
    title: Mapped[str] = mapped_column(Text)
    title_raw: Mapped[str | None] = mapped_column(Text)
    title_spam_prefix: Mapped[str | None] = mapped_column(String(255))
    breadcrumb: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(255), index=True)
    published_at: Mapped[str | None] = mapped_column(String(40))
    published_utc: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    modified_at: Mapped[str | None] = mapped_column(String(40))
    published_raw: Mapped[str | None] = mapped_column(Text)
    modified_raw: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    summary_truncated: Mapped[bool | None] = mapped_column(Boolean)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    comment_count: Mapped[int | None] = mapped_column(Integer)
    view_count: Mapped[int | None] = mapped_column(Integer)
    page_count: Mapped[int | None] = mapped_column(Integer)
    paywalled: Mapped[bool | None] = mapped_column(Boolean)
    removed_at: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), index=True)
    fetched_at: Mapped[str] = mapped_column(String(40))
    http_status: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class ArticleVersion(Base):
    """A past state of an article, kept when its text changed."""

    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[str] = mapped_column(String(40))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(100))
    site: Mapped[str | None] = mapped_column(String(255))
    args: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(32), default="running")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    items_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    items_rejected: Mapped[int] = mapped_column(Integer, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, default=0)
    items_skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)


class UrlState(Base):
    """The last recorded outcome of every URL a crawl fetched (stored, unchanged, duplicate,
    rejected, skipped, failed)."""

    __tablename__ = "url_state"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Reject(Base):
    """A page that was fetched but not stored as an article, with the reason."""

    __tablename__ = "rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id", ondelete="SET NULL"), index=True)


class RawPageRow(Base):
    """The fetched bytes of an article page (zlib-compressed), kept when NEWSCRAWL_KEEP_RAW is
    on so the page can be re-parsed after a parser fix. One row per canonical URL: the latest
    fetch; earlier parsed states live on in ``article_versions``."""

    __tablename__ = "raw_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    fetched_at: Mapped[str] = mapped_column(String(40))
    http_status: Mapped[int | None] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(64))
    compression: Mapped[str] = mapped_column(String(16), default="zlib")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class RawPagePart(Base):
    """Another fetched page of a raw page's article (page 2, 3...; ``number`` 0: its
    single-page view), kept beside it so ``reparse`` merges the article again. Replaced
    with the raw page; gone with it."""

    __tablename__ = "raw_page_parts"

    raw_page_id: Mapped[int] = mapped_column(ForeignKey("raw_pages.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    url: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(64))
    compression: Mapped[str] = mapped_column(String(16), default="zlib")
    size: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class LshBand(Base):
    """One LSH band key of an article's MinHash signature: articles sharing a key agree on
    every row of that band and are near-duplicate candidates. The band number is hashed
    into the key, so a lookup is one ``key IN (...)`` on the primary key."""

    __tablename__ = "lsh_bands"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    band: Mapped[int] = mapped_column(SmallInteger)


class StoreMeta(Base):
    """Small key/value facts about the store, e.g. the parameters the LSH index was built with."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ExportMark(Base):
    """Which version of each article a named export cursor has written (``export
    --changes-since NAME``): the next export with that name takes the articles it has no
    mark for or whose version has grown since. Marks are written only once the export's
    file is complete, so an interrupted export exports the same records again. Marks, not
    a high-water number: writers commit in any order, and a later commit with an earlier
    number would be skipped forever."""

    __tablename__ = "export_marks"

    cursor: Mapped[str] = mapped_column(String(100), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    version: Mapped[int] = mapped_column(Integer)


Index("ix_articles_site_published", Article.site, Article.published_utc)
