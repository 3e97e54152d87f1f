"""A framework codebook: themes, and codes with definitions and include/exclude rules.

The model (``Codebook``, ``Theme``, ``Code``), its validation, and its canonical form, the YAML
file in ``codebooks/``. Spreadsheets and REFI-QDA .qdc files convert to and from these
dataclasses in ``qual.coding.codebook_xlsx`` and ``qual.refi``; ``qual.coding.codebook``
(``load_codebook`` / ``save_codebook``) picks the format from the file extension. This module
imports none of them, so that every format can import the model.

YAML layout (what ``save_codebook`` writes; see ``codebooks/swis_ipe.yaml``)::

    name: SWIS IPE framework
    version: "1.0"
    description: ...
    themes:
      - id: IMP
        name: Implementation and set-up
        colour: "#1F77B4"
        description: ...
        codes:                      # codes nested under their theme
          - id: IMP.SPACE
            name: Space and visibility in school
            colour: "#5E9FCB"
            definition: ...
            include: ...
            exclude: ...
            keywords: [office, desk, hot desk, lanyard]
            examples:
              - I had my own little office right by the pastoral team.

A flat form is read too: a top-level ``codes:`` list where every code names its
``theme``. Saved YAML lists codes under their theme, in theme order. Loading checks the file and names every problem it finds: unknown fields
(with a "did you mean"), missing ids or names, duplicate ids, codes whose theme does
not exist, colours that are not ``#RRGGBB``.
"""

from __future__ import annotations

import colorsys
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputFileError


@dataclass
class Theme:
    id: str
    name: str
    description: str = ""
    colour: str = ""


@dataclass
class Code:
    id: str
    name: str
    theme: str  # Theme.id
    definition: str = ""
    include: str = ""
    exclude: str = ""
    keywords: list[str] = field(default_factory=list)  # words and phrases a rule can match
    examples: list[str] = field(default_factory=list)  # short statements, for retrieval
    colour: str = ""


@dataclass
class Codebook:
    name: str
    themes: list[Theme] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    version: str = ""
    description: str = ""

    def code(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def codes_of(self, theme_id: str) -> list[Code]:
        return [code for code in self.codes if code.theme == theme_id]

    @property
    def code_ids(self) -> list[str]:
        return [code.id for code in self.codes]

    def find(self, label: str) -> Code | None:
        """The code whose id or name is ``label`` (case- and space-insensitive), else None.

        Human coders write either ("IMP.SPACE", "imp.space", "Space and visibility in school").
        """
        wanted = _fold(label)
        if not wanted:
            return None
        for code in self.codes:
            if _fold(code.id) == wanted:
                return code
        for code in self.codes:
            if _fold(code.name) == wanted:
                return code
        return None


# Where codes that a codebook does not define are shown (matrices) or exported (REFI-QDA).
OTHER_THEME = Theme(id="(other)", name="Codes not in the codebook",
                    description="Codes found in the codings that the codebook does not define.")


# --------------------------------------------------------------------------- fields

TOP_FIELDS = ("name", "version", "description", "themes", "codes")
THEME_FIELDS = ("id", "name", "description", "colour", "codes")
CODE_FIELDS = ("id", "name", "theme", "definition", "include", "exclude", "keywords", "examples", "colour")
# The American spelling is accepted because it is what every colour picker and REFI-QDA says.
FIELD_ALIASES = {"color": "colour"}

COLOUR_RE = re.compile(r"^#[0-9A-F]{6}$")
# Distinct, colour-blind-tolerant hues (Tableau 10) for themes; codes get shades of their theme.
THEME_PALETTE = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD",
    "#8C564B", "#E377C2", "#17BECF", "#BCBD22", "#7F7F7F",
)

MAX_PROBLEMS_SHOWN = 6


class CodebookError(InputFileError):
    """A codebook file that cannot be used as it is; the message lists what to fix."""

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        if more > 0:
            shown += f"; and {more} more"
        count = f"{len(problems)} problems: " if len(problems) > 1 else ""
        super().__init__(path or "codebook", f"invalid codebook, {count}{shown}",
                         "fix the codebook and load it again")


