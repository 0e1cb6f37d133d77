"""Roles (角色) and what decides a user's scope. Scope rules themselves are queryset methods
(`visible_to` / `editable_by` / `reviewable_by`): their shared shape in `accounts/scoping.py`,
the querysets in `indicators/models/scoping.py` and `projects/scoping.py`."""


def user_role(user):
    """The role of an authenticated user, or None. Superusers act as administrators."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return "admin"
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else None


def scope_key(user):
    """Plain values that decide everything `user` may see: two users with the same key see the
    same rows, so a summary computed for one may be served to the other."""
    profile = profile_of(user)
    role = user_role(user)
    if role == "admin" or profile is None:
        return (role,)
    return (role, profile.region_id, profile.bureau_id)


def profile_of(user):
    return getattr(user, "profile", None)


def display_name(user):
    """How people are named on pages: bureau (or region) and name — 绛县林业局 张三 — never a bare
    user name. Callers showing many users select_related("profile__bureau__region", "profile__region")."""
    if user is None:
        return "—"
    name = user.get_full_name() or user.get_username()
    profile = profile_of(user)
    if profile is None:
        return name
    if profile.bureau_id:
        return f"{profile.bureau} {name}"
    if profile.region_id:
        return f"{profile.region.name}{profile.get_role_display()} {name}"
    return name
