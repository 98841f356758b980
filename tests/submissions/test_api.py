"""The submissions API: the same services as the pages, with clear 4xx answers for bad input and 404
for anyone but the owner."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from api.submissions import DraftSavedOut
from catalog.models import Credential, CredentialVersion
from submissions.models import Attempt, Draft, Evidence, Submission
from submissions.services import submission_start
from tests.submissions import files
from tests.submissions.api_client import BASE, ApiClient, as_session, as_token
from tests.submissions.helpers import complete_portfolio, portfolio_ratings, save
from workflow.services import attempt_submit


@pytest.fixture
def edna(educator) -> ApiClient:
    return as_session(educator)


def test_an_educator_starts_a_draft_by_credential_slug(edna, portfolio):
    response = edna.post("", {"credential": "practice-portfolio"})
    assert response.status_code == 201
    body = response.json()
    assert body["credential"] == {
        "slug": "practice-portfolio",
        "title": "Practice Portfolio",
        "issuer": "North Academy",
    }
    assert (body["status"], body["revision"], body["editable"], body["responses"]) == ("started", 0, True, {})
    again = edna.post("", {"credential": "practice-portfolio"})
    assert again.status_code == 409
    assert f"continue it (submission {body['id']})" in again.json()["detail"]
    assert Submission.objects.count() == 1


def test_starting_an_unknown_credential_is_404(edna, portfolio):
    assert edna.post("", {"credential": "no-such-thing"}).status_code == 404


def test_a_draft_is_read_with_its_responses_evidence_and_attempts(edna, draft, educator):
    complete_portfolio(draft, educator)
    body = edna.get(f"{draft.pk}").json()
    assert body["revision"] == 1
    assert body["status"] == "in_progress"
    assert body["responses"]["context"]["grade_band"] == "middle_school"
    assert body["self_evaluation"] == portfolio_ratings()
    (item,) = body["evidence"]
    assert (item["field"], item["name"], item["type"]) == ("plan.lesson_files", "plan.pdf", "pdf")
    assert body["attempts"] == []
    assert "plan.narrative" in body["first_written_at"]


def test_saving_responses_returns_the_new_revision(edna, draft):
    response = edna.patch(
        f"{draft.pk}/responses", {"base_revision": 0, "responses": {"context.school_name": "Lincoln"}}
    )
    assert response.status_code == 200
    assert response.json()["revision"] == 1
    assert response.json()["responses"] == {"context": {"school_name": "Lincoln"}}
    assert "evidence" in response.json()
    assert "Preference-Applied" not in response.headers
    assert "Prefer" in response.headers["Vary"]


def test_a_save_that_prefers_a_minimal_answer_gets_the_draft_alone(edna, draft, educator):
    complete_portfolio(draft, educator)
    response = edna.patch(
        f"{draft.pk}/responses",
        {"base_revision": 1, "responses": {"context.school_name": "Lincoln"}},
        HTTP_PREFER="handling=lenient, return=minimal",
    )
    assert response.status_code == 200
    assert response.headers["Preference-Applied"] == "return=minimal"
    assert "Prefer" in response.headers["Vary"]
    body = response.json()
    assert set(body) == {"id", "status", "revision", "responses", "self_evaluation", "first_written_at", "updated_at"}
    # Rendered without ninja's validation: the schema the API documents for it still reads it.
    DraftSavedOut.model_validate(body)
    assert (body["id"], body["status"], body["revision"]) == (draft.pk, "in_progress", 2)
    assert body["responses"]["context"]["school_name"] == "Lincoln"
    assert body["responses"]["context"]["grade_band"] == "middle_school"
    assert body["self_evaluation"] == portfolio_ratings()
    assert "plan.narrative" in body["first_written_at"]
    # What the page reads back is what a full read of the submission says.
    full = edna.get(f"{draft.pk}").json()
    assert {key: full[key] for key in body} == body
    # Another preference alone leaves the whole answer.
    other = edna.patch(
        f"{draft.pk}/responses",
        {"base_revision": 2, "responses": {"context.school_name": "Jefferson"}},
        HTTP_PREFER="return=representation",
    )
    assert (other.status_code, "Preference-Applied" in other.headers) == (200, False)
    assert other.json()["evidence"]
    quoted = edna.patch(
        f"{draft.pk}/responses",
        {"base_revision": 3, "responses": {"context.school_name": "Adams"}},
        HTTP_PREFER='return = "minimal"; extra',
    )
    assert (quoted.status_code, quoted.headers.get("Preference-Applied")) == (200, "return=minimal")
    assert "evidence" not in quoted.json()


def test_a_stale_save_is_409_with_both_values_and_the_draft_keeps_the_first(edna, draft, educator):
    edna.patch(f"{draft.pk}/responses", {"base_revision": 0, "responses": {"plan.narrative": "From tab A"}})
    response = edna.patch(f"{draft.pk}/responses", {"base_revision": 0, "responses": {"plan.narrative": "From tab B"}})
    assert response.status_code == 409
    body = response.json()
    assert body["revision"] == 1
    assert body["conflicts"] == [
        {"section": "responses", "field": "plan.narrative", "yours": "From tab B", "theirs": "From tab A"}
    ]
    assert "changed in another tab or device" in body["detail"]
    assert Draft.objects.get(pk=draft.pk).responses == {"plan": {"narrative": "From tab A"}}


def test_a_bad_value_is_422_naming_the_field_and_nothing_is_saved(edna, draft, educator):
    save(draft, educator, {"context.school_name": "Lincoln"})
    response = edna.patch(
        f"{draft.pk}/responses",
        {
            "base_revision": 1,
            "responses": {"context.school_name": "Other", "context.grade_band": "kindergarten", "plan.unknown": "x"},
        },
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"context.grade_band", "plan.unknown"}
    assert "there is no such field" in fields["plan.unknown"]
    assert Draft.objects.get(pk=draft.pk).responses == {"context": {"school_name": "Lincoln"}}


def test_an_unknown_top_level_key_is_422_naming_it(edna, draft):
    response = edna.patch(f"{draft.pk}/responses", {"base_revision": 0, "answers": {}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "answers"
    assert response.json()["detail"] == "answers: Extra inputs are not permitted"


def test_a_missing_base_revision_is_422_naming_it(edna, draft):
    response = edna.patch(f"{draft.pk}/responses", {"responses": {"context.school_name": "X"}})
    assert response.status_code == 422
    assert response.json()["detail"] == "base_revision: Field required"
    assert Draft.objects.get(pk=draft.pk).revision == 0


def test_invalid_utf8_is_400_naming_the_field_and_the_draft_is_untouched(edna, draft, educator):
    save(draft, educator, {"plan.narrative": "Saved before"})
    body = b'{"base_revision": 1, "responses": {"plan.narrative": "caf\xe9 au lait"}}'
    response = edna.patch(f"{draft.pk}/responses", body)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "responses.plan.narrative",
            "message": "the request body is not valid UTF-8 (in responses.plan.narrative); send JSON encoded as UTF-8",
        }
    ]
    assert Draft.objects.get(pk=draft.pk).responses == {"plan": {"narrative": "Saved before"}}


def test_a_lone_surrogate_escape_is_400_naming_the_field(edna, draft):
    response = edna.patch(f"{draft.pk}/responses", '{"base_revision": 0, "responses": {"plan.narrative": "x\\ud800"}}')
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "responses.plan.narrative"


def test_broken_json_is_400_saying_where(edna, draft):
    response = edna.patch(f"{draft.pk}/responses", '{"base_revision": 0,')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert "line 1" in response.json()["detail"]


def test_an_oversized_body_is_413_and_the_draft_is_untouched(edna, draft, educator):
    save(draft, educator, {"plan.narrative": "Saved before"})
    huge = json.dumps({"base_revision": 1, "responses": {"plan.narrative": "word " * 500_000}})
    response = edna.patch(f"{draft.pk}/responses", huge)
    assert response.status_code == 413
    assert "larger than 2 MB" in response.json()["detail"]
    assert Draft.objects.get(pk=draft.pk).responses == {"plan": {"narrative": "Saved before"}}


def test_a_50000_word_answer_under_the_body_limit_is_422_naming_the_field(edna, draft):
    response = edna.patch(f"{draft.pk}/responses", {"base_revision": 0, "responses": {"plan.narrative": "w " * 50_000}})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "plan.narrative"
    assert "50,000 words; no answer may exceed 20,000 words" in error["message"]
    assert Draft.objects.get(pk=draft.pk).revision == 0


def test_html_in_text_comes_back_as_the_same_plain_text(edna, draft):
    text = '<img src=x onerror="alert(1)"> & <b>bold</b>'
    response = edna.patch(f"{draft.pk}/responses", {"base_revision": 0, "responses": {"plan.lesson_plan": text}})
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["responses"]["plan"]["lesson_plan"] == text


def test_self_evaluation_is_saved_through_the_same_endpoint(edna, draft):
    response = edna.patch(f"{draft.pk}/responses", {"base_revision": 0, "self_evaluation": portfolio_ratings()})
    assert response.json()["self_evaluation"] == portfolio_ratings()


# ----- evidence -----------------------------------------------------------------------------------


def test_a_file_is_uploaded_listed_downloaded_as_an_attachment_and_removed(
    edna, draft, private_media, django_capture_on_commit_callbacks
):
    response = edna.upload(draft.pk, "plan.lesson_files", "plan.pdf", files.pdf())
    assert response.status_code == 201
    item = response.json()
    assert (item["type"], item["size"], item["name"]) == ("pdf", len(files.pdf()), "plan.pdf")
    assert [e["id"] for e in edna.get(f"{draft.pk}").json()["evidence"]] == [item["id"]]

    download = edna.get(item["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == files.pdf()

    with django_capture_on_commit_callbacks(execute=True):
        assert edna.delete(f"{draft.pk}/evidence/{item['id']}").status_code == 204
    assert edna.get(f"{draft.pk}").json()["evidence"] == []
    assert [p for p in private_media.rglob("*") if p.is_file()] == [], "the unused file is gone from storage"


def test_a_wrong_type_is_422_naming_the_field_and_what_it_accepts(edna, draft):
    response = edna.upload(draft.pk, "plan.lesson_files", "plan.pdf", files.elf())
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "plan.lesson_files"
    assert "Linux program" in error["message"]
    assert "This field accepts: PDF document" in error["message"]
    assert not Evidence.objects.exists()


def test_an_oversized_upload_is_413_before_it_is_read(edna, draft):
    big = b"%PDF-1.4\n" + bytes(2 * 1024 * 1024)
    response = edna.upload(draft.pk, "plan.lesson_files", "big.pdf", big)
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["field"] == "plan.lesson_files"
    assert "the most this field takes is 1 MB per file" in error["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("", "field"), ("?field=plan.narrative", "plan.narrative"), ("?field=plan.nothing", "plan.nothing")],
)
def test_an_upload_to_a_missing_or_wrong_field_is_422_naming_it(edna, draft, query, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = edna.client.post(
        f"{BASE}/{draft.pk}/evidence{query}",
        {"file": SimpleUploadedFile("a.pdf", files.pdf()), "student_data": "false"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_an_upload_without_a_file_part_is_422(edna, draft):
    response = edna.client.post(f"{BASE}/{draft.pk}/evidence?field=plan.lesson_files", {"other": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


# ----- check, submit, withdraw --------------------------------------------------------------------


def test_the_check_lists_findings_that_name_fields(edna, draft):
    body = edna.get(f"{draft.pk}/check").json()
    assert body["ready"] is False
    assert {
        "check": "required",
        "severity": "blocking",
        "message": "Grade band: choose an option.",
        "field": "context.grade_band",
        "entry": None,
        "criterion": None,
    } in body["findings"]


def test_submit_is_422_with_the_findings_while_blocked(edna, draft):
    response = edna.post(f"{draft.pk}/submit")
    assert response.status_code == 422
    assert "must be fixed before you can submit" in response.json()["detail"]
    assert any(f["field"] == "context.grade_band" for f in response.json()["findings"])
    assert not Attempt.objects.exists()


def test_submit_then_withdraw_through_the_api(edna, draft, educator):
    complete_portfolio(draft, educator)
    assert edna.get(f"{draft.pk}/check").json()["ready"] is True
    response = edna.post(f"{draft.pk}/submit")
    assert response.status_code == 201
    attempt = response.json()
    assert (attempt["number"], attempt["status"], attempt["grade_band"]) == (1, "submitted", "middle_school")
    assert attempt["responses"]["plan"]["delivery_date"] == "2025-03-10"
    assert attempt["evidence"][0]["name"] == "plan.pdf"
    assert edna.post(f"{draft.pk}/submit").status_code == 409, "a double submit is refused"
    assert edna.patch(f"{draft.pk}/responses", {"base_revision": 1, "responses": {}}).status_code == 409

    assert edna.get(f"{draft.pk}/attempts/1").json()["responses"] == attempt["responses"]
    withdrawn = edna.post(f"{draft.pk}/attempts/1/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert edna.post(f"{draft.pk}/attempts/1/withdraw").status_code == 409
    timeline = [e["kind"] for e in edna.get(f"{draft.pk}/events").json()]
    assert timeline == ["started", "saved", "submitted", "withdrawn"]


def test_an_evidence_file_kept_only_by_an_attempt_stays_downloadable_by_its_owner(edna, draft, educator):
    complete_portfolio(draft, educator)
    item = draft.evidence.get()
    attempt = attempt_submit(submission=draft, actor=educator)
    edna.post(f"{draft.pk}/attempts/{attempt.number}/withdraw")
    assert edna.delete(f"{draft.pk}/evidence/{item.pk}").status_code == 204
    assert edna.delete(f"{draft.pk}/evidence/{item.pk}").status_code == 404, "no longer in the draft"
    assert edna.get(f"/api/v1/submissions/evidence/{item.pk}/file").status_code == 200


# ----- authentication -----------------------------------------------------------------------------


def test_a_personal_access_token_works_without_csrf(educator, portfolio):
    api = as_token(educator)
    created = api.post("", {"credential": "practice-portfolio"})
    assert created.status_code == 201
    saved = api.patch(
        f"{created.json()['id']}/responses", {"base_revision": 0, "responses": {"context.school_name": "Lincoln"}}
    )
    assert saved.status_code == 200


def test_a_session_needs_the_csrf_token_for_changes(educator, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(educator)
    api = ApiClient(client)
    body = {"base_revision": 0, "responses": {"context.school_name": "Lincoln"}}
    refused = api.patch(f"{draft.pk}/responses", body)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert Draft.objects.get(pk=draft.pk).revision == 0
    assert api.get(f"{draft.pk}").status_code == 200, "reads need no CSRF token"
    client.cookies["csrftoken"] = "a" * 32
    # A token that is not the cookie's, or a cookie of the wrong shape, is refused as no token is.
    assert api.patch(f"{draft.pk}/responses", body, HTTP_X_CSRFTOKEN="b" * 32).status_code == 403
    client.cookies["csrftoken"] = "not a token"
    assert api.patch(f"{draft.pk}/responses", body, HTTP_X_CSRFTOKEN="not a token").status_code == 403
    assert Draft.objects.get(pk=draft.pk).revision == 0
    client.cookies["csrftoken"] = "a" * 32
    assert api.patch(f"{draft.pk}/responses", body, HTTP_X_CSRFTOKEN="a" * 32).status_code == 200


@pytest.mark.parametrize("header", ["Bearer mct_not-a-real-token", "Bearer ", "Basic ZWRuYTpwdw==", "Token abc"])
def test_a_bad_authorization_header_is_refused_even_with_a_session(educator, draft, header):
    client = Client()
    client.force_login(educator)
    assert client.get(f"{BASE}", HTTP_AUTHORIZATION=header).status_code == 401
    assert client.get(f"{BASE}/{draft.pk}", HTTP_AUTHORIZATION=header).status_code == 404


def test_anonymous_gets_401_on_lists_and_creation(portfolio):
    anonymous = as_session(None)
    assert anonymous.get("").status_code == 401
    assert anonymous.post("", {"credential": "practice-portfolio"}).status_code == 401
    assert not Submission.objects.exists()


# ----- authorization by persona -------------------------------------------------------------------

OTHERS = ["educator2", "north_reviewer", "north_admin", "south_admin", "platform_admin", None]


@pytest.fixture
def someone_elses(draft, educator):
    """Edna's submitted attempt with a file: everything the other personas must not reach."""
    complete_portfolio(draft, educator)
    evidence = draft.evidence.get()
    attempt_submit(submission=draft, actor=educator)
    return draft, evidence


