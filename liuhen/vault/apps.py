from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "liuhen.vault"
    label = "vault"
    verbose_name = "证据库"
