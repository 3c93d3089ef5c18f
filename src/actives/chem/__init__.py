"""Chemistry core: parse, standardise, identify, describe, fingerprint and depict structures.

Single-structure functions raise :class:`~actives.errors.InvalidStructureError`; batch functions
never raise for one bad row, they return a status and a message per row. Imports nothing of ours
but ``actives.errors``.
"""

from actives.chem.batch import BatchRow, process_structures
from actives.chem.depict import to_svg
from actives.chem.descriptors import Descriptors, describe, np_likeness
from actives.chem.fingerprints import (
    bulk_tanimoto,
    fingerprint_from_bytes,
    fingerprint_to_bytes,
    morgan_fingerprint,
)
from actives.chem.identity import canonical_smiles, inchi, inchikey
from actives.chem.parse import SdfRecord, read_sdf, to_mol
from actives.chem.standardize import Standardized, standardize

__all__ = [
    "BatchRow",
    "Descriptors",
    "SdfRecord",
    "Standardized",
    "bulk_tanimoto",
    "canonical_smiles",
    "describe",
    "fingerprint_from_bytes",
    "fingerprint_to_bytes",
    "inchi",
    "inchikey",
    "morgan_fingerprint",
    "np_likeness",
    "process_structures",
    "read_sdf",
    "standardize",
    "to_mol",
    "to_svg",
]
