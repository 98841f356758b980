"""The signed-in person's in-app notifications: the list (newest first) and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from notifications.selectors import notifications_for_user, notifications_unread_count
from notifications.services import notifications_mark_read


def _user(request: HttpRequest) -> User:
    # login_required has run, so this is a real account.
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Two queries however many notifications there are: the latest 50, and the unread count."""
    user = _user(request)
    context = {
        "notifications": list(notifications_for_user(user=user)),
        "unread": notifications_unread_count(user=user),
    }
    return render(request, "notifications/index.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (`id` posted) or all of them. Only the person's own are ever touched: the
    service filters on the user, so someone else's id changes nothing."""
    user = _user(request)
    raw = request.POST.get("id", "")
    if raw:
        if not raw.isdigit():
            messages.error(request, _("That notification could not be found; reload the page and try again."))
            return redirect("notifications:index")
        changed = notifications_mark_read(user=user, ids=[int(raw)])
        messages.success(request, _("The notification is marked as read.") if changed else _("It was already read."))
    else:
        changed = notifications_mark_read(user=user)
        messages.success(
            request,
            ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", changed)
            % {"count": changed},
        )
    return redirect("notifications:index")
