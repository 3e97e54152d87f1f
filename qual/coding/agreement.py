"""Agreement between two coders, or between a coder and qual's suggestions.

Each code is treated as its own yes/no rating: for every unit (a segment by default; a
turn or a whole document on request) each coder either applied the code or did not. Over
the units, per code:

- percent agreement: share of units where both said yes or both said no;
- Cohen's kappa: agreement corrected for chance from each coder's own rate;
- Krippendorff's alpha, nominal level;

(kappa and alpha are computed from the 2×2 table in closed form, and tested equal to
scikit-learn's ``cohen_kappa_score`` and the ``krippendorff`` package: importing those
costs seconds and they are not core dependencies);
- Gwet's AC1 (Gwet 2008, "Computing inter-rater reliability and its variance in the
  presence of high agreement", Br J Math Stat Psychol 61:29-48), which stays stable when a
  code is rare, where kappa and alpha collapse (the prevalence paradox);
- positive (specific) agreement 2·both / (A + B): agreement on where the code applies;
- prevalence: share of units where A, B, or either applied the code.

Overall: **pooled** (every unit × code decision as one rating) and the **mean over codes**
(codes whose statistic is undefined are left out of the mean and counted). Both leave out
codes neither coder used: that they agree such a code is absent says nothing about them.

The units compared are the union of the units either coder coded, restricted to the
documents both coders worked on, plus any ``units`` given (e.g. every segment of the
corpus, so that segments neither coded count as agreement on "absent"). For coder vs
suggestions these are the suggested segments and the coder's. Undefined statistics (a code
neither coder used: kappa is 0/0) are NaN with the reason in ``note``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .codebook import Codebook

UNITS = ("segment", "turn", "document")
METRICS = ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "positive_agreement")
PER_CODE_COLUMNS = [
    "code", "name", "units", "a", "b", "both", "a_only", "b_only", "neither",
    *METRICS, "prevalence_a", "prevalence_b", "prevalence_either", "note",
]
OVERALL_COLUMNS = ["summary", "units", "codes", "decisions", *METRICS, "prevalence_a", "prevalence_b",
                   "prevalence_either", "note"]


@dataclass
class AgreementReport:
    """Agreement of coders A and B: ``overall`` (pooled, mean over codes) and ``per_code``."""

    overall: Any  # pandas DataFrame, OVERALL_COLUMNS
    per_code: Any  # pandas DataFrame, PER_CODE_COLUMNS
    unit: str
    n_units: int
    universe: str  # how the compared units were chosen, in words
    coder_a: str = "A"
    coder_b: str = "B"
    dropped_documents: dict[str, int] = field(default_factory=dict)  # documents only one coder had
    statuses: tuple[str, ...] = ()  # the codings statuses counted (empty: every row was counted)
    left_out: dict[str, dict[str, int]] = field(default_factory=dict)  # "A"/"B" -> status -> rows not counted
    files: dict[str, str] = field(default_factory=dict)  # "A"/"B" -> the file each coder's codes came from

    def describe(self) -> str:
        """One paragraph saying what was compared: the unit and where the units came from."""
        text = (f"Unit: {self.unit}. {self.n_units} units compared ({self.universe}); "
                f"{len(self.per_code)} codes; coder A = {self.coder_a}, coder B = {self.coder_b}.")
        if self.statuses:
            text += f" Counted: {counted_statuses(self.statuses)}."
        left = self.left_out_text()
        if left:
            text += f" Left out: {left}."
        return text

    def left_out_text(self) -> str:
        """'12 unreviewed suggestions in A; 30 unreviewed suggestions in B' (not counted), or ''."""
        parts = []
        for side, counts in sorted(self.left_out.items()):
            items = [f"{n} {STATUS_WORDS.get(status, repr(status) + ' rows')}" for status, n in counts.items() if n]
            if items:
                parts.append(f"{', '.join(items)} in {side}")
        return "; ".join(parts)


# Only people's decisions count by default: codes accepted in review (suggestions a reviewer
# accepted, codes a reviewer added) and codes imported from a human's file. Unreviewed
# suggestions are the machine's guesses: counting them made two copies of one suggestion
# list agree with each other (issue 15).
HUMAN_STATUSES = ("accepted",)
STATUS_PRESETS = {"human": HUMAN_STATUSES, "accepted": HUMAN_STATUSES, "all": ("accepted", "suggested")}
STATUS_WORDS = {"suggested": "unreviewed suggestions", "rejected": "rejected codes", "accepted": "accepted codes"}


def counted_statuses(statuses) -> str:
    statuses = tuple(statuses)
    if statuses == HUMAN_STATUSES:
        return "human decisions only (codes accepted or added in review, and imported human codes)"
    return ", ".join(STATUS_WORDS.get(s, s) for s in statuses)


def parse_statuses(text: str) -> tuple[str, ...]:
    """``human`` (the default: accepted), ``all`` (accepted and suggested), or a comma list."""
    from ..errors import QualError
    from ..model.codings import STATUSES

    key = text.strip().lower()
    if key in STATUS_PRESETS:
        return STATUS_PRESETS[key]
    statuses = tuple(dict.fromkeys(s.strip().lower() for s in key.split(",") if s.strip()))
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown or not statuses:
        raise QualError(f"--status {text!r}: give human, all, or a comma list of {', '.join(STATUSES)}")
    return statuses


# --------------------------------------------------------------------------- statistics


@dataclass
class BinaryTable:
    """The 2×2 table of two coders' yes/no decisions on one code."""

    both: int
    a_only: int
    b_only: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.a_only + self.b_only + self.neither

    @classmethod
    def from_ratings(cls, a: Iterable[int], b: Iterable[int]) -> "BinaryTable":
        both = a_only = b_only = neither = 0
        for x, y in zip(a, b):
            if x and y:
                both += 1
            elif x:
                a_only += 1
            elif y:
                b_only += 1
            else:
                neither += 1
        return cls(both, a_only, b_only, neither)


