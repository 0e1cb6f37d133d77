from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "站点"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from core.generations import on_change

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(on_change, dispatch_uid=f"core.generations.{id(signal)}")
