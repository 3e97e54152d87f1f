"""Excel workbooks: every cell of every sheet (hidden ones too), sheet and defined names,
shared strings no cell uses any more, notes and threaded comments with their authors,
hyperlinks, drawings and charts; pivot caches and the rest through the shared package
reader (:mod:`qual.check.package`)."""

from __future__ import annotations

from typing import Iterator

from ..ooxml import string_item_text
from .extract import TextUnit, number_worth_reading
from .package import _CELL_REF, _HIDDEN_STATES, Package, attribute, attribute_units, generic_units, local


class Workbook:
    def __init__(self, package: Package, workbook: str) -> None:
        self.package = package
        self.workbook = workbook
        self.shared: list[str] = []
        self.used: set[int] = set()
        self.shared_label = ""

    def read(self) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(self.workbook)
        rels = package.rels(self.workbook)
        for rel in rels.values():
            if rel.kind == "sharedStrings" and not rel.external:
                self.shared = [string_item_text(si) for si in package.xml(rel.target) if local(si) == "si"]
                self.shared_label = package.label(rel.target)
        label = package.label(self.workbook)
        sheets = [e for e in root.iter() if local(e) == "sheet"]
        for number, sheet in enumerate(sheets, start=1):
            hidden = " (hidden)" if sheet.get("state") in _HIDDEN_STATES else ""
            where = f"sheet {number}{hidden}"
            if sheet.get("name"):
                yield TextUnit(label, f"{where} (name)", sheet.get("name"))
            target = rels.get(attribute(sheet, "id") or "")
            if target is not None and not target.external:
                yield from self.sheet(target.target, where)
        names = [e for e in root.iter() if local(e) == "definedName"]
        for number, defined in enumerate(names, start=1):
            if defined.get("name") and not defined.get("name").startswith("_xlnm."):
                yield TextUnit(label, f"defined name {number} (name)", defined.get("name"))
            if defined.text and defined.text.strip():
                yield TextUnit(label, f"defined name {number} (formula)", defined.text)
        for index, text in enumerate(self.shared):
            if index not in self.used and text.strip():
                yield TextUnit(self.shared_label, f"shared string {index + 1} (in no cell)", text)
        yield from generic_units(label, root, skip=("sheet", "definedName"))

    def sheet(self, member: str, where: str) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(member)
        label = package.label(member)
        for child in root:
            if local(child) == "sheetData":
                yield from self.cells(label, child, where)
        rels = package.rels(member)
        for element in root.iter():
            if local(element) == "hyperlink":
                ref = element.get("ref") or ""
                ref = ref if _CELL_REF.fullmatch(ref.split(":")[0] or "-") else "a cell"
                for key in ("display", "location"):
                    if element.get(key):
                        yield TextUnit(label, f"{where}, hyperlink on {ref} ({key})", element.get(key))
        yield from generic_units(label, root, f"{where}, ", skip=("sheetData", "hyperlink"))
        for rel in rels.values():
            if rel.external or rel.target in package.done:
                continue
            if rel.kind == "comments":
                yield from self.comments(rel.target, where)
            elif rel.kind == "threadedComment":
                yield from self.threaded(rel.target, where)
            elif rel.kind == "drawing":
                yield from generic_units(package.label(rel.target), package.xml(rel.target), f"{where}, drawing, ")

    def cells(self, label: str, sheet_data, where: str) -> Iterator[TextUnit]:
        for row_number, row in enumerate(sheet_data, start=1):
            if local(row) != "row":
                continue
            row_ref = row.get("r") or str(row_number)
            for column, cell in enumerate(row, start=1):
                if local(cell) != "c":
                    continue
                ref = cell.get("r") or ""
                if not _CELL_REF.fullmatch(ref):
                    from openpyxl.utils import get_column_letter  # only for a cell without its reference

                    ref = f"{get_column_letter(column)}{row_ref}"
                kind = cell.get("t") or "n"
                value = formula = None
                inline = None
                for child in cell:
                    name = local(child)
                    if name == "v":
                        value = child.text
                    elif name == "f":
                        formula = child.text
                    elif name == "is":
                        inline = child
                text = None
                if kind == "s" and value is not None:
                    try:
                        index = int(value)
                        text = self.shared[index]
                        self.used.add(index)
                    except (ValueError, IndexError):
                        text = None
                elif kind == "inlineStr" and inline is not None:
                    text = string_item_text(inline)
                elif kind in ("str", "d"):
                    text = value
                elif kind == "n" and value and number_worth_reading(value, typed=True):
                    text = value  # a phone or NHS number typed as a number
                if text and text.strip():
                    yield TextUnit(label, f"{where}, cell {ref}", text)
                if formula and '"' in formula:
                    yield TextUnit(label, f"{where}, cell {ref} (formula)", formula)

    def comments(self, member: str, where: str) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(member)
        label = package.label(member)
        for element in root.iter():
            name = local(element)
            if name == "authors":
                for number, author in enumerate(element, start=1):
                    if author.text and author.text.strip():
                        yield TextUnit(label, f"{where}, comment author {number}", author.text)
            elif name == "comment":
                ref = element.get("ref") or ""
                ref = ref if _CELL_REF.fullmatch(ref) else "a cell"
                text = "".join(element.itertext())
                if text.strip():
                    yield TextUnit(label, f"{where}, comment on {ref}", text)

    def threaded(self, member: str, where: str) -> Iterator[TextUnit]:
        package = self.package
        root = package.xml(member)
        label = package.label(member)
        for element in root:
            if local(element) != "threadedComment":
                continue
            ref = element.get("ref") or ""
            ref = ref if _CELL_REF.fullmatch(ref) else "a cell"
            for child in element.iter():
                if local(child) == "text" and child.text and child.text.strip():
                    yield TextUnit(label, f"{where}, threaded comment on {ref}", child.text)
                elif local(child) == "mention":
                    yield from attribute_units(label, child, f"{where}, mention in comment on {ref}, ")

