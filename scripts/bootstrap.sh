# Sourced by ./dev and .ci/run: puts Node >= 22 and pnpm 10 on PATH (a private Node 24 in .tools/ when the
# machine's node is older — the machine's own node is never replaced) and installs the workspace when
# node_modules is missing or older than the lockfile.
bootstrap_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bootstrap_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 22 ] || ! command -v pnpm >/dev/null 2>&1; then
    if [ ! -x "$bootstrap_root/.tools/node_modules/.bin/node" ] || [ ! -x "$bootstrap_root/.tools/node_modules/.bin/pnpm" ]; then
      echo "bootstrap: installing Node 24 and pnpm 10 into .tools/ (once)" >&2
      npm i --prefix "$bootstrap_root/.tools" --no-audit --no-fund node@24 pnpm@10 >/dev/null || return 1
    fi
    export PATH="$bootstrap_root/.tools/node_modules/.bin:$PATH"
  fi
}

bootstrap_install() {
  local marker="$bootstrap_root/node_modules/.modules.yaml"
  if [ ! -f "$marker" ] || [ "$bootstrap_root/pnpm-lock.yaml" -nt "$marker" ]; then
    echo "bootstrap: pnpm install --frozen-lockfile" >&2
    (cd "$bootstrap_root" && pnpm install --frozen-lockfile) || return 1
  fi
}

# The dashboard's browser test drives Debian's Chromium (test/observability/fleet-view.test.ts skips without it).
# Installed only when missing and only as root (CI runs as root); anyone else is told the command.
bootstrap_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: apt-get install -y chromium (the dashboard's browser test)" >&2
    { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "bootstrap: chromium not installed; the browser test will be skipped" >&2
  else
    echo "bootstrap: /usr/bin/chromium missing; the dashboard's browser test is skipped (install: sudo apt-get install -y chromium)" >&2
  fi
}
