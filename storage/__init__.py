"""Storage: SQLAlchemy 2.x models, engine setup, migrations, the repository and exports.

Everything that reads or writes the database goes through ``storage.repository`` so the
crawl pipeline and the CLI see the same data the same way.
"""

from storage.db import StorageError, connect

__all__ = ["StorageError", "connect"]
