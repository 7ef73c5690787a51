"""Output safety, for every file mrai writes (spectra, schedules, plots, models, cards) and for
standard output. The rules (README, 'Outputs, signals and exit status'):

- An output is a regular file or standard output: a folder, device, named pipe, socket or
  symbolic link (dangling or not) in its place is refused (:func:`check_writable`), and nothing
  replaces an existing file without ``overwrite``.
- Files are written atomically: to a temporary file beside the target, put in place only when
  complete; several files of one output (a plane series) or of one command (a spectrum and its
  sigma) are put in place together, all or none (:class:`Commit`).
- No-overwrite holds under concurrency: a new name is created exclusively (a hard link of the
  complete temporary file, which fails when the name exists), so of runs racing for one new name
  one wins and the others fail with nothing replaced.
- Temporary files are named ``.NAME.PID.HOST.XXXXXXXX.part`` (a writer that needs its own ending,
  Keras's ``.weights.h5``, adds it after ``.part``); a failure removes them, and so does
  SIGINT, SIGTERM or SIGHUP (:func:`remove_temps`, called by ``mrai.cli.main``). One left by a
  killed run (SIGKILL, a crash) is recognised by its process id, dead on this host, and removed by
  the next mrai that writes into that folder.
- Standard output is checked to the last byte: a reader that closed early raises
  :class:`StdoutClosed`, any other failure (a full disk) :class:`WriteError`, never a silent
  short write (:func:`write_stdout`, :func:`flush_stdout`, :func:`checked_stdout`).
"""

import contextlib
import errno
import io
import os
import re
import select
import stat
import sys
import threading

from mrai.errors import MraiError, OutputError


class WriteError(MraiError):
    """Writing an output failed after it was started (a full disk, an I/O error): exit code 1."""

    exit_code = 1


class StdoutClosed(Exception):
    """The reader of standard output closed it before everything was written (EPIPE)."""


