"""``python -m mrai``: the command line. A SIGINT, SIGTERM or SIGHUP from the first moment on
gives one line and 128 + the signal (mrai.cli.main takes over the handlers once it is loaded)."""

import os
import signal


def _starting_abort(signum, frame):
    name = "" if signum == signal.SIGINT else f" ({signal.Signals(signum).name})"
    try:
        os.write(2, f"mrai: aborted{name}\n".encode())
    finally:
        os._exit(128 + signum)


for _name in ("SIGINT", "SIGTERM", "SIGHUP"):
    _signum = getattr(signal, _name, None)
    if _signum is not None and signal.getsignal(_signum) not in (signal.SIG_IGN, None):
        signal.signal(_signum, _starting_abort)

from mrai.cli.main import entry  # noqa: E402

entry()
