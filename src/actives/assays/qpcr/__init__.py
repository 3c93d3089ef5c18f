"""qPCR: read plates (RDML and instrument exports), analyse curves, call wells, quantify."""

from actives.assays.qpcr.plate import SAMPLE_TYPES, Plate, Reaction
from actives.assays.qpcr.readers import FORMATS, list_rdml_runs, read_layout, read_plate

__all__ = [
    "FORMATS",
    "SAMPLE_TYPES",
    "Plate",
    "Reaction",
    "list_rdml_runs",
    "read_layout",
    "read_plate",
]
