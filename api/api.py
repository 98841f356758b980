"""The JSON API at /api/v1, assembled from each app's router (OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI

from catalog.api import router as catalog_router
from submissions.api import router as submissions_router

api = NinjaAPI(
    title="microcred API",
    version="1",
    description="Credentials, submissions, reviews and awards on microcred.",
    urls_namespace="api-v1",
)
api.add_router("/credentials", catalog_router, tags=["credentials"])
api.add_router("/submissions", submissions_router, tags=["submissions"])
