"""Copy the REFI-QDA 1.0 XML schemas into qual/refi/resources, for validation at run time.

The schemas are published by REFI (www.qdasoftware.org) under the MIT licence, whose notice is
inside each file; the copies are byte-identical and checked to parse as XML Schema. Source:
``../shared/data/refi/`` (provenance in its SOURCES.md: QualCoder commit 7a1daf97 for the
Project schema, ComputationalThematicAnalysisToolkit commit c9576693 for the Codebook schema).

    .venv/bin/python scripts/build_refi_schemas.py [--shared ../shared/data/refi]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
TARGET = PROJECT / "qual" / "refi" / "resources"
FILES = ("Project-mrt2019.xsd", "Codebook-mrt2019.xsd")

NOTICE = """\
# REFI-QDA schemas

`Project-mrt2019.xsd` (QDA-XML 1.0, Project module, release 18 March 2019) and
`Codebook-mrt2019.xsd` (QDA-XML 1.0, Codebook module, release 5 October 2017) are the
REFI-QDA exchange schemas of the Rotterdam Exchange Format Initiative (www.qdasoftware.org),
copied unchanged by `scripts/build_refi_schemas.py`. qual validates every .qdpx and .qdc it
writes against them.

Copyright 2019 REFI www.qdasoftware.org. Licensed under the MIT license:

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

sha256:
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT.parent / "shared" / "data" / "refi")
    args = parser.parse_args()
    from lxml import etree

    TARGET.mkdir(parents=True, exist_ok=True)
    lines = []
    for name in FILES:
        source = args.shared / name
        data = source.read_bytes()
        if b"MIT license" not in data:
            print(f"{source}: no MIT notice inside; not copied", file=sys.stderr)
            return 1
        etree.XMLSchema(etree.fromstring(data))  # refuses a mangled copy (see SOURCES.md)
        (TARGET / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        lines.append(f"- `{name}`: {digest}")
        print(f"{name:24} {len(data):7} bytes  sha256 {digest[:16]}…")
    (TARGET / "NOTICE.md").write_text(NOTICE + "\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
