"""Small process, network-namespace and file helpers the lab is built from.

Everything here runs blocking commands with a timeout and raises ``LabError`` with the command's
output (or a daemon's log tail) when something fails, so a broken lab start explains itself.
Processes are only ever stopped by PID; PIDs are checked against their start time before a signal
is sent, so a recycled PID is never hit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_DEPS = REPO_ROOT / "scripts" / "install-system-deps.sh"


class LabError(RuntimeError):
    """The lab could not start or stop something; the message carries the log tail."""


def require_root() -> None:
    if os.geteuid() != 0:
        raise LabError(
            "the lab needs root (network namespaces, sshd, dockerd, incusd, lxd); run the lab tests as root, "
            "or set OCV_LAB=0 to skip them"
        )


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    input: bytes | str | None = None,
    timeout: float = 60,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    what: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; text output; raise LabError (with stderr) on failure or timeout."""
    args = [os.fspath(a) for a in argv]
    data = input.encode() if isinstance(input, str) else input
    full_env = None if env is None else {**os.environ, **env}
    try:
        proc = subprocess.run(args, input=data, capture_output=True, timeout=timeout, env=full_env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"{what or args[0]}: timed out after {timeout} s: {' '.join(args)}") from exc
    except FileNotFoundError as exc:
        raise LabError(f"{what or args[0]}: not installed ({exc})") from exc
    out = subprocess.CompletedProcess(
        args, proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    )
    if check and out.returncode != 0:
        raise LabError(
            f"{what or args[0]}: exit {out.returncode}: {' '.join(args)}\n{tail_text(out.stderr + out.stdout)}"
        )
    return out


