#!/usr/bin/env bash
# Python interop and notebook tests (tests/python), the CI entry for Python.
#
#   bash tests/python/run.sh
#
# 1. Skips (exit 0, with a message) when python3 is missing, or when the packages of
#    notebooks/requirements.txt cannot be installed because there is no network.
# 2. Installs notebooks/requirements.txt into a virtual environment kept in
#    $TRAINEVAL_PYENV (default ~/.cache/traineval-pyenv), or with the interpreter's own pip
#    when venv is not available.
# 3. Writes the sample run's warehouse and indicators (out/) with the release binary:
#    $TRAINEVAL_BIN, else $CARGO_TARGET_DIR/release/traineval (built when missing).
# 4. Runs pytest on tests/python and exits with its status.
set -uo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)

if ! command -v python3 >/dev/null 2>&1; then
    echo "python tests skipped: python3 not found"
    exit 0
fi
PY=python3

venv="${TRAINEVAL_PYENV:-$HOME/.cache/traineval-pyenv}"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    PY="$venv/bin/python"
elif python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    PY="$venv/bin/python"
else
    rm -rf "$venv"
    if ! python3 -m pip --version >/dev/null 2>&1; then
        echo "python tests skipped: pip not found (python3 -m pip and python3 -m venv both unavailable)"
        exit 0
    fi
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "$PY" -m pip install -q --disable-pip-version-check -r notebooks/requirements.txt >"$log" 2>&1; then
    if "$PY" -c "import polars, pyarrow, duckdb, pandas, matplotlib, statsmodels, scipy, nbformat, nbclient, ipykernel, pytest" 2>/dev/null; then
        echo "python tests: pip install failed but the packages are already installed; going on with them:"
        tail -n 2 "$log"
    elif grep -qiE 'NewConnectionError|ConnectTimeout|ReadTimeout|Temporary failure in name resolution|Name or service not known|Network is unreachable|Connection refused|ProxyError|Max retries exceeded|Could not fetch URL|from versions: none' "$log"; then
        echo "python tests skipped: could not install notebooks/requirements.txt (no network to the package index):"
        tail -n 3 "$log"
        exit 0
    else
        echo "python tests: pip install -r notebooks/requirements.txt failed:"
        tail -n 20 "$log"
        exit 1
    fi
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/traineval-target}"
export TRAINEVAL_BIN="${TRAINEVAL_BIN:-$CARGO_TARGET_DIR/release/traineval}"
if [ ! -x "$TRAINEVAL_BIN" ]; then
    cargo build --release --quiet || { echo "python tests: cargo build --release failed"; exit 1; }
fi
# build + indicators: the warehouse and indicator tables the tests read (the report is not needed).
for stage in build indicators; do
    if ! "$TRAINEVAL_BIN" -q "$stage" pipelines/sample.toml; then
        echo "python tests: \`traineval $stage pipelines/sample.toml\` failed; the tests need its outputs in out/"
        exit 1
    fi
done
unset TRAINEVAL_OUT  # the tests read out/, just written

"$PY" -m pytest -q -p no:cacheprovider tests/python
status=$?
echo "python tests finished in $(( $(date +%s) - start )) s"
exit $status
