"""A version's definition is validated once per process, however many requests load its row."""

from __future__ import annotations

import pytest

from catalog.models import CredentialVersion


@pytest.mark.django_db
def test_each_load_of_a_version_shares_one_validated_spec(credentials):
    version = credentials["classkick-collaboration"].current_version
    first = CredentialVersion.objects.get(pk=version.pk).spec
    again = CredentialVersion.objects.get(pk=version.pk).spec
    assert again is first
    assert first.slug == "classkick-collaboration"


@pytest.mark.django_db
def test_a_row_with_other_content_under_the_same_id_is_validated_afresh(credentials):
    version = CredentialVersion.objects.get(pk=credentials["classkick-collaboration"].current_version.pk)
    cached = version.spec
    other = CredentialVersion.objects.get(pk=credentials["educators-rising-collaboration"].current_version.pk)
    # The same id with another text (as after a restore into a rebuilt database) must not reuse the cached spec.
    impostor = CredentialVersion(pk=version.pk, content_hash=other.content_hash, definition=other.definition)
    assert impostor.spec is not cached
    assert impostor.spec.slug == "educators-rising-collaboration"


@pytest.mark.django_db
def test_a_field_found_by_reference_comes_from_the_definition_asked(credentials):
    spec = CredentialVersion.objects.get(pk=credentials["classkick-collaboration"].current_version.pk).spec
    part = spec.parts[0]
    field = part.fields[0]
    ref = f"{part.id}.{field.id}"
    assert spec.field_at(ref) is field
    # A copy with other parts, as a translated definition is made, answers with its own fields, not the original's.
    relabelled = part.model_copy(update={"fields": [field.model_copy(update={"label": "Otra etiqueta"})]})
    translated = spec.model_copy(update={"parts": [relabelled, *spec.parts[1:]]})
    assert translated.field_at(ref).label == "Otra etiqueta"
    assert spec.field_at(ref) is field
    # Looking fields up leaves a definition equal to the same one read afresh.
    assert spec == type(spec).model_validate(spec.model_dump())
    with pytest.raises(ValueError, match="no field"):
        spec.field_at(f"{part.id}.no_such_field")
