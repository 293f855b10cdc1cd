"""The ``liuhen`` command: serve, demo, verify, check, deadlines, ingest, checkpoint, user management,
bench."""

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
    from liuhen.demo.builder import build_demo, demo_logins, demo_showcase

    _startup()
    created = build_demo(seed=args.seed)
    print("演示数据已创建。" if created else "演示数据已存在，未重复创建。")
    _print_logins(demo_logins())
    showcase = [(item, case) for item, case in demo_showcase() if case is not None]
    if showcase:
        print("演示案件 / showcase cases（用 liuhen check --case <编号> 查看检查结果）:")
        for item, case in showcase:
            rules = "（" + "、".join(rule for rule, _ in item.expect) + "）" if item.expect else ""
            print(f"  {item.pack}  {case.number}  {item.label}{rules}")
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

    from liuhen.av.worker import start_worker_process, stop_worker_process

    # Background tasks (AV derivatives): one `liuhen worker` beside the web server, unless
    # --no-worker / LIUHEN_WORKER=0 (then run `liuhen worker` yourself).
    worker = None if args.no_worker else start_worker_process()
    try:
        _Server().run()
    finally:
        stop_worker_process(worker)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run background tasks (django-tasks, database backend): AV playback copies and posters."""
    from liuhen.av.worker import run_worker

    _migrate()
    return run_worker(
        batch=args.batch,
        interval=args.interval,
        retry_failed=args.retry_failed,
        quiet=args.quiet,
        out=sys.stdout,
    )


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

    if args.dock:
        return _ingest_dock(args)
    if not args.files or not args.case:
        raise CliError("请指定文件和 --case，或用 --dock 导入目录 / give FILE... --case NO, or --dock DIR")
    if args.device or args.watch:
        raise CliError("--device、--watch 只用于 --dock / --device and --watch go with --dock")
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


def _ingest_dock(args: argparse.Namespace) -> int:
    """Recorder dock / export folder → audio-visual items not yet in a case (liuhen/av/dock.py)."""
    from liuhen.av.dock import DockError, run_dock_command

    if args.files or args.case or args.record_type:
        raise CliError(
            "--dock 不能与文件列表、--case、--record-type 同用 / --dock takes no FILE, --case or --record-type"
        )
    _startup()
    try:
        return run_dock_command(
            dock=args.dock, device=args.device or "", watch=args.watch, username=args.user
        )
    except DockError as exc:
        raise CliError(str(exc)) from exc


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

    return run_benchmarks(
        size_mib=args.size_mib,
        dock_files=args.dock_files,
        workdir=args.workdir,
        check_cases=args.check_cases,
        dock_file_kib=args.dock_file_kib,
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Findings of the policy packs for one case or all; exit 1 when any finding is blocking."""
    import json

    from liuhen.cases.models import Case, Stage
    from liuhen.policy.audit import check_cases
    from liuhen.policy.findings import FindingStatus, Severity

    _migrate()
    cases = Case.objects.all()
    if args.case:
        cases = cases.filter(number=args.case)
        if not cases.exists():
            raise CliError(f"案件不存在 / no such case: {args.case}")
    rows: list[dict[str, Any]] = []
    blocking = False
    for checked in check_cases(cases, workers=None):  # many cases: batches in parallel worker processes
        for f in checked.findings:
            blocking = blocking or f.blocking
            rows.append(
                {
                    "case": checked.number,
                    "rule_id": f.rule_id,
                    "pack": f.pack,
                    "requirement_ids": list(f.requirement_ids),
                    "citation": f.citation,
                    "severity": f.severity.value,
                    "status": f.status.value,
                    "message": f.message,
                    "stage": f.stage,
                    "record_id": f.record_id,
                    "due": f.due.isoformat() if f.due else None,
                    "provisional": f.provisional,
                }
            )
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        status_labels = {
            FindingStatus.MISSING: "待补",
            FindingStatus.VIOLATED: "违反",
            FindingStatus.DUE: "期限中",
            FindingStatus.OVERDUE: "已逾期",
            FindingStatus.LATE: "逾期完成",
        }
        severity_labels = {Severity.BLOCKING: "阻断", Severity.WARNING: "提示"}
        stage_labels = dict(Stage.choices)
        print("案件编号\t阶段\t状态\t级别\t规则\t依据\t期限\t说明")
        for row in rows:
            print(
                "\t".join(
                    (
                        row["case"],
                        str(stage_labels.get(row["stage"], row["stage"] or "—")),
                        status_labels[FindingStatus(row["status"])],
                        severity_labels[Severity(row["severity"])],
                        row["rule_id"],
                        row["citation"],
                        (row["due"] or "—") + ("（暂定）" if row["provisional"] else ""),
                        row["message"],
                    )
                )
            )
        print(f"共 {len(rows)} 条；{'存在阻断项' if blocking else '无阻断项'}")
    return 1 if blocking else 0


