"""The draft services: start, save (with its revision check), discard, publish through the loader, YAML export
and import round-tripping to the same content hash, the loader's rule for files behind the browser, and the
audit log of each change."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import LazySettings

from accounts.models import User
from authoring.models import CredentialDraft
from authoring.services.drafts import (
    DraftStale,
    definition_skeleton,
    definition_yaml,
    draft_discard,
    draft_import,
    draft_import_new,
    draft_new,
    draft_problems,
    draft_publish,
    draft_save,
    draft_start,
)
from catalog.loader import BROWSER_SOURCE, credential_load, credentials_load_dir, definition_hash, definition_parse
from catalog.models import Credential, CredentialVersion, Issuer
from catalog.schema import CredentialDefinition
from core.errors import InvalidInput, InvalidState
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
PROGRAMS = ["classkick-collaboration", "educators-rising-collaboration"]


def _current(credential: Credential) -> CredentialVersion:
    credential.refresh_from_db()
    assert credential.current_version is not None
    return credential.current_version


def _narrative(definition: dict[str, Any]) -> dict[str, Any]:
    part = next(p for p in definition["parts"] if p["id"] == "artifacts")
    field: dict[str, Any] = next(f for f in part["fields"] if f["id"] == "narrative")
    return field


def test_a_draft_starts_from_the_current_version_once(educators_rising: Credential, other_issuer_admin: User) -> None:
    draft = draft_start(actor=other_issuer_admin, credential=educators_rising)
    again = draft_start(actor=other_issuer_admin, credential=educators_rising)
    assert again.pk == draft.pk
    assert draft.base_version == educators_rising.current_version
    assert draft.slug == educators_rising.slug
    assert draft.definition == _current(educators_rising).definition
    assert draft_problems(draft) == []
    assert AuditEvent.objects.filter(action="draft.started", subject_id=draft.pk, actor=other_issuer_admin).count() == 1


def test_a_save_keeps_an_invalid_draft_and_names_each_problem(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    definition = copy.deepcopy(draft.definition)
    definition["review_policy"]["due_days"] = "soon"
    del definition["rubric"]["passing_level"]
    saved = draft_save(actor=issuer_admin, draft=draft, definition=definition, revision=1)
    assert saved.revision == 2
    assert CredentialDraft.objects.get(pk=draft.pk).definition["review_policy"]["due_days"] == "soon"
    assert dict(draft_problems(saved)) == {
        "review_policy.due_days": "must be a whole number, not 'soon'",
        "rubric.passing_level": "is required but missing; add it",
    }
    event = AuditEvent.objects.filter(action="draft.saved", subject_id=draft.pk).get()
    assert (event.actor, event.old, event.new) == (issuer_admin, "1", "2")
    assert event.data["changed"] == ["review_policy", "rubric"]


def test_a_stale_revision_saves_nothing(classkick: Credential, issuer_admin: User, platform_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    draft_save(actor=platform_admin, draft=draft, definition={**draft.definition, "title": "Theirs"}, revision=1)
    with pytest.raises(DraftStale, match="saved by Pat Platform since you opened it"):
        draft_save(actor=issuer_admin, draft=draft, definition={**draft.definition, "title": "Mine"}, revision=1)
    assert CredentialDraft.objects.get(pk=draft.pk).definition["title"] == "Theirs"


def test_a_draft_keeps_its_slug_and_issuer(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    for change in ({"slug": "educators-rising-collaboration"}, {"issuer": {**draft.definition["issuer"], "slug": "x"}}):
        with pytest.raises(InvalidInput):
            draft_save(actor=issuer_admin, draft=draft, definition={**draft.definition, **change}, revision=1)
    assert not Credential.objects.filter(slug="x").exists()


def test_publish_makes_a_new_version_and_attempts_keep_theirs(
    educators_rising: Credential, other_issuer_admin: User, educator: User, educator2: User
) -> None:
    from submissions.services import submission_start

    started, _ = submission_start(educator=educator, credential=educators_rising)
    v1 = _current(educators_rising)
    draft = draft_start(actor=other_issuer_admin, credential=educators_rising)
    definition = copy.deepcopy(draft.definition)
    _narrative(definition)["max_words"] = 600
    draft = draft_save(actor=other_issuer_admin, draft=draft, definition=definition, revision=draft.revision)
    published = draft_publish(actor=other_issuer_admin, draft=draft)
    assert published.created
    assert published.version.number == 2
    assert published.version.source_name == f"{BROWSER_SOURCE}{other_issuer_admin.email}"
    assert _current(educators_rising) == published.version
    assert not CredentialDraft.objects.filter(pk=draft.pk).exists()
    started.refresh_from_db()
    assert started.version == v1
    assert started.version.spec.field_at("artifacts.narrative").max_words == 500  # type: ignore[union-attr]
    later, _ = submission_start(educator=educator2, credential=educators_rising)
    assert later.version == published.version
    assert later.version.spec.field_at("artifacts.narrative").max_words == 600  # type: ignore[union-attr]
    event = AuditEvent.objects.get(action="version.published")
    assert (event.actor, event.old, event.new, event.issuer_id) == (
        other_issuer_admin,
        "v1",
        "v2",
        educators_rising.issuer_id,
    )


def test_an_attempt_in_review_keeps_its_version(
    settings: LazySettings, tmp_path: Path, educator: User, make_user: Any
) -> None:
    from accounts.models import IssuerMembership
    from submissions.models import Attempt
    from tests.submissions.conftest import load_fixture
    from tests.submissions.helpers import complete_portfolio
    from workflow.services import attempt_submit

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    portfolio = load_fixture("practice-portfolio")
    from submissions.services import submission_start

    submission, _ = submission_start(educator=educator, credential=portfolio)
    complete_portfolio(submission, educator)
    attempt = attempt_submit(submission=submission, actor=educator)
    admin = make_user("nora@north.example")
    IssuerMembership.objects.create(user=admin, issuer=portfolio.issuer, role=IssuerMembership.Role.ADMIN)
    draft = draft_start(actor=admin, credential=portfolio)
    draft = draft_save(
        actor=admin, draft=draft, definition={**draft.definition, "title": "Portfolio, renamed"}, revision=1
    )
    published = draft_publish(actor=admin, draft=draft)
    assert published.version.number == 2
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.version_id == attempt.version_id != published.version.pk
    assert stored.version.spec.title == "Practice Portfolio"


def test_an_invalid_draft_is_not_published(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    definition = {**draft.definition, "page_order": ["rubric"]}
    draft = draft_save(actor=issuer_admin, draft=draft, definition=definition, revision=1)
    with pytest.raises(InvalidInput) as refused:
        draft_publish(actor=issuer_admin, draft=draft)
    assert [e.field for e in refused.value.errors] == ["page_order"]
    assert _current(classkick).number == 1
    assert CredentialDraft.objects.filter(pk=draft.pk).exists()


def test_publishing_over_a_newer_version_needs_a_choice(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    changed = CredentialDefinition.model_validate({**_current(classkick).definition, "title": "From a file"})
    credential_load(definition=changed, source_name="classkick-collaboration.yaml")
    draft = draft_save(actor=issuer_admin, draft=draft, definition={**draft.definition, "summary": "Mine."}, revision=1)
    with pytest.raises(InvalidState, match="version 2 became current after this draft started from version 1"):
        draft_publish(actor=issuer_admin, draft=draft)
    assert draft_publish(actor=issuer_admin, draft=draft, overwrite=True).version.number == 3


def test_a_new_credential_starts_valid_and_publishes(classkick: Credential, issuer_admin: User) -> None:
    issuer = classkick.issuer
    skeleton = definition_skeleton(issuer=issuer, slug="lesson-study", title="Lesson study")
    assert CredentialDefinition.model_validate(skeleton).slug == "lesson-study"
    draft = draft_new(actor=issuer_admin, issuer=issuer, slug="lesson-study", title="Lesson study")
    assert draft.credential is None
    assert draft_problems(draft) == []
    published = draft_publish(actor=issuer_admin, draft=draft)
    credential = Credential.objects.get(slug="lesson-study")
    assert (credential.issuer, published.version.number) == (issuer, 1)


@pytest.mark.parametrize("slug", ["educators-rising-collaboration", "Bad Slug", "", "a" * 81])
def test_a_new_credential_needs_a_free_well_formed_slug(
    classkick: Credential, educators_rising: Credential, issuer_admin: User, slug: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        draft_new(actor=issuer_admin, issuer=classkick.issuer, slug=slug, title="Something")
    assert refused.value.errors[0].field == "slug"


def test_discard_removes_the_draft_and_is_audited(classkick: Credential, issuer_admin: User) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    pk = draft.pk
    draft_discard(actor=issuer_admin, draft=draft)
    assert not CredentialDraft.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(action="draft.discarded", subject_id=pk, actor=issuer_admin).exists()


@pytest.mark.parametrize("slug", PROGRAMS)
def test_yaml_export_import_publish_round_trips_to_the_same_hash(
    slug: str, credentials: dict[str, Credential], platform_admin: User
) -> None:
    credential = credentials[slug]
    version = _current(credential)
    text = definition_yaml(version.definition)
    assert definition_hash(definition_parse(text, source=f"{slug}.yaml")) == version.content_hash
    draft = draft_start(actor=platform_admin, credential=credential)
    draft = draft_import(actor=platform_admin, draft=draft, text=text, revision=draft.revision)
    exported_again = definition_yaml(draft.definition)
    assert exported_again == text
    published = draft_publish(actor=platform_admin, draft=draft)
    assert published.version.content_hash == version.content_hash
    assert not published.created
    # The same through a new credential: the file, renamed, becomes a credential of its own with the same hash.
    data = yaml.safe_load(text)
    data["slug"] = f"{slug}-copy"
    new = draft_import_new(actor=platform_admin, issuer=credential.issuer, text=definition_yaml(data))
    copy_version = draft_publish(actor=platform_admin, draft=new).version
    assert copy_version.content_hash == definition_hash(CredentialDefinition.model_validate(data))


def test_an_edited_draft_round_trips_through_yaml(educators_rising: Credential, other_issuer_admin: User) -> None:
    draft = draft_start(actor=other_issuer_admin, credential=educators_rising)
    definition = copy.deepcopy(draft.definition)
    _narrative(definition)["max_words"] = 600
    definition["review_policy"]["due_days"] = "a fortnight"  # invalid, and still carried through YAML
    draft = draft_save(actor=other_issuer_admin, draft=draft, definition=definition, revision=1)
    text = definition_yaml(draft.definition)
    draft = draft_import(actor=other_issuer_admin, draft=draft, text=text, revision=draft.revision)
    assert draft.definition == definition


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("slug: [unclosed", "line 1, column 16"),
        ("- a list\n", "(top level)"),
        ("title: a\ntitle: b\n", "line 2, column 1"),
        ("", "(top level)"),
    ],
)
def test_broken_yaml_is_refused_naming_where(classkick: Credential, issuer_admin: User, text: str, field: str) -> None:
    draft = draft_start(actor=issuer_admin, credential=classkick)
    with pytest.raises(InvalidInput) as refused:
        draft_import(actor=issuer_admin, draft=draft, text=text, revision=1)
    assert refused.value.errors[0].field == field
    assert CredentialDraft.objects.get(pk=draft.pk).revision == 1


def test_yaml_of_another_issuer_is_refused(
    classkick: Credential, educators_rising: Credential, issuer_admin: User
) -> None:
    text = definition_yaml(_current(educators_rising).definition)
    with pytest.raises(InvalidInput) as refused:
        draft_import_new(actor=issuer_admin, issuer=classkick.issuer, text=text)
    assert refused.value.errors[0].field == "issuer.slug"
    assert not CredentialDraft.objects.exists()


# ----- the loader's rule: an unchanged file does not undo a version published in the browser -----------------


def _copy_programs(tmp_path: Path, settings: LazySettings) -> Path:
    for slug in PROGRAMS:
        (tmp_path / f"{slug}.yaml").write_text((Path(settings.CREDENTIALS_DIR) / f"{slug}.yaml").read_text())
    return tmp_path


def test_restarting_keeps_a_version_published_in_the_browser(
    tmp_path: Path, settings: LazySettings, make_user: Any
) -> None:
    folder = _copy_programs(tmp_path, settings)
    credentials_load_dir(folder)
    credential = Credential.objects.get(slug="educators-rising-collaboration")
    admin = make_user("ed@example.org", is_superuser=True, is_staff=True)
    draft = draft_start(actor=admin, credential=credential)
    definition = copy.deepcopy(draft.definition)
    _narrative(definition)["max_words"] = 600
    draft = draft_save(actor=admin, draft=draft, definition={**definition, "title": "Collaboration (2)"}, revision=1)
    draft_publish(actor=admin, draft=draft)
    results, errors = credentials_load_dir(folder)  # what `make run` does on its next start
    assert not errors
    result = next(r for r in results if r.slug == credential.slug)
    assert (result.version, result.created, result.kept_newer) == (2, False, True)
    current = _current(credential)
    assert current.number == 2
    assert credential.title == "Collaboration (2)"
    assert Issuer.objects.get(slug="educators-rising").name


def test_a_changed_file_still_wins_over_the_browser(tmp_path: Path, settings: LazySettings, make_user: Any) -> None:
    folder = _copy_programs(tmp_path, settings)
    credentials_load_dir(folder)
    credential = Credential.objects.get(slug="classkick-collaboration")
    admin = make_user("ck@example.org", is_superuser=True, is_staff=True)
    draft = draft_start(actor=admin, credential=credential)
    draft = draft_save(actor=admin, draft=draft, definition={**draft.definition, "title": "Browser"}, revision=1)
    draft_publish(actor=admin, draft=draft)
    path = folder / "classkick-collaboration.yaml"
    path.write_text(path.read_text().replace("title: Collaboration\n", "title: From the file\n", 1))
    credentials_load_dir(folder)
    assert _current(credential).number == 3
    assert _current(credential).spec.title == "From the file"


def test_a_file_may_still_move_back_to_an_older_file_version(tmp_path: Path, settings: LazySettings) -> None:
    # Without a browser publish in between, the loader behaves as it always has.
    folder = _copy_programs(tmp_path, settings)
    path = folder / "classkick-collaboration.yaml"
    original = path.read_text()
    credentials_load_dir(folder)
    path.write_text(original.replace("title: Collaboration\n", "title: Changed\n", 1))
    credentials_load_dir(folder)
    path.write_text(original)
    results, _ = credentials_load_dir(folder)
    result = next(r for r in results if r.slug == "classkick-collaboration")
    assert (result.version, result.kept_newer) == (1, False)
    assert _current(Credential.objects.get(slug="classkick-collaboration")).number == 1


def test_a_browser_publish_may_go_back_to_an_older_text(classkick: Credential, issuer_admin: User) -> None:
    original = _current(classkick).definition
    draft = draft_start(actor=issuer_admin, credential=classkick)
    draft = draft_save(actor=issuer_admin, draft=draft, definition={**draft.definition, "title": "New"}, revision=1)
    draft_publish(actor=issuer_admin, draft=draft)
    draft = draft_start(actor=issuer_admin, credential=classkick)
    draft = draft_save(actor=issuer_admin, draft=draft, definition=original, revision=1)
    published = draft_publish(actor=issuer_admin, draft=draft)
    assert (published.version.number, published.created) == (1, False)
    assert _current(classkick).number == 1
