"""The ``liuhen`` command: serve, demo, verify, ingest, checkpoint, user management, bench."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class CliError(Exception):
    """A user-facing failure: printed without a traceback, exit status 2."""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuhen.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    """Apply pending migrations; a quick plan check first, so commands on an up-to-date
    database do not pay for the full migrate command (and its post-migrate signals)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=verbosity)


def _startup() -> None:
    """Migrate and undo whatever a crash left half-done in the vault."""
    from liuhen.vault.services import recover

    _migrate()
    report = recover()
    if report.skipped_busy:
        print("证据库正在被其他进程写入，本次跳过启动清理 / vault busy; start-up clean-up skipped")
    if report.removed_files or report.removed_temp:
        print(f"证据库恢复：清理未提交文件 {report.removed_files} 个、临时文件 {report.removed_temp} 个")


def cmd_demo(args: argparse.Namespace) -> int:
    from liuhen.demo.builder import build_demo, demo_logins

    _startup()
    created = build_demo(seed=args.seed)
    print("演示数据已创建。" if created else "演示数据已存在，未重复创建。")
    _print_logins(demo_logins())
    return 0


def _print_logins(logins: Sequence[tuple[str, str, str]]) -> None:
    print("演示账号 / demo logins（用户名 / 密码 / 角色）:")
    for username, password, description in logins:
        print(f"  {username:<12} {password:<14} {description}")


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    _startup()
    if args.demo:
        from liuhen.demo.builder import build_demo, demo_logins

        build_demo(seed=0)
        _print_logins(demo_logins())
    from liuhen.ledger.services import make_checkpoint

    make_checkpoint()
    host, _, port = args.addr.rpartition(":")
    print(f"留痕已启动：http://{args.addr}/  （数据目录 {settings.LIUHEN_HOME}）", flush=True)
    from gunicorn.app.base import BaseApplication

    from liuhen.wsgi import application

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host or '127.0.0.1'}:{port or '8000'}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("timeout", 300)
            self.cfg.set("accesslog", "-" if args.access_log else None)

        def load(self) -> Any:
            return application

    _Server().run()
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from liuhen.ledger.verify import verify

    _migrate()
    report = verify(blobs=not args.skip_blobs)
    for problem in report.problems:
        print(problem)
    print(
        f"账本条目 {report.entries}，检查点 {report.checkpoints}，数据行 {report.rows}，证据文件 {report.blobs}；"
        f"尚未进入检查点的条目 {report.uncovered_entries}"
    )
    if report.ok:
        print("校验通过 OK: everything intact")
        return 0
    print(f"校验失败 FAILED: {len(report.problems)} 个问题 problem(s)")
    return 1


