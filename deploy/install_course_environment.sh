#!/usr/bin/env bash
# Install the course's Python environment where every account can use it: the students'
# JupyterLab servers, the instructor's and grader's tools, and the kernels that `course grade`
# starts in its sandbox when the grader is an ordinary user, and a Dask worker's (`dask
# worker`, for `course grade --scheduler`: distributed and the PostgreSQL driver).
#
#   bash deploy/install_course_environment.sh [PREFIX]     (default: /opt/backprop-course/env)
#
# Made from Debian's /usr/bin/python3 (3.11) and left readable by everyone: the machine's
# default python3 lives under /root, which no other account can read. The course package is
# installed, not linked to this checkout (which other accounts may not be able to read).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:-/opt/backprop-course/env}"
python="${COURSE_PYTHON:-/usr/bin/python3}"

umask 022
if [ ! -x "$prefix/bin/python" ]; then
    "$python" -m venv "$prefix"
    "$prefix/bin/python" -m pip install --quiet --upgrade pip
fi
# Built from a copy: pip builds in the source folder, and this checkout stays untouched.
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cp -r "$repo/pyproject.toml" "$repo/README.md" "$repo/autograder" "$build/"
"$prefix/bin/python" -m pip install --quiet "$build[hub,dask]"
"$prefix/bin/python" -m pip install --quiet --no-deps --force-reinstall "$build"
chmod -R a+rX "$prefix"
echo "course environment: $prefix ($("$prefix/bin/python" --version))"