@pytest.mark.parametrize(
    ("persona", "via"), [(p, "session") for p in OTHERS] + [(p, "token") for p in OTHERS if p is not None]
)
def test_nobody_but_the_owner_reaches_a_draft_attempt_or_file(request, someone_elses, persona, via):
    submission, evidence = someone_elses
    user = request.getfixturevalue(persona) if persona else None
    api = as_token(user) if user is not None and via == "token" else as_session(user)
    sid = submission.pk
    answers = [
        api.get(f"{sid}"),
        api.patch(f"{sid}/responses", {"base_revision": 1, "responses": {"context.school_name": "Hacked"}}),
        api.get(f"{sid}/check"),
        api.get(f"{sid}/events"),
        api.upload(sid, "plan.lesson_files", "x.pdf", files.pdf()),
        api.delete(f"{sid}/evidence/{evidence.pk}"),
        api.get(f"/api/v1/submissions/evidence/{evidence.pk}/file"),
        api.post(f"{sid}/submit"),
        api.get(f"{sid}/attempts/1"),
        api.post(f"{sid}/attempts/1/withdraw"),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all("Hacked" not in a.content.decode() for a in answers)
    draft = Draft.objects.get(pk=sid)
    assert draft.responses["context"]["school_name"] == "Lincoln High"
    assert Evidence.objects.filter(pk=evidence.pk, in_draft=True).exists()
    assert Attempt.objects.get(submission=submission).status == "submitted"
    if user is not None:
        assert api.get("").json() == {"items": [], "count": 0}, "and it is not in their list"


def test_a_missing_id_and_a_forbidden_id_get_the_same_answer(someone_elses, educator2):
    submission, _ = someone_elses
    api = as_session(educator2)
    forbidden = api.get(f"{submission.pk}")
    missing = api.get(f"{submission.pk + 1000}")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())


