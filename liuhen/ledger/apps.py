from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "liuhen.ledger"
    label = "ledger"
    verbose_name = "账本"
