#!/usr/bin/python3
"""Recording stand-ins for PVE's ``pct``, ``qm``, ``pvesh``, ``pveversion`` and ``systemctl`` (ocv-lab).

Installed as one file with five symlinks into a directory that comes first in the PATH of the lab's
PVE SSH sessions. Each call appends ``{"argv": [...], "stdin": "..."}`` to the call log (stdin is
read, up to EOF, only by ``pct exec`` and ``qm guest exec``, as with the real tools; when nothing
arrives within a second it is taken as empty, since asyncssh's ``run()`` without input never sends
EOF), then answers
from a canned response (set by the test) or from the lab's fakepve, in the output formats of
api-contracts.md §2 (``pct list`` / ``qm list`` columns, ``pvesh ... --output-format json`` printing
only the ``data`` value on one line with sorted keys). Anything else exits 2 with a message, so a
missing behaviour shows up instead of passing silently. Runs under Debian's /usr/bin/python3, stdlib only.
"""

import fcntl
import json
import os
import select
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.realpath(__file__))
STDIN_GRACE = 1.0  # seconds
ACTIONS = ("start", "stop", "shutdown", "reboot", "suspend", "resume")


def reads_stdin(argv):
    """Only ``pct exec`` / ``qm guest exec`` hand stdin to a command (e.g. chpasswd), and ``qm guest
    passwd`` reads the password twice from a non-terminal stdin (PVE::PTY::get_confirmed_password);
    the real tools never read it otherwise, so neither do the shims."""
    return argv[:2] == ["pct", "exec"] or argv[:3] in (["qm", "guest", "exec"], ["qm", "guest", "passwd"])


