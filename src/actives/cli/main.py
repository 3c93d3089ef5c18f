"""The ``actives`` Typer application: every command group is registered here."""

from __future__ import annotations

from typing import Annotated

import typer

from actives import __version__
from actives.cli import (
    assays,
    discover,
    knowledge,
    model_training,
    platform_commands,
    predict,
    regulation,
    safety,
    screen,
    users,
)

app = typer.Typer(
    name="actives",
    help="Actives: discover, prove and export cosmetic actives from natural materials.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"actives {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Actives command line."""


app.command()(platform_commands.init)
app.command()(platform_commands.serve)
app.command()(platform_commands.worker)
app.command()(platform_commands.doctor)
app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    platform_commands.manage
)
app.add_typer(users.app, name="users")
app.add_typer(knowledge.data_app, name="data")
app.command()(knowledge.compound)
app.command()(knowledge.plant)
app.command()(predict.predict)
app.command()(screen.screen)
app.add_typer(discover.discover_app, name="discover")
app.add_typer(safety.safety_app, name="safety")
app.add_typer(assays.assays_app, name="assays")
app.command("check-formula")(regulation.check_formula_command)
app.add_typer(regulation.regulation_app, name="regulation")
predict.models_app.command("train")(model_training.train)
predict.models_app.command("evaluate")(model_training.evaluate)
app.add_typer(predict.models_app, name="models")
