from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("catalog:list")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: answers 200 only when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        # An API client reads JSON: this is reached only by a failure outside the API's own handlers.
        return JsonResponse({"detail": "something went wrong on our side; it has been logged"}, status=500)
    return render(request, "500.html", status=500)
