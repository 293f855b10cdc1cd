from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [
        ProtectTable("records_record"),
        ProtectTable("records_recordsigner"),
        ProtectTable("records_recordattachment"),
    ]
