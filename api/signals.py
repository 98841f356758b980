"""A changed password revokes the person's personal access tokens, whichever way it was changed.

Resetting a password is what someone does who fears another has it; a token made by that other person
must stop working with it. The reset and change pages, the admin's password form and `changepassword`
all end in `set_password()` and `save()`, and the API sits above accounts in the layers, so this listens
for the save rather than being called by each of them. It runs inside the save's transaction: if the
new password rolls back, the tokens stay.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.erasure import account_closed, account_erased
from accounts.models import User, password_saved
from api.models import PersonalAccessToken
from api.services import tokens_revoke_all


def tokens_revoke_on_password_change(
    sender: type[User], instance: User, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    if not password_saved(instance, created=created, raw=raw, update_fields=kwargs.get("update_fields")):
        return
    tokens_revoke_all(user=instance, reason="the password was changed")


@receiver(account_closed, dispatch_uid="api.tokens_on_account_closed")
def tokens_end_on_account_closed(sender: type[User], user: User, **kwargs: Any) -> None:
    """An account closed for deletion loses its tokens at once, as signing in is refused."""
    tokens_revoke_all(user=user, reason="the account is being deleted")


@receiver(account_erased, dispatch_uid="api.tokens_on_account_erased")
def tokens_delete_on_account_erased(sender: type[User], user: User, **kwargs: Any) -> None:
    """An erased account keeps no token: its name is the person's own words."""
    PersonalAccessToken.objects.filter(user=user).delete()
