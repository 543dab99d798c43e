"""Pool workers that never outlive the build that started them.

A killed build (SIGKILL, a closed terminal, an out-of-memory kill) runs no clean-up, so
its process pool's workers would keep training for minutes with nobody to report to.
Each worker asks the kernel to kill it when its parent dies (Linux), or else watches
for being orphaned (elsewhere).
"""

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def exit_with(parent: int) -> None:
    """Pool initializer: die with the process ``parent``, and leave Ctrl-C to it.

    A terminal's Ctrl-C interrupts its whole process group: a worker that took it would
    report its unit as failed (or print a traceback while idle), where the build, which
    takes it too, stops its workers and says it was interrupted."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    else:
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
