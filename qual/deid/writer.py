"""De-identified outputs: a fresh Word document and a plain text per transcript, and the log.

The .docx is built from nothing (python-docx's blank document), never edited from the
source, so no header, footer, comment, tracked change, custom XML or document property of
the source can carry a name across. The blank template's own properties (author
"python-docx", 2013 dates, a thumbnail) are removed too, so the file says nothing about
who made it or when.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape

from ..files import atomic_open, write_bytes, write_text
from ..model import Transcript

LOG_COLUMNS = ["document", "turn", "type", "pseudonym", "detector", "confidence"]

_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>qual</Application><DocSecurity>0</DocSecurity></Properties>"
)
_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
_CORE_TEXT_FIELDS = (
    "author", "category", "comments", "content_status", "identifier", "keywords", "language",
    "last_modified_by", "subject", "title", "version",
)


def safe_stem(name: str) -> str:
    """A file name stem from a (de-identified) document id: no path, no shell-hostile signs."""
    stem = re.sub(r"[^\w.\- ]+", "", name, flags=re.ASCII).strip(" .")
    stem = re.sub(r"\s+", " ", stem)
    return stem[:100] or "document"


def unique_stems(ids: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """One distinct output stem per document id (``P01``, ``P01-2`` when two ids collide).

    Compared without case, as Windows and macOS file systems do.
    """
    used = {t.casefold() for t in taken}
    out = []
    for document_id in ids:
        stem = base = safe_stem(document_id)
        number = 2
        while stem.casefold() in used:
            stem = f"{base}-{number}"
            number += 1
        used.add(stem.casefold())
        out.append(stem)
    return out


def blank_document():
    """python-docx's empty document with every property of its template removed."""
    from docx import Document

    document = Document()
    properties = document.core_properties
    for name in _CORE_TEXT_FIELDS:
        setattr(properties, name, "")
    properties.revision = 1
    core = properties._element  # noqa: SLF001 - python-docx has no API to remove dates
    for child in list(core):
        if child.tag.rsplit("}", 1)[-1] in {"created", "modified", "lastPrinted"}:
            core.remove(child)
    package = document.part.package
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = _APP_XML  # noqa: SLF001 - a generic Part; its bytes are all there is
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == _THUMBNAIL:
            del package.rels[rel_id]
    return document


