"""A :class:`~qual.check.scanner.CheckResult` as text for people, JSON for scripts and
SARIF 2.1.0 for CI systems that annotate code (GitHub code scanning, GitLab, Azure DevOps).

Every format is built from the findings' fields only (file, part, location, offset, type,
detector, confidence, mask, fingerprint): no format has a way to carry the identifier.
SARIF's ``region.snippet`` is never filled.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..deid.identity import EntityType
from .scanner import CheckResult, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FORMATS = ("text", "json", "sarif")

def _where(finding: Finding) -> str:
    place = ", ".join(p for p in (finding.part, finding.location) if p)
    return f"{place}, offset {finding.offset}" if place else f"offset {finding.offset}"


def describe(finding: Finding) -> str:
    """One line for a finding: where, what type, masked, and how sure."""
    how = "certain: an original from the key" if finding.certain else \
        f"{finding.detector} {finding.confidence:.2f}"
    if finding.line is not None and not finding.part:
        return f"{finding.file}:{finding.line}:{finding.offset + 1}: {finding.type} {finding.masked} ({how})"
    return f"{finding.file}: {_where(finding)}: {finding.type} {finding.masked} ({how})"


def summary_line(result: CheckResult) -> str:
    size = result.bytes_scanned / 1e6
    head = f"qual check: {result.files_scanned} file(s), {size:.1f} MB in {result.seconds:.1f} s"
    failing = result.failing
    parts = []
    if failing:
        files = len(result.files_with_findings())
        certain = sum(f.certain for f in failing)
        parts.append(f"{len(failing)} finding(s) in {files} file(s) fail the check"
                     + (f" ({certain} certain)" if certain else ""))
    notes = len(result.findings) - len(failing)
    if notes:
        parts.append(f"{notes} below the threshold {result.threshold:.2f} (not failing)")
    if result.silenced:
        parts.append(f"{result.silenced} silenced by the baseline")
    if result.model_skipped:
        parts.append(f"{result.model_skipped} failing file(s) list the rules' findings only "
                     "(--complete: the NER model's too)")
    if result.not_scanned:
        parts.append(f"{len(result.not_scanned)} not scanned" + (
            "" if result.allow_unscanned else " (fails the check; --allow-unscanned to accept)"))
    if result.stale:
        parts.append(f"{len(result.stale)} stale against the key")
    if result.errors:
        parts.append(f"{len(result.errors)} error(s)")
    if not failing and not result.errors:
        parts.insert(0, "no identifiers found" + (" in what was read" if result.not_scanned else ""))
    return f"{head}: " + "; ".join(parts)


def format_text(result: CheckResult, show_all: bool = False, include_errors: bool = True) -> str:
    """Failing findings (all findings with ``show_all``), what was not scanned, errors, summary."""
    lines = []
    for finding in result.findings:
        if finding.failing or show_all:
            lines.append(describe(finding) + ("" if finding.failing else " [note]"))
    counts: dict[str, int] = {}
    for finding in result.failing:
        counts[finding.file] = counts.get(finding.file, 0) + 1
    if len(counts) > 1:
        lines.append("files that fail the check:")
        lines += [f"  {count:>6} finding(s)  {name}" for name, count in counts.items()]
    for item in result.not_scanned:
        lines.append(f"not scanned: {item}")
    for item in result.stale:
        lines.append(f"stale: {item}")
    if include_errors:
        lines += [f"error: {error}" for error in result.errors]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _summary(result: CheckResult) -> dict[str, Any]:
    return {
        "files_scanned": result.files_scanned, "bytes_scanned": result.bytes_scanned,
        "seconds": round(result.seconds, 3), "findings": len(result.findings),
        "failing": len(result.failing), "certain": sum(f.certain for f in result.failing),
        "files_with_findings": len(result.files_with_findings()), "silenced": result.silenced,
        "model_skipped": result.model_skipped, "errors": len(result.errors),
        "not_scanned": len(result.not_scanned), "stale": len(result.stale),
    }


def format_json(result: CheckResult) -> str:
    from .. import __version__

    document = {
        "tool": "qual check", "version": __version__, "exit_code": result.exit_code,
        "threshold": result.threshold, "strict": result.strict, "summary": _summary(result),
        "findings": [f.to_dict() for f in result.findings],
        "errors": list(result.errors), "not_scanned": list(result.not_scanned),
        "allow_unscanned": result.allow_unscanned, "stale": list(result.stale), "warnings": list(result.warnings),
    }
    return _dumps(document)


def _uri(file: str) -> str:
    path = Path(re.sub(r" \[file \d+\]$", "", file))  # a masked path: its number in the scan left out
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
        return quote(relative.as_posix())
    except ValueError:
        return path.resolve().as_uri()


def _rules() -> list[dict[str, Any]]:
    rules = []
    for entity_type in EntityType:
        kind = "direct identifier" if entity_type.info.direct else "quasi-identifier"
        description = entity_type.info.description
        rules.append({
            "id": entity_type.value,
            "name": entity_type.value.title().replace("_", ""),
            "shortDescription": {"text": f"{description} ({kind}) in a file that should be "
                                         "de-identified"},
            "fullDescription": {"text": f"{description} was found. qual check shows where, "
                                        "never what: open the file at this location, then de-identify it "
                                        "(qual deidentify) or, if it is no identifier, record it in the "
                                        "baseline (qual check --update-baseline)."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["privacy", "de-identification", kind]},
        })
    return rules


def format_sarif(result: CheckResult, stable_fingerprints: bool = True) -> str:
    """SARIF 2.1.0. ``stable_fingerprints``: add ``partialFingerprints`` (meaningful across runs
    only when a baseline supplied the salt)."""
    from .. import __version__

    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for finding in result.findings:
        region: dict[str, Any] = {"startLine": finding.line or 1}
        if finding.line is not None and not finding.part:
            region["startColumn"] = finding.offset + 1
        where = ", ".join(p for p in (finding.part, finding.location) if p)
        how = "an original from the pseudonym key" if finding.certain else \
            f"detector {finding.detector}, confidence {finding.confidence:.2f}"
        entry: dict[str, Any] = {
            "ruleId": finding.type,
            "ruleIndex": index.get(finding.type, 0),
            "level": "error" if finding.failing else "note",
            "message": {"text": f"{finding.type} {finding.masked} at {where}, offset {finding.offset} ({how})"},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": _uri(finding.file)}, "region": region},
                "logicalLocations": [{"fullyQualifiedName": where or "text", "kind": "element"}],
            }],
            "properties": {
                "fileIndex": finding.file_index,
                "part": finding.part, "location": finding.location, "offset": finding.offset,
                "masked": finding.masked, "detector": finding.detector,
                "confidence": finding.confidence, "certain": finding.certain,
            },
        }
        if stable_fingerprints:
            entry["partialFingerprints"] = {"qualFingerprint/v1": finding.fingerprint}
        results.append(entry)
    notifications = [{"level": "error", "message": {"text": error}} for error in result.errors]
    notifications += [{"level": "warning", "message": {"text": f"stale: {item}"}} for item in result.stale]
    notifications += [{"level": "warning", "message": {"text": item}} for item in result.warnings]
    unscanned_level = "note" if result.allow_unscanned else "error"
    notifications += [{"level": unscanned_level, "message": {"text": f"not scanned: {item}"}}
                      for item in result.not_scanned]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "qual", "fullName": "qual check", "version": __version__,
                                "rules": rules}},
            "invocations": [{"executionSuccessful": result.exit_code != 2,
                             "toolExecutionNotifications": notifications}],
            "results": results,
            "properties": {"threshold": result.threshold, "strict": result.strict, **_summary(result)},
        }],
    }
    return _dumps(document)


def render(result: CheckResult, output_format: str = "text", **options) -> str:
    if output_format == "text":
        return format_text(result, **options)
    if output_format == "json":
        return format_json(result)
    if output_format == "sarif":
        return format_sarif(result, **options)
    raise ValueError(f"unknown format {output_format!r}; use one of {', '.join(FORMATS)}")


def _dumps(document: dict) -> str:
    """JSON with one finding (or result) per line: readable, diffable, and written by the
    json module's C encoder (an indented dump runs in pure Python, seconds for 20,000 findings)."""
    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            lines.append(f"  {json.dumps(key)}: [\n    {items}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