# ----- the list -----------------------------------------------------------------------------------


def _submissions_for(educator, portfolio: Credential, count: int) -> None:
    """`count` submissions for the educator, one per credential (one open submission per credential),
    every third with an attempt."""
    version = portfolio.current_version
    assert version is not None
    credentials = Credential.objects.bulk_create(
        [Credential(slug=f"bulk-{i}", issuer=portfolio.issuer, title=f"Bulk {i}", summary="s") for i in range(count)]
    )
    versions = CredentialVersion.objects.bulk_create(
        [
            CredentialVersion(
                credential=c,
                number=1,
                content_hash=version.content_hash,
                definition=version.definition,
                source_name="bulk",
            )
            for c in credentials
        ]
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(educator=educator, credential=c, version=v, status="in_progress")
            for c, v in zip(credentials, versions, strict=True)
        ]
    )
    Draft.objects.bulk_create([Draft(submission=s) for s in submissions])
    Attempt.objects.bulk_create(
        [
            Attempt(submission=s, number=1, version=s.version, responses={}, submitted_by=educator)
            for s in submissions[::3]
        ]
    )


@pytest.mark.scale
@pytest.mark.parametrize("count", [5, 500])
def test_the_list_keeps_the_same_query_count_as_submissions_grow(educator, portfolio, count, django_assert_num_queries):
    _submissions_for(educator, portfolio, count)
    api = as_session(educator)
    # The session with its person (one statement, accounts/sessions.py), count, page: whatever the number of rows.
    with django_assert_num_queries(3):
        response = api.get("?limit=500")
    body = response.json()
    assert body["count"] == count
    assert len(body["items"]) == count
    first = body["items"][-1]
    assert first["credential"]["slug"] == "bulk-0"
    assert first["attempt"] == 1
    assert first["status"] == "in_progress"
    assert first["next_step"] == "Finish the form and submit it"


