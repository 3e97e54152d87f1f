"""qual: offline qualitative interview analysis, from Word transcripts to framework matrices.

The pipeline, one subpackage per stage:

    qual.ingest   transcripts (.docx, .txt, .vtt, .srt) -> Transcript objects
    qual.deid     Transcript -> de-identified Transcript, with a pseudonym key kept apart
    qual.check    any file -> findings of identifiers that should not be there
    qual.coding   Transcript -> code suggestions against a framework codebook
    qual.export   codings -> framework matrices (Excel), report (Word), heatmap
    qual.refi     codebook, transcripts and codings <-> REFI-QDA (.qdpx, .qdc)
"""

from .model import Role, Transcript, Turn

__version__ = "0.1.0"
__all__ = ["Role", "Transcript", "Turn", "__version__"]
