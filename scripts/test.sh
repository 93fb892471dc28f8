#!/usr/bin/env bash
# The whole test suite, with the services it needs. Called by `./dev test` and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
export GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1
mkdir -p artifacts
if [ -z "${INTERVIEWER_TEST_PG_URL:-}" ] && [ -x scripts/start-postgres.sh ]; then
  if url="$(scripts/start-postgres.sh)"; then
    export INTERVIEWER_TEST_PG_URL="$url"
  else
    echo "[test] PostgreSQL could not be started; the PostgreSQL test will report it" >&2
  fi
fi
.venv/bin/ruff check interviewer tests bench evals app.py
.venv/bin/mypy
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
