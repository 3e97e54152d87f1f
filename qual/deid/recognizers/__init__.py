"""Recognizers: small pluggable detectors, one module per family, registered by name in
:mod:`qual.deid.registry`.

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

from .base import Doc, Recognizer

BUILTIN_MODULES = ("contact", "ids", "dates", "register", "names", "places", "recall_first", "ner")

__all__ = ["BUILTIN_MODULES", "Doc", "Recognizer"]
