from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [
        ProtectTable("cases_party"),
        ProtectTable("cases_casehandler"),
        ProtectTable("cases_stagechange"),
    ]