def percent_agreement(table: BinaryTable) -> float:
    return (table.both + table.neither) / table.n if table.n else math.nan


def gwet_ac1(table: BinaryTable) -> float:
    """Gwet's AC1 for two raters and two categories (Gwet 2008, eq. 3 and 15).

    AC1 = (pa - pe) / (1 - pe), with pa the observed agreement and
    pe = 1/(q-1) · Σ_k π_k (1 - π_k), π_k the mean of the two raters' shares of category k;
    for q = 2 categories pe = 2 π (1 - π), π = (share A said yes + share B said yes) / 2.
    """
    if not table.n:
        return math.nan
    pa = percent_agreement(table)
    pi = ((table.both + table.a_only) + (table.both + table.b_only)) / (2 * table.n)
    pe = 2 * pi * (1 - pi)
    return (pa - pe) / (1 - pe)  # pe <= 0.5, never 1


def cohen_kappa(table: BinaryTable) -> tuple[float, str]:
    """Cohen's kappa, (po - pe) / (1 - pe) with pe = pA·pB + (1-pA)(1-pB); NaN with a reason
    when it is 0/0. The same number as ``sklearn.metrics.cohen_kappa_score`` (tested),
    computed from the 2×2 table: importing scikit-learn costs seconds per run."""
    if not table.n:
        return math.nan, "no units"
    a_yes, b_yes = table.both + table.a_only, table.both + table.b_only
    if a_yes == b_yes and a_yes in (0, table.n):
        # Both coders gave one and the same answer everywhere: chance agreement is 1, kappa 0/0.
        return math.nan, _constant_reason(table)
    pa, pb = a_yes / table.n, b_yes / table.n
    expected = pa * pb + (1 - pa) * (1 - pb)
    return (percent_agreement(table) - expected) / (1 - expected), ""


def krippendorff_alpha(table: BinaryTable) -> tuple[float, str]:
    """Krippendorff's alpha, nominal, two coders, no missing ratings:
    1 - (n-1)·D / (n_yes·n_no), n = 2·units pairable values, D = units the coders disagree on.
    The same number as ``krippendorff.alpha(..., level_of_measurement="nominal")`` (tested);
    NaN with a reason when every rating is the same value (no variation to agree on)."""
    if not table.n:
        return math.nan, "no units"
    values = 2 * table.n
    yes = 2 * table.both + table.a_only + table.b_only
    no = values - yes
    if yes == 0 or no == 0:
        return math.nan, _constant_reason(table)
    return 1 - (values - 1) * (table.a_only + table.b_only) / (yes * no), ""


def _constant_reason(table: BinaryTable) -> str:
    if table.both == 0:
        return "used by neither coder: kappa and alpha are undefined (0/0)"
    return "applied to every unit by both coders: kappa and alpha are undefined (0/0)"


def positive_agreement(table: BinaryTable) -> float:
    denominator = 2 * table.both + table.a_only + table.b_only
    return 2 * table.both / denominator if denominator else math.nan


