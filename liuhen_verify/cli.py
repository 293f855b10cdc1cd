"""``liuhen-verify-package PACKAGE.zip``: prints ``OK`` and exits 0, or names each problem and exits 1
(2 when the package cannot be read at all). Standard library + gmalglib only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from liuhen_verify import FORMAT, __version__
from liuhen_verify.package import PackageError, load_public_key, verify_package

_INFO_LABELS = {
    "case": "案件 case",
    "agency": "机关 agency",
    "generated": "导出 generated",
    "manifest": "清单摘要 manifest",
    "key_id": "公钥标识 key id",
    "checkpoint": "检查点 checkpoint",
    "files": "文件 files",
    "entries": "账本条目 ledger entries",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="liuhen-verify-package",
        description=f"离线校验留痕案卷导出包 / verify a Liuhen case package offline ({FORMAT})",
    )
    parser.add_argument(
        "package", type=Path, help="导出包 .zip 或其解压目录 / the .zip or its extracted folder"
    )
    parser.add_argument(
        "--manifest-digest",
        help="交付回执上的清单摘要（sm3:…）/ the manifest SM3 printed on the delivery receipt",
    )
    parser.add_argument(
        "--public-key",
        help="另行取得的机关公钥（文件或十六进制）/ the agency public key obtained separately (file or hex)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="只输出问题和结论 / only problems and the verdict"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _trusted_key(value: str) -> bytes:
    path = Path(value)
    text = path.read_text(encoding="ascii") if path.is_file() else value
    key = load_public_key(text)
    if key is None:
        raise ValueError(f"不是 SM2 公钥 not an SM2 public key: {value}")
    return key


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        trusted = _trusted_key(args.public_key) if args.public_key else None
        report = verify_package(args.package, manifest_digest=args.manifest_digest, trusted_key=trusted)
    except (PackageError, ValueError, OSError) as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        for key, label in _INFO_LABELS.items():
            if report.info.get(key):
                print(f"{label}: {report.info[key]}")
    for problem in report.problems:
        print(problem)
    if report.ok:
        print("OK")
        return 0
    print(f"FAILED: {len(report.problems)} 个问题 problem(s)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
