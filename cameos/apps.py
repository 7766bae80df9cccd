from django.apps import AppConfig


class CameosConfig(AppConfig):
    name = "cameos"
    verbose_name = "Cameos"

    def ready(self) -> None:
        from accounts import signals as accounts_signals

        from . import receivers

        accounts_signals.relationship_ended.connect(receivers.relationship_ended, dispatch_uid="cameos.relationship_ended")
        accounts_signals.cameo_use_narrowed.connect(receivers.cameo_use_narrowed, dispatch_uid="cameos.cameo_use_narrowed")
