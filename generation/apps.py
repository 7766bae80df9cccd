from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "Generation"

    def ready(self) -> None:
        from cameos import signals as cameos_signals

        from . import receivers

        cameos_signals.consent_narrowed.connect(receivers.consent_narrowed, dispatch_uid="generation.consent_narrowed")
        cameos_signals.cameo_deleting.connect(receivers.cameo_deleting, dispatch_uid="generation.cameo_deleting")
