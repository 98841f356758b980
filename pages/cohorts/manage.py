"""The platform admin's page for groups (/groups/manage/): every organisation with its coordinators, a form to
make one with its first coordinator, and a form to name another coordinator. Anyone else gets 404. The platform
admin sees no member's progress here: that is for the coordinators the members share it with."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.models import User
from cohorts.access import is_platform_admin
from cohorts.models import Organisation
from cohorts.services import coordinator_add, organisation_create
from core.errors import InvalidInput
from pages.cohorts.forms import CoordinatorForm, OrganisationForm
from pages.reviews.paging import page_number


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    if not is_platform_admin(request.user):
        raise Http404("no such page")
    admin = request.user
    assert isinstance(admin, User)
    which = request.POST.get("form") if request.method == "POST" else None
    create = OrganisationForm(request.POST if which == "organisation" else None)
    coordinator = CoordinatorForm(request.POST if which == "coordinator" else None)
    if which == "organisation" and create.is_valid():
        data = create.cleaned_data
        try:
            organisation = organisation_create(
                actor=admin,
                name=data["name"],
                slug=data["slug"],
                kind=data["kind"],
                district=data["district"],
                coordinator_email=data["coordinator_email"],
            )
        except InvalidInput as refusal:
            create.add_service_errors(refusal.errors)
        else:
            messages.success(request, gettext("%(group)s is set up.") % {"group": organisation.name})
            return redirect("cohorts:manage")
    if which == "coordinator" and coordinator.is_valid():
        try:
            coordinator_add(
                actor=admin,
                organisation=coordinator.cleaned_data["organisation"],
                email=coordinator.cleaned_data["email"],
            )
        except InvalidInput as refusal:
            coordinator.add_service_errors(refusal.errors)
        else:
            messages.success(
                request,
                gettext("%(email)s coordinates %(group)s.")
                % {"email": coordinator.cleaned_data["email"], "group": coordinator.cleaned_data["organisation"].name},
            )
            return redirect("cohorts:manage")
    paginator = Paginator(
        Organisation.objects.select_related("district").prefetch_related("coordinators__user").order_by("name", "id"),
        25,
    )
    current = paginator.get_page(page_number(request))
    context = {"create": create, "coordinator": coordinator, "current": current}
    return render(request, "cohorts/manage.html", context, status=422 if create.errors or coordinator.errors else 200)