def table_statistics(table: BinaryTable) -> dict[str, Any]:
    """Every statistic of one 2×2 table, with the reasons for any NaN."""
    kappa, kappa_note = cohen_kappa(table)
    alpha, alpha_note = krippendorff_alpha(table)
    n = table.n
    return {
        "units": n, "a": table.both + table.a_only, "b": table.both + table.b_only,
        "both": table.both, "a_only": table.a_only, "b_only": table.b_only, "neither": table.neither,
        "percent_agreement": percent_agreement(table), "cohen_kappa": kappa,
        "krippendorff_alpha": alpha, "gwet_ac1": gwet_ac1(table),
        "positive_agreement": positive_agreement(table),
        "prevalence_a": (table.both + table.a_only) / n if n else math.nan,
        "prevalence_b": (table.both + table.b_only) / n if n else math.nan,
        "prevalence_either": (table.both + table.a_only + table.b_only) / n if n else math.nan,
        "note": kappa_note or alpha_note,
    }


# --------------------------------------------------------------------------- units


def unit_keys(frame, unit: str):
    """A Series of unit keys (tuples) for each row of a codings DataFrame."""
    import pandas as pd

    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if "document" not in frame.columns:
        raise ValueError("codings have no 'document' column")
    documents = frame["document"].astype(str).tolist()  # plain lists: iterating pandas arrays is slow
    if unit == "document":
        return pd.Series([(d,) for d in documents], index=frame.index, dtype=object)
    if unit == "turn":
        turns = frame["turn"].tolist() if "turn" in frame.columns else [None] * len(frame)
        segments = frame["segment"].tolist() if "segment" in frame.columns else [None] * len(frame)
        keys = []
        for document, turn, segment in zip(documents, turns, segments):
            if turn is None or (isinstance(turn, float) and math.isnan(turn)) or turn is pd.NA:
                turn = str(segment).split(".")[0] if segment is not None else ""
            keys.append((document, str(int(float(turn))) if _is_number(turn) else str(turn)))
        return pd.Series(keys, index=frame.index, dtype=object)
    if "segment" not in frame.columns:
        raise ValueError("codings have no 'segment' column; compare by turn or document")
    return pd.Series([(d, _segment_text(s)) for d, s in zip(documents, frame["segment"].tolist())],
                     index=frame.index, dtype=object)


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _segment_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unit_code_pairs(frame, unit: str):
    """Distinct (unit key, code) pairs of a codings DataFrame."""
    import pandas as pd

    if frame is None or frame.empty:
        return pd.DataFrame({"unit": pd.Series(dtype=object), "code": pd.Series(dtype=str)})
    pairs = pd.DataFrame({"unit": unit_keys(frame, unit).values, "code": frame["code"].astype(str).values})
    return pairs.drop_duplicates().reset_index(drop=True)


def _documents(frame) -> set[str]:
    if frame is None or frame.empty:
        return set()
    return set(frame["document"].astype(str))


# --------------------------------------------------------------------------- agreement


