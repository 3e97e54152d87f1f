"""Recognizers: small pluggable detectors, one module per family, registered by name in
the ``recognizers`` registry of :mod:`qual.plugins` (through :mod:`qual.deid.registry`);
``qual.plugins.BUILTIN_MODULES`` lists these modules in the order a default analyzer runs
them.

======================  =====================================================================
module                  finds
======================  =====================================================================
``contact``             emails (also spoken), URLs, social-media handles, UK phone numbers
                        (also spoken in digit groups and words)
``ids``                 postcodes, National Insurance and NHS numbers (checksum), case and
                        reference numbers
``dates``               dates in digits or words, dates of birth, ages
``register``            the project register's names and their variants, near-misspellings
``names``               people from context (titles, "called X", "X's mum") and the name lists
``places``              places and local authorities from the gazetteers, streets, estates,
                        addresses, schools and local organisations by their head words
``recall_first``        any capitalised or unknown word that nothing explains
``ner``                 a spaCy NER model's entities
======================  =====================================================================
"""

from ..types import Span
from .base import Doc, Recognizer

__all__ = ["Doc", "Recognizer", "Span"]
