"""Bad input of any kind gets a clear 4xx naming what is wrong, never a 500; and the API answers JSON, in
every mode, even when something does go wrong on our side.

Each case below was a 500 (or a silent change of what was sent) before: JSON nested a thousand deep, numbers
past what a database integer holds in paths, queries and bodies, a NUL in a text, a file name too long for
the multipart parser, a wrong type taken for a right one.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from catalog.models import Credential
from catalog.schema import FileField, TextField
from core.limits import MAX_ID
from submissions.models import Draft, Submission
from submissions.services import submission_start
from tests.submissions.api_client import as_session, as_token

HUGE = "99999999999999999999"  # past 2**64, let alone 2**63 - 1
DEEP = "[" * 1000


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request: pytest.FixtureRequest, settings: Any) -> bool:
    """Both modes: with DEBUG off the API used to fall back on Django's HTML pages."""
    settings.DEBUG = request.param
    return bool(request.param)


@pytest.fixture
def draft(educator: User, classkick: Credential) -> Submission:
    submission, _ = submission_start(educator=educator, credential=classkick)
    return submission


def field_of(submission: Submission, kind: type) -> str:
    spec = submission.version.spec
    return next(f"{part.id}.{field.id}" for part in spec.parts for field in part.fields if isinstance(field, kind))


def assert_json(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body, dict)
    return body


def field_errors(body: dict[str, Any]) -> dict[str, str]:
    return {error["field"]: error["message"] for error in body["errors"]}


# ----- deep nesting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [DEEP, '{"credential": ' + DEEP + "]" * 1000 + "}", '{"a":' + "[" * 100_000])
def test_json_nested_a_thousand_deep_to_the_verifier_is_a_400_report(db: Any, body: str) -> None:
    response = Client().post("/api/v1/verify", body, content_type="application/json")
    report = assert_json(response, 400)
    assert report["valid"] is False
    assert "nested more than" in report["error"]
    assert (report["checks"], report["credential"]) == ([], None)


def test_a_credential_nested_past_the_verifiers_limit_is_refused_and_one_within_it_is_checked(db: Any) -> None:
    def nested(levels: int) -> dict[str, Any]:
        value: Any = "x"
        for _ in range(levels - 1):
            value = [value]
        return {"type": ["VerifiableCredential"], "deep": value}

    too_deep = assert_json(Client().post("/api/v1/verify", nested(40), content_type="application/json"), 400)
    assert "nested more than 32 levels" in too_deep["error"]
    checked = assert_json(Client().post("/api/v1/verify", nested(32), content_type="application/json"), 200)
    assert checked["valid"] is False
    assert checked["checks"]


def test_a_deeply_nested_body_to_any_endpoint_is_a_400_saying_so(educator: User, draft: Submission) -> None:
    response = as_token(educator).patch(f"{draft.pk}/responses", '{"base_revision": 0, "responses": ' + DEEP)
    body = assert_json(response, 400)
    assert "nested more than 64 levels" in body["detail"]


def test_the_verify_page_says_deep_nesting_cannot_be_read(db: Any) -> None:
    response = Client().post("/verify/", {"credential": '{"credential": ' + "[" * 100_000})
    assert response.status_code == 200
    assert "nested more than 32 levels" in response.content.decode()


def test_the_verify_command_says_deep_nesting_cannot_be_read(db: Any, tmp_path: Any) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"credential": ' + "[" * 100_000)
    with pytest.raises(CommandError, match="nested more than 32 levels"):
        call_command("verify_credential", str(path), stdout=io.StringIO())


def test_a_jwt_whose_payload_is_nested_a_thousand_deep_is_unreadable_not_a_crash(db: Any) -> None:
    import base64

    def segment(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    header, payload = segment('{"alg": "ES256"}'), segment('{"vc": ' + "[" * 5000)
    token = f"{header}.{payload}.c2ln"
    report = assert_json(Client().post("/api/v1/verify", token, content_type="text/plain"), 400)
    assert "nested more than 32 levels" in report["error"]


# ----- numbers past what the database holds -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"/api/v1/submissions?offset={HUGE}", "offset"),
        (f"/api/v1/submissions?limit={HUGE}", "limit"),
        (f"/api/v1/reviews/assignments?offset={HUGE}", "offset"),
        (f"/api/v1/reviews/feedback/{HUGE}/1", "submission_id"),
        (f"/api/v1/reviews/feedback/1/{HUGE}", "number"),
        (f"/api/v1/submissions/{HUGE}", "submission_id"),
        (f"/api/v1/submissions/{HUGE}/attempts/1", "submission_id"),
        (f"/api/v1/submissions/evidence/{MAX_ID + 1}/file", "evidence_id"),
        ("/api/v1/submissions/0", "submission_id"),
    ],
)
def test_a_number_past_a_database_integer_is_a_422_naming_it(educator: User, debug: bool, path: str, field: str):
    body = assert_json(as_token(educator).get(path), 422)
    assert field in field_errors(body)