def agreement(a, b, *, unit: str = "segment", codes: Iterable[str] | None = None,
              codebook: Codebook | None = None, units=None, same_documents: bool = True,
              coder_a: str = "A", coder_b: str = "B") -> AgreementReport:
    """Agreement between codings ``a`` and ``b`` (DataFrames with document, segment/turn,
    code columns: codings.csv rows, or ``read_human_codes`` output).

    ``unit``: "segment", "turn" or "document". ``codes``: which codes (default: every code
    of ``codebook`` when given, else every code either coder used). ``units``: extra units
    to compare (a DataFrame of segments with document/segment/turn columns), e.g. all
    segments of the corpus. ``same_documents``: keep only documents both coders coded.
    """
    import pandas as pd

    a_pairs, b_pairs = _unit_code_pairs(a, unit), _unit_code_pairs(b, unit)
    universe_keys = set(a_pairs["unit"]) | set(b_pairs["unit"])
    universe = "units coded by either coder"
    if units is not None and len(units):
        extra = set(unit_keys(units, unit))
        universe_keys |= extra
        universe = "every given unit (corpus segments) plus units coded by either coder"
    dropped: dict[str, int] = {}
    if same_documents:
        shared = _documents(a) & _documents(b)
        only_a, only_b = _documents(a) - shared, _documents(b) - shared
        if only_a or only_b:
            dropped = {"only_a": len(only_a), "only_b": len(only_b)}
            universe += (f"; documents coded by only one coder left out ({len(only_a)} only in A, "
                         f"{len(only_b)} only in B)")
        universe_keys = {key for key in universe_keys if key[0] in shared}

    names: dict[str, str] = {}
    if codebook is not None:
        names = {c.id: c.name for c in codebook.codes}
    if codes is None:
        used = set(a_pairs["code"]) | set(b_pairs["code"])
        codes = list(names) + sorted(used - set(names)) if codebook is not None else sorted(used)
    codes = list(dict.fromkeys(codes))

    counts = _pair_counts(a_pairs, b_pairs, universe_keys, codes)
    total = len(universe_keys)
    rows = []
    pooled = BinaryTable(0, 0, 0, 0)
    unused = 0
    for code in codes:
        a_yes, b_yes, both = counts.get(code, (0, 0, 0))
        table = BinaryTable(both=both, a_only=a_yes - both, b_only=b_yes - both,
                            neither=total - a_yes - b_yes + both)
        if table.both + table.a_only + table.b_only == 0:
            unused += 1  # agreeing that an unused code is absent says nothing about the coders
        else:
            pooled = BinaryTable(pooled.both + table.both, pooled.a_only + table.a_only,
                                 pooled.b_only + table.b_only, pooled.neither + table.neither)
        rows.append({"code": code, "name": names.get(code, ""), **table_statistics(table)})
    per_code = pd.DataFrame(rows, columns=PER_CODE_COLUMNS)
    used = per_code[(per_code["a"] + per_code["b"]) > 0] if len(per_code) else per_code
    left_out = f"{unused} code(s) neither coder used left out" if unused else ""

    pooled_stats = table_statistics(pooled)
    pooled_row = {"summary": "pooled (every unit × code decision)", "units": len(universe_keys),
                  "codes": len(used), "decisions": pooled.n,
                  **{k: pooled_stats[k] for k in METRICS},
                  "prevalence_a": pooled_stats["prevalence_a"], "prevalence_b": pooled_stats["prevalence_b"],
                  "prevalence_either": pooled_stats["prevalence_either"],
                  "note": "; ".join(n for n in (left_out, pooled_stats["note"] if pooled.n else "") if n)}
    mean_row: dict[str, Any] = {"summary": "mean over codes", "units": len(universe_keys),
                                "codes": len(used), "decisions": pooled.n}
    notes = [left_out] if left_out else []
    for metric in METRICS + ("prevalence_a", "prevalence_b", "prevalence_either"):
        values = used[metric].dropna() if len(used) else used[metric]
        mean_row[metric] = float(values.mean()) if len(values) else math.nan
        if metric in METRICS and len(values) < len(used):
            notes.append(f"{metric}: {len(used) - len(values)} undefined code(s) left out")
    mean_row["note"] = "; ".join(notes)
    overall = pd.DataFrame([pooled_row, mean_row], columns=OVERALL_COLUMNS)
    return AgreementReport(overall=overall, per_code=per_code, unit=unit, n_units=len(universe_keys),
                           universe=universe, coder_a=coder_a, coder_b=coder_b, dropped_documents=dropped)


def _pair_counts(a_pairs, b_pairs, universe: set, codes: list[str]) -> dict[str, tuple[int, int, int]]:
    """code -> (units A applied it to, units B applied it to, units both did), over ``universe``."""
    a_pairs = a_pairs[a_pairs["unit"].isin(universe) & a_pairs["code"].isin(codes)]
    b_pairs = b_pairs[b_pairs["unit"].isin(universe) & b_pairs["code"].isin(codes)]
    a_counts = a_pairs.groupby("code").size()
    b_counts = b_pairs.groupby("code").size()
    both_counts = a_pairs.merge(b_pairs, on=["unit", "code"]).groupby("code").size()
    return {code: (int(a_counts.get(code, 0)), int(b_counts.get(code, 0)), int(both_counts.get(code, 0)))
            for code in codes}


# --------------------------------------------------------------------------- from files


@dataclass
class CoderFile:
    """One coder's codes as read from a file, and what was not counted."""

    path: Path
    codings: Any  # pandas DataFrame in the codings columns: the rows counted
    name: str  # the coder's name(s) from the file's coder column / sources, else the file
    left_out: dict[str, int] = field(default_factory=dict)  # status -> rows not counted
    unmatched_labels: int = 0
    distinct_unmatched: int = 0
    unlocated_quotes: int = 0


