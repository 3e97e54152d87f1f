"""A subpackage that is also the function of the same name in the public API.

``qual.ingest`` and ``qual.check`` are both subpackages and the functions a notebook user calls
(``qual.check(["deid/"])``). A name cannot be bound to both, and rebinding the package's name to
the function breaks ``import qual.check.scanner`` and ``monkeypatch("qual.check...")``. So the
package stays a package and becomes callable: calling it calls the function.
"""

from __future__ import annotations

import functools
import sys
import types
from typing import Callable


def make_callable(package_name: str, function: Callable) -> None:
    """Make the (already imported) package ``package_name`` callable as ``function``."""
    package = sys.modules[package_name]

    class CallablePackage(types.ModuleType):
        @functools.wraps(function)
        def __call__(self, *args, **kwargs):
            return function(*args, **kwargs)

    CallablePackage.__name__ = f"{package_name}:{function.__name__}"
    package.__class__ = CallablePackage
