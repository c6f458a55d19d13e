"""The record type the parser builds: ``storage.record.Record`` and its parts.

It is defined in ``storage`` because it is the contract of what is stored, exported and
parsed (``../shared/record.schema.json``) and ``storage`` must not import ``crawler``; the
parser's modules import it from here. One type end to end: these are the same classes.
"""

from storage.record import FIELD_NAMES, Crumb, Image, Record, Source

__all__ = ["FIELD_NAMES", "Crumb", "Image", "Record", "Source"]