STDOUT_KEY = "<standard output>"
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.ENOTSUP,
             getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)}
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}
_KINDS = ((stat.S_ISDIR, "folder"), (stat.S_ISLNK, "symbolic link"),
          (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
          (stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"))


def _exists_message(path):
    return f"{path}: exists (use -ov / --overwrite to replace it)"


def _check_target(path, overwrite):
    """Refuse ``path`` when something other than a regular file is there, or a regular file is
    there and ``overwrite`` is false."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    for test, kind in _KINDS:
        if test(mode):
            if kind == "folder":
                raise OutputError(f"{path}: is a folder")
            raise OutputError(f"{path}: is a {kind}, not a regular file; mrai writes regular "
                              "files only (for standard output leave out -o)")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path}: is not a regular file; mrai writes regular files only")
    if not overwrite:
        raise OutputError(_exists_message(path))


def check_writable(path, overwrite):
    """Raise :class:`OutputError` when ``path`` cannot be an output: its folder is missing or
    not writable, something other than a regular file is there, or a file is there and
    ``overwrite`` is false."""
    path = str(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"{path}: folder {folder} does not exist")
    _check_target(path, overwrite)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: folder {folder} is not writable")


# -- temporary files -------------------------------------------------------------------------

_HOST = re.sub(r"[^A-Za-z0-9-]", "-", os.uname().nodename if hasattr(os, "uname") else "")[:24]
_TEMP = re.compile(r"^\..*\.(?P<pid>\d+)\.(?P<host>[A-Za-z0-9-]*)\.[0-9a-f]{8}\.part"
                   r"(?:\.[A-Za-z0-9]{1,8}){0,2}$")
_live = set()          # this process's temporary files (and backups) not yet removed or placed
_swept = set()         # folders already cleared of stale temporary files by this process
_lock = threading.Lock()


def _temp_name(path, suffix=""):
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base[:150]}.{os.getpid()}.{_HOST}.{os.urandom(4).hex()}.part"
                                f"{suffix}")


def _alive(pid):
    if pid == os.getpid():
        return True
    if pid <= 0:
        return True   # not a process id mrai writes: leave the file alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        return True   # another user's process, or not ours to judge
    return True


def is_stale(name):
    """True for the name of a temporary file mrai left behind on this host in a run that is no
    longer alive (its process id is dead)."""
    match = _TEMP.match(os.path.basename(name))
    return bool(match) and match["host"] == _HOST and not _alive(int(match["pid"]))


def remove_stale(folder):
    """Remove the temporary files killed mrai runs left in ``folder`` (once per process and
    folder); returns their names."""
    folder = os.path.abspath(folder)
    with _lock:
        if folder in _swept:
            return []
        _swept.add(folder)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if ".part" in name and is_stale(name):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(name)
            except OSError:
                pass
    return removed


def temp_beside(path, suffix=""):
    """A new temporary file in the folder of ``path``, with the mode a plain open() would give:
    (its path, an open binary file). Stale temporary files of killed runs in that folder are
    removed first (:func:`remove_stale`). ``suffix``: an ending after ``.part`` for writers
    that insist on one (Keras's ``.weights.h5``); at most two parts of 1-8 letters or digits."""
    if suffix and not re.fullmatch(r"(?:\.[A-Za-z0-9]{1,8}){1,2}", suffix):
        raise ValueError(f"temporary file suffix {suffix!r}")
    remove_stale(os.path.dirname(os.path.abspath(path)))
    while True:
        temp_path = _temp_name(path, suffix)
        try:
            fd = os.open(temp_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise _failure(path, exc) from None
    with _lock:
        _live.add(temp_path)
    return temp_path, os.fdopen(fd, "w+b")


def write_failure(path, exc):
    """The error to report for an OSError writing ``path``: exit 1 for a full disk or an I/O
    error, else 2 (the output cannot be written there)."""
    kind = WriteError if exc.errno in _FULL else OutputError
    return kind(f"{path}: cannot be written ({exc.strerror or exc})")


_failure = write_failure


def write_temp(fh, data, path):
    """``fh.write(data)`` for the temporary file of output ``path``, failures reported as
    :class:`WriteError` naming ``path``."""
    try:
        fh.write(data)
    except OSError as exc:
        raise _failure(path, exc) from None


def temp_holding(path, data):
    """A complete temporary file beside ``path`` holding ``data`` (bytes), to be put in place by
    a :class:`Commit` with other outputs: its path (removed again when writing fails)."""
    temp_path, fh = temp_beside(path)
    try:
        with fh:
            write_temp(fh, data, path)
    except BaseException:
        discard(temp_path)
        raise
    return temp_path


def discard(temp_path):
    """Remove a temporary file (no error when it is gone)."""
    with _lock:
        _live.discard(temp_path)
    try:
        os.unlink(temp_path)
    except FileNotFoundError:
        pass


def remove_temps():
    """Remove every temporary file this process still holds (on SIGINT, SIGTERM, SIGHUP);
    returns how many."""
    with _lock:
        paths = list(_live)
        _live.clear()
    count = 0
    for path in paths:
        try:
            os.unlink(path)
            count += 1
        except OSError:
            pass
    return count


# -- putting files in place ------------------------------------------------------------------

class Commit:
    """Complete temporary files put in place as one: all of them or, on any failure (a name
    taken meanwhile, a failing rename, a signal), none, every replaced file restored.

    ``add(temp_path, path, overwrite)`` for each file, then ``run()``; the temporary files are
    gone afterwards either way. A new name (or any name without ``overwrite``) is created
    exclusively, so a file that appeared since the checks is never replaced."""

    def __init__(self):
        self._items = []

    def add(self, temp_path, path, overwrite=False):
        self._items.append((temp_path, str(path), bool(overwrite)))

    def discard(self):
        """Remove the temporary files without putting anything in place."""
        for temp_path, _, _ in self._items:
            discard(temp_path)
        self._items = []

    def run(self):
        try:
            self._run()
        finally:
            self.discard()

    def _run(self):
        keys = [path_key(path) for _, path, _ in self._items]
        for key, (_, path, _) in zip(keys, self._items):
            if keys.count(key) > 1:
                raise OutputError(f"{path}: named for two outputs")
        for _, path, overwrite in self._items:
            _check_target(path, overwrite)
        backups, placed = {}, []   # backups: {path: (second name, whether renamed away)}
        try:
            for _, path, overwrite in self._items:
                if overwrite and os.path.lexists(path):
                    backups[path] = _backup(path)
            for temp_path, path, overwrite in self._items:
                if overwrite:
                    _replace(temp_path, path)
                else:
                    _link_new(temp_path, path)
                placed.append(path)
        except BaseException:
            for path in reversed(placed):   # undo, newest first
                try:
                    if path in backups:
                        os.replace(backups.pop(path)[0], path)
                    else:
                        os.unlink(path)
                except OSError:
                    pass
            for path, (backup, renamed) in list(backups.items()):
                if renamed:   # renamed away and not replaced: back to its name
                    try:
                        os.replace(backup, path)
                        del backups[path]
                    except OSError:
                        pass
            raise
        finally:
            for backup, _ in backups.values():
                discard(backup)


def _replace(temp_path, path):
    try:
        os.replace(temp_path, path)
    except OSError as exc:
        raise _failure(path, exc) from None


def _backup(path):
    """A second name for the file at ``path``, so that a failed commit can put it back:
    (that name, whether the file was renamed there). A hard link keeps the file at ``path``
    meanwhile; where links are not supported the file is renamed."""
    backup = _temp_name(path)
    with _lock:
        _live.add(backup)
    try:
        os.link(path, backup)
        return backup, False
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            discard(backup)
            raise _failure(path, exc) from None
    try:
        os.rename(path, backup)
    except OSError as exc:
        discard(backup)
        raise _failure(path, exc) from None
    return backup, True


def _link_new(temp_path, path):
    """Put ``temp_path`` at the new name ``path``, failing when the name exists (a hard link;
    where links are not supported, an exclusive create claims the name first)."""
    try:
        os.link(temp_path, path)
        return
    except FileExistsError:
        raise OutputError(_exists_message(path)) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise _failure(path, exc) from None
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        raise OutputError(_exists_message(path)) from None
    except OSError as exc:
        raise _failure(path, exc) from None
    _replace(temp_path, path)


def place(temp_path, path, overwrite=False):
    """Put one complete temporary file in place (:class:`Commit` of one)."""
    commit = Commit()
    commit.add(temp_path, path, overwrite)
    commit.run()


def atomic_write_bytes(path, data, overwrite=False):
    """Write ``data`` (bytes) to ``path`` atomically, refusing an existing file without
    ``overwrite``."""
    check_writable(path, overwrite)
    place(temp_holding(path, data), path, overwrite)


# -- which paths are the same ----------------------------------------------------------------

def path_key(path):
    """What identifies an output path: its folder resolved and its name (the name itself is not
    followed: mrai replaces names, never writes through links); standard output as itself."""
    if path in (None, "-"):
        return STDOUT_KEY
    path = os.path.abspath(str(path))
    folder, base = os.path.split(path)
    return os.path.join(os.path.realpath(folder), base)


def _file_id(path):
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def check_paths(outputs, inputs=(), stdin=False):
    """Refuse two outputs on one file and an output on an input, before anything is written.

    ``outputs`` and ``inputs``: (label, path) pairs (label: the option that named it); inputs
    that name no existing file are ignored; ``stdin``: the command reads standard input, whose
    file (when it is one) is an input too. Standard output ('-') may be named once."""
    seen = {}
    for label, path in outputs:
        key = path_key(path)
        if key in seen:
            where = "standard output" if key == STDOUT_KEY else path
            raise OutputError(f"{where}: named for two outputs ({seen[key]} and {label}); give "
                              "each its own file")
        seen[key] = label
    ids = {}
    for label, path in inputs:
        if path in (None, "-"):
            continue
        if "%" in str(path):
            ids[path_key(path)] = (label, path)
            continue
        file_id = _file_id(path)
        if file_id is not None:
            ids[file_id] = (label, path)
            ids[path_key(os.path.realpath(path))] = (label, path)
    if stdin:
        try:
            st = os.fstat(0)
            if stat.S_ISREG(st.st_mode):
                ids[(st.st_dev, st.st_ino)] = ("standard input", "-")
        except (OSError, ValueError):
            pass
    for label, path in outputs:
        if path in (None, "-"):
            continue
        key = path_key(path)
        found = ids.get(key) or ids.get(_file_id(path) if os.path.isfile(path) and
                                        not os.path.islink(path) else None)
        if found:
            given = "standard input" if found[1] == "-" else f"input {found[0]}"
            raise OutputError(f"{path}: is also the {given}; mrai never writes over its input")


# -- standard output -------------------------------------------------------------------------

def _stdout_failure(exc):
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return StdoutClosed()
    return WriteError(f"standard output: {exc.strerror or exc}")


def write_stdout(data):
    """Write ``data`` (bytes) to standard output, all of it: :class:`StdoutClosed` when the
    reader has gone, :class:`WriteError` on any other failure."""
    try:
        sys.stdout.buffer.write(data)
    except OSError as exc:
        raise _stdout_failure(exc) from None


def flush_stdout():
    """Flush standard output (text and bytes), failures as in :func:`write_stdout`."""
    stream = sys.stdout
    if stream is None:
        return
    try:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            buffer.flush()
    except OSError as exc:
        raise _stdout_failure(exc) from None
    except ValueError:  # closed
        pass


class _CheckedRaw(io.RawIOBase):
    """File descriptor 1 for a :class:`io.BufferedWriter`: every write goes out whole or fails
    as :class:`StdoutClosed` / :class:`WriteError` (a non-blocking descriptor waits instead of
    failing). It never closes the descriptor."""

    def __init__(self, fd):
        super().__init__()
        self._fd = fd

    def writable(self):
        return True

    def fileno(self):
        return self._fd

    def isatty(self):
        return os.isatty(self._fd)

    def write(self, data):
        while True:
            try:
                return os.write(self._fd, data)
            except BlockingIOError:
                select.select([], [self._fd], [])
            except OSError as exc:
                raise _stdout_failure(exc) from None


@contextlib.contextmanager
def checked_stdout():
    """Within the block, ``sys.stdout`` (text and ``.buffer``) writes to file descriptor 1
    through :class:`_CheckedRaw`, so that every command's output, whoever writes it, is checked
    to the last byte. Only when ``sys.stdout`` is the process's own standard output (not when a
    caller captured it). The block's end does not flush: call :func:`flush_stdout` first."""
    old = sys.stdout
    try:
        usable = old is not None and old is sys.__stdout__ and old.fileno() == 1
    except (AttributeError, OSError, ValueError):
        usable = False
    if not usable:
        yield
        return
    try:
        old.flush()
    except (OSError, ValueError):
        pass
    stream = io.TextIOWrapper(io.BufferedWriter(_CheckedRaw(1)), encoding=old.encoding,
                              errors=old.errors, line_buffering=old.line_buffering)
    sys.stdout = stream
    try:
        yield
    finally:
        sys.stdout = old
        try:
            stream.flush()
        except Exception:  # already reported: what is left goes nowhere
            silence_stdout()
            try:
                stream.flush()
            except Exception:
                pass


def silence_stdout():
    """Point file descriptor 1 at the null device, so that what is still buffered for a
    reader that has gone (or a full disk) leaves without another error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
