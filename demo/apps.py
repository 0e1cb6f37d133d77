from django.apps import AppConfig


class DemoConfig(AppConfig):
    """示例数据 and demo accounts for trying the system out and for measuring it at scale.

    Development only: no other app imports it. Production leaves it out of INSTALLED_APPS
    (DJANGO_DEMO=0, as docker-compose sets), and the real plans never depend on it."""

    name = "demo"
    verbose_name = "示例数据"
