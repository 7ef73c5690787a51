"""How many threads mrai's FFTs and network sessions take: every core, unless $MRAI_THREADS
says otherwise (mrai.distributed starts its workers with 1, one plane per core, as several
threads per plane on cores that other workers keep busy only slowed each other down). The
results do not depend on it: an FFT gives each thread whole 1D transforms."""

import os

THREADS = "MRAI_THREADS"


def threads():
    """$MRAI_THREADS as a whole number >= 1, or None when it is unset (every core)."""
    value = os.environ.get(THREADS, "").strip()
    if not value:
        return None
    try:
        return max(1, int(value))
    except ValueError:
        raise ValueError(f"{THREADS} must be a whole number of threads, not {value!r}") \
            from None


def fft_workers():
    """The ``workers`` argument of scipy.fft: $MRAI_THREADS, else -1 (every core)."""
    return threads() or -1
