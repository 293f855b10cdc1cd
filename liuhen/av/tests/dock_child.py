"""Helper process for the dock-import acceptance test (``test_cli_dock.py``), run against the
SQLite database in ``LIUHEN_HOME``:

- ``setup``: an agency, two officers, the equipment office, two recorders each checked out to
  one officer now (prints the checkout time as JSON);
- ``check``: every audio-visual item with its attributed officer, status and flags, and the
  counts of rows, blobs, pending markers and temp files (JSON on the last line);
- ``derivatives``: every derivative (item, kind, status, media type, error) and the task states.
"""

from __future__ import annotations

import json
import os
import sys


def setup() -> dict[str, object]:
    from datetime import date

    from django.core.management import call_command

    from liuhen.equipment import services as equipment
    from liuhen.equipment.models import DeviceKind
    from liuhen.equipment.testing import GOOD_CHECK
    from liuhen.org.models import Role
    from liuhen.org.services import create_agency, create_department, create_person

    call_command("migrate", interactive=False, verbosity=0)
    agency = create_agency(actor=None, name="测试县医疗保障局", short_name="测医保", policy_pack="baseline")
    dept = create_department(actor=None, agency=agency, name="基金监管科")

    def person(username: str, name: str, roles: list[str], cert: str | None) -> object:
        return create_person(
            actor=None,
            username=username,
            full_name=name,
            password="liuhen-test-pw",
            agency=agency,
            department=dept if cert else None,
            roles=roles,
            certificate_no=cert,
        )

    a1 = person("a1", "张伟", [Role.OFFICER], "64000000000001")
    a2 = person("a2", "王芳", [Role.OFFICER], "64000000000002")
    admin = person("eqadmin", "孙丽", [Role.EQUIPMENT_ADMIN], None)
    checkouts = []
    for serial, holder in (("DSJ-64032300001", a1), ("DSJ-64032300002", a2)):
        device = equipment.register_device(
            actor=admin,  # type: ignore[arg-type]
            agency=agency,
            kind=DeviceKind.BODY_CAMERA,
            serial_no=serial,
            model_name="某品牌 DSJ-V9",
            purchase_date=date(2024, 3, 1),
            department=dept,
        )
        checkouts.append(
            equipment.check_and_check_out(
                actor=admin,  # type: ignore[arg-type]
                device=device,
                holder=holder,  # type: ignore[arg-type]
                check=GOOD_CHECK,
                purpose="现场检查",
            )
        )
    return {"checked_out_at": max(c.checked_out_at for c in checkouts).isoformat()}


def check() -> dict[str, object]:
    from django.conf import settings

    from liuhen.av import selectors
    from liuhen.av.models import MediaItem, MediaSource
    from liuhen.vault.models import Blob

    items = {}
    for item in selectors.with_state(MediaItem.objects.all()).select_related("blob"):
        state = selectors.state_of(item)
        items[item.filename] = {
            "officer": state.officer.username if state.officer else None,
            "status": state.status,
            "flags": list(state.flags),
            "recorder_no": item.recorder_no,
            "size": item.blob.size,
            "metadata_error": item.metadata_error,
        }
    vault = settings.LIUHEN_VAULT_DIR
    return {
        "items": items,
        "item_count": MediaItem.objects.count(),
        "sources": MediaSource.objects.count(),
        "blobs": Blob.objects.count(),
        "pending": len(list((vault / "pending").iterdir())) if (vault / "pending").is_dir() else 0,
    }


def derivatives() -> dict[str, object]:
    from django_tasks_db.models import DBTaskResult

    from liuhen.av.models import Derivative

    rows = Derivative.objects.select_related("item", "blob").order_by("pk")
    return {
        "derivatives": [
            {
                "item": d.item.filename,
                "kind": d.kind,
                "status": d.status,
                "media_type": d.blob.media_type if d.blob else None,
                "error": d.error,
            }
            for d in rows
        ],
        "tasks": sorted(str(t.status) for t in DBTaskResult.objects.all()),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuhen.settings")
    import django

    django.setup()
    modes = {"setup": setup, "check": check, "derivatives": derivatives}
    result = modes[sys.argv[1]]()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
