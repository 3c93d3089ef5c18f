"""The ``actives`` command line (Typer), one module per command group."""
