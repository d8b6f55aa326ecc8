#!/bin/sh
# Prints the path of a Python >= 3.12 interpreter and exits 0, or explains and exits 1.
# Order: $PYTHON, then python3.12/3.13/3.14 on PATH, then pyenv/asdf/uv installs, then python3.
# Each candidate is executed, because a pyenv shim for a version that is installed but
# not selected exists on PATH yet fails when run.
set -u

works() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

try() {
    if [ -n "$1" ] && works "$1"; then
        "$1" -c 'import sys; print(sys.executable)'
        exit 0
    fi
}

if [ -n "${PYTHON:-}" ]; then
    try "$PYTHON"
    echo "PYTHON=$PYTHON is not a Python >= 3.12" >&2
    exit 1
fi

for minor in 12 13 14; do
    try "$(command -v "python3.$minor" 2>/dev/null || true)"
    for root in "${PYENV_ROOT:-$HOME/.pyenv}/versions" "$HOME/.asdf/installs/python" "$HOME/.local/share/uv/python"; do
        for dir in $(ls -d "$root"/3."$minor"* "$root"/cpython-3."$minor"* 2>/dev/null | sort -r); do
            try "$dir/bin/python3"
        done
    done
    for prefix in /opt/homebrew/bin /usr/local/bin /usr/bin; do
        try "$prefix/python3.$minor"
    done
done
try "$(command -v python3 2>/dev/null || true)"

echo "No Python >= 3.12 found. Install one (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
exit 1
