from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        ProtectTable("ledger_ledgerentry"),
        ProtectTable("ledger_checkpoint"),
    ]