def read_coder_file(path: str | Path, transcripts=None, codebook: Codebook | None = None,
                    statuses: Iterable[str] = HUMAN_STATUSES) -> CoderFile:
    """A coder's codes from codings.csv/.xlsx, a .docx with code comments, or a .qdpx; only
    rows whose status is in ``statuses`` are counted, the others are counted in ``left_out``."""
    from .human import read_codes_file

    path = Path(path)
    statuses = tuple(statuses)
    result = read_codes_file(path, transcripts, codebook, human_only=False)
    frame = result.codings
    left_out: dict[str, int] = {}
    if len(frame):
        status = frame["status"].fillna("accepted").astype(str).str.lower()
        for value, n in status[~status.isin(statuses)].value_counts().items():
            left_out[str(value)] = int(n)
        frame = frame[status.isin(statuses)]
    names = list(dict.fromkeys(str(c) for c in frame["coder"].tolist() if str(c).strip())) if len(frame) else []
    name = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "") if names else str(path)
    return CoderFile(path=path, codings=frame, name=name, left_out=left_out,
                     unmatched_labels=sum(result.unmatched_labels.values()),
                     distinct_unmatched=len(result.unmatched_labels), unlocated_quotes=result.unlocated_quotes)


def find_corpus(corpus: str | Path | None, *inputs: str | Path):
    """(transcripts, path) of the corpus given, else of a corpus.jsonl beside an input; (None, None)."""
    from ..corpus import CORPUS_FILE, read_corpus
    from ..errors import InputFileError

    if corpus is not None:
        corpus = Path(corpus)
        if not corpus.exists():
            raise InputFileError(corpus, "does not exist", "give the corpus.jsonl that 'qual code' or "
                                 "'qual ingest' wrote")
        return read_corpus(corpus), corpus
    for path in inputs:
        candidate = Path(path).parent / CORPUS_FILE
        if candidate.exists():
            return read_corpus(candidate), candidate
    return None, None


def compare_files(a: str | Path, b: str | Path, *, unit: str = "segment", codebook: Codebook | None = None,
                  corpus: str | Path | None = None, coded_only: bool = False,
                  statuses: Iterable[str] = HUMAN_STATUSES) -> tuple[AgreementReport, list[CoderFile]]:
    """``qual agreement A B``: read both coders' files, count the rows of ``statuses`` (by
    default people's decisions only), and compare them. Returns the report and the two
    ``CoderFile``s (what each file held that was not counted, quotes not located)."""
    from ..errors import QualError

    if unit not in UNITS:
        raise QualError(f"--unit {unit!r}: choose one of {', '.join(UNITS)}")
    statuses = tuple(statuses)
    transcripts, corpus_path = find_corpus(corpus, a, b)
    sides = [read_coder_file(path, transcripts, codebook, statuses) for path in (a, b)]
    for side in sides:
        if side.codings.empty:
            advice = ""
            if side.left_out.get("suggested"):
                advice = (f"; it holds {side.left_out['suggested']} unreviewed suggestions: review them in "
                          "codings.xlsx, or compare with qual's suggestions using --status all")
            raise QualError(f"{side.path}: no codes to compare ({counted_statuses(statuses)}){advice}")
    if sides[0].name == sides[1].name:  # one coder's name in both files: tell them apart by file
        for side in sides:
            side.name = f"{side.name} ({side.path})" if side.name != str(side.path) else side.name
    units = None
    if transcripts and not coded_only and unit != "document":
        from .segments import segment_transcripts

        segments = segment_transcripts(transcripts)
        units = segments[segments["codable"]]
    report = agreement(sides[0].codings, sides[1].codings, unit=unit, codebook=codebook, units=units,
                       coder_a=sides[0].name, coder_b=sides[1].name)
    if corpus_path:
        report.universe += f"; transcripts from {corpus_path}"
    report.statuses = statuses
    report.left_out = {label: side.left_out for label, side in zip("AB", sides) if side.left_out}
    report.files = {label: str(side.path) for label, side in zip("AB", sides)}
    return report, sides


# --------------------------------------------------------------------------- output

METRIC_LABELS = {
    "percent_agreement": "% agreement", "cohen_kappa": "Cohen's kappa",
    "krippendorff_alpha": "Krippendorff's alpha", "gwet_ac1": "Gwet's AC1",
    "positive_agreement": "positive agreement", "prevalence_a": "prevalence A",
    "prevalence_b": "prevalence B", "prevalence_either": "prevalence (either)",
}


