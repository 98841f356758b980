"""People, issuer memberships and reviewer profiles in the admin.

Users are the platform admin's alone (the "Issuer admins" group has no user permissions). Issuer admins
manage the memberships and reviewer profiles of their own issuers, naming a person by email address so
that the admin never lists everyone's accounts to them. Every change goes through accounts.services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from accounts.models import IssuerMembership, ReviewerProfile, User
from accounts.services import membership_grant, membership_revoke, reviewer_profile_save
from catalog.schema import GRADE_BANDS
from pages.accounts.forms import AdminEmailAuthenticationForm
from pages.admin.scoping import IssuerScopedMixin, is_platform_admin, object_issuers_outside_scope

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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = _UserChangeForm
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


_BAND_CHOICES = list(GRADE_BANDS.items())


class ReviewerProfileChangeForm(ModelForm):
    bands = forms.MultipleChoiceField(
        label="Grade bands",
        choices=_BAND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The grade bands this reviewer knows well enough to judge.",
    )

    class Meta:
        model = ReviewerProfile
        fields = ("kind", "issuers", "capacity", "conflicts", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["bands"].initial = self.instance.grade_band_list()


class ReviewerProfileAddForm(ReviewerProfileChangeForm):
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
    issuer_path = "issuers"
    form = ReviewerProfileChangeForm
    list_display = ("user", "kind", "bands", "issuer_names", "capacity", "is_active")
    list_filter = ("kind", "is_active", ("issuers", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("user__email", "user__name")
    filter_horizontal = ("issuers",)
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewerProfile]:
        return super().get_queryset(request).prefetch_related("issuers")

    def get_form(
        self, request: HttpRequest, obj: ReviewerProfile | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = ReviewerProfileAddForm if obj is None else ReviewerProfileChangeForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ReviewerProfile | None = None) -> Any:
        first = ("user_email",) if obj is None else ("user",)
        return (*first, "kind", "issuers", "bands", "capacity", "conflicts", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: ReviewerProfile | None = None) -> Any:
        return ("user",) if obj is not None else ()

    @admin.display(description="Grade bands")
    def bands(self, obj: ReviewerProfile) -> str:
        return ", ".join(GRADE_BANDS[band] for band in obj.grade_band_list())

    @admin.display(description="Reviews for")
    def issuer_names(self, obj: ReviewerProfile) -> str:
        return ", ".join(sorted(issuer.name for issuer in obj.issuers.all()))

    def has_delete_permission(self, request: HttpRequest, obj: ReviewerProfile | None = None) -> bool:
        # A profile shared with another issuer is not one issuer admin's to delete; they can remove their issuer.
        if obj is not None and object_issuers_outside_scope(request, obj.issuers.all()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ReviewerProfile, form: Any, change: bool) -> None:
        data = form.cleaned_data
        # Issuers this admin cannot see stay as they were: an issuer admin's form only offers their own.
        kept = object_issuers_outside_scope(request, obj.issuers.all()) if obj.pk else []
        profile = reviewer_profile_save(
            actor=_actor(request),
            user=obj.user,
            kind=data["kind"],
            issuers=[*data["issuers"], *kept],
            grade_bands=list(data["bands"]),
            capacity=data["capacity"],
            conflicts=data["conflicts"],
            is_active=data["is_active"],
        )
        obj.pk = profile.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The issuers were set by reviewer_profile_save; the form's own save_m2m would drop the kept ones.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
