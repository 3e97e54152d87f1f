"""``qual check`` lets the NER model read only the files the rules do not already fail, and
the verdict is the same as with ``--complete`` (the model reading every file)."""

from __future__ import annotations

from typing import ClassVar

from qual.check import check_paths
from qual.deid.analyzer import Analyzer
from qual.deid.recognizers.base import Doc, Recognizer
from qual.deid.types import EntityType


class CountingModel(Recognizer):
    """Stands in for the NER model (same detector name): finds "marmalade", which no rule
    flags, and counts its reads."""

    name: ClassVar[str] = "ner.spacy"
    entity_types: ClassVar[frozenset] = frozenset({EntityType.PERSON})

    def __init__(self) -> None:
        self.reads = 0

    def detect(self, doc: Doc):
        self.reads += 1
        start = doc.text.find("marmalade")
        if start >= 0:
            yield self.span(doc, start, start + len("marmalade"), EntityType.PERSON, 0.6)


def analyzer_with_model() -> tuple[Analyzer, CountingModel]:
    analyzer = Analyzer(ner=None)
    model = CountingModel()
    analyzer.add_recognizer(model)
    return analyzer, model


def corpus(tmp_path):
    (tmp_path / "rules_fail.txt").write_text("Mrs Okonkwo rang the school. We had marmalade there too.\n")
    (tmp_path / "only_model.txt").write_text("We talked about the plan. We had marmalade there too.\n")
    (tmp_path / "clean.txt").write_text("We talked about the plan and it went well.\n")
    return tmp_path


def test_a_file_the_rules_fail_is_not_read_by_the_model(tmp_path):
    folder = corpus(tmp_path)
    analyzer, model = analyzer_with_model()
    result = check_paths([folder], analyzer=analyzer, jobs=1)
    failing = {f.file.rsplit("/", 1)[-1] for f in result.failing}
    assert failing == {"rules_fail.txt", "only_model.txt"}
    assert result.model_skipped == 1
    assert model.reads == 2  # the two files the rules pass
    # the failing file lists the rules' findings only
    assert not [f for f in result.findings if f.file.endswith("rules_fail.txt") and f.detector == "ner.spacy"]


def test_complete_reads_every_file_with_the_same_verdict(tmp_path):
    folder = corpus(tmp_path)
    analyzer, model = analyzer_with_model()
    quick = check_paths([folder], analyzer=analyzer, jobs=1)
    reads = model.reads
    complete = check_paths([folder], analyzer=analyzer, jobs=1, complete=True)
    assert model.reads - reads == 3 and complete.model_skipped == 0
    assert quick.exit_code == complete.exit_code == 1
    assert ({f.file for f in quick.failing} == {f.file for f in complete.failing})
    assert any(f.detector == "ner.spacy" and f.file.endswith("rules_fail.txt") for f in complete.findings)


def test_a_baseline_makes_the_check_complete(tmp_path):
    from qual.check import update_baseline

    folder = corpus(tmp_path)
    analyzer, model = analyzer_with_model()
    baseline = tmp_path.parent / f"{tmp_path.name}-baseline.json"
    update_baseline([folder], baseline, analyzer=analyzer, jobs=1)
    reads = model.reads
    result = check_paths([folder], analyzer=analyzer, jobs=1, baseline=baseline)
    # every finding of every detector was recorded, and is silenced: nothing fails
    assert model.reads - reads == 3
    assert result.exit_code == 0 and result.silenced


def test_the_summary_says_which_files_list_the_rules_findings_only(tmp_path):
    from qual.check.report import summary_line

    analyzer, _ = analyzer_with_model()
    result = check_paths([corpus(tmp_path)], analyzer=analyzer, jobs=1)
    assert "1 failing file(s) list the rules' findings only (--complete" in summary_line(result)
