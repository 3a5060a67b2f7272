#!/usr/bin/env bash
# Set up (first time only) and run fhud with any arguments, e.g.
#   scripts/run.sh transcribe resources/demo/thinking-aloud.ogg
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/fhud "$@"
