"""Coding: a framework codebook, code suggestions for transcript segments, human codes, agreement."""

# Columns of codings.csv, the hand-off from coding to matrices and REFI-QDA export. The first
# eight are the documented interface; the rest locate the segment (turn index, timestamp,
# speaker role, and start/end character offsets in the transcript's plain text).
CODINGS_COLUMNS = [
    "document", "segment", "speaker", "text", "code", "score", "source", "status",
    "turn", "timestamp", "role", "start", "end", "rank", "selected",
]
