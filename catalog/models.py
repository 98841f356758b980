from __future__ import annotations

from functools import cached_property

from django.db import models

from catalog.schema import CredentialDefinition


class Issuer(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    url = models.URLField()
    description = models.TextField()
    email = models.EmailField(blank=True)
    # From the definition's issuer block: what the generated badge image is drawn in.
    colour = models.CharField(max_length=7, default="#084482")
    accent_colour = models.CharField(max_length=7, default="#ffbf47")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Credential(models.Model):
    """A credential as the catalog lists it; what it requires lives in its versions."""

    slug = models.SlugField(max_length=80, unique=True)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="credentials")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    # Denormalised from the current version so the catalog filters with plain indexed columns on
    # SQLite and PostgreSQL alike; values are stored as "|a|b|" so `contains="|a|"` matches whole codes.
    grade_bands = models.CharField(max_length=200, default="|")
    standard_codes = models.CharField(max_length=500, default="|")
    standards_framework = models.CharField(max_length=200, blank=True)
    search_text = models.TextField(blank=True)
    current_version = models.ForeignKey(
        "CredentialVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_published = models.BooleanField(default=True)
    # When the badge image last changed (see BadgeImage); pages put it in the image's URL so a new one shows.
    badge_image_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "issuer__name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.issuer.name})"

    def grade_band_list(self) -> list[str]:
        return [band for band in self.grade_bands.split("|") if band]

    def standard_code_list(self) -> list[str]:
        return [code for code in self.standard_codes.split("|") if code]


class BadgeImage(models.Model):
    """The badge image an issuer admin uploaded for a credential (checked, an SVG sanitised, by
    awards.image_checks); without one the generated default is drawn. Kept in the database so every app server
    serves the same bytes, and in its own table so listing credentials never reads the images."""

    credential = models.OneToOneField(Credential, on_delete=models.CASCADE, related_name="badge_image")
    content = models.BinaryField()  # the PNG as re-encoded, or the SVG as sanitised
    content_type = models.CharField(max_length=40)  # "image/png" or "image/svg+xml"
    png = models.BinaryField()  # the PNG form: the same bytes for a PNG, drawn at upload for an SVG
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.credential.slug} badge image ({self.content_type})"


class CredentialVersion(models.Model):
    """One exact, immutable text of a credential definition, identified by its content hash.

    Attempts and scores point at a version, never at the credential, so a later edit of the
    YAML file can never change what an earlier submission was judged against.
    """

    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    definition = models.JSONField()
    source_name = models.CharField(max_length=300)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["credential", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["credential", "content_hash"], name="version_unique_hash"),
            models.UniqueConstraint(fields=["credential", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.credential.slug} v{self.number} ({self.content_hash[:12]})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("a credential version is immutable; load a changed file to make a new version")
        super().save(*args, **kwargs)

    @cached_property
    def spec(self) -> CredentialDefinition:
        if self.pk is None:
            return CredentialDefinition.model_validate(self.definition)
        key = (self.pk, self.content_hash)
        spec = _SPECS.get(key)
        if spec is None:
            if len(_SPECS) >= _SPECS_KEPT:
                _SPECS.clear()
            spec = _SPECS[key] = CredentialDefinition.model_validate(self.definition)
        return spec


# A version never changes once saved, and its spec is frozen, so each process validates a version's
# definition once rather than on every request that loads the row (an autosave did it four times).
# Keyed by the content hash too, so a database restored or rebuilt under the same ids cannot serve a stale spec.
_SPECS: dict[tuple[int, str], CredentialDefinition] = {}
_SPECS_KEPT = 512