def _fold(text: Any) -> str:
    return " ".join(str(text or "").casefold().split())


def _did_you_mean(name: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name).lower(), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def split_list(value: Any, separators: str = ";\n") -> list[str]:
    """A list field written as a list, or as one string separated by ';' or new lines."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = [_text(v) for v in value]
    else:
        items = re.split("|".join(re.escape(s) for s in separators), str(value))
    return [item.strip() for item in items if item and item.strip()]


def normalise_colour(value: Any) -> str | None:
    """``#RRGGBB`` upper case from '#rgb', 'rrggbb' or '#rrggbb'; '' for blank; None if invalid."""
    text = _text(value)
    if not text:
        return ""
    if not text.startswith("#"):
        text = "#" + text
    if re.fullmatch(r"#[0-9a-fA-F]{3}", text):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    text = text.upper()
    return text if COLOUR_RE.match(text) else None


# --------------------------------------------------------------------------- from / to dicts


def codebook_from_dict(data: Any, source: str | Path = "") -> Codebook:
    """Build a codebook from parsed YAML/JSON, raising ``CodebookError`` that names every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CodebookError(source, ["the file holds no codebook mapping (expected 'name', 'themes', 'codes')"])

    def check_fields(mapping: dict, allowed: tuple[str, ...], where: str) -> dict:
        clean = {}
        for key, value in mapping.items():
            key_text = str(key).strip()
            key_norm = FIELD_ALIASES.get(key_text.lower(), key_text.lower())
            if key_norm not in allowed:
                problems.append(f"unknown field '{key_text}' in {where}{_did_you_mean(key_text, allowed)}")
                continue
            clean[key_norm] = value
        return clean

    top = check_fields(data, TOP_FIELDS, "the codebook")
    themes: list[Theme] = []
    codes: list[Code] = []

    raw_themes = top.get("themes") or []
    if not isinstance(raw_themes, list):
        problems.append("'themes' must be a list")
        raw_themes = []
    for t_number, raw in enumerate(raw_themes, 1):
        if not isinstance(raw, dict):
            problems.append(f"theme {t_number} is not a mapping of fields")
            continue
        clean = check_fields(raw, THEME_FIELDS, f"theme {t_number}")
        theme_id = _text(clean.get("id"))
        where = f"theme '{theme_id}'" if theme_id else f"theme {t_number}"
        if not theme_id:
            problems.append(f"{where} has no id")
        theme = Theme(id=theme_id, name=_text(clean.get("name")),
                      description=_text(clean.get("description")),
                      colour=_colour(clean.get("colour"), where, problems))
        themes.append(theme)
        nested = clean.get("codes") or []
        if not isinstance(nested, list):
            problems.append(f"'codes' of {where} must be a list")
            nested = []
        for c_number, raw_code in enumerate(nested, 1):
            code = _code_from_dict(raw_code, f"code {c_number} of {where}", check_fields, problems)
            if code is None:
                continue
            if code.theme and code.theme != theme_id:
                problems.append(f"code '{code.id}' is nested under theme '{theme_id}' "
                                f"but says theme '{code.theme}'")
            code.theme = theme_id
            codes.append(code)

    raw_codes = top.get("codes") or []
    if not isinstance(raw_codes, list):
        problems.append("'codes' must be a list")
        raw_codes = []
    for c_number, raw_code in enumerate(raw_codes, 1):
        code = _code_from_dict(raw_code, f"code {c_number}", check_fields, problems)
        if code is not None:
            codes.append(code)

    codebook = Codebook(
        name=_text(top.get("name")),
        themes=themes,
        codes=codes,
        version=_text(top.get("version")),
        description=_text(top.get("description")),
    )
    problems.extend(codebook_problems(codebook, check_fields_done=True))
    if problems:
        raise CodebookError(source, _unique(problems))
    return codebook


def _colour(value: Any, where: str, problems: list[str]) -> str:
    colour = normalise_colour(value)
    if colour is None:
        problems.append(f"{where} has colour '{_text(value)[:20]}', expected #RRGGBB")
        return ""
    return colour


def _code_from_dict(raw: Any, where: str, check_fields, problems: list[str]) -> Code | None:
    if not isinstance(raw, dict):
        problems.append(f"{where} is not a mapping of fields")
        return None
    code_id = _text(next((v for k, v in raw.items() if str(k).strip().lower() == "id"), None))
    if code_id:
        where = f"code '{code_id}'"
    else:
        problems.append(f"{where} has no id")
    clean = check_fields(raw, CODE_FIELDS, where)
    for list_field in ("keywords", "examples"):
        value = clean.get(list_field)
        if value is not None and not isinstance(value, (list, tuple, str)):
            problems.append(f"{list_field} of {where} must be a list")
            clean[list_field] = None
        elif isinstance(value, (list, tuple)) and any(isinstance(v, (list, dict)) for v in value):
            problems.append(f"{list_field} of {where} must be a list of words or sentences")
            clean[list_field] = None
    return Code(
        id=code_id,
        name=_text(clean.get("name")),
        theme=_text(clean.get("theme")),
        definition=_text(clean.get("definition")),
        include=_text(clean.get("include")),
        exclude=_text(clean.get("exclude")),
        # Examples are sentences that may hold ';', so only new lines split a string of them.
        keywords=split_list(clean.get("keywords")),
        examples=split_list(clean.get("examples"), separators="\n"),
        colour=_colour(clean.get("colour"), where, problems),
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def codebook_problems(codebook: Codebook, check_fields_done: bool = False) -> list[str]:
    """Everything that makes ``codebook`` unusable, as short messages (empty list when fine).

    Missing ids were already reported while reading a file (``check_fields_done``).
    """
    problems: list[str] = []
    if not codebook.name:
        problems.append("the codebook has no name")
    if not codebook.codes:
        problems.append("the codebook has no codes")
    seen_themes: dict[str, int] = {}
    for number, theme in enumerate(codebook.themes, 1):
        if not theme.id:
            if not check_fields_done:
                problems.append(f"theme {number} has no id")
            continue
        if theme.id in seen_themes:
            problems.append(f"duplicate theme id '{theme.id}' (themes {seen_themes[theme.id]} and {number})")
        else:
            seen_themes[theme.id] = number
        if not theme.name:
            problems.append(f"theme '{theme.id}' has no name")
        if theme.colour and not COLOUR_RE.match(theme.colour):
            problems.append(f"theme '{theme.id}' has colour '{theme.colour[:20]}', expected #RRGGBB")
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, str] = {}
    for number, code in enumerate(codebook.codes, 1):
        if not code.id:
            if not check_fields_done:
                problems.append(f"code {number} has no id")
            continue
        if code.id in seen_codes:
            problems.append(f"duplicate code id '{code.id}' (codes {seen_codes[code.id]} and {number})")
        else:
            seen_codes[code.id] = number
        if not code.name:
            problems.append(f"code '{code.id}' has no name")
        elif _fold(code.name) in seen_names and seen_names[_fold(code.name)] != code.id:
            # Human coders may write a code's name: two codes with one name would be ambiguous.
            problems.append(f"codes '{seen_names[_fold(code.name)]}' and '{code.id}' have the same name")
        else:
            seen_names[_fold(code.name)] = code.id
        if not code.theme:
            problems.append(f"code '{code.id}' has no theme")
        elif code.theme not in seen_themes:
            close = difflib.get_close_matches(code.theme, list(seen_themes), n=1, cutoff=0.5)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"code '{code.id}' has theme '{code.theme}', which does not exist{hint}")
        if code.colour and not COLOUR_RE.match(code.colour):
            problems.append(f"code '{code.id}' has colour '{code.colour[:20]}', expected #RRGGBB")
    return problems


def validate_codebook(codebook: Codebook, source: str | Path = "") -> Codebook:
    """Raise ``CodebookError`` naming every problem of ``codebook``; return it when fine."""
    problems = codebook_problems(codebook)
    if problems:
        raise CodebookError(source, problems)
    return codebook


def codebook_to_dict(codebook: Codebook, nested: bool = True) -> dict[str, Any]:
    """Plain data for YAML/JSON; codes under their theme (``nested``) or as one flat list."""

    def code_dict(code: Code, with_theme: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"id": code.id, "name": code.name}
        if with_theme:
            data["theme"] = code.theme
        data.update(colour=code.colour, definition=code.definition, include=code.include,
                    exclude=code.exclude, keywords=list(code.keywords), examples=list(code.examples))
        return data

    data: dict[str, Any] = {"name": codebook.name, "version": codebook.version,
                            "description": codebook.description}
    if nested:
        data["themes"] = [
            {"id": t.id, "name": t.name, "colour": t.colour, "description": t.description,
             "codes": [code_dict(c, False) for c in codebook.codes_of(t.id)]}
            for t in codebook.themes
        ]
        theme_ids = {t.id for t in codebook.themes}
        orphans = [code_dict(c, True) for c in codebook.codes if c.theme not in theme_ids]
        if orphans:
            data["codes"] = orphans
    else:
        data["themes"] = [{"id": t.id, "name": t.name, "colour": t.colour, "description": t.description}
                          for t in codebook.themes]
        data["codes"] = [code_dict(c, True) for c in codebook.codes]
    return data


# --------------------------------------------------------------------------- colours


def _shade(colour: str, step: int, steps: int) -> str:
    """The ``step``-th of ``steps`` shades of ``colour``: same hue, lightness spread 0.30-0.78."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if steps <= 1:
        new_lightness = lightness
    else:
        new_lightness = 0.30 + (0.78 - 0.30) * step / (steps - 1)
    r, g, b = colorsys.hls_to_rgb(hue, new_lightness, saturation)
    return "#{:02X}{:02X}{:02X}".format(*(round(v * 255) for v in (r, g, b)))


