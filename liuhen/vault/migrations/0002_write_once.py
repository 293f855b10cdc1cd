from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("vault", "0001_initial")]

    operations = [
        ProtectTable("vault_blob"),
    ]