def read_stdin():
    """Everything up to EOF. asyncssh's ``run()`` without ``input`` leaves stdin open and never sends
    EOF, so if nothing at all arrives within STDIN_GRACE the command is taken to read no input."""
    fd = sys.stdin.fileno()
    try:
        ready, _, _ = select.select([fd], [], [], STDIN_GRACE)
    except (OSError, ValueError):
        return ""
    if not ready:
        return ""
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def record(cfg, argv, stdin):
    with open(cfg["log"], "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps({"argv": argv, "stdin": stdin}, ensure_ascii=False) + "\n")


def canned(cfg, argv):
    try:
        with open(cfg["responses"], encoding="utf-8") as fh:
            rules = json.load(fh)
    except (OSError, ValueError):
        return None
    for rule in rules:  # newest first
        prefix = rule["argv"]
        if argv[: len(prefix)] == prefix:
            return rule
    return None


class ApiError(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def api(cfg, method, path, params=None):
    url = cfg["api"] + path
    data = None
    if params and method in ("GET", "DELETE"):
        url += "?" + urllib.parse.urlencode(params)
    elif params:
        data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", "PVEAPIToken=" + cfg["token"])
    ctx = ssl.create_default_context(cafile=cfg["cafile"])
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
            return json.loads(resp.read() or b"{}").get("data")
    except urllib.error.HTTPError as exc:
        raise ApiError(exc.code, exc.reason) from exc


def dump(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def pct_list(cfg):
    # pct.pm: printf "%-10s %-10s %-12s %-20s\n" (VMID, Status, Lock, Name); nothing at all when empty.
    cts = sorted(api(cfg, "GET", f"/nodes/{cfg['node']}/lxc") or [], key=lambda c: int(c["vmid"]))
    if not cts:
        return ""
    rows = [("VMID", "Status", "Lock", "Name")]
    rows += [(c["vmid"], c.get("status", ""), c.get("lock", ""), c.get("name", "")) for c in cts]
    return "".join(f"{a!s:<10} {b!s:<10} {c!s:<12} {d!s:<20}\n" for a, b, c, d in rows)


def qm_list(cfg):
    # qm.pm: "%10s %-20s %-10s %-10s %12.2f %-10s\n" (VMID, NAME, STATUS, MEM(MB), BOOTDISK(GB), PID).
    vms = sorted(api(cfg, "GET", f"/nodes/{cfg['node']}/qemu") or [], key=lambda v: int(v["vmid"]))
    if not vms:
        return ""
    out = f"{'VMID':>10} {'NAME':<20} {'STATUS':<10} {'MEM(MB)':<10} {'BOOTDISK(GB)':>12} {'PID':<10}\n"
    for v in vms:
        mem = (v.get("maxmem") or 0) / (1024 * 1024)
        mem_text = str(int(mem)) if mem == int(mem) else repr(mem)  # Perl number text: 2048 or 1953.125
        disk = (v.get("maxdisk") or 0) / (1024**3)
        status = v.get("qmpstatus") or v.get("status", "")
        pid = v.get("pid") or 0
        out += f"{v['vmid']!s:>10} {v.get('name', '')!s:<20} {status!s:<10} {mem_text:<10} {disk:12.2f} {pid!s:<10}\n"
    return out


def parse_options(args):
    """``-key value`` / ``--key value`` pairs (pvesh style); returns (options, positional)."""
    opts, pos, i = {}, [], 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and len(a) > 1 and not a.lstrip("-").isdigit():
            key = a.lstrip("-")
            if i + 1 < len(args):
                opts.setdefault(key, []).append(args[i + 1])
                i += 2
                continue
            opts.setdefault(key, []).append("1")
        else:
            pos.append(a)
        i += 1
    return opts, pos


def pvesh(cfg, args):
    if len(args) < 2:
        return 255, "", "usage: pvesh get|create|set|delete <api_path> [OPTIONS]\n"
    verb, path = args[0], args[1]
    method = {"get": "GET", "ls": "GET", "create": "POST", "set": "PUT", "delete": "DELETE"}.get(verb)
    if method is None:
        return 255, "", f"unknown command 'pvesh {verb}'\n"
    opts, _ = parse_options(args[2:])
    fmt = (opts.pop("output-format", ["text"]) or ["text"])[-1]
    params = [(k, v) for k, vs in opts.items() for v in vs]
    data = api(cfg, method, "/" + path.strip("/"), params)
    if fmt == "json":
        return 0, dump(data) + "\n", ""
    if fmt == "json-pretty":
        return 0, json.dumps(data, sort_keys=True, indent=4) + "\n", ""
    if data is None:
        return 0, "", ""
    return 0, (data if isinstance(data, str) else dump(data)) + "\n", ""


def guest_cmd(cfg, kind, args):
    node = cfg["node"]
    if not args:
        return 255, "", "ERROR: no command specified\n"
    cmd, rest = args[0], args[1:]
    if cmd == "list":
        return 0, (pct_list(cfg) if kind == "lxc" else qm_list(cfg)), ""
    if not rest:
        return 255, "", "400 not enough arguments\n"
    vmid = rest[0]
    base = f"/nodes/{node}/{kind}/{vmid}"
    if cmd in ACTIONS:
        api(cfg, "POST", base + "/status/" + cmd)
        return 0, "", ""
    if cmd == "status":
        st = api(cfg, "GET", base + "/status/current") or {}
        return 0, "status: {}\n".format(st.get("status", "unknown")), ""
    if cmd == "config":
        conf = api(cfg, "GET", base + "/config") or {}
        return 0, "".join(f"{k}: {conf[k]}\n" for k in sorted(conf) if k != "digest"), ""
    if cmd == "exec" and kind == "lxc":
        st = api(cfg, "GET", base + "/status/current") or {}
        if st.get("status") != "running":
            return 255, "", f"CT {vmid} not running\n"
        return 0, "", ""
    return (
        2,
        "",
        "ocv-lab shim: no behaviour for '{} {}'; set one with PveHost.shim_respond()\n".format(
            "pct" if kind == "lxc" else "qm", cmd
        ),
    )


# The units a PVE 9 node runs; ``systemctl is-active`` reports them active and anything else inactive.
PVE_UNITS = {
    "pveproxy", "pvedaemon", "pvestatd", "pve-cluster", "pve-firewall", "pve-ha-lrm", "pve-ha-crm",
    "pvescheduler", "spiceproxy", "corosync", "qmeventd", "lxcfs", "ssh", "sshd", "cron",
}  # fmt: skip


def systemctl(args):
    """``systemctl is-active [--quiet] UNIT...``: one state per line, exit 0 only when all are active
    (as systemd does); the PVE daemons are active, anything else inactive. Other verbs are not modelled."""
    if args[:1] != ["is-active"]:
        return 2, "", f"ocv-lab shim: no behaviour for 'systemctl {' '.join(args[:1])}'\n"
    units = [a for a in args[1:] if not a.startswith("-")]
    states = ["active" if u.removesuffix(".service") in PVE_UNITS else "inactive" for u in units]
    quiet = "--quiet" in args or "-q" in args
    return (0 if all(s == "active" for s in states) else 3), ("" if quiet else "".join(s + "\n" for s in states)), ""


def main():
    with open(os.path.join(HERE, "shim.json"), encoding="utf-8") as fh:
        cfg = json.load(fh)
    name = os.path.basename(sys.argv[0])
    argv = [name, *sys.argv[1:]]
    stdin = read_stdin() if reads_stdin(argv) else ""
    record(cfg, argv, stdin)
    rule = canned(cfg, argv)
    if rule is not None:
        sys.stdout.write(rule.get("stdout", ""))
        sys.stderr.write(rule.get("stderr", ""))
        return rule.get("exit_code", 0)
    try:
        if name == "pveversion":
            ver = api(cfg, "GET", "/version") or {}
            out = f"pve-manager/{ver.get('version')}/fakepve (running kernel: 6.8.12-4-pve)\n"
            code, err = 0, ""
        elif name == "pvesh":
            code, out, err = pvesh(cfg, sys.argv[1:])
        elif name == "systemctl":
            code, out, err = systemctl(sys.argv[1:])
        elif name in ("pct", "qm"):
            code, out, err = guest_cmd(cfg, "lxc" if name == "pct" else "qemu", sys.argv[1:])
        else:
            code, out, err = 2, "", f"ocv-lab shim: unknown command {name}\n"
    except ApiError as exc:
        code, out, err = 255, "", f"{exc.status} {exc.reason}\n"
    sys.stdout.write(out)
    sys.stderr.write(err)
    return code


if __name__ == "__main__":
    sys.exit(main())
