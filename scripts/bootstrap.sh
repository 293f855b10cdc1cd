#!/usr/bin/env bash
# Install what Liuhen needs on a fresh Debian machine; idempotent and quiet when nothing is missing.
#   scripts/bootstrap.sh          run-time needs (CJK fonts, ffmpeg, venv + packages)
#   scripts/bootstrap.sh --test   also what the test suite needs (chromium, postgresql, dev tools)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

# Pango/HarfBuzz: WeasyPrint renders the PDF 执法文书 through them (liuhen/documents).
packages=(fonts-wqy-microhei ffmpeg openssl libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if (( want_test )); then
  packages+=(chromium postgresql)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "==> 安装系统软件包 installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q || true
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [[ ! -x .venv/bin/python ]]; then
  echo "==> 创建虚拟环境 creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv || { echo "python venv failed: apt-get install python3-venv" >&2; exit 1; }
fi

extras=""
(( want_test )) && extras="[dev]"
stamp=".venv/.liuhen-installed${extras:+-dev}"
fingerprint=$(sha256sum pyproject.toml | cut -d' ' -f1)
installed() { [[ -f "$1" && "$(cat "$1")" == "$fingerprint" ]]; }
# A development install already holds everything the run-time install would.
if ! installed "$stamp" && ! installed ".venv/.liuhen-installed-dev"; then
  echo "==> 安装 Python 依赖 installing Python packages"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ('liuhen', 'django', 'ninja', 'gmalglib', 'av', 'weasyprint', 'docxtpl', 'segno')))" \
    || { echo "Python packages failed to install" >&2; exit 1; }
  echo "$fingerprint" > "$stamp"
fi