def test_the_largest_id_a_database_holds_is_simply_not_found(educator: User, debug: bool) -> None:
    assert_json(as_token(educator).get(f"/api/v1/submissions/{MAX_ID}"), 404)
    assert assert_json(as_token(educator).get(f"/api/v1/submissions?offset={MAX_ID}"), 200)["items"] == []


def test_a_huge_id_in_a_body_is_a_422_naming_it(educator: User, debug: bool) -> None:
    response = as_token(educator).post("/api/v1/notifications/read", f'{{"ids": [{HUGE}]}}')
    assert "ids.0" in field_errors(assert_json(response, 422))


@pytest.mark.parametrize(
    "path",
    [
        f"/submissions/{HUGE}/attempts/1/",
        f"/submissions/{HUGE}/",
        f"/submissions/1/attempts/{HUGE}/",
        f"/submissions/evidence/{HUGE}/",
        f"/reviews/assignments/{HUGE}/",
        f"/reviews/admin/attempts/{HUGE}/",
        f"/awards/partner/applications/{HUGE}/",
        f"/awards/status/classkick/{HUGE}",
        "/submissions/0/",
        f"/submissions/{MAX_ID + 1}/",
    ],
)
def test_a_page_with_a_number_past_a_database_integer_is_not_found(educator: User, path: str) -> None:
    client = Client()
    client.force_login(educator)
    assert client.get(path).status_code == 404


def test_the_pk_converter_still_takes_and_makes_ordinary_ids(educator: User, draft: Submission) -> None:
    from django.urls import reverse

    client = Client()
    client.force_login(educator)
    url = reverse("submissions:detail", args=[draft.pk])
    assert url == f"/submissions/{draft.pk}/"
    assert client.get(url).status_code == 200
    assert client.get(f"/submissions/{MAX_ID}/").status_code == 404


# ----- wrong types -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["false", "0.0", '"0"'])
def test_a_json_value_of_the_wrong_type_is_not_taken_for_a_number(educator: User, draft: Submission, value: str):
    response = as_token(educator).patch(f"{draft.pk}/responses", f'{{"base_revision": {value}}}')
    assert "base_revision" in field_errors(assert_json(response, 422))
    assert Draft.objects.get(submission=draft).revision == 0


def test_a_path_slug_that_is_not_a_slug_is_a_422_naming_it(db: Any, debug: bool) -> None:
    body = assert_json(Client().get("/api/v1/credentials/a%00b"), 422)
    assert "slug" in field_errors(body)


# ----- NUL ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoded", ["\\u0000", "\x00"], ids=["escaped", "raw"])
def test_a_nul_in_a_text_is_a_422_naming_the_field_and_nothing_is_saved(
    educator: User, draft: Submission, encoded: str
) -> None:
    ref = field_of(draft, TextField)
    body = '{"base_revision": 0, "responses": {"' + ref + '": "before' + encoded + 'after"}}'
    response = as_session(educator).patch(f"{draft.pk}/responses", body)
    errors = field_errors(assert_json(response, 422))
    assert errors == {f"responses.{ref}": "remove the null character (U+0000): text may not contain it"}
    assert Draft.objects.get(submission=draft).revision == 0


def test_a_nul_in_a_key_or_a_short_value_is_a_422_naming_it(educator: User, classkick: Credential) -> None:
    response = as_token(educator).post("/api/v1/submissions", '{"credential": "classkick\\u0000"}')
    assert "credential" in field_errors(assert_json(response, 422))
    assert not Submission.objects.exists()


# ----- long file names -----------------------------------------------------------------------------------------


def raw_upload(name: str, content: bytes, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """A multipart body as a client writes it, whatever the name's length (Django's test client, like its
    UploadedFile, would cut a name to 255 characters)."""
    boundary = "microcred-test-boundary"
    plain = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        for key, value in (fields or {}).items()
    )
    head = plain + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(educator: User, submission: Submission, name: str) -> Any:
    from tests.submissions import files

    path = f"/api/v1/submissions/{submission.pk}/evidence?field={field_of(submission, FileField)}"
    return as_session(educator).client.post(path, **raw_upload(name, files.pdf(), {"student_data": "false"}))