def tail_text(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return f"--- last lines of {path} ---\n" + tail_text(path.read_text(errors="replace"), lines)
    except OSError as exc:
        return f"--- {path}: {exc} ---"


def wait_until(pred: Callable[[], bool], *, timeout: float, what: str, log: Path | None = None) -> None:
    """Poll ``pred`` until it is true; on timeout raise LabError with the log tail."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            if pred():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            msg = f"{what}: not ready after {timeout} s"
            raise LabError(msg + ("\n" + log_tail(log) if log else ""))
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


_deps_lock = threading.Lock()
_deps_done: list[bool] = []


def ensure_system_deps() -> None:
    """Install missing Debian packages (once per process) with the repository's script."""
    with _deps_lock:
        if not _deps_done:
            run([str(INSTALL_DEPS)], timeout=900, what="scripts/install-system-deps.sh")
            _deps_done.append(True)


# ----------------------------------------------------------------------------------------- processes


def start_time(pid: int) -> int | None:
    """The process start time in clock ticks (field 22 of /proc/PID/stat), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie is dead for our purposes
        return None
    return int(fields[19])


def alive(pid: int, started: int | None = None) -> bool:
    st = start_time(pid)
    return st is not None and (started is None or st == started)


def kill_pid(pid: int, started: int | None = None, *, timeout: float = 10, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to PID (only if it is still the same process) and wait; SIGKILL after ``timeout``."""
    if not alive(pid, started):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    if _wait_gone(pid, started, timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _wait_gone(pid, started, 5)


def _wait_gone(pid: int, started: int | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        _reap(pid)
        if not alive(pid, started):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def _reap(pid: int) -> None:
    # Our own children become zombies until waited for; a non-child raises ChildProcessError.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def kill_all(pids: Iterable[int], *, sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def read_pidfile(path: Path) -> int | None:
    """A PID from a pidfile; also understands dnsmasq's ``pid: N`` form used by incusd and lxd."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    for token in text.replace(":", " ").split():
        if token.isdigit():
            return int(token)
    return None


# ------------------------------------------------------------------------------- network namespaces


def netns_list() -> list[str]:
    out = run(["ip", "netns", "list"], timeout=10).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def netns_pids(ns: str) -> list[int]:
    out = run(["ip", "netns", "pids", ns], timeout=10, check=False).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def create_netns(ns: str, host_if: str, ns_if: str, host_addr: str, ns_addr: str) -> None:
    """A namespace with one veth to the host side (/24 each side), loopback up, and no default route."""
    if ns in netns_list():
        delete_netns(ns)
    run(["ip", "netns", "add", ns], what="ip netns add")
    try:
        _add_veth(ns, host_if, ns_if)
        run(["ip", "addr", "add", f"{host_addr}/24", "dev", host_if])
        run(["ip", "link", "set", host_if, "up"])
        run(["ip", "-n", ns, "addr", "add", f"{ns_addr}/24", "dev", ns_if])
        run(["ip", "-n", ns, "link", "set", ns_if, "up"])
        run(["ip", "-n", ns, "link", "set", "lo", "up"])
    except LabError:
        delete_netns(ns)
        raise


def _add_veth(ns: str, host_if: str, ns_if: str) -> None:
    """The veth pair; a same-named pair of a just-deleted namespace may still be going away (the
    kernel removes it asynchronously after ``ip netns del``), so delete it and retry briefly."""
    for attempt in range(20):
        result = run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if, "netns", ns], check=False)
        if result.returncode == 0:
            return
        if "File exists" not in result.stderr or attempt == 19:
            raise LabError(f"ip link add {host_if}: exit {result.returncode}: {tail_text(result.stderr)}")
        run(["ip", "link", "del", host_if], check=False)
        time.sleep(0.1)


def delete_netns(ns: str) -> None:
    """Kill every process still inside the namespace, then delete it (the veth pair goes with it)."""
    for _ in range(50):
        pids = netns_pids(ns)
        if not pids:
            break
        kill_all(pids)
        for pid in pids:
            _reap(pid)
        time.sleep(0.05)
    run(["ip", "netns", "del", ns], check=False, timeout=30)


def host_links(prefix: str) -> list[str]:
    out = run(["ip", "-o", "link", "show"], timeout=10).stdout
    names = []
    for line in out.splitlines():
        name = line.split(":", 2)[1].strip().split("@")[0]
        if name.startswith(prefix):
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------- cgroups

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroup_dirs(name: str) -> list[Path]:
    """Every hierarchy's directory called ``name`` directly under the hierarchy root (v1 and unified)."""
    found = []
    with contextlib.suppress(OSError):
        for hierarchy in CGROUP_ROOT.iterdir():
            d = hierarchy / name
            if d.is_dir():
                found.append(d)
    return found


def cgroup_pids(d: Path) -> list[int]:
    pids: list[int] = []
    for procs in d.rglob("cgroup.procs"):
        with contextlib.suppress(OSError):
            pids += [int(p) for p in procs.read_text().split()]
    return pids


def sweep_cgroup(name: str) -> None:
    """SIGKILL every process in the top-level cgroup ``name`` (all hierarchies) and remove its dirs."""
    dirs = cgroup_dirs(name)
    if not dirs:
        return
    for _ in range(100):
        pids = sorted({p for d in dirs for p in cgroup_pids(d)})
        if not pids:
            break
        kill_all(pids)
        time.sleep(0.05)
    for d in dirs:
        # Leaf-first rmdir; a cgroup directory is removed with rmdir, never with rm -r.
        for sub in sorted((p for p in d.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                sub.rmdir()
        with contextlib.suppress(OSError):
            d.rmdir()


# ------------------------------------------------------------------------------------------ files


def mounts_under(path: Path) -> list[str]:
    root = os.path.realpath(path)
    found = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            mnt = line.split()[4].replace("\\040", " ")
            if mnt == root or mnt.startswith(root + "/"):
                found.append(mnt)
    return found


def remove_tree(path: Path) -> None:
    """rm -rf that first unmounts anything mounted below ``path`` and never crosses a mount point."""
    if not path.exists():
        return
    for mnt in sorted(mounts_under(path), key=len, reverse=True):
        run(["umount", "-l", mnt], check=False, timeout=30)
    left = mounts_under(path)
    if left:
        raise LabError(f"refusing to delete {path}: still mounted below it: {left}")
    # Container roots made by incusd/lxd may carry the immutable flag on nothing we create, but
    # their files belong to shifted uids: root removes them anyway.
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():
        run(["rm", "-rf", "--one-file-system", str(path)], check=False, timeout=120)


def write_file(path: Path, text: str, mode: int = 0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path
