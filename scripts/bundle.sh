#!/usr/bin/env bash
# Build the one-folder Linux bundle dist/fhud/ (dist/fhud/fhud is the app and the command).
# Uses .venv (scripts/bootstrap.sh), or $PYTHON when set; installs PyInstaller when missing.
# The build is CPU-heavy: it runs at nice 5.  Check the result with dist/fhud/fhud --selftest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "bundle: installing PyInstaller (the 'bundle' extra)" >&2
  "$PY" -m pip install -q "pyinstaller>=6.5"
fi
t0=$(date +%s)
nice -n 5 "$PY" -m PyInstaller --noconfirm --log-level WARN \
  --workpath build/pyinstaller --distpath dist build_linux.spec
# Debug symbols (~70 MB, most in CTranslate2's extension), only where there are some: a full
# strip breaks auditwheel-patched libraries such as numpy's OpenBLAS.  (No `grep -q`: it exits
# at the first match, readelf then dies of SIGPIPE and, with pipefail, the test fails.)
find dist/fhud/_internal -name "*.so*" -type f | while read -r lib; do
  if readelf -S "$lib" 2>/dev/null | grep '\.debug_info' >/dev/null; then strip --strip-debug "$lib"; fi
done
echo "bundle: dist/fhud built in $(( $(date +%s) - t0 )) s ($(du -sh dist/fhud | cut -f1))" >&2
