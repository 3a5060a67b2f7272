#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite; starts an Xvfb if there is no display.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [[ -z "${DISPLAY:-}" ]]; then
  display=":$((90 + RANDOM % 400))"
  Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
  export DISPLAY=$display
  for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
fi
.venv/bin/ruff check fhud_app tests
.venv/bin/lint-imports
.venv/bin/python -m pytest "$@"
