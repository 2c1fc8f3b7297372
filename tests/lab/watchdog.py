"""The lab's watchdog: cleans the slot up when the process that owns the lab dies without closing it.

A pytest run can die in ways no ``finally`` or ``atexit`` survives (a segfault in a Qt test, SIGKILL,
the OOM killer). Every ``Lab`` therefore starts this small process in its own session. It inherits
the slot's ``flock`` (so the slot stays taken while it lives) and the read end of a pipe whose write
end only the lab's process holds. A clean ``Lab.close()`` writes ``bye`` and the watchdog exits; EOF
without ``bye`` means the owner died, and the watchdog removes what the lab left (the same cleanup
the next owner of the slot would do), then exits, which frees the slot.

    python -m tests.lab.watchdog SLOT LOCK_FD PIPE_FD
"""

from __future__ import annotations

import os
import signal
import sys
import time

from tests.lab import slots, users


def main(argv: list[str]) -> int:
    slot_index, lock_fd, pipe_fd = (int(a) for a in argv)
    # Terminal signals are for the test run, not for us: we outlive it on purpose.
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    data = b""
    while chunk := os.read(pipe_fd, 64):
        data += chunk
    if b"bye" in data:
        return 0
    log = slots.RUN_DIR / f"slot-{slot_index}.watchdog.log"
    with open(log, "a") as out:
        out.write(f"{time.strftime('%F %T')} owner of slot {slot_index} died without closing its lab; cleaning\n")
        try:
            slot = slots.Slot(slot_index, lock_fd)
            slots.clean_leftovers(slot)
            users.lock_password(slot.user)
            out.write(f"{time.strftime('%F %T')} done\n")
        except Exception as exc:
            out.write(f"{time.strftime('%F %T')} failed: {exc!r}\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
