"""Named-entity recognition through a spaCy pipeline.

``Analyzer(ner="auto")`` uses an installed ``en_core_web_*`` package when spaCy can load
one (found from the installed packages' entry points, never from the network), else the model that
ships with qual when there is one, else none: the gazetteers and rules then carry detection
on their own. ``ner="<path or package>"`` loads that pipeline; ``ner=None`` turns NER off.

Only the ``ner`` component (and the ``tok2vec``/``transformer`` it listens to) runs. Entity
labels map to :class:`~qual.deid.types.EntityType` (PERSON/PER, GPE/LOC/FAC, ORG, DATE);
other labels (NORP, CARDINAL, MISC, ...) are no identifiers here.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..registry import register_recognizer
from ..types import EntityType, Span
from .base import Doc, Recognizer
from .lexicon import resource_path

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger("qual.deid.ner")

LABELS: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON, "PER": EntityType.PERSON, "PERS": EntityType.PERSON,
    "GPE": EntityType.PLACE, "LOC": EntityType.PLACE, "FAC": EntityType.PLACE,
    "LOCATION": EntityType.PLACE, "GEO": EntityType.PLACE,
    "ORG": EntityType.ORGANISATION, "ORGANIZATION": EntityType.ORGANISATION,
    "ORGANISATION": EntityType.ORGANISATION, "CORPORATION": EntityType.ORGANISATION,
    "GROUP": EntityType.ORGANISATION,
    "DATE": EntityType.DATE,
}
# Preference when several en_core_web packages are installed: the small one is fastest and
# its entities are what the rules do not already find.
_PREFERENCE = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf")
SHIPPED_MODEL = "ner_model"
NER_CONFIDENCE = 0.7
_CHUNK = re.compile(r"[^\n]+")
_CHUNK_MAX = 50_000


def installed_english_models() -> list[str]:
    """Installed ``en_core_web_*`` spaCy packages, preferred first.

    Read from the ``spacy_models`` entry points that spaCy's model packages declare (what
    ``spacy.util.get_installed_models`` reads too), without importing spaCy - a 3-second
    import - when there is none, and never touching the network. Entry points are read in a
    few milliseconds, so ``qual check`` starts fast; a broken environment means "none".
    """
    try:
        from importlib.metadata import entry_points

        names = {entry.name.replace("-", "_").lower() for entry in entry_points(group="spacy_models")}
    except Exception:  # noqa: BLE001 - unreadable metadata: no model to offer
        names = set()
    found = [n for n in names if n.startswith("en_core_web_")]
    return sorted(found, key=lambda n: (_PREFERENCE.index(n) if n in _PREFERENCE else 99, n))


def shipped_model_path() -> Path | None:
    path = resource_path(SHIPPED_MODEL)
    return path if (path / "config.cfg").exists() else None


def resolve_ner(ner: Any) -> "str | Path | Language | None":
    """What ``Analyzer(ner=...)`` should load: ``"auto"`` picks an installed English model,
    then the shipped one, then none (spaCy is imported only when there is a model to load)."""
    if ner is None or ner is False:
        return None
    if ner == "auto":
        for name in installed_english_models():
            try:
                import spacy

                return spacy.load(name)
            except Exception as error:  # noqa: BLE001 - unusable package: fall back
                log.info("spaCy model %s is installed but cannot be loaded (%s)", name,
                         type(error).__name__)
        return shipped_model_path()
    if ner == "shipped":
        path = shipped_model_path()
        if path is None:
            from ...errors import QualError

            raise QualError("no NER model ships with this installation of qual; use ner='auto'")
        return path
    return ner


def load_pipeline(model: "str | Path | Language") -> "Language":
    """Load a spaCy pipeline with only its NER (and what NER listens to) enabled."""
    import spacy
    from spacy.language import Language

    if isinstance(model, Language):
        nlp = model
    else:
        try:
            nlp = spacy.load(model)
        except (OSError, IOError) as error:
            from ...errors import QualError

            raise QualError(f"{model}: cannot load this spaCy model ({type(error).__name__}); give "
                            "the path of a saved pipeline or an installed package name") from None
    if "ner" not in nlp.pipe_names:
        from ...errors import QualError

        raise QualError(f"{model}: this spaCy pipeline has no 'ner' component")
    needed = {"ner", "tok2vec", "transformer"}
    disable = [name for name in nlp.pipe_names if name not in needed]
    if disable:
        nlp.select_pipes(disable=disable)
    return nlp


@register_recognizer("ner.spacy")
class SpacyNerRecognizer(Recognizer):
    """Entities from a spaCy model, mapped to qual's entity types."""

    entity_types = frozenset(set(LABELS.values()))

    def __init__(self, model: "str | Path | Language", confidence: float = NER_CONFIDENCE,
                 batch_size: int = 64) -> None:
        self.model_name = model if isinstance(model, (str, Path)) else getattr(model, "meta", {}).get("name", "custom")
        self.nlp = load_pipeline(model)
        self.confidence = confidence
        self.batch_size = batch_size

    def detect(self, doc: Doc) -> Iterable[Span]:
        text = doc.text
        chunks = [(m.start(), m.group()) for m in _CHUNK.finditer(text) if m.group().strip()]
        # very long lines are cut at a space so spaCy's max_length is never reached
        pieces: list[tuple[int, str]] = []
        for offset, chunk in chunks:
            while len(chunk) > _CHUNK_MAX:
                cut = chunk.rfind(" ", 0, _CHUNK_MAX)
                cut = cut if cut > 0 else _CHUNK_MAX
                pieces.append((offset, chunk[:cut]))
                offset, chunk = offset + cut, chunk[cut:]
            pieces.append((offset, chunk))
        texts = (piece for _, piece in pieces)
        for (offset, _), parsed in zip(pieces, self.nlp.pipe(texts, batch_size=self.batch_size)):
            for entity in parsed.ents:
                entity_type = LABELS.get(entity.label_.upper())
                if entity_type is None:
                    continue
                start = offset + entity.start_char
                end = offset + entity.end_char
                if text[start:end].strip():
                    yield self.span(doc, start, end, entity_type, self.confidence)
