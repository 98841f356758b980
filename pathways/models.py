"""Pathways: an issuer's set of its own credentials which, once earned (all of them, or a number of them), earn
their own Open Badges 3.0 credential; and each earner's award of one, which names the credential issued for it.

Every change to these rows is recorded in the one audit log (core.audit), not here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.models import Badge
from catalog.models import Credential, Issuer


class Rule(models.TextChoices):
    ALL = "all", _("All of its credentials")
    N_OF = "n_of", _("A number of its credentials")


class Pathway(models.Model):
    """A set of an issuer's credentials stacked into one. Editing it changes what earns it from then on;
    credentials already issued keep the achievement they were signed with."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="pathways")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField()
    credentials = models.ManyToManyField(Credential, related_name="pathways")
    rule = models.CharField(max_length=10, choices=Rule.choices, default=Rule.ALL)
    # N of "N of them"; unused when every credential is needed.
    required_count = models.PositiveSmallIntegerField(null=True, blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issuer", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "slug"], name="pathway_unique_slug"),
            models.CheckConstraint(
                condition=Q(rule="all") | Q(required_count__gte=1), name="pathway_n_of_needs_a_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.issuer.slug})"

    def needed(self, total: int) -> int:
        """How many of its `total` credentials earn the pathway."""
        if self.rule == Rule.ALL or self.required_count is None:
            return total
        return min(self.required_count, total)


class PathwayAward(models.Model):
    """One earner's completion of one pathway and the credential issued for it. Unique per pathway and earner:
    pathway_award_issue relies on this (with its lock) to issue the credential exactly once."""

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="awards")
    earner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pathway_awards")
    badge = models.OneToOneField(Badge, on_delete=models.PROTECT, related_name="pathway_award")
    # The credentials it stacked when it was issued (the signed credential names them as its evidence).
    stacked = models.ManyToManyField(Badge, related_name="stacked_into")
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["pathway", "earner"], name="pathwayaward_once")]

    def __str__(self) -> str:
        return f"{self.pathway} for {self.earner}"
