"""Named export cursors: ``export --changes-since NAME`` writes exactly the records stored or
changed since the last complete export of that name.

The cursor is a mark per article (``storage.models.ExportMark``: the version written), not
a high-water number, because writers commit in any order: a record committed late with an
early number would fall behind a number-based cursor and never be exported. A record is
due when the cursor has no mark for it or its version has grown (a changed text makes a new
version). Marks are written after the export's file is complete, so an interrupted export
leaves the cursor where it was and the next one writes the same records again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Engine, and_, delete, insert, or_
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from storage.models import Article, ExportMark

_NAME = re.compile(r"^[\w.:-]{1,100}$")
_BATCH = 500


def check_name(name: str) -> str:
    """A cursor name: letters, digits, ``_ . : -``, at most 100 characters."""
    if not _NAME.match(name):
        raise ValueError(f"cursor name {name!r}: use letters, digits, _ . : - (at most 100 characters)")
    return name


def not_yet_exported(stmt: Select, name: str) -> Select:
    """``stmt`` (over ``articles``) narrowed to the records cursor ``name`` has not written
    in their current version."""
    mark = and_(ExportMark.article_id == Article.id, ExportMark.cursor == name)
    return stmt.outerjoin(ExportMark, mark).where(
        or_(ExportMark.article_id.is_(None), Article.version > ExportMark.version))


def mark_exported(engine: Engine, name: str, versions: Sequence[tuple[int, int]]) -> None:
    """Record that cursor ``name`` has written these (article id, version) pairs."""
    for start in range(0, len(versions), _BATCH):
        part = dict(versions[start:start + _BATCH])
        with Session(engine) as session, session.begin():
            session.execute(delete(ExportMark).where(ExportMark.cursor == name,
                                                     ExportMark.article_id.in_(list(part))))
            session.execute(insert(ExportMark), [{"cursor": name, "article_id": article_id, "version": version}
                                                 for article_id, version in part.items()])
