"""Scale-out on real parts: two app servers behind haproxy share nothing but PostgreSQL and S3.

One run starts, on loopback, a fresh PostgreSQL database, moto's S3 server with a bucket, two gunicorn
servers (A and B) with the same production environment, haproxy round-robin in front of them and the
database task worker; provisions it as an operator would (migrate, programs, calibration samples, issuer
keys, the demo reviewers); then an educator submits an attempt with a file on A, the reviewers read the
file and score on B, and the worker issues the badge, which verifies through haproxy. If any state lived
in one app server (a file on its disk, a session in its memory, a task run in its process) a step on the
other server would fail.

Skipped on SQLite runs: that the app runs on several servers is a property of the PostgreSQL deployment.
Without Debian's haproxy the test skips too, except under CI (CI=true), which must have run it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from django.conf import settings

from catalog.loader import definition_read
from catalog.schema import CredentialDefinition, FileField
from tests.scaleout.stack import (
    BUCKET,
    Http,
    Stack,
    answers,
    app_environment,
    free_port,
    fresh_postgres_database,
    gunicorn_argv,
    haproxy_config,
    listens,
    multipart,
    own_var_dir,
    s3_client,
)
from tests.submissions import files
from tests.submissions.helpers import answers_for
from workflow.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD

pytestmark = [pytest.mark.scaleout, pytest.mark.each_engine]

# Educators Rising's panel is two assessors, which the demo's calibrated assessors fill (its lead assessor is
# asked only when they split, which passing scores never do).
CREDENTIAL = "educators-rising-collaboration"
EDUCATOR = f"educator@{DEMO_DOMAIN}"
REVIEWERS = [f"{local}@{DEMO_DOMAIN}" for local in ("assessor1", "assessor2", "lead-assessor")]
# Everything, start-up and provisioning included, must be done within this; stopping comes after.
BUDGET_SECONDS = 90


def _postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        pytest.skip("scale-out needs PostgreSQL (DATABASE_URL=postgres://…): the servers share one database")
    return url


def _haproxy() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        reason = "haproxy is not installed (apt-get install haproxy); the scale-out test puts it in front"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ", and CI must run it")
        pytest.skip(reason)
    return found


def _file_field(definition: CredentialDefinition) -> str:
    return next(
        f"{part.id}.{spec.id}"
        for part in definition.parts
        for spec in part.fields
        if isinstance(spec, FileField) and "pdf" in spec.accept and not part.optional
    )


def _passing_scores(definition: CredentialDefinition) -> dict[str, dict[str, str]]:
    return {c.id: {"level": definition.rubric.passing_level} for c in definition.rubric.criteria}


def _tokens(provision_output: str) -> dict[str, str]:
    line = next(line for line in reversed(provision_output.splitlines()) if line.startswith("{"))
    tokens: dict[str, str] = json.loads(line)
    return tokens


def _bearer(port: int, token: str) -> Http:
    return Http(port, {"Authorization": f"Bearer {token}"})


def _one_row(database_url: str, query: str, params: list[Any]) -> tuple[Any, ...] | None:
    with psycopg.connect(database_url) as connection:
        return connection.execute(query, params).fetchone()


@pytest.mark.slow
def test_an_attempt_submitted_on_one_server_is_reviewed_on_the_other_and_issued_by_the_worker(tmp_path: Path):
    server_url = _postgres_server()
    haproxy = _haproxy()
    definition = definition_read(Path(settings.CREDENTIALS_DIR) / f"{CREDENTIAL}.yaml")
    pdf = files.pdf()
    ports = {name: free_port() for name in ("s3", "a", "b", "lb")}
    basics = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}

    with (
        fresh_postgres_database(server_url) as database_url,
        Stack(tmp_path, time.monotonic() + BUDGET_SECONDS) as stack,
    ):
        # ----- the parts: S3, two app servers, the balancer; provisioning; the worker -----
        s3_endpoint = f"http://127.0.0.1:{ports['s3']}"
        stack.start("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports["s3"])], basics)
        env = app_environment(
            database_url=database_url,
            s3_endpoint=s3_endpoint,
            site_url=f"https://127.0.0.1:{ports['lb']}",
            workdir=tmp_path,
        )
        for name in ("a", "b"):
            argv = gunicorn_argv(ports[name], tmp_path / f"access-{name}.log")
            stack.start(f"server-{name}", argv, own_var_dir(env, tmp_path, name))
        config = tmp_path / "haproxy.cfg"
        config.write_text(haproxy_config(port=ports["lb"], servers={"a": ports["a"], "b": ports["b"]}))
        stack.start("haproxy", [haproxy, "-f", str(config), "-db"], basics)

        stack.wait_for("moto's S3 server", listens(ports["s3"]))
        s3 = s3_client(s3_endpoint)
        s3.create_bucket(Bucket=BUCKET)
        provisioned = stack.run(
            "provision",
            [sys.executable, "-m", "tests.scaleout.provision", EDUCATOR, *REVIEWERS],
            own_var_dir(env, tmp_path, "provision"),
        )
        tokens = _tokens(provisioned)
        worker_argv = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"]
        stack.start("worker", worker_argv, own_var_dir(env, tmp_path, "worker"))
        for name in ("a", "b"):
            stack.wait_for(f"server {name}", answers(ports[name], "/healthz"))

        # ----- the balancer alternates between the two servers -----
        balancer = Http(ports["lb"])
        stack.wait_for(
            "haproxy to see both servers up",
            lambda: {balancer.get("/healthz").header("X-Served-By") for _ in range(4)} == {"a", "b"},
        )
        served = [balancer.get("/healthz").header("X-Served-By") for _ in range(6)]
        assert served in (["a", "b"] * 3, ["b", "a"] * 3), served

        # ----- the educator, on server A only: a draft, its answers, a file, submitted -----
        edna_a = _bearer(ports["a"], tokens[EDUCATOR])
        created = edna_a.post("/api/v1/submissions", {"credential": CREDENTIAL})
        assert created.status == 201, created.body
        submission = created.json()
        sid = submission["id"]
        saved = edna_a.patch(
            f"/api/v1/submissions/{sid}/responses",
            {"base_revision": submission["revision"], "responses": answers_for(definition)},
        )
        assert saved.status == 200, saved.body
        body, content_type = multipart("file", "lesson-plan.pdf", pdf, {"student_data": "false"})
        field = _file_field(definition)
        uploaded = edna_a.request(
            "POST", f"/api/v1/submissions/{sid}/evidence?field={field}", body=body, content_type=content_type
        )
        assert uploaded.status == 201, uploaded.body
        assert edna_a.get(f"/api/v1/submissions/{sid}/check").json()["ready"] is True
        submitted = edna_a.post(f"/api/v1/submissions/{sid}/submit")
        assert submitted.status == 201, submitted.body

        # ----- a session made on A is good on B: sessions live in the database -----
        csrf = os.urandom(16).hex()
        form = urlencode({"username": EDUCATOR, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf})
        signed_in = Http(
            ports["a"], {"Cookie": f"csrftoken={csrf}", "Origin": f"https://127.0.0.1:{ports['a']}"}
        ).request("POST", "/accounts/login/", body=form.encode(), content_type="application/x-www-form-urlencoded")
        assert signed_in.status == 302, signed_in.body[:500]
        cookie = "; ".join(f"{name}={value}" for name, value in signed_in.cookies().items())
        on_b = Http(ports["b"], {"Cookie": cookie}).get("/api/v1/submissions")
        assert on_b.status == 200, on_b.body
        assert [row["id"] for row in on_b.json()["items"]] == [sid]

        # ----- the reviewers, on server B only: each downloads the file (from S3) and scores -----
        assigned = []
        for email in REVIEWERS:
            reviewer_b = _bearer(ports["b"], tokens[email])
            queue = reviewer_b.get("/api/v1/reviews/assignments")
            assert queue.status == 200, queue.body
            assigned += [(reviewer_b, row["id"]) for row in queue.json()["items"]]
        assert len(assigned) == 2, "the program's panel is two reviewers"
        downloads = []
        reviewer_copies: dict[str, bytes] = {}
        for reviewer_b, assignment in assigned:
            view = reviewer_b.get(f"/api/v1/reviews/assignments/{assignment}")
            assert view.status == 200, view.body
            [item] = view.json()["evidence"]
            download = reviewer_b.get(item["download_path"])
            assert download.status == 200, download.body[:500]
            # Reviewers get the reviewer's copy (without the file's metadata), the same one for each of them.
            assert download.body.startswith(b"%PDF")
            assert download.body == reviewer_copies.setdefault("pdf", download.body)
            downloads.append(item["download_path"])
            done = reviewer_b.post(
                f"/api/v1/reviews/assignments/{assignment}/review/submit", {"scores": _passing_scores(definition)}
            )
            assert done.status == 200, done.body

        # ----- the worker issues the badge (the app servers only queue the task) -----
        task_query = (
            "SELECT status, return_value, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'awards.tasks.badge_issue_task'"
        )
        stack.wait_for(
            "the worker to run the badge task",
            lambda: (_one_row(database_url, task_query, []) or ("",))[0] in {"SUCCESSFUL", "FAILED"},
        )
        task = _one_row(database_url, task_query, [])
        assert task is not None
        status, badge_uuid, worker_ids = task
        assert status == "SUCCESSFUL", task
        assert worker_ids, "a worker claimed the task"
        badge = _one_row(
            database_url,
            "SELECT b.uuid::text FROM awards_badge b JOIN submissions_attempt a ON a.id = b.attempt_id "
            "WHERE a.submission_id = %s",
            [sid],
        )
        assert badge == (badge_uuid,)

        # ----- through the balancer: both servers give the educator the same answer; the badge verifies -----
        edna_lb = _bearer(ports["lb"], tokens[EDUCATOR])
        statuses = {}
        for _ in range(2):
            attempt = edna_lb.get(f"/api/v1/submissions/{sid}/attempts/1")
            statuses[attempt.header("X-Served-By")] = (attempt.status, attempt.json()["status"])
        assert statuses == {"a": (200, "earned"), "b": (200, "earned")}
        document = balancer.get(f"/awards/{badge_uuid}/credential.json")
        assert document.status == 200, document.body[:500]
        report = balancer.request("POST", "/api/v1/verify", body=document.body, content_type="application/json")
        assert report.status == 200, report.body
        assert report.json()["valid"] is True, report.json()["checks"]

        # ----- the evidence is in the bucket, and on no server's disk -----
        keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        bodies = [s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys]
        assert bodies.count(pdf) == 1, keys
        assert bodies.count(reviewer_copies["pdf"]) == 1, "the reviewer's copy is in the bucket beside it"
        written = [str(path) for var in tmp_path.glob("var-*") for path in var.rglob("*") if not path.is_dir()]
        assert written == [], "an app process wrote to its local disk"

        # ----- the access logs agree: A took the submission, B served the file to the reviewers -----
        log_a = (tmp_path / "access-a.log").read_text()
        log_b = (tmp_path / "access-b.log").read_text()
        assert f"POST /api/v1/submissions/{sid}/evidence" in log_a
        assert f"POST /api/v1/submissions/{sid}/submit" in log_a
        assert "/api/v1/reviews/" not in log_a
        assert all(f"GET {path}" in log_b for path in downloads)
        assert f"/api/v1/submissions/{sid}/submit" not in log_b
