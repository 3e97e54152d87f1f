"""Identity: what counts as "the same identifier", in one place for every stage.

``qual deidentify`` (linking mentions to entities, protecting tags), ``qual check`` (the
key search, masks and baseline fingerprints) and the review sheet all decide sameness here,
so they cannot disagree.

=================  =======================================================================
module             holds
=================  =======================================================================
``entities``       :class:`EntityType` and one :class:`TypeInfo` per type (direct or quasi,
                   tag word and numbering, how mentions are compared, propagation, how
                   ``qual check`` searches a key); the derived sets ``DIRECT``,
                   ``NAME_LIKE`` ...
``tags``           the pseudonym-tag grammar: :func:`tag_for`, :data:`TAG_RE` (exactly the
                   tags qual writes), :data:`PLACEHOLDER_RE` (any redaction placeholder)
``normal``         normal forms: accents, case, possessives, whitespace; person names and
                   distinctive words; :func:`identity_key`
=================  =======================================================================
"""

from .entities import (DIRECT, FIXED_TYPES, FOUND_AGAIN, INSTITUTIONS, NAME_LIKE, PROPAGATED, QUASI,
                       EntityType, TypeInfo)
from .normal import (PersonName, distinctive_key, fold, identity_key, lower_same_length, normal_form,
                     normal_tokens, split_possessive, strip_accents)
from .tags import PLACEHOLDER_RE, TAG_RE, letters, tag_for, tag_number

__all__ = [
    "DIRECT", "FIXED_TYPES", "FOUND_AGAIN", "INSTITUTIONS", "NAME_LIKE", "PLACEHOLDER_RE", "PROPAGATED", "QUASI",
    "TAG_RE", "EntityType", "PersonName", "TypeInfo", "distinctive_key", "fold", "identity_key",
    "letters", "lower_same_length", "normal_form", "normal_tokens", "split_possessive",
    "strip_accents", "tag_for", "tag_number",
]
