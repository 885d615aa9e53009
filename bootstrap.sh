#!/usr/bin/env bash
# Set up the course's Python environment (.venv) on demand, then run one job.
#
#   bash bootstrap.sh lab    open the course in JupyterLab (lessons, widgets, nbgrader extensions)
#   bash bootstrap.sh test   run the whole test suite
#   bash bootstrap.sh shell  a shell with the environment activated
#
# Needs only python3 (3.10+) with venv and pip. Extra arguments go to jupyter lab or pytest.
set -euo pipefail
cd "$(dirname "$0")"
job="${1:-}"
shift || true

python="${PYTHON:-python3}"

# Debian packages: venv support if this Python lacks it; for the tests, Chromium (the browser
# tests drive Debian's Chromium, never a browser Playwright downloads), PostgreSQL (the
# server-gradebook test starts a private server), bubblewrap (the sandbox of a grader who is
# not root) and the proxy of the JupyterHub in deploy/. Installed only as root, if missing.
install_debian_packages() {
    local missing=()
    "$python" -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
    if [ "$job" = test ]; then
        [ -x /usr/bin/chromium ] || missing+=(chromium)
        compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
        command -v bwrap >/dev/null || missing+=(bubblewrap)
        command -v configurable-http-proxy >/dev/null || missing+=(node-configurable-http-proxy)
    fi
    if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "bootstrap: installing Debian's ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}
install_debian_packages

if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv with $("$python" --version)"
    "$python" -m venv .venv
fi
# Reinstall only when the project's requirements changed.
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "bootstrap: installing the course and its test tools into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[test]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"

case "$job" in
    lab)
        root_flag=()
        [ "$(id -u)" = "0" ] && root_flag=(--allow-root)
        exec jupyter lab --ServerApp.root_dir="$PWD" "${root_flag[@]}" "$@"
        ;;
    test)
        exec python -m pytest "$@"
        ;;
    shell)
        exec "${SHELL:-bash}"
        ;;
    *)
        echo "usage: bash bootstrap.sh lab|test|shell [arguments]" >&2
        exit 2
        ;;
esac
