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
