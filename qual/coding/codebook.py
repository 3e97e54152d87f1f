"""A framework codebook: themes, and codes with definitions and include/exclude rules.

The YAML file in ``codebooks/`` is the canonical form; spreadsheets and REFI-QDA .qdc
files convert to and from these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
