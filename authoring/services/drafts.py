"""An issuer admin's drafts of a credential definition: start one (from the current version, or blank for a new
credential), save edits (never lost, valid or not, but never over a newer save), import YAML into one, discard
it, and publish it as a new immutable catalog version through the same loader `make run` uses.

A draft's slug and its issuer's slug are fixed when it starts: publishing with another slug would write over a
different credential, and another issuer's slug would move the credential to an issuer the admin does not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import User
from authoring.models import CredentialDraft
from authoring.services.signoff import signoffs_publish
from catalog.loader import BROWSER_SOURCE, DefinitionError, credential_load, definition_validate, definition_yaml_read
from catalog.models import Credential, CredentialVersion, Issuer
from catalog.schema import SLUG, CredentialDefinition
from core.audit import audit_record
from core.errors import FieldError, InvalidInput, InvalidState

Problem = tuple[str, str]


class DraftStale(InvalidState):
    """The draft was saved by someone (or another tab) since the form was drawn; nothing was saved."""

    def __init__(self, draft: CredentialDraft) -> None:
        self.revision = draft.revision
        who = draft.updated_by.name or draft.updated_by.email
        super().__init__(
            gettext(
                "this draft was saved by %(who)s since you opened it (it is now at revision "
                "%(revision)s); your changes are not saved yet: check them against theirs, then save "
                "again to keep yours"
            )
            % {"who": who, "revision": draft.revision}
        )


def definition_skeleton(*, issuer: Issuer, slug: str, title: str) -> dict[str, Any]:
    """The smallest definition that validates, for a new credential: every required part present, each holding
    placeholder words the author replaces."""
    return {
        "schema_version": 1,
        "slug": slug,
        "title": title,
        "issuer": {
            "slug": issuer.slug,
            "name": issuer.name,
            "url": issuer.url or "https://example.org/",
            "description": issuer.description or f"About {issuer.name}.",
            **({"email": issuer.email} if issuer.email else {}),
            "colour": issuer.colour,
            "accent_colour": issuer.accent_colour,
        },
        "summary": f"What an educator shows to earn {title}.",
        "grade_bands": ["high_school"],
        "page_order": ["competency_statement", "submission", "rubric", "review_policy"],
        "competency_statement": "The educator ...",
        "parts": [
            {
                "id": "evidence",
                "title": "Evidence",
                "fields": [{"id": "narrative", "kind": "text", "label": "Describe your practice", "max_words": 500}],
            }
        ],
        "rubric": {
            "levels": [{"id": "meets", "label": "Meets the standard"}, {"id": "not_yet", "label": "Not yet"}],
            "passing_level": "meets",
            "criteria": [
                {
                    "id": "practice",
                    "part": "evidence",
                    "title": "Practice",
                    "descriptors": {
                        "meets": "The narrative shows ...",
                        "not_yet": "The narrative does not yet show ...",
                    },
                }
            ],
        },
        "review_policy": {"seats": [{"kind": "issuer_staff", "count": 1}], "pass_rule": "all_reviewers_all_criteria"},
    }


def identity_problems(draft: CredentialDraft, definition: Any) -> list[Problem]:
    if not isinstance(definition, dict):
        return []
    problems: list[Problem] = []
    if definition.get("slug") != draft.slug:
        problems.append(
            ("slug", f"is {definition.get('slug')!r} but this draft is of {draft.slug!r}; a draft keeps its slug")
        )
    issuer = definition.get("issuer")
    if isinstance(issuer, dict) and issuer.get("slug") != draft.issuer.slug:
        problems.append(
            (
                "issuer.slug",
                f"is {issuer.get('slug')!r} but this credential belongs to {draft.issuer.slug!r}; keep the issuer",
            )
        )
    return problems


def _refuse(problems: list[Problem], message: str | None = None) -> InvalidInput:
    return InvalidInput([FieldError(path or "(top level)", text) for path, text in problems], message)


def draft_problems(draft: CredentialDraft) -> list[Problem]:
    """Everything publishing would refuse, as (path as the loader names it, what to do)."""
    _, problems = definition_validate(draft.definition)
    return identity_problems(draft, draft.definition) + problems


def draft_start(*, actor: User, credential: Credential) -> CredentialDraft:
    """The credential's open draft, started from its current version when there is none."""
    with transaction.atomic():
        draft = CredentialDraft.objects.select_for_update().filter(credential=credential).first()
        if draft is not None:
            return draft
        # Read afresh: the caller's object may predate a publish, and the draft must start from what is current.
        version = Credential.objects.select_related("current_version").get(pk=credential.pk).current_version
        if version is None:
            raise InvalidState(gettext("this credential has no published version to start a draft from"))
        try:
            with transaction.atomic():
                draft = CredentialDraft.objects.create(
                    issuer_id=credential.issuer_id,
                    slug=credential.slug,
                    credential=credential,
                    base_version=version,
                    definition=version.definition,
                    created_by=actor,
                    updated_by=actor,
                )
        except IntegrityError:
            # Two admins pressed Edit at once: the unique constraint let one draft in; both edit that one.
            return CredentialDraft.objects.get(credential=credential)
        audit_record(
            action="draft.started",
            subject=draft,
            actor=actor,
            new=f"{credential.slug} from v{version.number}",
            issuer_id=credential.issuer_id,
        )
    return draft