def test_the_list_shows_the_latest_attempt_and_next_step(edna, draft, educator):
    complete_portfolio(draft, educator)
    attempt_submit(submission=draft, actor=educator)
    (row,) = edna.get("").json()["items"]
    assert (row["id"], row["status"], row["attempt"]) == (draft.pk, "submitted", 1)
    assert row["next_step"] == "Wait for review to start (you can still withdraw)"


def test_each_educator_lists_only_their_own(educator, educator2, portfolio, short_answer):
    submission_start(educator=educator, credential=portfolio)
    theirs, _ = submission_start(educator=educator2, credential=short_answer)
    rows = as_session(educator2).get("").json()["items"]
    assert [r["id"] for r in rows] == [theirs.pk]


@pytest.mark.once  # the document is made from the routes, not from the database
def test_the_openapi_document_describes_the_submission_and_token_endpoints(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/submissions/{submission_id}/responses" in paths
    upload = paths["/api/v1/submissions/{submission_id}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "/api/v1/tokens" in paths


def test_a_file_missing_from_storage_is_404_not_500(edna, draft, educator):
    complete_portfolio(draft, educator)
    item = draft.evidence.get()
    item.file.storage.delete(item.file.name)
    assert edna.get(f"/api/v1/submissions/evidence/{item.pk}/file").status_code == 404


def test_a_wrongly_typed_value_is_422_naming_it(edna, draft):
    response = edna.patch(f"{draft.pk}/responses", {"base_revision": "latest", "responses": []})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"base_revision", "responses"}
