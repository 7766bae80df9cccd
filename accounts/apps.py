from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .services.credentials import on_logged_in, on_logged_out

        user_logged_in.connect(on_logged_in, dispatch_uid="accounts.session_started")
        user_logged_out.connect(on_logged_out, dispatch_uid="accounts.session_ended")
