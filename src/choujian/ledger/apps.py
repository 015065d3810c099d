from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "choujian.ledger"
    label = "ledger"
    verbose_name = "防篡改日志"