def cmd_checkpoint(args: argparse.Namespace) -> int:
    from liuhen.ledger.services import make_checkpoint

    _migrate()
    result = make_checkpoint()
    if result.checkpoint is None:
        print("账本为空，无需检查点。")
    else:
        cp = result.checkpoint
        state = "新建" if result.created else "已存在"
        print(f"检查点{state}：条目数 {cp.tree_size}，根 {cp.root_hash}，密钥 {cp.key_id}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError

    from liuhen.cases.models import Case
    from liuhen.org.models import Person
    from liuhen.records.services import FileInput, create_record
    from liuhen.vault.services import guess_media_type

    _startup()
    case = Case.objects.filter(number=args.case).first()
    if case is None:
        raise CliError(f"案件不存在 / no such case: {args.case}")
    if args.user:
        actor = Person.objects.filter(username=args.user).first()
        if actor is None:
            raise CliError(f"用户不存在 / no such user: {args.user}")
    else:
        handler = case.handlers.select_related("person").first()
        if handler is None:
            raise CliError("案件没有承办人员，请用 --user 指定 / case has no handler; pass --user")
        actor = handler.person
    paths = [Path(p) for p in args.files]
    for path in paths:
        if not path.is_file():
            raise CliError(f"文件不存在 / not a file: {path}")
    for path in paths:
        started = time.perf_counter()
        media_type = guess_media_type(path.name)
        record_type = args.record_type or _media_record_type(media_type)
        try:
            record = create_record(
                actor=actor,
                case=case,
                record_type=record_type,
                data={"description": f"导入文件 {path.name}"},
                title=path.name,
                files=[FileInput(source=str(path), filename=path.name, media_type=media_type)],
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CliError(f"{path.name}: {_messages(exc)}") from exc
        blob = record.attachments.get().blob
        elapsed = time.perf_counter() - started
        print(f"{path.name}\t{blob.size} 字节\t{blob.sm3}\t记录 #{record.pk}\t用时 {elapsed:.2f} 秒")
    return 0


def _messages(exc: Exception) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _media_record_type(media_type: str) -> str:
    if media_type.startswith("image/"):
        return "photo"
    if media_type.startswith("video/"):
        return "video"
    if media_type.startswith("audio/"):
        return "audio"
    return "document_scan"


def cmd_createagency(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from liuhen.org.services import create_agency

    _migrate()
    try:
        agency = create_agency(
            actor=None, name=args.name, short_name=args.short_name, policy_pack=args.policy_pack
        )
    except ValidationError as exc:
        raise CliError(_messages(exc)) from exc
    print(f"已创建机关 #{agency.pk}：{agency.name}")
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from liuhen.org.models import Agency, Department
    from liuhen.org.services import create_person

    _migrate()
    agency = Agency.objects.filter(short_name=args.agency).first() if args.agency else None
    if args.agency and agency is None:
        raise CliError(f"机关不存在 / no agency with short name {args.agency}")
    department = None
    if args.department:
        department = Department.objects.filter(agency=agency, name=args.department).first()
        if department is None:
            raise CliError(f"科室不存在 / no department {args.department}")
    password = args.password or os.environ.get("LIUHEN_NEW_PASSWORD", "")
    if len(password) < 8:
        raise CliError(
            "密码至少 8 位（--password 或 LIUHEN_NEW_PASSWORD）/ password of 8+ characters required"
        )
    try:
        person = create_person(
            actor=None,
            username=args.username,
            full_name=args.full_name,
            password=password,
            agency=agency,
            department=department,
            roles=args.role or ["officer"],
            certificate_no=args.certificate_no,
            is_superuser=args.superuser,
        )
    except ValidationError as exc:
        raise CliError(_messages(exc)) from exc
    print(f"已创建用户 {person.username}（{'、'.join(person.role_labels)}）")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from liuhen.bench.run import run_benchmarks

    return run_benchmarks(size_mib=args.size_mib, dock_files=args.dock_files, workdir=args.workdir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liuhen", description="留痕 行政执法全过程记录系统")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="迁移数据库并启动网页服务 / migrate and serve")
    p.add_argument("--demo", action="store_true", help="先创建演示数据 / create demo data first")
    p.add_argument("--addr", default="127.0.0.1:8000")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--access-log", action="store_true")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="创建演示数据 / create demo data")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("verify", help="全面校验账本、检查点、数据与证据文件 / verify everything")
    p.add_argument("--skip-blobs", action="store_true", help="不重新计算文件摘要 / skip re-hashing files")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("checkpoint", help="生成签名检查点 / sign a Merkle checkpoint now")
    p.set_defaults(func=cmd_checkpoint)

    p = sub.add_parser("ingest", help="将文件作为音像/文件记录导入案件 / attach files to a case")
    p.add_argument("files", nargs="+")
    p.add_argument("--case", required=True, help="案件编号 / case number")
    p.add_argument("--user", help="操作人用户名（默认主办人）/ acting user (default: lead handler)")
    p.add_argument("--record-type", help="记录类型（默认按文件类型）/ record type code")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("createagency", help="创建执法机关 / create an agency")
    p.add_argument("--name", required=True)
    p.add_argument("--short-name", required=True)
    p.add_argument("--policy-pack", default="baseline")
    p.set_defaults(func=cmd_createagency)

    p = sub.add_parser("createuser", help="创建用户 / create a user")
    p.add_argument("username")
    p.add_argument("--full-name", required=True)
    p.add_argument("--password")
    p.add_argument("--agency", help="机关简称 / agency short name")
    p.add_argument("--department")
    p.add_argument("--role", action="append", help="角色，可重复 / role, repeatable")
    p.add_argument("--certificate-no")
    p.add_argument("--superuser", action="store_true")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("bench", help="性能基准 / benchmarks")
    p.add_argument("--size-mib", type=int, default=2048)
    p.add_argument("--dock-files", type=int, default=500)
    p.add_argument("--workdir", type=Path, default=None)
    p.set_defaults(func=cmd_bench)
    return parser


def _write_peak_rss() -> None:
    """For `liuhen bench`: this process image's own peak RSS (VmHWM). The rusage a parent gets
    from wait4 also counts the memory the child had before exec, i.e. the parent's own."""
    target = os.environ.get("LIUHEN_PEAK_RSS_FILE")
    if not target:
        return
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                Path(target).write_text(line.split()[1], encoding="ascii")  # KiB
                return


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup()
    try:
        result: int = args.func(args)
    except CliError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    finally:
        _write_peak_rss()
    return result


if __name__ == "__main__":
    sys.exit(main())
