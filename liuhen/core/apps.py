from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liuhen.core"
    label = "core"
    verbose_name = "核心"
