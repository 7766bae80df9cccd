from django.apps import AppConfig


class CameosConfig(AppConfig):
    name = "cameos"
    verbose_name = "Cameos"
