"""The draft's offline form: download it (Word or PDF, for the draft's own version of the credential) and upload
it back filled, which fills the draft's empty answers and reports every answer placed or not placed.

Only the draft's owner reaches these pages (the selector answers 404 to anyone else)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import InvalidInput
from pages.catalog.offline import form_docx_response, form_pdf_response
from pages.submissions.context import mine, not_editable, user_of
from submissions.models import Submission
from submissions.offline_form import MAX_FORM_BYTES
from submissions.services import FormReport, offline_form_apply


class FormUploadForm(forms.Form):
    form = forms.FileField(
        label=gettext_lazy("Your filled form (Word, .docx)"),
        help_text=format_lazy(
            gettext_lazy("The Word form you downloaded from this credential, filled in. Up to {megabytes} MB."),
            megabytes=MAX_FORM_BYTES // 2**20,
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
        error_messages={
            "required": gettext_lazy("Choose the filled form (.docx) to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
    )


@login_required
@require_GET
def form_docx(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = mine(request, submission_id)
    response = form_docx_response(submission.version)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def form_pdf(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = mine(request, submission_id)
    return form_pdf_response(request, submission.version, public=False)


def _page(
    request: HttpRequest, submission: Submission, form: FormUploadForm, report: FormReport | None, status: int = 200
) -> HttpResponse:
    context = {
        "submission": submission,
        "credential": submission.credential,
        "spec": submission.version.spec,
        "form": form,
        "report": report,
    }
    return render(request, "submissions/offline_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def form_upload(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = mine(request, submission_id)
    if not submission.is_editable:
        return not_editable(request, submission)  # type: ignore[arg-type]
    if request.method == "GET":
        return _page(request, submission, FormUploadForm(), None)
    form = FormUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, submission, form, None, status=422)
    upload = form.cleaned_data["form"]
    if upload.size > MAX_FORM_BYTES:
        form.add_error(
            "form",
            gettext("The file is larger than %(megabytes)s MB; upload the filled form itself.")
            % {"megabytes": MAX_FORM_BYTES // 2**20},
        )
        return _page(request, submission, form, None, status=413)
    try:
        report = offline_form_apply(submission=submission, actor=user_of(request), data=upload.read())
    except InvalidInput as refusal:
        form.add_error("form", refusal.message)
        return _page(request, submission, form, None, status=refusal.status_code)
    submission.refresh_from_db()
    return _page(request, submission, FormUploadForm(), report)
