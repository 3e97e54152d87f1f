"""De-identification: find identifiers, link them to entities, replace them by pseudonyms.

    from qual.deid import Analyzer, SecureProject, deidentify
    spans = Analyzer().analyze("Jayden's mum rang Castlebrook Academy.")
    deidentify(["interviews/"], "deid/", project=SecureProject("../secure/swis.key"))

==================  ========================================================================
module              job
==================  ========================================================================
``identity``        what counts as the same identifier: entity types (one descriptor each),
                    the pseudonym-tag grammar, normal forms
``types``           ``Span``: what a detector finds
``normalize``       text cleaned for detection, with the map back to the original offsets
``recognizers/``    the detectors, one module per family, on ``qual.plugins``
``registry``        recognizers by name (``register_recognizer``, ``default_recognizer_names``)
``analyzer``        ``Analyzer``: runs the recognizers, resolves and propagates their spans
``spans``           the span resolver: overlapping detections become one span
``parallel``        ``ParallelAnalyzer``: detection over worker processes
``register``,       the project's known identifiers and never-identifiers
``keeplist``
``known``           forms known from the key and the participants sheet, found again
``mentions``,       from spans to the mentions replaced in text, speaker labels and attributes
``attributes``
``pseudonyms``      ``EntityTable``: entity linking, tags and surrogates (what the key stores)
``key``             the encrypted key file
``secure``          ``SecureProject``: key, register, keep-list and passphrase, opened once
``engine``          ``Deidentifier``: fit / partial_fit / transform over transcripts
``review``          the review sheet and a reviewer's decisions
``writer``          de-identified .docx/.txt and the log
``survey``          free-text columns of CSV/xlsx tables
``pipeline``        ``deidentify()``: the whole ``qual deidentify`` over files
==================  ========================================================================
"""

# Detection: the analyzer, the project register and the keep-list.
from .analyzer import Analyzer
from .engine import Deidentifier
from .keeplist import KeepList

# Pseudonyms, key, outputs, review and survey (the de-identification pipeline).
from .key import KeyFile, load_key, save_key
from .parallel import ParallelAnalyzer
from .pipeline import DeidResult, deidentify
from .pseudonyms import Entity, EntityTable
from .register import Register
from .review import Decisions, ReviewItem, read_decisions, write_review
from .secure import SecureProject
from .survey import deidentify_table
from .types import EntityType, Span

__all__ = [
    "Analyzer", "DeidResult", "Decisions", "Deidentifier", "Entity", "EntityTable", "EntityType",
    "KeepList", "KeyFile", "ParallelAnalyzer", "Register", "ReviewItem", "SecureProject", "Span",
    "deidentify", "deidentify_table", "load_key", "read_decisions", "save_key", "write_review",
]