def cmd_uploads(args: argparse.Namespace) -> int:
    """Resumable uploads: ``--clean-expired`` expires idle unfinished uploads and deletes their bytes."""
    from liuhen.uploads.services import clean_expired

    _migrate()
    if not args.clean_expired:
        raise CliError("请指定操作，例如 --clean-expired / nothing to do (try --clean-expired)")
    report = clean_expired(log=lambda line: print(f"已过期 expired: {line}"))
    for upload_id in report.busy:
        print(f"正在写入，跳过 / busy, skipped: {upload_id}")
    print(
        f"清理过期上传 {len(report.expired)} 个，孤立临时文件 {len(report.orphan_files)} 个"
        f" / expired {len(report.expired)}, orphan files {len(report.orphan_files)}"
    )
    return 0


def cmd_access(args: argparse.Namespace) -> int:
    """Access grants (AC-1): ``--expire`` records the end of every grant whose time ran out (daily job)."""
    from liuhen.access.services import expire_grants

    _migrate()
    if not args.expire:
        raise CliError("请指定操作，例如 --expire / nothing to do (try --expire)")
    ended = expire_grants()
    print(f"记录到期授权 {len(ended)} 项 / grants recorded as expired: {len(ended)}")
    return 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    """List the open deadlines (overdue first); ``--refresh`` first recomputes them — the daily job
    that turns due into overdue and catches anything a write did not."""
    from django.utils import timezone

    from liuhen.cases.models import Case
    from liuhen.policy.models import OPEN_STATES, Deadline, DeadlineState
    from liuhen.policy.services import cases_to_refresh, refresh_deadlines_for

    _migrate()
    cases = cases_to_refresh()
    if args.case:
        cases = Case.objects.filter(number=args.case)
        if not cases.exists():
            raise CliError(f"案件不存在 / no such case: {args.case}")
    if args.refresh:
        result = refresh_deadlines_for(cases=cases, actor=None)
        print(
            f"已重算 {result.cases} 件案件的期限：新增 {result.created}，期限变更 {result.rescheduled}，"
            f"完成 {result.met}，重新计算 {result.reopened}，不再适用 {result.dropped}，转为逾期 {result.overdue}"
        )
    today = timezone.localdate()
    rows = (
        Deadline.objects.filter(case__in=cases, state__in=OPEN_STATES, stopped=False)
        .select_related("case")
        .order_by("due", "case_id", "pk")
    )
    overdue = 0
    print("案件编号\t状态\t期限\t规则\t依据\t要求")
    for d in rows:
        late = d.state == DeadlineState.OVERDUE or d.due < today
        overdue += late
        print(
            "\t".join(
                (
                    d.case.number,
                    "已逾期" if late else "期限中",
                    d.due.isoformat() + ("（暂定）" if d.provisional else ""),
                    d.rule_id,
                    d.citation,
                    d.message,
                )
            )
        )
    print(f"未完成期限 {len(rows)} 项，其中已逾期 {overdue} 项")
    return 0