def assign_colours(codebook: Codebook, overwrite: bool = False) -> Codebook:
    """Give blank themes a distinct colour and blank codes shades of their theme's (in place).

    REFI-QDA tools need a ``#RRGGBB`` colour on every code; researchers' own colours are
    kept unless ``overwrite``.
    """
    used = {t.colour for t in codebook.themes if t.colour and not overwrite}
    palette = [c for c in THEME_PALETTE if c not in used] or list(THEME_PALETTE)
    for number, theme in enumerate(codebook.themes):
        if overwrite or not theme.colour:
            theme.colour = palette[number % len(palette)]
    theme_colour = {t.id: t.colour for t in codebook.themes}
    for theme_id in list(theme_colour) + [""]:
        members = [c for c in codebook.codes if c.theme == theme_id
                   or (theme_id == "" and c.theme not in theme_colour)]
        base = theme_colour.get(theme_id, "#7F7F7F")
        for step, code in enumerate(members):
            if overwrite or not code.colour:
                code.colour = _shade(base, step, len(members))
    return codebook


# --------------------------------------------------------------------------- YAML


YAML_HEADER = """\
# A qual codebook. Edit it in any text editor, or
# convert it to a spreadsheet and back: qual codebook convert FILE.yaml FILE.xlsx
#
# Layout: themes, each with its codes nested under it. Every code has an id (stable: gold
# annotations, codings and matrices refer to it), a name, a definition, include (when to apply
# it) and exclude (when not, and which code to use instead), keywords, examples and a #RRGGBB
# colour (themes get distinct colours, codes shades of their theme's).
#
# keywords: the words and phrases people actually say when talking about the code. The rules
#   suggester matches each one case-insensitively, as a whole word or phrase, on the lower-case
#   text and on lemmas, so write them in lower case and in their base form ("referral" also
#   finds "referrals", "refer" finds "referred" when lemmas are available). List an irregular
#   or abbreviated form separately ("s47", "section 47"; "hot desk", "hot-desking").
#   A hyphenated phrase matches only where the text has the hyphen; give both spellings when
#   both occur. Keep them specific: a word that fits every theme ("school", "work") adds noise.
# examples: short statements in the first person, as an interviewee would say them; the
#   semantic suggester compares segments with them (and with the definition and include).
"""


