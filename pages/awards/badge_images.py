"""The issuer admin's badge images: each of the issuer's credentials with the image its badges carry, and a
page per credential to upload a PNG or SVG image or go back to the generated default. Only the issuer's admins
(and platform admins) may open them; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from awards import selectors, services
from awards.image_checks import MAX_BYTES
from awards.images import credential_image_alt
from core.errors import InvalidInput


class BadgeImageForm(forms.Form):
    image = forms.FileField(
        label=gettext_lazy("Badge image (PNG or SVG)"),
        help_text=gettext_lazy(
            "Square, at least 512 by 512 pixels for a PNG; up to 1 MB. An SVG may not use scripts, links, "
            "embedded images or anything outside the file."
        ),
        error_messages={
            "required": gettext_lazy("Choose a PNG or SVG image to upload"),
            "empty": gettext_lazy("The file is empty"),
        },
        widget=forms.FileInput(attrs={"accept": "image/png,image/svg+xml,.png,.svg"}),
    )

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        # Refused before it is read: the service checks the content, this only spares reading a huge upload.
        if image is not None and image.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext("The image is %(size)s MB; a badge image may be at most 1 MB: save a smaller one.")
                % {"size": f"{image.size / 1024 / 1024:.1f}"}
            )
        return image


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def badge_images(request: HttpRequest, slug: str) -> HttpResponse:
    issuer, credentials = selectors.credentials_for_issuer_admin(user=request.user, slug=slug)
    uploads = {image.credential_id: image for image in selectors.badge_images_of(credentials=credentials)}
    rows = [
        {"credential": credential, "alt": credential_image_alt(credential), "upload": uploads.get(credential.pk)}
        for credential in credentials
    ]
    return render(request, "awards/badge_images.html", {"issuer": issuer, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def badge_image(request: HttpRequest, slug: str, credential: str) -> HttpResponse:
    found = selectors.credential_get_for_issuer_admin(user=request.user, issuer_slug=slug, slug=credential)
    form = BadgeImageForm()
    if request.method == "POST" and request.POST.get("action") == "reset":
        services.badge_image_reset(admin=_user(request), credential=found)
        messages.success(request, f"{found.title} now uses the generated badge image.")
        return redirect("awards:badge_image_edit", slug=slug, credential=found.slug)
    if request.method == "POST":
        form = BadgeImageForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["image"]
            try:
                services.badge_image_set(
                    admin=_user(request), credential=found, data=bytes(upload.read()), name=upload.name or ""
                )
            except InvalidInput as refusal:
                for problem in refusal.errors or []:
                    form.add_error("image", problem.message)
                if not refusal.errors:
                    form.add_error("image", refusal.message)
            else:
                messages.success(
                    request,
                    gettext("Saved: badges of %(title)s carry the new image, on pages, certificates and downloads.")
                    % {"title": found.title},
                )
                return redirect("awards:badge_image_edit", slug=slug, credential=found.slug)
    upload = selectors.badge_images_of(credentials=[found]).first()
    context = {
        "issuer": found.issuer,
        "credential": found,
        "upload": upload,
        "form": form,
        "alt": credential_image_alt(found),
    }
    return render(request, "awards/badge_image.html", context)
