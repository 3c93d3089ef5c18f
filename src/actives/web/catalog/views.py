"""Catalogue pages: search, compound, plant (with CSV/SDF export), structure upload, SVG."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from actives.chem.files import read_structure_file
from actives.config import get_settings
from actives.errors import ActivesError, InvalidInputError, NotFoundError
from actives.knowledge import DataPack
from actives.knowledge.sources import MISSING_WIKIDATA_FAMILIES
from actives.web.accounts.models import current_user
from actives.web.catalog.forms import SearchForm, StructureFileForm
from actives.web.catalog.services import pack_or_none, structure_svg
from actives.web.jobs.models import Job
from actives.web.jobs.runner import submit_job

NAME_KINDS = {
    "inci": gettext_lazy("INCI"),
    "chemical": gettext_lazy("Chemical name"),
    "inn": gettext_lazy("INN"),
    "korean": gettext_lazy("Korean name"),
    "chinese": gettext_lazy("Chinese name"),
    "japanese": gettext_lazy("Japanese name"),
    "synonym": gettext_lazy("Synonym"),
    "common": gettext_lazy("Common name"),
}
SORTABLE = {"name", "mw", "clogp", "tpsa", "np_score", "n_organisms"}
MAX_PLANT_ROWS = 1000


def _pack_required(request: HttpRequest) -> DataPack | HttpResponse:
    pack = pack_or_none()
    if pack is None:
        return redirect("catalog:index")
    return pack


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The search box, the pack's status and, without a pack, how to get one."""
    pack = pack_or_none()
    build_job = (
        Job.objects.visible_to(current_user(request))
        .filter(kind="build_data_pack")
        .order_by("-created_at")
        .first()
    )
    config = get_settings()
    return render(
        request,
        "catalog/index.html",
        {
            "pack": pack,
            "manifest": pack.info() if pack else None,
            "form": SearchForm(initial={"mode": "auto", "threshold": 0.5}),
            "build_job": build_job,
            "raw_data": config.raw_data,
            "raw_data_found": config.raw_data.is_dir(),
            "examples": ["Morus alba", "알부틴", "497-76-7", "resveratrol", "Moraceae"],
        },
    )


