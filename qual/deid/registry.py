"""Recognizers by name, on :mod:`qual.plugins` (the ``recognizers`` registry): a user can
list, add, remove or replace them, and a package installed beside qual adds one through the
``qual_recognizers`` entry-point group without editing qual::

    from qual.deid.registry import register_recognizer
    from qual.deid.recognizers import Recognizer

    @register_recognizer("custom.staff_ids", default=True)   # on in every default Analyzer
    class StaffIds(Recognizer):
        entity_types = frozenset({EntityType.CASE_NUMBER})
        def detect(self, doc): ...

    Analyzer(recognizers=[*default_recognizer_names(), "custom.staff_ids"])

The functions here are thin conveniences over ``qual.plugins``: what they add is the
``default`` flag, and the registry name given to the class (``Recognizer.name``, which is
also every span's ``detector``).
"""

from __future__ import annotations

import itertools
from typing import Callable, TypeVar

import catalogue

from .. import plugins
from .recognizers.base import Recognizer

R = TypeVar("R", bound=type[Recognizer])
KIND = "recognizers"

# The recognizers an Analyzer runs when none are named, with the order they were registered
# in. NER is added by the analyzer according to its ``ner`` argument.
_DEFAULTS: dict[str, int] = {}
_registration_order = itertools.count()


def register_recognizer(name: str, default: bool = False) -> Callable[[R], R]:
    """Class decorator: register a :class:`Recognizer` under ``name``.

    ``default=True`` adds it to the recognizers an :class:`~qual.deid.analyzer.Analyzer`
    runs when none are named. Registering a name again replaces the earlier class.
    """

    def decorate(cls: R) -> R:
        if not (isinstance(cls, type) and issubclass(cls, Recognizer)):
            raise TypeError(f"{cls!r} is not a Recognizer subclass")
        cls.name = name
        plugins.register(KIND, name)(cls)
        if default:
            _DEFAULTS.setdefault(name, next(_registration_order))
        else:
            _DEFAULTS.pop(name, None)
        return cls

    return decorate


def unregister_recognizer(name: str) -> None:
    """Forget the recognizer registered here as ``name`` (one an installed package provides
    stays available: uninstall the package to remove it)."""
    _DEFAULTS.pop(name, None)
    if catalogue.check_exists(*plugins.registry.recognizers.namespace, name):
        plugins.unregister(KIND, name)


def get_recognizer(name: str) -> type[Recognizer]:
    """The class registered (or provided by an installed package) as ``name``; a ``QualError``
    naming the known ones otherwise."""
    return plugins.get(KIND, name)


def create_recognizer(name: str, **config) -> Recognizer:
    """An instance of the recognizer registered as ``name``, named so (its spans' detector)."""
    recognizer = get_recognizer(name)(**config)
    if recognizer.name != name:
        recognizer.name = name  # e.g. an entry point's class that sets no name of its own
    return recognizer


def recognizer_names() -> list[str]:
    return plugins.names(KIND)


def default_recognizer_names() -> list[str]:
    """qual's default recognizers in a fixed order (by module, then as written), those
    registered with ``default=True`` since, then every recognizer an installed package
    provides through an entry point (installing it is asking for it)."""
    plugins.load_builtins(KIND)
    modules = plugins.BUILTIN_MODULES[KIND]
    available = plugins.registry.recognizers

    def rank(name: str) -> tuple[int, int]:
        module = getattr(available.get(name), "__module__", "")
        return (modules.index(module) if module in modules else len(modules), _DEFAULTS[name])

    names = sorted((name for name in _DEFAULTS if name in available), key=rank)
    return names + [name for name in plugins.entry_point_names(KIND) if name not in names]
