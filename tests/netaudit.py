"""Every attempt of a process (and its children) to reach the network, seen by strace.

The syscalls, not Python's socket module: the telemetry this guards against came from C++
(onnxruntime's own resolver calls), which ``sys.addaudithook`` never sees.  Counted as
network: any ``connect``/``sendto``/``sendmsg`` to an IPv4 or IPv6 address (a DNS query to
127.0.0.53 included), and any connection to systemd-resolved's socket (glibc's
``nss-resolve``).  nscd's socket is not counted: Mesa asks it for the user's passwd entry;
where no nscd runs (CI), a host lookup falls through to a DNS query, which is counted.
Other local (AF_UNIX) sockets, such as the X server's and D-Bus's, are not network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

_CALLS = "connect,sendto,sendmsg,sendmmsg"
_INET = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(.*sa_family=AF_INET6?\b")
_RESOLVER = re.compile(r"\bconnect\(.*sun_path=\"[^\"]*systemd/resolve[^\"]*\"")


def strace_or_skip() -> str:
    """The strace binary, when this machine lets it trace (CI: scripts/bootstrap.sh installs it)."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (scripts/bootstrap.sh installs it)")
    probe = subprocess.run([strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "true"],
                           capture_output=True, text=True)  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here ({probe.stderr.strip()[:120]})")
    return strace


def network_events(trace: str) -> list[str]:
    """The lines of an strace log that reach for the network."""
    return [line for line in trace.splitlines() if _INET.search(line) or _RESOLVER.search(line)]


def audit(cmd: list[str], log: Path, *, env: dict[str, str] | None = None,
          timeout: float = 600) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run ``cmd`` under strace (threads and children followed); its result and network events."""
    strace = strace_or_skip()
    full = [strace, "-f", "-qq", "--seccomp-bpf", "-e", f"trace={_CALLS}", "-e", "signal=none",
            "-s", "64", "-o", str(log), *cmd]  # fmt: skip
    proc = subprocess.run(full, env=env or dict(os.environ), capture_output=True, text=True, timeout=timeout)
    return proc, network_events(log.read_text(errors="replace"))