@login_required
@require_POST
def start_build(request: HttpRequest) -> HttpResponse:
    """Queue a pack build on the worker (centre staff)."""
    try:
        job = submit_job("build_data_pack", {}, current_user(request))
    except ActivesError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:index")
    return redirect("jobs:detail", job_id=job.pk)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Resolve the query; one clear answer redirects to its page, otherwise list the matches."""
    pack = _pack_required(request)
    if isinstance(pack, HttpResponse):
        return pack
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "pack": pack}
    if not form.is_valid():
        return render(request, "catalog/search.html", context, status=400)
    query = form.cleaned_data["q"]
    mode = form.cleaned_data.get("mode") or "auto"
    threshold = form.cleaned_data.get("threshold") or 0.5
    try:
        if mode == "similarity":
            context.update(mode=mode, hits=_rows(pack.similar(query, threshold=threshold)))
            return render(request, "catalog/search.html", context)
        if mode == "substructure":
            context.update(mode=mode, hits=_rows(pack.substructure(query)))
            return render(request, "catalog/search.html", context)
        result = pack.lookup(query)
    except ActivesError as exc:
        context["error"] = exc.message
        return render(request, "catalog/search.html", context, status=422)
    if len(result.compounds) == 1:
        return redirect("catalog:compound", inchikey=result.compounds.iloc[0]["inchikey"])
    if result.compounds.empty:
        try:
            _rank, taxon = pack.resolve_taxon(query)
        except (NotFoundError, InvalidInputError):
            taxon = ""
        if taxon:
            return redirect("catalog:plant", name=taxon)
    context.update(
        missing_families=", ".join(MISSING_WIKIDATA_FAMILIES),
        mode="auto",
        read_as=result.read_as,
        hits=_rows(result.compounds),
        names=_rows(result.names) if not result.names.empty else [],
        suggestions=result.suggestions
        + (pack.suggest_taxa(query) if result.compounds.empty else []),
    )
    return render(request, "catalog/search.html", context)


def _rows(frame: Any) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


@login_required
def compound(request: HttpRequest, inchikey: str) -> HttpResponse:
    """A compound: structure, identifiers, descriptors with units, names, plants with DOIs."""
    pack = _pack_required(request)
    if isinstance(pack, HttpResponse):
        return pack
    try:
        record = pack.compound(inchikey)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    names_by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for name in record["names"]:  # one entry per spelling, with every source that gives it
        label = str(NAME_KINDS.get(name["kind"], name["kind"]))
        entry = names_by_kind.setdefault(label, {}).setdefault(
            name["name"].casefold(), {"name": name["name"], "sources": []}
        )
        entry["sources"].append(f"{name['source']} {name['source_ref']}".strip())
    return render(
        request,
        "catalog/compound.html",
        {
            "pack": pack,
            "c": record,
            "svg": structure_svg(record["smiles"], 360, 260),
            "names_by_kind": {k: list(v.values()) for k, v in names_by_kind.items()},
            "plants": _rows(pack.plants_of(record["inchikey"])),
        },
    )


def _constituents(pack: DataPack, name: str) -> tuple[str, str, Any]:
    try:
        return pack.constituents(name)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
def plant(request: HttpRequest, name: str) -> HttpResponse:
    """A species, genus or family: its constituents, sortable, with structures and exports."""
    pack = _pack_required(request)
    if isinstance(pack, HttpResponse):
        return pack
    rank, taxon, frame = _constituents(pack, name)
    sort = request.GET.get("sort", "n_organisms")
    descending = request.GET.get("dir", "desc" if sort != "name" else "asc") == "desc"
    if sort not in SORTABLE:
        sort = "n_organisms"
    frame = frame.sort_values(sort, ascending=not descending, kind="stable", na_position="last")
    organisms = pack.sql(
        "SELECT name, family, n_compounds FROM organisms WHERE "
        + {"species": "name", "genus": "genus", "family": "family"}[rank]
        + " = ? ORDER BY n_compounds DESC LIMIT 50",
        [taxon],
    )
    return render(
        request,
        "catalog/plant.html",
        {
            "pack": pack,
            "rank": rank,
            "taxon": taxon,
            "rows": _rows(frame.head(MAX_PLANT_ROWS)),
            "total": len(frame),
            "shown": min(len(frame), MAX_PLANT_ROWS),
            "sort": sort,
            "descending": descending,
            "organisms": _rows(organisms),
            "missing_family": taxon in MISSING_WIKIDATA_FAMILIES,
        },
    )


@login_required
def plant_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """The constituent table as CSV or SDF (with the pack version in each file)."""
    pack = _pack_required(request)
    if isinstance(pack, HttpResponse):
        return pack
    if fmt not in {"csv", "sdf"}:
        raise Http404(_("Exports are CSV or SDF."))
    _rank, taxon, frame = _constituents(pack, name)
    filename = f"{taxon.replace(' ', '_')}_constituents_{pack.version}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = ["inchikey", "name", "smiles", "mw", "clogp", "tpsa", "np_score",
                   "n_organisms", "dois"]  # fmt: skip
        writer.writerow([*columns, "data_pack"])
        for row in frame[columns].itertuples(index=False):
            writer.writerow([*row, pack.version])
        body, content_type = buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        from rdkit import Chem

        sdf = io.StringIO()
        writer_sdf = Chem.SDWriter(sdf)
        for row in frame.itertuples(index=False):
            mol = Chem.MolFromSmiles(row.smiles)
            if mol is None:
                continue
            mol.SetProp("_Name", row.name or row.inchikey)
            for prop in ("inchikey", "name", "mw", "clogp", "np_score", "dois"):
                mol.SetProp(prop, str(getattr(row, prop) or ""))
            mol.SetProp("organism", taxon)
            mol.SetProp("data_pack", pack.version)
            writer_sdf.write(mol)
        writer_sdf.close()
        body, content_type = sdf.getvalue().encode(), "chemical/x-mdl-sdfile"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@cache_control(max_age=86400, private=True)
def structure(request: HttpRequest, inchikey: str) -> HttpResponse:
    """The SVG depiction of a pack compound."""
    pack = _pack_required(request)
    if isinstance(pack, HttpResponse):
        return pack
    found = pack.sql("SELECT smiles FROM compounds WHERE inchikey = ?", [inchikey])
    if found.empty:
        raise Http404(_("No such compound in the data pack."))
    return HttpResponse(structure_svg(str(found.iloc[0, 0])), content_type="image/svg+xml")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Identify the records of an SD or SMILES file; broken records are listed, not fatal."""
    pack = pack_or_none()
    form = (
        StructureFileForm(request.POST, request.FILES)
        if request.method == "POST"
        else StructureFileForm()
    )
    context: dict[str, Any] = {"form": form, "pack": pack}
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            records = read_structure_file(upload_file.read(), upload_file.name)
        except ActivesError as exc:
            form.add_error("file", exc.message)
            return render(request, "catalog/upload.html", context, status=400)
        known = pack.known_keys(r.inchikey for r in records if r.ok) if pack else set()
        context.update(
            rows=[{**r.__dict__, "in_pack": r.inchikey in known} for r in records],
            n_ok=sum(1 for r in records if r.ok),
            n_failed=sum(1 for r in records if not r.ok),
            filename=upload_file.name,
        )
    return render(request, "catalog/upload.html", context)