def _slug_free(slug: str, field: str = "slug") -> None:
    if not isinstance(slug, str) or not re.match(SLUG, slug) or len(slug) > 80:
        raise InvalidInput.on(
            field,
            gettext("must be lowercase letters and digits in words joined by single hyphens, such as 'my-credential'"),
        )
    if Credential.objects.filter(slug=slug).exists() or CredentialDraft.objects.filter(slug=slug).exists():
        raise InvalidInput.on(field, f"{slug!r} is already taken by another credential or draft; choose another")


def draft_new(*, actor: User, issuer: Issuer, slug: str, title: str) -> CredentialDraft:
    """A draft of a new credential, from the smallest definition that validates."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput.on("title", gettext("is required: give the credential a title"))
    if len(title) > 200:
        raise InvalidInput.on("title", gettext("is longer than 200 characters; shorten it"))
    with transaction.atomic():
        _slug_free(slug)
        draft = CredentialDraft.objects.create(
            issuer=issuer,
            slug=slug,
            definition=definition_skeleton(issuer=issuer, slug=slug, title=title),
            created_by=actor,
            updated_by=actor,
        )
        audit_record(action="draft.started", subject=draft, actor=actor, new=f"{slug} (new)", issuer_id=issuer.pk)
    return draft


def draft_save(*, actor: User, draft: CredentialDraft, definition: dict[str, Any], revision: int) -> CredentialDraft:
    """Keep `definition` as the draft's text, valid or not, unless someone saved since `revision` was read."""
    if not isinstance(definition, dict):
        raise InvalidInput.on("definition", gettext("must be a mapping of keys to values"))
    identity = identity_problems(draft, definition)
    if identity:
        raise _refuse(identity)
    with transaction.atomic():
        locked = (
            CredentialDraft.objects.select_for_update(of=("self",))
            .select_related("updated_by", "issuer")
            .get(pk=draft.pk)
        )
        if locked.revision != revision:
            raise DraftStale(locked)
        changed = sorted(
            key for key in {*locked.definition, *definition} if locked.definition.get(key) != definition.get(key)
        )
        locked.definition = definition
        locked.revision += 1
        locked.updated_by = actor
        locked.save()
        audit_record(
            action="draft.saved",
            subject=locked,
            actor=actor,
            old=str(revision),
            new=str(locked.revision),
            data={"changed": changed},
            issuer_id=locked.issuer_id,
        )
    return locked


def draft_discard(*, actor: User, draft: CredentialDraft) -> None:
    with transaction.atomic():
        audit_record(
            action="draft.discarded", subject=draft, actor=actor, old=f"r{draft.revision}", issuer_id=draft.issuer_id
        )
        draft.delete()


def definition_yaml(definition: dict[str, Any]) -> str:
    """A definition as YAML, in its own key order, readable and loadable by the loader as it stands."""
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def _yaml_data(text: str, source: str) -> dict[str, Any]:
    try:
        return definition_yaml_read(text, source=source)
    except DefinitionError as error:
        raise _refuse([(path, problem) for path, problem in error.problems], str(error)) from None


