"""qPCR: read plates (RDML and instrument exports), analyse curves, call wells, quantify."""
