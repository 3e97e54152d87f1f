"""Build the English lemma table shipped in ``qual/coding/resources/en_lemma_lookup.json.gz``.

spaCy has no English lemmas without a trained pipeline, and none can be downloaded here. The
lookup table of ``spacy-lookups-data`` (derived from WordNet) maps word forms to lemmas
("referrals" -> "referral", "supported" -> "support"); the rules suggester uses it to match
codebook keywords on lemmas. This script copies the lower-case entries of that table (about
200 KB) into the package with its licences, so the 98 MB ``spacy-lookups-data`` wheel is
needed only to build, never to run.

    pip download spacy-lookups-data --no-deps -d /tmp/wheels
    python scripts/build_lemma_table.py --wheel /tmp/wheels/spacy_lookups_data-*.whl
    # or, with spacy-lookups-data installed:
    python scripts/build_lemma_table.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RESOURCES = PROJECT / "qual" / "coding" / "resources"
TABLE = "spacy_lookups_data/data/en_lemma_lookup.json.gz"
WORDNET_LICENCE = "spacy_lookups_data/data/en_license.txt"

HEADER = """\
en_lemma_lookup.json.gz: English word form -> lemma (lower-case entries only), built by
scripts/build_lemma_table.py from spacy-lookups-data {version} (MIT License, Copyright (c) 2019
ExplosionAI GmbH), whose English lemma lookup table derives from WordNet 3.0.
WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. The WordNet licence
follows.

"""


def read_sources(wheel: Path | None) -> tuple[dict, str, str]:
    if wheel:
        with zipfile.ZipFile(wheel) as archive:
            table = json.loads(gzip.decompress(archive.read(TABLE)))
            licence = archive.read(WORDNET_LICENCE).decode("utf-8")
        version = wheel.name.split("-")[1]
        return table, licence, version
    import importlib.metadata

    import spacy_lookups_data

    root = Path(spacy_lookups_data.__file__).parent
    table = json.loads(gzip.decompress((root / "data" / "en_lemma_lookup.json.gz").read_bytes()))
    licence = (root / "data" / "en_license.txt").read_text("utf-8")
    return table, licence, importlib.metadata.version("spacy-lookups-data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", type=Path, help="a downloaded spacy_lookups_data wheel")
    parser.add_argument("--out", type=Path, default=RESOURCES)
    args = parser.parse_args()
    table, licence, version = read_sources(args.wheel)
    # Keywords and text are matched lower-cased; proper-noun entries are of no use.
    lower = {form: lemma.lower() for form, lemma in table.items()
             if form == form.lower() and form.isascii() and form != lemma.lower()}
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "en_lemma_lookup.json.gz"
    target.write_bytes(gzip.compress(json.dumps(lower, sort_keys=True, separators=(",", ":")).encode(), 9, mtime=0))
    (args.out / "en_lemma_lookup.LICENSE.txt").write_text(HEADER.format(version=version) + licence)
    print(f"{len(lower)} lemma entries -> {target} ({target.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