def write_agreement_xlsx(report: AgreementReport, path: str | Path) -> Path:
    """The report as a workbook (sheets Overall, Per code, About), written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..files import atomic_path

    workbook = Workbook()
    sheets = [("Overall", report.overall), ("Per code", report.per_code)]
    for number, (title, frame) in enumerate(sheets):
        sheet = workbook.active if number == 0 else workbook.create_sheet(title)
        sheet.title = title
        sheet.append([METRIC_LABELS.get(c, c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for record in frame.itertuples(index=False):
            sheet.append([_cell_value(v) for v in record])
        for column, name in enumerate(frame.columns, 1):
            letter = sheet.cell(row=1, column=column).column_letter
            sheet.column_dimensions[letter].width = (48 if name in {"note", "summary"} else
                                                     30 if name == "name" else 12)
            if name in METRICS or name.startswith("prevalence"):
                for row in range(2, sheet.max_row + 1):
                    sheet.cell(row=row, column=column).number_format = "0.000"
            if name in {"note", "summary", "name"}:
                for row in range(2, sheet.max_row + 1):
                    sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "B2"
    about = workbook.create_sheet("About")
    lines = [
        ("what", report.describe()),
        ("unit", report.unit),
        ("units compared", report.n_units),
        ("how units were chosen", report.universe),
        ("coder A", report.coder_a + (f" (from {report.files['A']})" if report.files.get("A")
                                      and report.files["A"] not in report.coder_a else "")),
        ("coder B", report.coder_b + (f" (from {report.files['B']})" if report.files.get("B")
                                      and report.files["B"] not in report.coder_b else "")),
        ("statuses counted", counted_statuses(report.statuses) if report.statuses else "every row"),
        ("left out", report.left_out_text() or "nothing"),
        ("ratings", "each code is a yes/no rating of every unit by each coder"),
        ("% agreement", "share of units where both coders applied the code or both did not"),
        ("Cohen's kappa", "chance-corrected agreement; equals scikit-learn's cohen_kappa_score"),
        ("Krippendorff's alpha", "nominal level; equals the krippendorff package's alpha"),
        ("Gwet's AC1", "Gwet (2008) Br J Math Stat Psychol 61:29-48; robust to rare codes"),
        ("positive agreement", "2 × both / (A + B): agreement where the code applies"),
        ("prevalence", "share of units where A, B or either applied the code"),
        ("pooled", "all unit × code decisions as one set of ratings (codes neither coder used left out)"),
        ("mean over codes", "mean of the per-code values over codes either coder used; undefined (NaN) "
                            "values left out"),
        ("blank cells", "undefined: see the note column (e.g. a code neither coder used)"),
    ]
    for key, value in lines:
        about.append([key, value])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100
    for row in about.iter_rows():
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        row[0].font = Font(bold=True)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return Path(path)


def _cell_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def agreement_table(report: AgreementReport, max_name: int = 34):
    """A rich Table of the per-code and overall statistics, for the console."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(report.describe()), title_justify="left", show_lines=False)
    table.add_column("code", no_wrap=True)
    table.add_column("name", no_wrap=True, overflow="ellipsis", max_width=max_name)
    for header in ("A", "B", "both", "%agree", "kappa", "alpha", "AC1", "prev."):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("note", no_wrap=True)
    for row in report.per_code.itertuples(index=False):
        table.add_row(Text(str(row.code)), Text(str(row.name)), str(row.a), str(row.b), str(row.both),
                      _fmt(row.percent_agreement, percent=True), _fmt(row.cohen_kappa),
                      _fmt(row.krippendorff_alpha), _fmt(row.gwet_ac1), _fmt(row.prevalence_either),
                      _short_note(row.note))
    table.add_section()
    for row in report.overall.itertuples(index=False):
        label = "pooled" if row.summary.startswith("pooled") else "mean of codes"
        table.add_row(label, "", "", "", "", _fmt(row.percent_agreement, percent=True),
                      _fmt(row.cohen_kappa), _fmt(row.krippendorff_alpha), _fmt(row.gwet_ac1),
                      _fmt(row.prevalence_either), "")
    table.caption = ("– = undefined (see the note); unused = neither coder used the code; "
                     "prev. = share of units where either coder applied it")
    table.caption_justify = "left"
    return table


def _fmt(value: float, percent: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0%}" if percent else f"{value:.2f}"


def _short_note(note: str) -> str:
    if not note:
        return ""
    if note.startswith("used by neither"):
        return "unused"
    if note.startswith("applied to every"):
        return "on every unit"
    return note.split(":")[0]