def _yaml_loader():
    """A safe loader that reads every plain scalar as text (nulls aside).

    YAML 1.1 would turn the keyword ``1:1`` into the number 61 and ``no``/``on`` into
    booleans; everything in a codebook is text.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag == "tag:yaml.org,2002:null"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


YAML_WIDTH = 100
_KEYWORDS_PLACEHOLDER = "@@keywords-{}@@"


def _yaml_dumper():
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper, value):
        style = None
        if "\n" in value:
            style = "|"
        elif len(value) > YAML_WIDTH - 30 and _folds_safely(value):
            style = ">"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    def represent_sentence(dumper, value):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)

    Dumper.add_representer(str, represent_str)
    Dumper.add_representer(_Sentence, represent_sentence)
    return Dumper


class _Sentence(str):
    """A list item written plain (wrapped), not folded: examples read best as ``- text``."""


def _folds_safely(value: str) -> bool:
    """Whether ``value`` survives YAML's folded style (``>``) exactly; long prose reads best so."""
    import yaml

    class Folding(yaml.SafeDumper):
        pass

    Folding.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=">"))
    try:
        text = yaml.dump({"x": value}, Dumper=Folding, width=YAML_WIDTH, allow_unicode=True)
        return yaml.load(text, Loader=_yaml_loader())["x"] == value  # noqa: S506
    except yaml.YAMLError:
        return False


