"""qual check as a gate: exit codes, never re-leaking, the key, the baseline, JSON and SARIF,
and the sample corpus (raw must fail naming every file; de-identified must pass)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SAMPLES, run_qual, tree_hashes
from test_check_extract import (DOCX_PLACES, QDPX_PLACES, TEXT_FILES, XLSX_PLACES, qdpx_members, write_docx,
                                xlsx_members, zip_bytes)

from qual.check import Baseline, KeySearch, check_paths, format_json, format_sarif, format_text, update_baseline
from qual.deid.pseudonyms import EntityTable
from qual.deid.types import EntityType

PLANTED = set(DOCX_PLACES) | set(XLSX_PLACES) | set(QDPX_PLACES) | {v[1] for v in TEXT_FILES.values()} | {
    "Tattersall", "Wadsworth"}
PASS = "check test passphrase"


def leaked(text: str, names=PLANTED) -> list[str]:
    """Planted identifiers present in ``text`` (the test prints only how many)."""
    return [n for n in names if re.search(re.escape(n), text, re.IGNORECASE)]


@pytest.fixture
def planted(tmp_path) -> Path:
    """A folder with an identifier planted in every hidden place of every format."""
    folder = tmp_path / "planted"
    folder.mkdir()
    write_docx(folder / "planted.docx")
    (folder / "planted.xlsx").write_bytes(zip_bytes(xlsx_members()))
    (folder / "project.qdpx").write_bytes(zip_bytes(qdpx_members()))
    for name, (content, *_rest) in TEXT_FILES.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def clean_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "clean"
    folder.mkdir()
    (folder / "summary.txt").write_text(
        "Interviewer: How did the school respond?\n\n[Person 3]: They were positive. [Person 4]'s mum "
        "rang [School B] and the DSL at [Local authority 2] agreed. Email [Email] or call [Phone].\n",
        encoding="utf-8")
    (folder / "codings.csv").write_text("document,code,text\nSW01,RELATIONSHIPS,[Person 3] met the DSL\n",
                                        encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- exit codes


def test_clean_files_exit_0(tmp_path, cli):
    result = cli("check", str(clean_folder(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "no identifiers found" in result.stdout


def test_pseudonym_tags_are_never_findings_even_strict(tmp_path):
    result = check_paths([clean_folder(tmp_path)], strict=True, jobs=1)
    assert result.findings == [] and result.exit_code == 0


def test_findings_exit_1_and_name_the_file(planted, cli):
    result = cli("check", str(planted / "notes.txt"))
    assert result.exit_code == 1
    assert "notes.txt:3:" in result.stdout


def test_corrupt_file_is_reported_exit_2_and_other_files_still_checked(tmp_path, cli):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 this is no zip at all")
    (folder / "broken.json").write_text('{"text": "Mrs Lumb", ', encoding="utf-8")
    (folder / "notes.txt").write_text("We met Mrs Lumb at the school.\n", encoding="utf-8")
    result = cli("check", str(folder))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any("broken.docx" in line for line in errors) and any("broken.json" in line for line in errors)
    assert "notes.txt:1:" in result.stdout  # the readable file was still checked
    assert not leaked(result.output, {"Lumb"})


def test_missing_path_and_unknown_type_are_usage_errors(tmp_path, cli):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")  # damaged: its metadata cannot be read
    (tmp_path / "recording.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(range(256)) * 4)
    assert cli("check", str(tmp_path / "nowhere")).exit_code == 2
    assert cli("check", str(tmp_path / "image.png")).exit_code == 2
    assert cli("check", str(tmp_path / "recording.m4a")).exit_code == 2
    assert cli("check", str(tmp_path / "recording.m4a"), "--allow-unscanned").exit_code == 0
    assert cli("check", str(tmp_path), "--format", "xml").exit_code == 2


def test_unreadable_files_in_a_folder_are_listed_and_fail_unless_allowed(tmp_path):
    folder = clean_folder(tmp_path)
    (folder / "recording.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(range(256)) * 4)
    default = check_paths([folder], jobs=1)
    assert default.exit_code == 2 and len(default.not_scanned) == 1 and not default.errors
    lenient = check_paths([folder], jobs=1, allow_unscanned=True)
    assert lenient.exit_code == 0 and len(lenient.not_scanned) == 1
    assert check_paths([folder], jobs=1, strict=True).exit_code == 2
    assert check_paths([folder], jobs=1, strict=True, exclude=["*.m4a"]).exit_code == 0


def test_strict_fails_on_findings_below_the_threshold(tmp_path):
    path = tmp_path / "codes.txt"
    path.write_text("The NSTQ pathway was used.\n", encoding="utf-8")  # an unknown acronym: 0.35
    lenient = check_paths([path], jobs=1)
    assert lenient.findings and not lenient.failing and lenient.exit_code == 0
    assert check_paths([path], jobs=1, strict=True).exit_code == 1


# --------------------------------------------------------------------------- never re-leak


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_no_output_contains_a_planted_identifier(planted, tmp_path, output_format, cli):
    (planted / "broken.xlsx").write_bytes(b"PK\x03\x04 Mrs Abernethy broken")
    report = tmp_path / f"report.{output_format}"
    result = cli("-vv", "check", str(planted), "--format", output_format, "--show-all", "--strict")
    assert result.exit_code == 2  # findings, and an unreadable file
    assert not leaked(result.stdout) and not leaked(result.stderr), "an identifier was printed"
    written = cli("check", str(planted), "--format", output_format, "--output", str(report))
    assert written.exit_code == 2 and report.exists()
    assert not leaked(report.read_text(encoding="utf-8")) and not leaked(written.output)
    if output_format != "text":
        assert json.loads(report.read_text(encoding="utf-8"))


def test_library_reports_and_reprs_hold_no_identifier(planted):
    result = check_paths([planted], jobs=1)
    assert len(result.files_with_findings()) == len(list(planted.iterdir()))
    for text in (format_text(result, show_all=True), format_json(result), format_sarif(result), repr(result),
                 repr(result.findings), result.to_frame().to_csv()):
        assert not leaked(text)


def test_initial_masks_show_first_letter_and_length_only(planted):
    result = check_paths([planted / "notes.txt"], jobs=1, mask="initial")
    (finding,) = result.failing
    assert finding.masked == "L*** (4)"


def test_hash_masks_repeat_within_a_run_not_across_runs(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Mrs Lumb said hello. Later Mrs Lumb left.\n", encoding="utf-8")
    first = check_paths([path], jobs=1)
    second = check_paths([path], jobs=1)
    assert len({f.masked for f in first.failing}) == 1
    assert first.failing[0].masked != second.failing[0].masked  # a fresh salt every run
    assert re.fullmatch(r"#[0-9a-f]{6}", first.failing[0].masked)


# --------------------------------------------------------------------------- JSON and SARIF


def test_json_report_fields(planted):
    result = check_paths([planted / "planted.docx"], jobs=1)
    document = json.loads(format_json(result))
    assert document["exit_code"] == 1 and document["summary"]["failing"] == len(result.failing)
    finding = document["findings"][0]
    for field in ("file", "part", "location", "offset", "type", "detector", "confidence", "masked",
                  "fingerprint", "certain", "failing"):
        assert field in finding


def test_sarif_is_2_1_0_with_rules_locations_and_no_snippets(planted):
    result = check_paths([planted], jobs=1)
    document = json.loads(format_sarif(result))
    assert document["version"] == "2.1.0" and document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "qual"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert set(rule_ids) == {t.value for t in EntityType}
    assert len(run["results"]) == len(result.findings)
    for entry in run["results"]:
        assert entry["ruleId"] == rule_ids[entry["ruleIndex"]]
        assert entry["level"] in ("error", "note")
        assert entry["message"]["text"]
        (location,) = entry["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] and physical["region"]["startLine"] >= 1
        assert "snippet" not in physical["region"] and "contextRegion" not in physical
    assert run["invocations"][0]["executionSuccessful"] is True
    assert "snippet" not in json.dumps(document)


# --------------------------------------------------------------------------- key


def key_table() -> EntityTable:
    table = EntityTable(seed="check-tests")
    table.link(EntityType.PERSON, "Jayden Okonkwo")
    table.link(EntityType.PERSON, "Zoë Hargreaves")
    table.link(EntityType.PERSON, "Grace Lumb")
    table.link(EntityType.SCHOOL, "Castlebrook Academy")
    table.link(EntityType.PHONE, "07700 900461")
    table.link(EntityType.DATE, "March")  # dates are not searched: they would match everywhere
    return table


def test_key_originals_are_found_in_any_case_possessive_and_alone_as_certain(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(
        "met jayden okonkwo.\nthen JAYDEN came\nOkonkwo's file\nzoe rang\nat castlebrook on 07700900461\n"
        "Grace asked about Grace.\nin March we met\n", encoding="utf-8")
    result = check_paths([path], key=key_table(), jobs=1)
    certain = {(f.line, f.offset) for f in result.findings if f.certain}
    assert {(1, 4), (2, 5), (3, 0), (4, 0), (5, 3), (5, 18)} <= certain
    # an everyday word as a name: only capitalised and not opening a sentence
    assert (6, 18) in certain and (6, 0) not in certain
    assert not any(f.line == 7 and f.certain for f in result.findings)
    assert all(f.failing for f in result.findings if f.certain)
    assert not leaked(format_json(result), {"Okonkwo", "Jayden", "Hargreaves", "Castlebrook", "900461"})


def test_an_everyday_word_the_key_learned_in_lower_case_is_still_looked_for_only_capitalised(tmp_path):
    # lower-case speech-to-text taught the key "mercy" as a name; in lower case the word stays
    # ("at the mercy of"), as de-identification leaves it, so the check must not fail it
    table = key_table()
    table.link(EntityType.PERSON, "mercy")
    path = tmp_path / "notes.txt"
    path.write_text("we're at the mercy of the front door.\nThen Mercy rang.\n", encoding="utf-8")
    certain = [f for f in check_paths([path], key=table, jobs=1).findings if f.certain]
    assert [(f.line, f.offset) for f in certain] == [(2, 5)]


def test_a_key_word_inside_a_keep_term_is_no_leak(tmp_path):
    table = key_table()
    table.link(EntityType.PERSON, "Social")  # "calls me Miss Social": a nickname, once
    path = tmp_path / "notes.txt"
    path.write_text("We had What Works for Children's Social Care in.\nThen Social rang.\n", encoding="utf-8")
    certain = [f for f in check_paths([path], key=table, jobs=1).findings if f.certain]
    assert [(f.line, f.offset) for f in certain] == [(2, 5)]


def test_key_file_from_the_command_line(tmp_path, cli):
    from qual.deid.key import save_key

    key = tmp_path / "secure" / "project.qualkey"
    save_key(key_table(), key, PASS)
    notes = tmp_path / "out" / "notes.txt"
    notes.parent.mkdir()
    notes.write_text("The okonkwo family moved.\n", encoding="utf-8")
    result = cli("check", str(notes), "--key", str(key), "--format", "json", env={"QUAL_KEY_PASSPHRASE": PASS})
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert any(f["certain"] and f["detector"] == "key" for f in document["findings"])
    assert "okonkwo" not in result.output.lower()
    wrong = cli("check", str(notes), "--key", str(key), env={"QUAL_KEY_PASSPHRASE": "wrong"})
    assert wrong.exit_code == 2 and "passphrase" in wrong.stderr


def test_surrogate_names_from_the_key_are_not_findings(tmp_path):
    table = key_table()
    table.assign_surrogates()
    surrogate = next(e.surrogate for e in table if e.surrogate)
    path = tmp_path / "notes.txt"
    path.write_text(f"Yesterday {surrogate} told me about the meeting.\n", encoding="utf-8")
    assert check_paths([path], key=KeySearch(table), jobs=1).findings == []
    assert check_paths([path], jobs=1).findings  # without the key it looks like a name


# --------------------------------------------------------------------------- baseline


def test_baseline_silences_exactly_what_it_recorded(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    first = folder / "a.txt"
    first.write_text("We met Mrs Lumb and Mrs Kershaw.\n", encoding="utf-8")
    baseline_path = folder / ".qual-baseline.json"
    recorded, baseline = update_baseline([folder], baseline_path, jobs=1)
    assert len(recorded.failing) == 2 and len(baseline) == 2
    assert not leaked(baseline_path.read_text(encoding="utf-8"), {"Lumb", "Kershaw"})

    silenced = check_paths([folder], baseline=baseline_path, jobs=1)
    assert silenced.exit_code == 0 and silenced.silenced == 2 and silenced.findings == []

    first.write_text("We met Mrs Lumb and Mrs Kershaw.\nLater Mrs Midgley came.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Mrs Lumb again.\n", encoding="utf-8")  # recorded for a.txt only
    after = check_paths([folder], baseline=baseline_path, jobs=1)
    assert after.exit_code == 1 and after.silenced == 2
    assert sorted((Path(f.file).name, f.line) for f in after.failing) == [("a.txt", 2), ("b.txt", 1)]


def test_baseline_cli_round_trip(tmp_path, cli):
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "a.txt").write_text("We met Mrs Lumb.\n", encoding="utf-8")
    baseline_path = tmp_path / "baseline.json"
    recorded = cli("check", str(folder), "--update-baseline", str(baseline_path))
    assert recorded.exit_code == 0 and baseline_path.exists()
    assert cli("check", str(folder), "--baseline", str(baseline_path)).exit_code == 0
    data = json.loads(baseline_path.read_text(encoding="utf-8"))
    assert data["format"] == "qual-check-baseline" and "a.txt" in json.dumps(data["files"])
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    assert cli("check", str(folder), "--baseline", str(bad)).exit_code == 2


def test_baseline_keeps_entries_of_files_not_scanned(tmp_path):
    (tmp_path / "a.txt").write_text("We met Mrs Lumb.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("We met Mrs Kershaw.\n", encoding="utf-8")
    path = tmp_path / "baseline.json"
    update_baseline([tmp_path], path, jobs=1)
    update_baseline([tmp_path / "a.txt"], path, jobs=1)
    assert set(Baseline.load(path).files) == {"a.txt", "b.txt"}


# --------------------------------------------------------------------------- parallel


def test_worker_processes_give_the_same_findings(tmp_path):
    for number in range(6):
        body = "The meeting went well and we talked about attendance. " * 1200
        (tmp_path / f"t{number}.txt").write_text(f"{body}\nWe met Mrs Lumb on Tuesday.\n", encoding="utf-8")
    serial = check_paths([tmp_path], jobs=1)
    parallel = check_paths([tmp_path], jobs=2)
    key = lambda r: sorted((f.file, f.part, f.location, f.offset, f.type) for f in r.findings)  # noqa: E731
    assert key(serial) == key(parallel) and len(serial.failing) == 6


# --------------------------------------------------------------------------- sample corpus


def sample_files() -> list[Path]:
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    if not files:
        pytest.skip("the sample corpus is not available")
    return files


def test_every_raw_sample_fails_and_is_named():
    files = sample_files()
    before = tree_hashes(SAMPLES)
    result = check_paths([SAMPLES])
    assert result.exit_code == 1
    assert sorted(result.files_with_findings()) == sorted(str(p) for p in files)
    assert tree_hashes(SAMPLES) == before  # inputs are never modified


@pytest.fixture(scope="module")
def deidentified(tmp_path_factory) -> Path:
    """The samples de-identified as .ci/run does: ``qual deidentify`` into a fresh folder."""
    sample_files()
    out = tmp_path_factory.mktemp("gate") / "deid"
    done = run_qual("deidentify", str(SAMPLES), "--participants", str(SAMPLES / "participants.xlsx"),
                    "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.mark.slow
def test_ci_gate_raw_samples_fail_with_findings():
    done = run_qual("check", str(SAMPLES))
    assert done.returncode == 1
    for path in sample_files():
        assert str(path) in done.stdout


@pytest.mark.slow
def test_ci_gate_deidentified_transcripts_pass(deidentified):
    """Every de-identified transcript (.docx, .txt) and the replacement log pass the gate."""
    done = run_qual("check", *(str(p) for p in sorted(deidentified.iterdir())
                                   if p.suffix in (".docx", ".txt") or p.name == "deid_log.csv"))
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
def test_ci_gate_deidentified_output_folder_passes(deidentified):
    done = run_qual("check", str(deidentified))
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_name_in_a_file_name_is_a_finding(tmp_path):
    path = tmp_path / "Mrs_Lumb_interview.txt"
    path.write_text("Nothing to see.\n", encoding="utf-8")
    result = check_paths([path], jobs=1)
    assert [f.location for f in result.failing] == ["file name"]


def test_the_pre_commit_hook_passes_only_files_qual_check_reads():
    import yaml

    from qual.check import supported_suffixes

    (hook,) = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "qual-check" and hook["entry"] == "qual check" and hook["require_serial"]
    pattern = re.compile(hook["files"])
    for suffix in ("docx", "xlsx", "csv", "txt", "json", "jsonl", "vtt", "srt", "qdpx", "html"):
        assert pattern.search(f"data/file.{suffix}")
    for suffix in supported_suffixes() | {".png", ".pdf", ".yaml", ".md"}:
        if pattern.search(f"data/file{suffix}"):
            assert suffix in supported_suffixes()
    assert not pattern.search("README.md") and not pattern.search(".pre-commit-config.yaml")


def _clean_qdpx(members_extra: dict[str, str] | None = None, source_name: str | None = None) -> bytes:
    """A REFI-QDA project as qual writes one: GUID-named sources, colours, truncated labels."""
    source_guid, user_guid = "748342EB-3692-5858-8242-B3349F32F927", "A396771C-DA20-5BF0-8985-ED6409455683"
    member = source_name or f"{source_guid}.txt"
    project = ('<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
               'name="SWIS evaluation" origin="qual">'
               f'<Users><User guid="{user_guid}" name="coder"/></Users>'
               '<CodeBook><Codes><Code guid="0F7E8A00-1111-2222-3333-444455556666" name="Staff confidence" '
               'isCodable="true" color="#D62728"><Description>SENCOs, IDVAs and DSLs; Referrals</Description>'
               '</Code></Codes></CodeBook>'
               f'<Sources><TextSource guid="{source_guid}" name="SW01" plainTextPath="internal://{member}">'
               '<PlainTextSelection guid="9AEBF4C8-1111-2222-3333-444455556666" name="So the main route '
               'really is Operation\u2026" startPosition="0" endPosition="10"/></TextSource></Sources></Project>')
    members = {"project.qde": project,
               f"sources/{member}": "Interviewer: Hello.\nRespondent: [Person 3] rang the SENCOs.\n"}
    members.update(members_extra or {})
    return zip_bytes(members)


def test_guid_file_names_colours_and_domain_acronyms_in_a_qdpx_pass(tmp_path):
    path = tmp_path / "project.qdpx"
    path.write_bytes(_clean_qdpx())
    result = check_paths([path], jobs=1)
    assert result.exit_code == 0, f"{len(result.failing)} failing findings"


def test_a_qdpx_source_file_named_after_a_person_still_fails(tmp_path):
    path = tmp_path / "project.qdpx"
    path.write_bytes(_clean_qdpx(source_name="Jayden Okafor interview.txt"))
    result = check_paths([path], jobs=1)
    assert result.exit_code == 1 and result.failing


def test_a_codebook_saved_by_qual_passes(tmp_path):
    from conftest import CODEBOOK
    from qual.coding.codebook import load_codebook, save_codebook

    saved = tmp_path / "codebook.yaml"
    save_codebook(load_codebook(CODEBOOK), saved)
    for path in (CODEBOOK, saved):
        result = check_paths([path], jobs=1)
        assert result.exit_code == 0, f"{path.name}: {len(result.failing)} failing findings"
