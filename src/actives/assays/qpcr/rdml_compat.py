"""Import rdmlpython (RDML-Tools) so that it works with NumPy 2."""

from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np


def rdml() -> ModuleType:
    """Return the ``rdmlpython.rdml`` module, ready to use under NumPy 2.

    rdmlpython 1.7.2 still writes ``np.NaN``, an alias NumPy 2 removed; without it LinRegPCR
    and melt-curve analysis fail with AttributeError. We restore the alias (same object as
    ``np.nan``) before importing; this changes nothing for code that already uses ``np.nan``.
    """
    if not hasattr(np, "NaN"):
        np.NaN = np.nan  # type: ignore[attr-defined]
    return importlib.import_module("rdmlpython.rdml")