def _flow_items(items: list[str], column: int) -> str:
    """``[a, b, c]`` starting at ``column``, packed into lines of at most YAML_WIDTH
    characters without breaking an item; continuation lines align after the bracket."""
    import yaml

    rendered = [yaml.safe_dump([item], default_flow_style=True, width=10**6).strip()[1:-1]
                for item in items]
    lines, line = [], "["
    for number, item in enumerate(rendered):
        piece = item + ("]" if number == len(rendered) - 1 else ",")
        width = len(line) + (column if not lines else 0)
        if width + 1 + len(piece) > YAML_WIDTH and line != "[":
            lines.append(line)
            line = " " * (column + 1) + piece
        else:
            line = line + ("" if line == "[" else " ") + piece
    lines.append(line if rendered else "[]")
    return "\n".join(lines)


def codebook_to_yaml(codebook: Codebook) -> str:
    import yaml

    data = codebook_to_dict(codebook, nested=True)
    # Keyword lists are laid out by ``_flow_items``: PyYAML would break a phrase across lines.
    keyword_lists: list[list[str]] = []
    for code in [c for t in data["themes"] for c in t["codes"]] + data.get("codes", []):
        keyword_lists.append(code["keywords"])
        code["keywords"] = _KEYWORDS_PLACEHOLDER.format(len(keyword_lists) - 1)
        code["examples"] = [_Sentence(example) for example in code["examples"]]
    body = yaml.dump(data, Dumper=_yaml_dumper(), sort_keys=False, allow_unicode=True,
                     width=YAML_WIDTH, indent=2, default_flow_style=False)

    def flow(match: re.Match) -> str:
        prefix = match.group(1)
        return prefix + _flow_items(keyword_lists[int(match.group(2))], len(prefix))

    body = re.sub(r"^( *keywords: )'?@@keywords-(\d+)@@'?$", flow, body, flags=re.MULTILINE)
    return YAML_HEADER + "\n" + body


def read_codebook_yaml(path: str | Path) -> Codebook:
    """A codebook from a YAML file, raising ``InputFileError``/``CodebookError`` that name it."""
    path = Path(path)
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(path, "is not UTF-8 text", "save the codebook as UTF-8") from None
    except OSError as error:
        raise InputFileError(path, f"cannot be read ({error.strerror or 'I/O error'})") from None
    try:
        data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "syntax error"
        raise InputFileError(path, f"is not valid YAML{where} ({problem})",
                             "check indentation and quote text that contains ': ' or '#'") from None
    return codebook_from_dict(data, path)


def write_codebook_yaml(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` as YAML, atomically, after checking it (no unusable file is written)."""
    from ..files import write_text

    path = Path(path)
    validate_codebook(codebook, path)
    write_text(path, codebook_to_yaml(codebook))
    return path
