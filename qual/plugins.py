"""One registry for everything qual can be extended with.

Modelled on spaCy's ``registry`` (``spacy/util.py``), and built on the same library,
`catalogue <https://github.com/explosion/catalogue>`_: each kind of plugin has a registry, filled
by qual's own modules when they are imported and by other packages through entry points, so a
package installed beside qual adds a recognizer without editing qual::

    # in the other package's pyproject.toml
    [project.entry-points.qual_recognizers]
    "acme.staff_ids" = "acme_qual:StaffIds"

    # or in a notebook
    from qual.plugins import registry

    @registry.recognizers.register("acme.staff_ids")
    class StaffIds(Recognizer): ...

=================  =============================  ===============================================
registry           entry-point group              what is registered
=================  =============================  ===============================================
recognizers        ``qual_recognizers``           :class:`qual.deid.recognizers.Recognizer` classes
suggesters         ``qual_suggesters``            :class:`qual.coding.suggesters.Suggester` classes
check_extractors   ``qual_check_extractors``      ``(name, data) -> Iterator[TextUnit]`` readers, by suffix
exporters          ``qual_exporters``             ``(matrix_or_project, path, **options) -> Path`` writers
=================  =============================  ===============================================

qual's built-in plugins live in the modules listed in :data:`BUILTIN_MODULES`; they are imported
the first time a registry is read (:func:`names`, :func:`get`, :func:`get_all`), so importing qual
stays fast.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any, Callable

import catalogue

from .errors import QualError

KINDS = ("recognizers", "suggesters", "check_extractors", "exporters")

registry = SimpleNamespace(
    **{kind: catalogue.create("qual", kind, entry_points=True) for kind in KINDS}
)

# The modules whose import registers qual's own plugins of each kind.
BUILTIN_MODULES: dict[str, tuple[str, ...]] = {kind: () for kind in KINDS}
# Recognizers, in the order a default Analyzer runs them (see qual.deid.registry).
BUILTIN_MODULES["recognizers"] = tuple(f"qual.deid.recognizers.{name}" for name in (
    "contact", "ids", "dates", "register", "names", "places", "recall_first", "ner"))
# Check extractors: each reader module registers the suffixes it reads.
BUILTIN_MODULES["check_extractors"] = ("qual.check.text_formats", "qual.check.office", "qual.check.qdpx",
                                       "qual.check.documents", "qual.check.media", "qual.check.ole",
                                       "qual.check.databases")
BUILTIN_MODULES["suggesters"] = ("qual.coding.suggesters",)
BUILTIN_MODULES["exporters"] = ("qual.export.exporters",)

_loaded: set[str] = set()


def _registry(kind: str) -> catalogue.Registry:
    if kind not in KINDS:
        raise QualError(f"unknown kind of plugin {kind!r}; kinds: {', '.join(KINDS)}")
    return getattr(registry, kind)


def load_builtins(kind: str) -> None:
    """Import the modules that register qual's own plugins of ``kind`` (once)."""
    _registry(kind)
    if kind in _loaded:
        return
    for module in BUILTIN_MODULES[kind]:
        importlib.import_module(module)
    _loaded.add(kind)


def register(kind: str, name: str) -> Callable[[Any], Any]:
    """Decorator: register ``obj`` as the plugin ``name`` of ``kind``. Registering a name again
    replaces the earlier object."""
    return _registry(kind).register(name)


def unregister(kind: str, name: str) -> None:
    reg = _registry(kind)
    catalogue._remove((*reg.namespace, name))  # catalogue has no public removal


def get(kind: str, name: str) -> Any:
    """The plugin ``name`` of ``kind``: one of qual's own, one registered at run time, or one a
    package installed beside qual provides through an entry point."""
    load_builtins(kind)
    reg = _registry(kind)
    try:
        return reg.get(name)
    except catalogue.RegistryError:
        raise QualError(f"no {kind[:-1].replace('_', ' ')} named {name!r}; known: "
                        f"{', '.join(names(kind)) or 'none'}") from None


def get_all(kind: str) -> dict[str, Any]:
    """Every plugin of ``kind``, by name: built-in, registered and from entry points."""
    load_builtins(kind)
    return dict(sorted(_registry(kind).get_all().items()))


def names(kind: str) -> list[str]:
    return list(get_all(kind))


def entry_point_names(kind: str) -> list[str]:
    """The plugins of ``kind`` that installed packages provide (not qual itself)."""
    return sorted(ep.name for ep in _registry(kind)._get_entry_points())
