"""People, issuer memberships and reviewer profiles in the admin.

Users are the platform admin's alone (the "Issuer admins" group has no user permissions). Issuer admins
manage the memberships of their own issuers, and the profiles of the people holding reviewer roles there,
naming a person by email address so that the admin never lists everyone's accounts to them. Reviewer roles
are shown here and given or ended on the issuer's Reviewers page. Every change goes through accounts.services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Prefetch, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from accounts.models import IssuerMembership, ReviewerProfile, ReviewerRole, User
from accounts.services import membership_grant, membership_revoke, reviewer_profile_save
from catalog.schema import GRADE_BANDS
from pages.accounts.forms import AdminEmailAuthenticationForm
from pages.admin.scoping import IssuerScopedMixin, admin_issuers, is_platform_admin

admin.site.login_form = AdminEmailAuthenticationForm
admin.site.site_header = "microcred administration"
admin.site.site_title = "microcred admin"


def _actor(request: HttpRequest) -> User:
    # The admin site lets only signed-in staff this far: the audit log names them as who acted.
    assert isinstance(request.user, User)
    return request.user


class _UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class _UserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ReviewerRoleInline(admin.TabularInline[ReviewerRole, User]):
    """A person's reviewer roles, on their user page (the platform admin's). Roles are given and ended on each
    issuer's Reviewers page (pages/issuers), where every change is audited with who made it; here they are
    only read."""

    model = ReviewerRole
    fk_name = "user"
    fields = ("issuer", "kind", "bands", "granted_by", "granted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Reviewer roles (given and ended on each issuer's Reviewers page)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Grade bands")
    def bands(self, obj: ReviewerRole) -> str:
        return _bands(obj)


def _bands(role: ReviewerRole) -> str:
    return ", ".join(GRADE_BANDS[band] for band in role.grade_band_list()) or "—"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = _UserChangeForm
    inlines = (ReviewerRoleInline,)
    add_form = _UserCreationForm
    list_display = ("email", "name", "organisation", "email_verified_at", "is_staff", "is_superuser", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "name", "organisation")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("name", "organisation", "email_verified_at")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )


class _PersonByEmail(forms.Form):
    """Names an existing account by its email address, with a message that says what to do if there is none."""

    user_email = forms.EmailField(
        label="Email address",
        help_text="The email address the person signed up with.",
        error_messages={"required": "Enter the person's email address."},
    )

    def clean_user_email(self) -> str:
        email = str(self.cleaned_data["user_email"]).strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise forms.ValidationError(
                "No account uses this email address. Ask the person to sign up first, then add them here."
            )
        self.cleaned_data["user"] = user
        return email


class MembershipAddForm(ModelForm):
    user_email = _PersonByEmail.base_fields["user_email"]
    clean_user_email = _PersonByEmail.clean_user_email

    class Meta:
        model = IssuerMembership
        fields = ("issuer", "role")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, issuer, role = cleaned.get("user"), cleaned.get("issuer"), cleaned.get("role")
        if user and issuer and role and IssuerMembership.objects.filter(user=user, issuer=issuer, role=role).exists():
            raise forms.ValidationError(
                f"{user.email} is already {IssuerMembership.Role(role).label.lower()} of {issuer.name}."
            )
        if user:
            self.instance.user = user
        return cleaned


@admin.register(IssuerMembership)
class IssuerMembershipAdmin(IssuerScopedMixin, admin.ModelAdmin[IssuerMembership]):
    form = MembershipAddForm
    list_display = ("user", "issuer", "role")
    list_filter = ("role", ("issuer", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "issuer")
    search_fields = ("user__email", "user__name")
    actions = None  # removing access is done one person at a time, on the page that names them

    def get_fields(self, request: HttpRequest, obj: IssuerMembership | None = None) -> Any:
        return ("user_email", "issuer", "role") if obj is None else ("user", "issuer", "role")

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not is_platform_admin(request):
            # Who may enter the admin site is the platform's decision; issuer admins add staff.
            kwargs["choices"] = [(IssuerMembership.Role.STAFF.value, IssuerMembership.Role.STAFF.label)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: IssuerMembership | None = None) -> bool:
        # A membership is granted or revoked, never edited: each of those has its own service.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: IssuerMembership | None = None) -> bool:
        if obj is not None and obj.role == IssuerMembership.Role.ADMIN and not is_platform_admin(request):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: IssuerMembership, form: Any, change: bool) -> None:
        membership = membership_grant(
            actor=_actor(request), user=form.cleaned_data["user"], issuer=obj.issuer, role=obj.role
        )
        obj.pk = membership.pk

    def delete_model(self, request: HttpRequest, obj: IssuerMembership) -> None:
        membership_revoke(actor=_actor(request), membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[IssuerMembership]) -> None:
        for membership in queryset.select_related("user"):
            membership_revoke(actor=_actor(request), membership=membership)


class ReviewerProfileForm(ModelForm):
    class Meta:
        model = ReviewerProfile
        fields = ("capacity", "conflicts", "is_active")


class ReviewerProfileAddForm(ReviewerProfileForm):
    user_email = _PersonByEmail.base_fields["user_email"]

    def clean_user_email(self) -> str:
        email = _PersonByEmail.clean_user_email(self)  # type: ignore[arg-type]
        user = self.cleaned_data["user"]
        if ReviewerProfile.objects.filter(user=user).exists():
            raise forms.ValidationError(f"{email} already has a reviewer profile; find it in the list and change it.")
        self.instance.user = user
        return email


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(IssuerScopedMixin, admin.ModelAdmin[ReviewerProfile]):
    """A reviewer's capacity, conflicts and pause, with their roles inline. An issuer admin sees the people
    holding a role at their issuers; they give roles (which makes the profile) on the Reviewers page."""

    issuer_path = "user__reviewer_roles__issuer"
    form = ReviewerProfileForm
    list_display = ("user", "role_names", "capacity", "is_active")
    list_filter = ("is_active", ("user__reviewer_roles__issuer", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email", "user__name")
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewerProfile]:
        # Only the roles at the admin's own issuers come along: another issuer's roles are not theirs to read.
        roles = ReviewerRole.objects.select_related("issuer").order_by("issuer__name", "kind")
        if not is_platform_admin(request):
            roles = roles.filter(issuer__in=admin_issuers(request))
        return super().get_queryset(request).prefetch_related(Prefetch("user__reviewer_roles", queryset=roles))

    def get_form(
        self, request: HttpRequest, obj: ReviewerProfile | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = ReviewerProfileAddForm if obj is None else ReviewerProfileForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ReviewerProfile | None = None) -> Any:
        if obj is None:
            return ("user_email", "capacity", "conflicts", "is_active")
        return ("user", "roles", "capacity", "conflicts", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: ReviewerProfile | None = None) -> Any:
        return ("user", "roles") if obj is not None else ()

    @admin.display(description="Roles")
    def role_names(self, obj: ReviewerProfile) -> str:
        return "; ".join(f"{role.get_kind_display()} at {role.issuer.name}" for role in obj.user.reviewer_roles.all())

    @admin.display(description="Reviewer roles")
    def roles(self, obj: ReviewerProfile) -> str:
        rows = list(obj.user.reviewer_roles.all())
        if not rows:
            return "No role at an issuer you administer."
        return format_html(
            "<table><thead><tr><th>Issuer</th><th>Role</th><th>Grade bands</th><th>Given</th></tr></thead>"
            "<tbody>{}</tbody></table><p>{}</p>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (role.issuer.name, role.get_kind_display(), _bands(role), f"{role.granted_at:%Y-%m-%d}")
                    for role in rows
                ),
            ),
            "Roles are given and ended on each issuer's Reviewers page.",
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An issuer admin makes a reviewer by giving a role on the Reviewers page; a profile without a role
        # would belong to no issuer they administer.
        return is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: ReviewerProfile | None = None) -> bool:
        # Deleting would forget a person's capacity and conflicts for every issuer; pause the profile instead.
        return False

    def save_model(self, request: HttpRequest, obj: ReviewerProfile, form: Any, change: bool) -> None:
        data = form.cleaned_data
        profile = reviewer_profile_save(
            actor=_actor(request),
            user=obj.user,
            capacity=data["capacity"],
            conflicts=data["conflicts"],
            is_active=data["is_active"],
        )
        obj.pk = profile.pk
