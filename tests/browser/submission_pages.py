"""Shared steps for the submission browser tests: the site's data, an educator, signing in, waiting for saves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import LazySettings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from catalog.loader import credentials_load_dir
from catalog.models import Credential
from tests.conftest import PASSWORD
from tests.submissions import files


def prepare_site(settings: LazySettings, tmp_path: Path) -> dict[str, Credential]:
    """Private media in a temporary folder and the real programs loaded, inside the test: the live server
    shares this test's database, so fixtures that load data outside it would not be seen."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-media")},
        },
    }
    _, errors = credentials_load_dir(settings.CREDENTIALS_DIR)
    assert not errors, [str(e) for e in errors]
    return {c.slug: c for c in Credential.objects.select_related("issuer", "current_version")}


def make_educator(email: str = "edna@example.org", name: str = "Edna Educator") -> User:
    return User.objects.create_user(email=email, password=PASSWORD, name=name, email_verified_at=timezone.now())


def sign_in(page: Any, live_server: Any, user: User) -> None:
    """Sign in by handing the browser a real session cookie (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])


def save_status(page: Any) -> Any:
    return page.locator("#save-status")


def expect_saved(page: Any) -> None:
    expect(save_status(page)).to_have_text("Saved")


def pdf_on_disk(tmp_path: Path, name: str = "lesson-plan.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(files.pdf())
    return path


def words(count: int, stem: str = "idea") -> str:
    return " ".join(f"{stem}{n}" for n in range(count))


def attach(page: Any, label: str, path: Path, *, student_data: bool = False) -> None:
    """Answer a file field's student-data question (with the consent confirmed for a yes), then choose the file,
    which sends it at once."""
    box = page.locator(".field-file").filter(has=page.get_by_label(label, exact=True))
    box.get_by_role("radio", name="Yes" if student_data else "No", exact=True).check()
    if student_data:
        box.get_by_role("checkbox").check()
    page.get_by_label(label, exact=True).set_input_files(str(path))
