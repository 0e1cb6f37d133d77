from django.conf import settings

from accounts.roles import user_role


def site(request):
    user = getattr(request, "user", None)
    role = user_role(user) if user is not None else None
    profile = getattr(user, "profile", None) if role else None
    region = profile.region if profile is not None and profile.region_id else None
    return {"SITE_NAME": "生态指标", "EAGER_TASKS": settings.CELERY_TASK_ALWAYS_EAGER, "user_role": role,
            "user_region": region}
