"""deid"""

# Detection: the analyzer, the project register and the keep-list.
from .analyzer import Analyzer
from .keeplist import KeepList
from .register import Register

# Pseudonyms, key, outputs, review and survey (the de-identification pipeline).
from .key import KeyFile, load_key, save_key
from .pipeline import DeidResult, Deidentifier, deidentify
from .pseudonyms import Entity, EntityTable
from .review import Decisions, ReviewItem, read_decisions, write_review
from .survey import deidentify_table
