from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The site itself. It connects no signal receivers: the write services renew what depends on
    their writes themselves (`core.generations.bump`, `indicators.results.services.recompute`),
    so bulk deletes stay fast deletes."""

    name = "core"
    verbose_name = "站点"
