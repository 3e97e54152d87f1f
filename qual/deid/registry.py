"""The recognizer registry: every detector is registered by name, as spaCy registers its
components, so a user can list, add, remove or replace them::

    from qual.deid.registry import register_recognizer
    from qual.deid.recognizers import Recognizer

    @register_recognizer("custom.staff_ids")
    class StaffIds(Recognizer):
        entity_types = frozenset({EntityType.CASE_NUMBER})
        def detect(self, doc): ...

    Analyzer(recognizers=[*default_recognizer_names(), "custom.staff_ids"])
"""

from __future__ import annotations

from typing import Callable, TypeVar

from .recognizers.base import Recognizer

R = TypeVar("R", bound=type[Recognizer])

_REGISTRY: dict[str, type[Recognizer]] = {}
# The recognizers an Analyzer runs when none are named. NER is added by the analyzer
# according to its ``ner`` argument.
_DEFAULTS: list[str] = []


def register_recognizer(name: str, default: bool = False) -> Callable[[R], R]:
    """Class decorator: register a :class:`Recognizer` under ``name``.

    ``default=True`` adds it to the recognizers an :class:`~qual.deid.analyzer.Analyzer`
    runs when none are named. Registering a name again replaces the earlier class.
    """

    def decorate(cls: R) -> R:
        if not (isinstance(cls, type) and issubclass(cls, Recognizer)):
            raise TypeError(f"{cls!r} is not a Recognizer subclass")
        cls.name = name
        _REGISTRY[name] = cls
        if default and name not in _DEFAULTS:
            _DEFAULTS.append(name)
        return cls

    return decorate


def unregister_recognizer(name: str) -> None:
    _REGISTRY.pop(name, None)
    if name in _DEFAULTS:
        _DEFAULTS.remove(name)


def get_recognizer(name: str) -> type[Recognizer]:
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no recognizer named {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def create_recognizer(name: str, **config) -> Recognizer:
    """An instance of the recognizer registered as ``name``."""
    return get_recognizer(name)(**config)


def recognizer_names() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def default_recognizer_names() -> list[str]:
    _load_builtins()
    return list(_DEFAULTS)


def _load_builtins() -> None:
    # importing a recognizer module registers its classes
    import importlib

    from .recognizers import BUILTIN_MODULES

    for module in BUILTIN_MODULES:
        importlib.import_module(f"qual.deid.recognizers.{module}")