@functools.lru_cache(maxsize=1)
def _template() -> tuple[bytes, bytes, bytes]:
    """The blank document as (a zip of every part but ``word/document.xml``, that part's XML
    before its paragraphs, after them), made once.

    python-docx builds the parts; each output is then this zip, copied, with its own
    ``word/document.xml`` appended (``zipfile``'s append mode writes the new member where the
    central directory was and a new directory after it). Only the few kilobytes of
    paragraphs are compressed per transcript, not the template's 800 KB of styles again.
    """
    buffer = io.BytesIO()
    blank_document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = [(name, archive.read(name)) for name in archive.namelist()]
    document = dict(parts)["word/document.xml"]
    if b"<w:body>" not in document:
        raise RuntimeError("python-docx's blank document has an unexpected body")
    head, tail = document.split(b"<w:body>", 1)
    base = io.BytesIO()
    with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            if name != "word/document.xml":
                archive.writestr(_member(name), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return base.getvalue(), head + b"<w:body>", tail


def _member(name: str) -> zipfile.ZipInfo:
    # a fixed date: the archive says nothing about when or where it was made
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


# Characters XML 1.0 cannot hold (a Word vertical tab, form feed ...): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text_runs(text: str) -> str:
    """``<w:t>`` pieces for ``text``, with ``<w:br/>`` for a newline and ``<w:tab/>`` for a tab."""
    pieces = []
    for number, line in enumerate(_NOT_XML.sub("", text).split("\n")):
        if number:
            pieces.append("<w:br/>")
        for index, chunk in enumerate(line.split("\t")):
            if index:
                pieces.append("<w:tab/>")
            if chunk:
                pieces.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return "".join(pieces)


# ---------------------------------------------------------------- the written layout
#
# Both files read back in with ``qual ingest`` (and so ``qual code``) to the same turns,
# speakers and roles (tests/test_roundtrip.py):
#
#     Transcript SW01 (de-identified by qual)          a title: preamble, not speech
#     [Person 15]: Interviewer                         the speaker key: who has which role
#     [Person 3]: Participant
#
#     0<TAB>[Person 15]: So how did it start?          one paragraph per turn, numbered as
#     1<TAB>[00:01:02] [Person 3]: Well, ...           references in the outputs count them
#
# A turn's own paragraphs follow it as line breaks (.docx) or lines (.txt). The key lists
# the speakers whose label does not already say their role, so the interviewer stays the
# interviewer whatever the label became ('Dr Helen Marsh' -> '[Person 15]').

ROLE_WORDS = {"interviewer": "Interviewer", "participant": "Participant", "other": "Other"}


def title_line(transcript: Transcript) -> str:
    return f"Transcript {transcript.id} (de-identified by qual)"


def speaker_key(transcript: Transcript) -> list[tuple[str, str]]:
    """(speaker label, role word) for each speaker whose label is not its role word."""
    roles: dict[str, str] = {}
    for turn in transcript.turns:
        roles.setdefault(turn.speaker, ROLE_WORDS.get(str(turn.role), "Other"))
    return [(speaker, role) for speaker, role in roles.items() if speaker.casefold() != role.casefold()]


def _paragraph(number: int | None, label: str, text: str) -> str:
    head = f"<w:r>{_text_runs(f'{number}' + chr(9))}</w:r>" if number is not None else ""
    return (f"<w:p>{head}<w:r><w:rPr><w:b/></w:rPr>{_text_runs(label + ':')}</w:r>"
            f"<w:r>{_text_runs(' ' + text)}</w:r></w:p>")


def _plain_paragraph(text: str) -> str:
    return f"<w:p><w:r>{_text_runs(text)}</w:r></w:p>" if text else "<w:p/>"


def docx_bytes(transcript: Transcript) -> bytes:
    """The de-identified .docx of ``transcript``: a title, the speaker key, then one numbered
    paragraph per turn with the speaker label in bold; a turn's paragraphs become line breaks."""
    base, head, tail = _template()
    parts = [_plain_paragraph(title_line(transcript))]
    parts += [_paragraph(None, speaker, role) for speaker, role in speaker_key(transcript)]
    parts.append(_plain_paragraph(""))
    parts += [_paragraph(turn.index, turn.label, turn.text) for turn in transcript.turns]
    body = "".join(parts).encode("utf-8")
    buffer = io.BytesIO(base)
    buffer.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(_member("word/document.xml"), head + body + tail,
                         compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return buffer.getvalue()


def write_docx(transcript: Transcript, path: str | Path) -> Path:
    """Write :func:`docx_bytes` of ``transcript`` to ``path`` (atomically)."""
    path = Path(path)
    write_bytes(path, docx_bytes(transcript))
    return path


def plain_text(transcript: Transcript) -> str:
    """The .txt layout: title, speaker key, then numbered turns separated by blank lines."""
    head = [title_line(transcript), *(f"{speaker}: {role}" for speaker, role in speaker_key(transcript))]
    turns = [f"{turn.index}\t{turn.label}: {_NOT_XML.sub('', turn.text)}" for turn in transcript.turns]
    return "\n".join(head) + "\n\n" + "\n\n".join(turns) + "\n"


def write_txt(transcript: Transcript, path: str | Path) -> Path:
    """``plain_text(transcript)``: reads back in to the same turns (offsets are those of
    ``Transcript.text`` in corpus.jsonl, which holds the turns without numbers)."""
    path = Path(path)
    write_text(path, plain_text(transcript))
    return path


def caption_text(transcript: Transcript, layout: list) -> str:
    """A caption file (``transcript.format``: vtt or srt) of the de-identified turns, cue by cue
    with the source's timings (``layout``: :meth:`Deidentifier.cue_layout_of`): a cue that
    named its speaker names the speaker's label (``<v [Person 3]>``, ``[Person 3]:``)."""
    vtt = transcript.format == "vtt"
    blocks = []
    for turn, cues in zip(transcript.turns, layout):
        text = _NOT_XML.sub("", turn.text)
        starts = [cue[0] for cue in cues]
        for k in range(1, len(starts)):
            # a name cut between two cues went whole into the first: what clings to it (", the
            # DSL") stays with it, so that the cues read back as the turn reads
            while starts[k] < len(text) and not text[starts[k] - 1].isspace() and \
                    (k + 1 >= len(starts) or starts[k] < starts[k + 1]):
                starts[k] += 1
        cues = [[start, *rest] for start, (_, *rest) in zip(starts, cues)]
        ends = [cue[0] for cue in cues[1:]] + [len(text)]
        for (offset, timing, named, ident), end in zip(cues, ends):
            words = " ".join(text[offset:end].split())
            if not words:
                continue
            if named:
                words = f"<v {turn.speaker}>{words}" if vtt else f"{turn.speaker}: {words}"
            blocks.append((ident, timing, words))
    if vtt:
        return "WEBVTT\n\n" + "\n\n".join(f"{ident}\n{timing}\n{words}" if ident else f"{timing}\n{words}"
                                            for ident, timing, words in blocks) + "\n"
    return "\n\n".join(f"{n}\n{timing}\n{words}" for n, (_, timing, words) in enumerate(blocks, 1)) + "\n"


def write_captions(transcript: Transcript, layout: list, path: str | Path) -> Path:
    """``caption_text(transcript, layout)`` written atomically to ``path``."""
    path = Path(path)
    write_text(path, caption_text(transcript, layout))
    return path


def write_log(log, path: str | Path) -> Path:
    """The replacement log: what type went where, under which tag; never the original."""
    path = Path(path)
    with atomic_open(path, "w", newline="") as handle:
        log.reindex(columns=LOG_COLUMNS).to_csv(handle, index=False)
    return path


def _write_share(bounds: tuple[int, int]) -> list[tuple[list[Path], str, str]]:
    """Write transcripts ``start..end`` of the shared list (in a worker, or here): each one's
    .docx and .txt (and a caption file's .vtt or .srt), made durable together. Per transcript:
    (files written, its corpus.jsonl line, an error line or "")."""
    from ..corpus import corpus_line
    from ..files import durable_batch
    from ..workers import shared

    items, out_dir = shared()
    results = []
    with durable_batch():
        for transcript, stem, *layout in items[bounds[0]:bounds[1]]:
            try:
                written = [write_docx(transcript, out_dir / f"{stem}.docx"),
                           write_txt(transcript, out_dir / f"{stem}.txt")]
                if transcript.format in ("vtt", "srt") and layout and layout[0]:
                    # a caption file also comes back as one, its timings kept (for a video's
                    # subtitles, and so that nothing of the file but its identifiers is lost)
                    written.append(write_captions(transcript, layout[0], out_dir / f"{stem}.{transcript.format}"))
            except OSError as error:
                results.append(([], "", f"{out_dir / stem}: cannot be written "
                                        f"({error.strerror or 'I/O error'})"))
                continue
            results.append((written, corpus_line(transcript), ""))
    return results


def write_transcripts(items: list[tuple], out_dir: str | Path,
                      workers: int | None = None,
                      meanwhile: Callable[[], Any] | None = None) -> list[tuple[list[Path], str, str]]:
    """Write each ``(transcript, stem)`` (or ``(transcript, stem, cue layout)``, for a caption
    file written back as one too) as ``out_dir/<stem>.docx`` and ``.txt``, spread over
    worker processes; per item, in order: (files written, its corpus.jsonl line, an error line
    naming the file that could not be written, or "").

    Files appear share by share, each share made durable with one file-system sync rather
    than one per file (:func:`qual.files.durable_batch`). ``meanwhile`` runs in this process
    while the workers write (see :func:`qual.workers.process_imap`).
    """
    from ..workers import process_map, resolve_workers, split_evenly

    out_dir = Path(out_dir)
    count = resolve_workers(workers)
    # a few shares per worker, of about equal text, so that one long transcript does not
    # leave the other workers idle
    shares = split_evenly((len(item[0].text) for item in items), count * 4 if count > 1 else 1)
    done = process_map(_write_share, shares, workers=count, shared_data=(items, out_dir), chunk_size=1,
                       min_items=2, meanwhile=meanwhile)
    return [result for share in done for result in share]