def draft_import(*, actor: User, draft: CredentialDraft, text: str, revision: int) -> CredentialDraft:
    """Replace the draft's text with a YAML definition (which need not validate yet; it must be this draft's)."""
    data = _yaml_data(text, "the YAML")
    saved = draft_save(actor=actor, draft=draft, definition=data, revision=revision)
    audit_record(
        action="draft.imported", subject=saved, actor=actor, new=f"r{saved.revision}", issuer_id=saved.issuer_id
    )
    return saved


def draft_import_new(*, actor: User, issuer: Issuer, text: str) -> CredentialDraft:
    """Import YAML at the issuer's level: into the open (or a new) draft of the credential it names, or as a
    new credential's draft when no credential has its slug yet."""
    data = _yaml_data(text, "the YAML")
    slug = data.get("slug")
    issuer_data = data.get("issuer")
    if not isinstance(issuer_data, dict) or issuer_data.get("slug") != issuer.slug:
        raise InvalidInput.on("issuer.slug", f"must be {issuer.slug!r}: only {issuer.name}'s credentials import here")
    if not isinstance(slug, str):
        raise InvalidInput.on("slug", "is required: the YAML must name the credential's slug")
    credential = Credential.objects.filter(slug=slug).first()
    if credential is not None and credential.issuer_id != issuer.pk:
        raise InvalidInput.on("slug", f"{slug!r} is another issuer's credential; choose another slug")
    if credential is not None:
        draft = draft_start(actor=actor, credential=credential)
        return draft_import(actor=actor, draft=draft, text=text, revision=draft.revision)
    existing = CredentialDraft.objects.filter(slug=slug, issuer=issuer).first()
    if existing is not None:
        return draft_import(actor=actor, draft=existing, text=text, revision=existing.revision)
    with transaction.atomic():
        _slug_free(slug)
        draft = CredentialDraft.objects.create(
            issuer=issuer, slug=slug, definition=data, created_by=actor, updated_by=actor
        )
        audit_record(action="draft.imported", subject=draft, actor=actor, new=f"{slug} (new)", issuer_id=issuer.pk)
    return draft


@dataclass(frozen=True)
class Published:
    version: CredentialVersion
    created: bool  # False: the draft equalled an existing version, which is current again


def draft_publish(*, actor: User, draft: CredentialDraft, overwrite: bool = False) -> Published:
    """Validate the draft exactly as the loader validates a file and load it as the credential's current version;
    the draft is then closed. Attempts and submissions point at versions, so those in progress keep theirs.

    Refused (InvalidInput, every problem with its path) when it does not validate; refused (InvalidState)
    when another version became current since the draft started, unless `overwrite`."""
    with transaction.atomic():
        locked = (
            CredentialDraft.objects.select_for_update(of=("self",))
            .select_related("issuer", "credential")
            .get(pk=draft.pk)
        )
        problems = draft_problems(locked)
        if problems:
            raise _refuse(problems, f"the draft has {len(problems)} problem(s) to fix before it can be published")
        definition = CredentialDefinition.model_validate(locked.definition)
        credential = Credential.objects.select_for_update().filter(slug=locked.slug).first()
        if credential is None and locked.credential_id is not None:
            raise InvalidState("the credential this draft edits no longer exists; export the draft as YAML")
        if credential is not None and (
            locked.credential_id != credential.pk or credential.issuer_id != locked.issuer_id
        ):
            raise InvalidInput.on("slug", f"{locked.slug!r} is already another credential's slug; choose another")
        if (
            credential is not None
            and not overwrite
            and credential.current_version_id != locked.base_version_id
            and credential.current_version is not None
        ):
            raise InvalidState(
                f"version {credential.current_version.number} became current after this draft started from "
                f"version {locked.base_version.number if locked.base_version else '?'}; compare them, then publish "
                "again choosing to replace it"
            )
        result = credential_load(definition=definition, source_name=f"{BROWSER_SOURCE}{actor.email}"[:300])
        version = CredentialVersion.objects.select_related("credential").get(
            credential__slug=result.slug, number=result.version
        )
        signoffs_publish(draft=locked, version=version)
        audit_record(
            action="version.published",
            subject=version,
            actor=actor,
            old=f"v{locked.base_version.number}" if locked.base_version else "",
            new=f"v{version.number}",
            data={"created": result.created, "content_hash": result.content_hash, "draft_revision": locked.revision},
            issuer_id=locked.issuer_id,
        )
        locked.delete()
    return Published(version=version, created=result.created)
