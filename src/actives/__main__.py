"""``python -m actives`` runs the CLI."""

from actives.cli.main import app

app()
