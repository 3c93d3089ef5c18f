"""Platform commands: init, serve, worker, doctor, manage."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from actives.cli.django_setup import setup_django
from actives.config import get_settings

console = Console()


def init(
    create_admin: Annotated[
        bool, typer.Option(help="Create the first administrator if there is no user yet.")
    ] = True,
) -> None:
    """Prepare the data directory and database: migrate, create the first admin (idempotent)."""
    config = get_settings()
    config.home.mkdir(parents=True, exist_ok=True)
    setup_django()
    from django.core.management import call_command

    console.print(f"[bold]Database[/]: {_database_label()}")
    call_command("migrate", interactive=False, verbosity=0)
    console.print("Migrations applied.")
    if create_admin:
        from actives.web.accounts.bootstrap import ensure_admin

        outcome = ensure_admin(config)
        if outcome.created and outcome.password:
            console.print(
                f"[bold green]First administrator created[/]: user [bold]{outcome.username}[/], "
                f"password [bold]{outcome.password}[/]\n"
                "  This password is shown only once: note it now and change it after signing in."
            )
        elif outcome.created:
            console.print(
                f"First administrator [bold]{outcome.username}[/] created from ACTIVES_ADMIN_*."
            )


def _database_label() -> str:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    host = connection.settings_dict.get("HOST") or ""
    return f"{connection.vendor} {host + '/' if host else ''}{name}"


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    threads: Annotated[int | None, typer.Option(help="Web server threads.")] = None,
    worker: Annotated[
        bool, typer.Option(help="Also run the background task worker (stops with the server).")
    ] = True,
    init_first: Annotated[
        bool, typer.Option("--init/--no-init", help="Run `actives init` before serving.")
    ] = True,
    build_pack: Annotated[
        bool,
        typer.Option(
            "--build-pack/--no-build-pack",
            help="Without a data pack, build one in the background when the raw data is there.",
        ),
    ] = True,
) -> None:
    """Serve the web platform (waitress) and, by default, a task worker; Ctrl-C stops both."""
    config = get_settings()
    if init_first:
        init(create_admin=True)
    else:
        setup_django()
    from waitress.server import create_server

    from actives.web.wsgi import application

    server = create_server(
        application,
        host=host or config.host,
        port=port or config.port,
        threads=threads or config.web_threads,
        max_request_body_size=config.max_upload_bytes + 1024 * 1024,
        ident="actives",
    )
    if build_pack and worker:
        _queue_first_pack_build()
    worker_process: subprocess.Popen[bytes] | None = None
    if worker:
        worker_process = subprocess.Popen([sys.executable, "-m", "actives", "worker"])

    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            return
        stopping.set()
        console.print("\nStopping…")
        server.close()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    url = f"http://{host or config.host}:{port or config.port}/"
    console.print(
        f"[bold green]Actives is running[/] on {url}"
        + (" with a task worker" if worker else "")
        + "  (Ctrl-C to stop)"
    )
    try:
        server.run()
    except (OSError, ValueError) as exc:
        if not stopping.is_set():
            console.print(f"[red]Web server stopped: {exc}[/]")
    finally:
        if worker_process is not None and worker_process.poll() is None:
            worker_process.send_signal(signal.SIGTERM)
            try:
                worker_process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker_process.kill()


def _queue_first_pack_build() -> None:
    """On first start, queue a data-pack build on the worker if raw data is reachable."""
    from actives.knowledge import packs_dir
    from actives.knowledge.pack import current_pack_path
    from actives.web.accounts.models import User
    from actives.web.jobs.models import Job, JobStatus
    from actives.web.jobs.runner import submit_job

    config = get_settings()
    if current_pack_path(packs_dir(config.home)) is not None:
        return
    if not config.raw_data.is_dir():
        console.print(
            f"[yellow]No data pack and no raw data at {config.raw_data}[/]: the catalogue stays "
            "empty until you set ACTIVES_RAW_DATA and run `actives data build`."
        )
        return
    pending = Job.objects.filter(
        kind="build_data_pack", status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    )
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if pending.exists() or admin is None:
        return
    job = submit_job("build_data_pack", {}, admin, title="Build the data pack (first start)")
    console.print(
        f"Building the data pack from {config.raw_data} in the background (several minutes on "
        f"2 cores); follow it at /jobs/{job.pk}/"
    )


def worker(
    queues: Annotated[
        str, typer.Option(help="Queues to process, comma-separated; * for all.")
    ] = "*",
    batch: Annotated[bool, typer.Option(help="Process what is queued, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between polls when idle.")] = 1.0,
) -> None:
    """Run the background task worker (django-tasks database backend)."""
    setup_django()
    from django.core.management import call_command

    args = ["db_worker", "--queue-name", queues, "--interval", str(interval), "--no-reload"]
    if batch:
        args.append("--batch")
    call_command(*args)


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check the install: versions, database, migrations, data pack, models, and what fixes it."""
    setup_django()
    from actives.web.core.health import collect_health

    checks = collect_health()
    healthy = all(c.ok or not c.required for c in checks)
    if as_json:
        typer.echo(json.dumps({"healthy": healthy, "checks": [c.as_dict() for c in checks]}))
    else:
        for c in checks:
            mark = "[green]✓[/]" if c.ok else ("[red]✗[/]" if c.required else "[yellow]–[/]")
            console.print(f"{mark} [bold]{c.name}[/]: {c.detail}", highlight=False)
            if c.fix and not c.ok:
                console.print(f"    fix: [cyan]{c.fix}[/]", highlight=False)
        console.print("[bold green]healthy[/]" if healthy else "[bold red]not healthy[/]")
    raise typer.Exit(0 if healthy else 1)


def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `actives manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["actives manage", *ctx.args])
