"""The NinjaAPI instance: authentication, error handling and the routers of every app."""

from __future__ import annotations

from ninja import NinjaAPI

from actives import __version__
from actives.web.api import (
    assays,
    catalog,
    discovery,
    predictions,
    regulation,
    routes,
    safety,
)
from actives.web.api.auth import API_AUTH
from actives.web.api.errors import install_error_handlers

api = NinjaAPI(
    title="Actives API",
    version=__version__,
    description=(
        "Cosmetic active-ingredient platform. Authenticate with a bearer token from your profile "
        'page, or a signed-in session. Errors answer {"detail", "code"}.'
    ),
    auth=API_AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", routes.public)
api.add_router("/", routes.platform)
api.add_router("/companies", routes.companies)
api.add_router("/jobs", routes.jobs)
api.add_router("/catalog", catalog.router)
api.add_router("/predictions", predictions.router)
api.add_router("/discovery", discovery.router)
api.add_router("/safety", safety.router)
api.add_router("/regulation", regulation.router)
api.add_router("/assays", assays.router)
