"""`actives users`: create companies, users and API tokens from the command line."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console

from actives.cli.django_setup import setup_django

app = typer.Typer(help="Companies, users and API tokens.", no_args_is_help=True)
console = Console()


@app.command("add-company")
def add_company(
    name: Annotated[str, typer.Argument(help="Company name (unique).")],
    name_ko: Annotated[str, typer.Option(help="Korean name.")] = "",
) -> None:
    """Register a client company."""
    setup_django()
    from actives.web.accounts.models import Company

    company, created = Company.objects.get_or_create(name=name, defaults={"name_ko": name_ko})
    console.print(("Created" if created else "Already exists") + f": company {company.pk} {name}")


@app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="member, analyst, manager or admin.")] = "member",
    company: Annotated[str | None, typer.Option(help="Company name (members only).")] = None,
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    password: Annotated[
        str | None, typer.Option(help="Password; asked for when omitted.", hide_input=True)
    ] = None,
) -> None:
    """Create a user with a role (and a company for company members)."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from actives.web.accounts.models import Company, Role, User

    if role not in Role.values:
        raise typer.BadParameter(
            f"{role!r}; expected one of {', '.join(Role.values)}", param_hint="--role"
        )
    company_obj = None
    if company:
        company_obj = Company.objects.filter(name=company).first()
        if company_obj is None:
            raise typer.BadParameter(f"no company named {company!r}", param_hint="--company")
    secret = password or getpass.getpass(f"Password for {username}: ")
    user = User(username=username, email=email, role=role, company=company_obj)
    user.set_password(secret)
    try:
        user.full_clean()
        from django.contrib.auth.password_validation import validate_password

        validate_password(secret, user)
    except ValidationError as exc:
        console.print(f"[red]Not created:[/] {'; '.join(exc.messages)}")
        raise typer.Exit(2) from None
    with transaction.atomic():
        user.save()
    console.print(f"Created user {username} ({user.get_role_display()})")


@app.command("token")
def create_token(
    username: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Issue an API token for a user and print it once."""
    setup_django()
    from actives.web.accounts.models import ApiToken, User

    user = User.objects.filter(username=username).first()
    if user is None:
        console.print(f"[red]No user named {username!r}.[/]")
        raise typer.Exit(2)
    _token, raw = ApiToken.issue(user, name)
    typer.echo(raw)
