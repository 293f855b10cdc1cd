from django.db import migrations

from liuhen.core.immutability import ProtectTable


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [
        ProtectTable("review_majordispute"),
        ProtectTable("review_majorresolution"),
        ProtectTable("review_submission"),
        ProtectTable("review_receipt"),
        ProtectTable("review_extension"),
        ProtectTable("review_checklistentry"),
        ProtectTable("review_discretioncheck"),
        ProtectTable("review_question"),
        ProtectTable("review_answer"),
        ProtectTable("review_opinion"),
        ProtectTable("review_filereturn"),
    ]
