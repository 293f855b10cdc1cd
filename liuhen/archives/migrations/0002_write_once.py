from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_initial")]

    operations = [
        ProtectTable("archives_archiverecord"),
        ProtectTable("archives_archivedecision"),
        ProtectTable("archives_custodiandesignation"),
    ]