def cmd_export_case(args: argparse.Namespace) -> int:
    """AR-5: the court-ready package of one case (liuhen/exports); checked offline with
    ``liuhen-verify-package``."""
    from django.core.exceptions import PermissionDenied

    from liuhen.cases.models import Case
    from liuhen.exports.services import ExportError, build_case_package
    from liuhen.org.models import Person

    _migrate()
    case = Case.objects.select_related("agency").filter(number=args.case).first()
    if case is None:
        raise CliError(f"案件不存在 / no such case: {args.case}")
    if args.user:
        actor = Person.objects.filter(username=args.user).first()
        if actor is None:
            raise CliError(f"用户不存在 / no such user: {args.user}")
    else:
        handler = case.handlers.select_related("person").order_by("pk").first()
        if handler is None:
            raise CliError("案件没有承办人员，请用 --user 指定 / case has no handler; pass --user")
        actor = handler.person
    try:
        result = build_case_package(actor=actor, case=case, out_path=args.out)
    except (ExportError, PermissionDenied) as exc:
        raise CliError(str(exc)) from exc
    print(f"导出包 package: {result.path}（{result.size} 字节）")
    print(f"  SM3 {result.zip_sm3}")
    print(f"  SHA-256 {result.zip_sha256}")
    print(f"交付回执 receipt: {result.receipt_path}")
    print(f"清单摘要 manifest: {result.manifest_digest}")
    print(
        f"文书 {result.documents} 份，证据文件 {result.media} 个，账本条目 {result.entries} 条，"
        f"检查点 {result.checkpoint.tree_size}（密钥 {result.checkpoint.key_id}），导出条目 #{result.entry.seq}"
    )
    if result.withheld_records:
        print(f"因密级限制未导出的记录 {result.withheld_records} 份 / records withheld (confidentiality)")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    """RT-1..5: what is due for disposal (``--due``), per agency; ``--finish`` removes the files of
    disposals whose removal was interrupted (liuhen/retention)."""
    from datetime import date

    from django.utils import timezone

    from liuhen.org.models import Agency
    from liuhen.retention.selectors import due_for_disposal
    from liuhen.retention.services import finish_disposals

    _migrate()
    if args.finish:
        removed, left = finish_disposals()
        print(f"已删除已销毁文件 {removed} 个，仍未删除 {len(left)} 个 / removed {removed}, left {len(left)}")
        for key in left:
            print(f"  {key}")
    if not args.due:
        return 0
    try:
        today = date.fromisoformat(args.today) if args.today else timezone.localdate()
    except ValueError as exc:
        raise CliError(f"日期格式应为 YYYY-MM-DD / bad date: {args.today}") from exc
    agencies = Agency.objects.order_by("pk")
    if args.agency:
        agencies = agencies.filter(short_name=args.agency)
        if not agencies.exists():
            raise CliError(f"机关不存在 / no such agency: {args.agency}")
    total = 0
    print("机关\t文件\t大小\t类型\t保存至\t规则\t用途")
    for agency in agencies:
        for item in due_for_disposal(agency, today=today):
            total += 1
            expires = item.retention.expires_on.isoformat() if item.retention.expires_on else "-"
            print(
                "\t".join(
                    (
                        agency.short_name,
                        item.blob.sm3,
                        str(item.blob.size),
                        item.blob.media_type,
                        expires,
                        item.retention.rule,
                        "；".join(item.uses) or "-",
                    )
                )
            )
    print(f"截至 {today.isoformat()} 保存期限届满、可申请销毁的文件：到期 {total} 项 / {total} due")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liuhen", description="留痕 行政执法全过程记录系统")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="迁移数据库并启动网页服务 / migrate and serve")
    p.add_argument("--demo", action="store_true", help="先创建演示数据 / create demo data first")
    p.add_argument("--addr", default="127.0.0.1:8000")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--access-log", action="store_true")
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="不启动后台任务进程（另行运行 liuhen worker）/ do not start the background worker",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="运行后台任务（音像转码、封面）/ run background tasks")
    p.add_argument(
        "--batch", action="store_true", help="处理完待办任务后退出 / run what is queued, then exit"
    )
    p.add_argument(
        "--interval", type=float, default=1.0, help="空闲时轮询间隔（秒）/ poll interval when idle"
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="重新生成此前失败的派生文件 / try failed derivatives again",
    )
    p.add_argument("--quiet", action="store_true", help="只输出错误 / errors only")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("demo", help="创建演示数据 / create demo data")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("verify", help="全面校验账本、检查点、数据与证据文件 / verify everything")
    p.add_argument("--skip-blobs", action="store_true", help="不重新计算文件摘要 / skip re-hashing files")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("checkpoint", help="生成签名检查点 / sign a Merkle checkpoint now")
    p.set_defaults(func=cmd_checkpoint)

    p = sub.add_parser(
        "ingest",
        help="将文件导入案件，或导入执法记录仪目录 / attach files to a case, or import a recorder dock",
    )
    p.add_argument("files", nargs="*")
    p.add_argument("--case", help="案件编号 / case number")
    p.add_argument("--user", help="操作人用户名（默认主办人）/ acting user (default: lead handler)")
    p.add_argument("--record-type", help="记录类型（默认按文件类型）/ record type code")
    p.add_argument(
        "--dock",
        help="导入执法记录仪存储或导出目录中的全部文件（待确认归属）/ import a recorder's storage or export folder",
    )
    p.add_argument(
        "--device", help="无法从文件识别时使用的记录仪编号 / recorder serial when the files do not tell"
    )
    p.add_argument(
        "--watch",
        action="store_true",
        help="持续监视目录，导入新放入的文件 / keep polling the folder for new files",
    )
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

    p = sub.add_parser("check", help="按规则包检查案件 / check cases against the policy packs")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--case", help="案件编号 / case number")
    which.add_argument("--all", action="store_true", help="全部案件（默认）/ all cases (default)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("uploads", help="断点续传上传的维护 / resumable upload maintenance")
    p.add_argument(
        "--clean-expired",
        action="store_true",
        help="清理已过期的未完成上传 / expire idle unfinished uploads and delete their partial bytes",
    )
    p.set_defaults(func=cmd_uploads)

    p = sub.add_parser("access", help="调阅授权的维护 / access grants maintenance")
    p.add_argument(
        "--expire", action="store_true", help="记录已到期的授权（每日任务）/ record expired grants"
    )
    p.set_defaults(func=cmd_access)

    p = sub.add_parser("deadlines", help="法定期限：列出未完成的期限 / open statutory deadlines")
    p.add_argument(
        "--refresh", action="store_true", help="先重算全部期限（每日任务）/ recompute first (daily job)"
    )
    p.add_argument("--case", help="仅此案件 / only this case number")
    p.set_defaults(func=cmd_deadlines)

    p = sub.add_parser("retention", help="保存期限：到期可销毁的文件 / retention: items due for disposal")
    p.add_argument("--due", action="store_true", help="列出保存期限届满的文件 / list items due for disposal")
    p.add_argument("--today", help="按此日期计算（YYYY-MM-DD）/ compute as of this date")
    p.add_argument("--agency", help="机关简称 / agency short name")
    p.add_argument(
        "--finish",
        action="store_true",
        help="删除已销毁但仍在证据库的文件 / remove files of finished disposals",
    )
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser("bench", help="性能基准 / benchmarks")
    p.add_argument("--size-mib", type=int, default=2048)
    p.add_argument("--dock-files", type=int, default=500)
    p.add_argument(
        "--dock-file-kib",
        type=int,
        default=4096,
        help="目录导入基准中每个文件的平均大小（KiB）/ average file size of the dock benchmark",
    )
    p.add_argument(
        "--check-cases",
        type=int,
        default=10000,
        help="按规则包检查的生成案件数（0 = 不测）/ generated cases for the compliance-check benchmark (0 = skip)",
    )
    p.add_argument("--workdir", type=Path, default=None)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "export-case",
        help="导出可离线校验的案卷包（AR-5）/ export a case as a package that verifies offline",
    )
    p.add_argument("case", help="案件编号 / case number")
    p.add_argument("out", type=Path, help="输出的 .zip 文件 / output .zip (receipt written beside it)")
    p.add_argument("--user", help="导出人用户名（默认主办人）/ exporting user (default: lead handler)")
    p.set_defaults(func=cmd_export_case)
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