@pytest.fixture
def private_media(settings: Any, tmp_path: Any) -> Any:
    root = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def test_a_file_name_too_long_to_read_is_a_422_naming_the_file(educator: User, draft: Submission, private_media):
    response = upload(educator, draft, "a" * 996 + ".pdf")
    body = assert_json(response, 422)
    assert "file name is too long" in field_errors(body)["file"]
    assert not draft.evidence.exists()


def test_a_long_file_name_that_can_be_read_is_shortened_and_kept(educator: User, draft: Submission, private_media):
    response = upload(educator, draft, "b" * 300 + ".pdf")
    name = assert_json(response, 201)["name"]
    assert len(name) <= 200
    assert name.endswith(".pdf")


def test_the_verifier_says_a_file_name_is_too_long_too(db: Any) -> None:
    response = Client().post("/api/v1/verify", **raw_upload("c" * 1000 + ".png", b"\x89PNG\r\n\x1a\n"))
    assert "file" in field_errors(assert_json(response, 422))


def test_the_verifiers_own_refusals_are_reports(db: Any) -> None:
    for response in (
        Client().post("/api/v1/verify", {"other": "x"}),  # multipart without the file
        Client().post("/api/v1/verify", "{broken", content_type="application/json"),
        Client().post("/api/v1/verify", "[1, 2]", content_type="application/json"),
    ):
        report = assert_json(response, 400)
        assert set(report) == {"valid", "form", "error", "checks", "credential"}
        assert report["error"]


# ----- JSON in every mode -------------------------------------------------------------------------------------


def test_an_unexpected_error_in_the_api_is_a_json_500(
    db: Any, debug: bool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("api.catalog.credential_list_published", broken)
    response = Client(raise_request_exception=False).get("/api/v1/credentials")
    body = assert_json(response, 500)
    assert "went wrong on our side" in body["detail"]
    assert "a bug" not in response.content.decode()  # nothing of the code or the data is shown
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)
    # Django's own signal still fires, so error reporting (and the test client, by default) sees the bug.
    with pytest.raises(RuntimeError, match="a bug"):
        Client().get("/api/v1/credentials")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/submissions/1/nothing", "/api/v2/", "/api/"])
def test_a_path_under_api_that_matches_nothing_is_a_json_404(db: Any, debug: bool, path: str) -> None:
    assert "no such API path" in assert_json(Client().get(path), 404)["detail"]


def test_a_page_that_matches_nothing_is_still_an_html_404(db: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_error_outside_the_apis_handlers_still_answers_json_under_api(rf: Any) -> None:
    from microcred.views import server_error

    response = server_error(rf.get("/api/v1/submissions"))
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert server_error(rf.get("/submissions/"))["Content-Type"].startswith("text/html")


def test_every_error_status_an_operation_answers_is_in_its_document(db: Any) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
                assert {"404", "422"} <= statuses, (method, path)
            if "requestBody" in operation and "multipart/form-data" not in operation["requestBody"]["content"]:
                assert {"400", "413", "422"} <= statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and not (path.endswith("/verify") and status == "400"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)


def test_the_verifier_input_error_body_matches_its_documented_report(db: Any) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    documented = document["paths"]["/api/v1/verify"]["post"]["responses"]["400"]["content"]["application/json"]
    assert documented["schema"] == {"$ref": "#/components/schemas/ReportOut"}
    body = json.loads(Client().post("/api/v1/verify", DEEP, content_type="application/json").content)
    assert set(body) == set(document["components"]["schemas"]["ReportOut"]["required"])


def test_a_page_upload_with_a_file_name_too_long_to_read_is_not_a_crash(educator: User, draft: Submission) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(educator)
    part = field_of(draft, FileField).split(".")[0]
    response = client.post(f"/submissions/{draft.pk}/parts/{part}/", **raw_upload("d" * 1000 + ".pdf", b"%PDF-1.4"))
    assert response.status_code == 400, response.content[:300]


def test_no_two_response_schemas_share_a_name() -> None:
    """django-ninja names each schema in the document by its class name, so two classes with one name would
    describe one response with the other's fields (seen: a catalog version validated against an authoring one)."""
    import inspect

    from ninja import Schema

    from api.api import api

    assert api.urls  # every router module is imported and registered by now
    seen: dict[str, str] = {}
    clashes = []
    for module_name, module in list(__import__("sys").modules.items()):
        if not module_name.startswith("api."):
            continue
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value.__module__ == module_name:
                if name in seen and seen[name] != module_name:
                    clashes.append(f"{name}: {seen[name]} and {module_name}")
                seen.setdefault(name, module_name)
    assert clashes == []
