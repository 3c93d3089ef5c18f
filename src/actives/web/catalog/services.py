"""What the catalogue pages need from the pack, shaped for templates (no science here)."""

from __future__ import annotations

from functools import lru_cache

from actives.chem import to_mol, to_svg
from actives.config import get_settings
from actives.errors import DataPackMissingError
from actives.knowledge import DataPack, current_pack


def pack_or_none() -> DataPack | None:
    """The current pack, or None when none was built yet."""
    try:
        return current_pack(get_settings().home)
    except DataPackMissingError:
        return None


@lru_cache(maxsize=2048)
def structure_svg(smiles: str, width: int = 220, height: int = 160) -> str:
    """A cached SVG depiction of a SMILES string."""
    return to_svg(to_mol(smiles), width=width, height=height)
