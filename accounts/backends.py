"""The authentication backend: Django's ModelBackend, reading the signed-in user with what every
page asks of them in one query."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileBackend(ModelBackend):
    """Every page asks for the user's role (their profile, `accounts.roles`) and the header names
    their region; ModelBackend's `get_user` read the user, then the profile, then the region — three
    queries on every request. This reads them, and the bureau, in one."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile__region", "profile__bureau__region").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
