"""Presidio's AnalyzerEngine as the benchmarks and evaluations compare qual with it: offline
(tldextract's bundled suffix list, no download), a spaCy pipeline given by path (a blank one
when none), Presidio's UK recognizers added to its predefined ones."""

from __future__ import annotations

import tempfile
from pathlib import Path


def presidio_analyzer(model: str | Path | None = None, ner_configuration: dict | None = None):
    """An ``AnalyzerEngine`` over the spaCy pipeline at ``model`` (a blank English pipeline
    when None), with ``ner_configuration`` as its ``ner_model_configuration``."""
    import tldextract

    # tldextract fetches the public suffix list on first use; its bundled snapshot is enough
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (UkDrivingLicenceRecognizer, UkNinoRecognizer,
                                                          UkPassportRecognizer, UkPostcodeRecognizer,
                                                          UkVehicleRegistrationRecognizer)

    if model is None:
        import spacy

        model = Path(tempfile.mkdtemp(prefix="qual-presidio-")) / "blank_en"
        spacy.blank("en").to_disk(model)
    configuration = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": str(model)}]}
    if ner_configuration is not None:
        configuration["ner_model_configuration"] = ner_configuration
    nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=nlp_engine, languages=["en"])
    for recognizer in (UkNinoRecognizer, UkPostcodeRecognizer, UkPassportRecognizer,
                       UkDrivingLicenceRecognizer, UkVehicleRegistrationRecognizer):
        registry.add_recognizer(recognizer())
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])
