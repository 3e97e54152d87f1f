"""Coding: a framework codebook, code suggestions for transcript segments, human codes, agreement.

The codings table these stages hand on (its columns, types and statuses, and its one reader and
writer) is ``qual.model.codings``; ``CODINGS_COLUMNS`` is re-exported here.
"""

from ..model.codings import CODINGS_COLUMNS

__all__ = ["CODINGS_COLUMNS"]
