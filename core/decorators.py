from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from accounts.roles import user_role


def role_required(*roles):
    """Login required; a signed-in user without one of `roles` gets 404, like any object
    outside their scope (a 403 would confirm the page exists)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if user_role(request.user) not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
