"""``qual check``: the CI gate that fails when a file still holds an identifier.

    from qual.check import check, format_sarif
    result = check(["deid/"], key="secure/project.qualkey", baseline=".qual-baseline.json")
    result.exit_code          # 0 clean, 1 findings, 2 unreadable input
    result.to_frame()         # one row per finding: file, part, location, offset, type, masked ...
    print(format_sarif(result))

Findings come from the de-identification analyzer (the detectors of ``qual deidentify``) and,
with a key, from an explicit search for every original in it. A finding says where (file,
part, paragraph/cell/line, offset), what type, which detector and how sure, and shows the
identifier only masked. ``check`` (also named ``check_paths``) takes the same
:class:`~qual.deid.secure.SecureProject` as ``deidentify`` (``project=``), or its key,
register and keep-list files.

==================  ========================================================================
module              job
==================  ========================================================================
``extract``         what every reader shares: ``TextUnit``, limits, documents inside
                    documents, ``sniff`` (a file read by what it is); readers are found by
                    suffix in ``qual.plugins``
``text_formats``,   the readers: plain text, captions, CSV, JSON, HTML; Word, Excel and
``office``,         PowerPoint packages (``package``, ``word``, ``excel``); RTF,
``documents``,      OpenDocument, XML, PDF, gzip, zip; image metadata and vector-picture
``media``, ``ole``, text; OLE compound files (legacy Word, embedded packages); REFI-QDA
``qdpx``
``vocabulary``      names an application makes up itself, told apart from typed text
``deid.keysearch``  the key's originals, searched for explicitly (the one search de-identification
                    also runs over every text, so that the two agree)
``scanner``         ``check_paths``: files -> findings, in worker processes
``masking``         masks and fingerprints (never the identifier)
``baseline``        reviewed findings that no longer fail
``report``          text, JSON and SARIF
==================  ========================================================================
"""

from ..callable_package import make_callable
from .baseline import Baseline
from .extract import TextUnit, Unreadable, extract_text_units, register_extractor, supported_suffixes
from ..deid.keysearch import KeySearch
from .masking import Masker
from .report import format_json, format_sarif, format_text
from .scanner import GATE_THRESHOLD, CheckResult, Finding, Scanner, check_paths, update_baseline

# The public name: ``qual.check.check(paths, ...)``, and ``qual.check(paths, ...)`` itself.
check = check_paths
make_callable(__name__, check_paths)

__all__ = [
    "Baseline", "CheckResult", "Finding", "GATE_THRESHOLD", "KeySearch", "Masker", "Scanner",
    "TextUnit", "Unreadable", "check", "check_paths", "extract_text_units", "format_json", "format_sarif",
    "format_text", "register_extractor", "supported_suffixes", "update_baseline",
]
