"""The review sheet and the decisions read back from it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qual.deid import Deidentifier, deidentify
from qual.deid.review import (DECISIONS, REVIEW_COLUMNS, ReviewItem, read_decisions, write_review)
from qual.deid.types import EntityType as T
from qual.errors import InputFileError, UnsafeOutputError
from qual.model import Role, Transcript, Turn

from test_deid_pipeline import FakeAnalyzer, fake, inputs, transcript  # noqa: F401

PASS = "review test passphrase"


def item(**changes) -> ReviewItem:
    values = dict(document="SW01", part="text", turn=2, start=4, end=9, type=T.PERSON, original="Jaden",
                  before="And ", after=" said", pseudonym="[Person 1]", confidence=0.55, detector="fake")
    values.update(changes)
    return ReviewItem(**values)


def decide(path: Path, choices: dict[str, str]) -> None:
    """Fill the decision column the way a researcher would: by the original's text."""
    workbook = load_workbook(path)
    sheet = workbook["review"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        original = row[header.index("original")].value
        if original in choices:
            row[header.index("decision")].value = choices[original]
    workbook.save(path)


def test_sheet_has_context_dropdown_and_is_owner_only(tmp_path: Path):
    path = tmp_path / "secure" / "review.xlsx"
    write_review([item(), item(original="=HYPERLINK(\"x\")", start=20, end=36)], path, tmp_path / "deid")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    workbook = load_workbook(path, rich_text=True)
    sheet = workbook["review"]
    assert [c.value for c in sheet[1]] == REVIEW_COLUMNS
    context = sheet.cell(row=2, column=REVIEW_COLUMNS.index("context") + 1).value
    assert str(context) == "And »Jaden« said"
    formula_like = sheet.cell(row=3, column=REVIEW_COLUMNS.index("original") + 1)
    assert formula_like.data_type == "s"                   # text from a transcript is never a formula
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1 and all(d in validations[0].formula1 for d in DECISIONS)
    assert "L2" in str(validations[0].sqref)


def test_sheet_is_refused_inside_the_output_folder(tmp_path: Path):
    with pytest.raises(UnsafeOutputError):
        write_review([item()], tmp_path / "deid" / "review.xlsx", tmp_path / "deid")


def test_decisions_round_trip(tmp_path: Path):
    path = tmp_path / "review.xlsx"
    write_review([item(), item(original="Hope", start=30, end=34, type=T.PLACE),
                  item(original="Zeb", start=40, end=43), item(original="Mo", start=50, end=52)], path)
    decide(path, {"Jaden": "keep", "Hope": "always keep", "Zeb": "Always Redact", "Mo": "redact"})
    decisions = read_decisions(path)
    assert ("SW01", "text", 2, 4, 9, "Jaden") in decisions.keep
    assert decisions.always_keep == ["Hope"]
    assert decisions.always_redact == [(T.PERSON, "Zeb")]
    assert ("SW01", "text", 2, 50, 52, "Mo") in decisions.redact
    assert "Jaden" not in repr(decisions)


def test_invalid_decision_names_the_row_not_the_text(tmp_path: Path):
    path = tmp_path / "review.xlsx"
    write_review([item()], path)
    decide(path, {"Jaden": "maybe"})
    with pytest.raises(InputFileError) as error:
        read_decisions(path)
    assert "row 2" in str(error.value) and "Jaden" not in str(error.value)


def test_not_a_review_sheet(tmp_path: Path):
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    workbook = Workbook()
    workbook.active.append(["a", "b"])
    workbook.save(path)
    with pytest.raises(InputFileError, match="not a qual review sheet"):
        read_decisions(path)


def test_flagged_spans_are_low_confidence_only():
    engine = Deidentifier(fake(), review_threshold=0.7)
    engine.fit_transform([transcript()])
    flagged = engine.review_items
    assert {i.original for i in flagged} == {"Jaden's"} or {i.original for i in flagged} == {"Jaden"}
    assert all(i.confidence < 0.7 for i in flagged)
    assert "Jaden" not in repr(flagged[0])


def test_keep_always_keep_and_always_redact_end_to_end(inputs: Path, tmp_path: Path):  # noqa: F811
    (inputs / "TM03.txt").write_text(
        "Interviewer: Any hope for Mo?\n"
        "Respondent: There is Hope Street, and Hope. Zebedee helped Mo. Jaden too.\n", encoding="utf-8")
    analyzer = FakeAnalyzer({**fake().terms, "Hope": (T.PLACE, 0.5), "Mo": (T.PERSON, 0.6)})
    secure = tmp_path / "secure"
    key, review = secure / "project.qualkey", secure / "review.xlsx"
    out = tmp_path / "deid"
    first = deidentify([inputs], out, key_path=key, passphrase=PASS, analyzer=analyzer, review_path=review)
    assert "Hope" not in (out / "TM03.txt").read_text()         # recall first: flagged spans are redacted
    flagged = {i.original for i in first.review_items}
    assert {"Hope", "Mo", "Jaden"} <= flagged
    decide(review, {"Hope": "always keep", "Jaden": "keep", "Zebedee": "always redact"})
    # Zebedee was never found; a researcher adds the row by hand to the sheet
    workbook = load_workbook(review)
    sheet = workbook["review"]
    sheet.append(["TM03", "text", 1, 0, 0, "PERSON", "Zebedee", None, None, None, None, "always redact"])
    workbook.save(review)

    second = deidentify([inputs], out, key_path=key, passphrase=PASS, analyzer=analyzer,
                        decisions_path=review, review_path=secure / "review2.xlsx")
    text = (out / "TM03.txt").read_text()
    assert "There is Hope Street, and Hope." in text            # always keep: every occurrence
    assert "Zebedee" not in text                                # always redact: now found
    assert "Jaden too" in text                                  # keep: that occurrence restored
    assert "Mo" not in text                                     # undecided: still redacted
    register = (secure / "project.register.csv").read_text()
    keep_list = (secure / "project.keep.txt").read_text()
    assert "PERSON,Zebedee" in register and "Hope" in keep_list
    assert stat.S_IMODE((secure / "project.register.csv").stat().st_mode) == 0o600
    assert second.summary["always_keep"] == 1 and second.summary["always_redact"] == 1
    remaining = {(i.original, i.decision) for i in second.review_items}
    assert ("Hope", "always keep") in remaining and ("Jaden", "keep") in remaining
    assert not [o for o, d in remaining if o.lower() == "hope" and d != "always keep"]


def test_speaker_label_decision_applies_to_every_turn():
    t = Transcript(id="X1", source="x", turns=[
        Turn(0, "Interviewer", Role.INTERVIEWER, "Hello."),
        Turn(0, "Facilitator Two", Role.OTHER, "Hi."),
        Turn(0, "Facilitator Two", Role.OTHER, "Again."),
    ])
    engine = Deidentifier(FakeAnalyzer({}))
    engine.fit_transform([t])
    (flagged,) = engine.review_items
    assert flagged.part == "speaker" and flagged.original == "Two"
    from qual.deid.review import Decisions

    decisions = Decisions(keep={flagged.occurrence})
    out = Deidentifier(FakeAnalyzer({}), decisions=decisions).fit_transform([t])[0]
    assert out.speakers == ["Interviewer", "Facilitator Two"]


def test_keep_decisions_that_no_longer_match_are_counted_not_applied():
    from qual.deid.review import Decisions

    stale = ("SW01", "text", 2, 30, 35, "Jaden")           # offsets from an older version
    engine = Deidentifier(fake(), decisions=Decisions(keep={stale}))
    out = engine.fit_transform([transcript()])[0]
    assert "Jaden" not in out.text
    assert engine.unmatched_decisions == 1


def test_a_review_sheet_written_over_its_decisions_keeps_them(inputs: Path, tmp_path: Path):  # noqa: F811
    (inputs / "TM03.txt").write_text("Interviewer: Any news?\nRespondent: Jaden too, and Zeb.\n",
                                     encoding="utf-8")
    analyzer = FakeAnalyzer({**fake().terms, "Zeb": (T.PERSON, 0.5)})
    review = tmp_path / "secure" / "review.xlsx"
    deidentify([inputs], tmp_path / "deid", analyzer=analyzer, review_path=review)
    decide(review, {"Jaden": "keep", "Zeb": "redact"})
    second = deidentify([inputs], tmp_path / "deid", analyzer=analyzer, review_path=review,
                        decisions_path=review)
    assert "Jaden too" in (tmp_path / "deid" / "TM03.txt").read_text()
    decisions = read_decisions(review)                   # the sheet was rewritten in place
    assert {o[-1] for o in decisions.keep} == {"Jaden"}
    assert {o[-1] for o in decisions.redact} == {"Zeb"}
    assert {i.original: i.pseudonym for i in second.review_items}["Jaden"] == ""
