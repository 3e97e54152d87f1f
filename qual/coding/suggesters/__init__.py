"""Code suggesters: small components, registered by name, combined by an ensemble.

    rules     codebook keywords and phrases (spaCy PhraseMatcher on lower case and lemmas)
    semantic  embedding similarity to each code's definition, include clauses and examples
    topic     seeded BERTopic; segments inherit the codes their topic matches
    learned   calibrated one-vs-rest logistic regression on human (accepted) codes

Add one by subclassing :class:`Suggester` and decorating it with ``@register_suggester("name")``,
which registers it in ``qual.plugins`` (a package installed beside qual uses the
``qual_suggesters`` entry point); ``SUGGESTERS`` is a read-only view of that registry.
"""

from .base import SUGGESTERS, SuggestContext, Suggester, make_suggester, register_suggester
from .ensemble import DEFAULT_WEIGHTS, Ensemble, SelectionRule, select
from .learned import LearnedSuggester
from .rules import RulesSuggester
from .semantic import SemanticSuggester
from .topic import TopicSuggester

DEFAULT_SUGGESTERS = ("rules", "semantic", "topic", "learned")

__all__ = [
    "SUGGESTERS", "DEFAULT_SUGGESTERS", "DEFAULT_WEIGHTS", "Ensemble", "LearnedSuggester", "RulesSuggester",
    "SelectionRule", "SemanticSuggester", "SuggestContext", "Suggester", "TopicSuggester",
    "make_suggester", "register_suggester", "select",
]
