"""Every output path checked, standard output checked to the last byte, temporary files gone
after signals (issue 20, point 2; README 'Outputs, signals and exit status').

Most checks run the real command line in a subprocess, as a user (or a shell pipeline) runs it;
the races and the failing renames that a subprocess cannot arrange are made in-process."""

import errno
import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import ROOT, header_3d, run_mrai
from mrai import output
from mrai.errors import OutputError
from mrai.fileio import read, write
from mrai.fileio.header import encode_header, encode_plane, layout, spectrum_header
from mrai.fileio.pipe import PipeWriter

ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def _default_signals():
    """In the child: the signals a terminal delivers at their default, as a user's shell gives
    them. The test run itself may have them ignored (nohup, a background job), and mrai keeps
    what it inherits ignored, as it should."""
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def start(*args, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "mrai", *map(str, args)], env=ENV,
                            preexec_fn=_default_signals, **kwargs)


def leftovers(folder):
    """Temporary files (and anything else hidden) left in ``folder``."""
    return sorted(name for name in os.listdir(folder) if name.startswith("."))


def one_line(err):
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    return err


# -- standard output -------------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("command", [("degrade", "--echo"), ("info",)])
def test_full_disk_on_stdout_is_an_error(small_file, command):
    """A full disk under standard output (/dev/full: every write fails with ENOSPC) is one line
    and exit 1, never exit 0 with part of the data."""
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "mrai", *command, str(small_file)],
                              stdout=full, stderr=subprocess.PIPE, env=ENV, timeout=300)
    err = one_line(proc.stderr.decode())
    assert proc.returncode == 1
    assert err == "mrai: error: standard output: No space left on device\n"


@pytest.mark.parametrize("args", [
    ("reconstruct", "--echo", "{small}"),                      # the WNN
    ("simulate", "--size", "16x16", "--peaks", "2"),
    ("process", "--fn", "EXT -left -sw", "{small}"),
    ("info", "{small}"),
])
def test_reader_gone_is_a_quiet_141(small_file, args):
    """A reader that closed standard output before the end: exit 141 (as a C tool killed by
    SIGPIPE), nothing on stderr (no success line), the same for every command."""
    read_end, write_end = os.pipe()
    os.close(read_end)      # the reader is gone before the first byte
    proc = start(*(a.format(small=small_file) for a in args), stdout=write_end,
                 stderr=subprocess.PIPE)
    os.close(write_end)
    _, err = proc.communicate(timeout=300)
    assert (proc.returncode, err.decode()) == (141, "")


def test_reader_gone_is_a_quiet_141_for_convert(tmp_path):
    """mrai convert to a closed pipe (it exited 0 and printed success): the same rule."""
    import rawdata

    folder = rawdata.write_bruker(str(tmp_path / "b"))
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = start("convert", folder, stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    _, err = proc.communicate(timeout=300)
    assert (proc.returncode, err.decode()) == (141, "")


# -- output paths ----------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["missing", "sysfs", "read-only"])
def test_an_output_folder_that_cannot_be_written_is_one_line(tmp_path, small_file, where):
    """An output in a folder that is missing, on a read-only file system (/sys, refused even to
    root) or without write permission: one line, exit 2, nothing written (it was an internal
    error, exit 1)."""
    if where == "missing":
        target = tmp_path / "nowhere" / "o.ft2"
    elif where == "sysfs":
        if not os.path.isdir("/sys/kernel"):
            pytest.skip("no /sys")
        target = "/sys/kernel/o.ft2"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into a folder without write permission")
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        target = folder / "o.ft2"
    code, out, err = run_mrai("degrade", "--echo", small_file, "-o", target)
    assert code == 2 and out == b"" and str(target) in one_line(err), err
    assert not os.path.exists(target)

def test_two_outputs_on_one_file_write_nothing(tmp_path, small_file):
    out = tmp_path / "o.ft2"
    code, _, err = run_mrai("reconstruct", "--echo", small_file, "-o", out, "--sigma", out)
    assert code == 2 and "named for two outputs (-o and --sigma)" in one_line(err)
    assert not out.exists()
    # --schedule-out and -o on one file, with -ov: the old file stays as it was
    out.write_bytes(b"old")
    code, _, err = run_mrai("degrade", "--nus", "0.3", "--schedule-out", out, small_file,
                            "-o", out, "-ov")
    assert code == 2 and "named for two outputs" in one_line(err)
    assert out.read_bytes() == b"old"
    # and without -ov on a new name: refused, and nothing made
    out.unlink()
    code, _, err = run_mrai("degrade", "--nus", "0.3", "--schedule-out", out, small_file,
                            "-o", out)
    assert code == 2 and "named for two outputs" in one_line(err)
    assert not out.exists() and leftovers(tmp_path) == []
    # standard output named twice (-o left out, --sigma -)
    code, _, err = run_mrai("reconstruct", "--echo", small_file, "--sigma", "-")
    assert code == 2 and "standard output: named for two outputs" in one_line(err)


def test_an_input_is_never_an_output(tmp_path, small_file):
    before = small_file.read_bytes()
    code, _, err = run_mrai("degrade", "--echo", small_file, "-o", small_file, "-ov")
    assert code == 2 and "is also the input" in one_line(err)
    with open(small_file, "rb") as stdin:  # the same file as standard input
        proc = start("degrade", "--echo", "-o", small_file, "-ov", stdin=stdin,
                     stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2 and "is also the standard input" in one_line(err.decode())
    assert small_file.read_bytes() == before and leftovers(small_file.parent) == []


def test_only_regular_files_are_replaced(tmp_path, small_file):
    """A dangling symbolic link is refused even without -ov (it is something in the output's
    place); a named pipe and a device node are refused with -ov; each stays what it was."""
    link = tmp_path / "link.ft2"
    link.symlink_to(tmp_path / "nowhere")
    code, _, err = run_mrai("degrade", "--echo", small_file, "-o", link)
    assert code == 2 and "is a symbolic link, not a regular file" in one_line(err)
    assert link.is_symlink() and not link.exists()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    things = {fifo: "named pipe"}
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        things[node] = "character device"
    except OSError:   # not allowed here: the named pipe stands for both
        pass
    dic = spectrum_header((8, 8))
    for path, kind in things.items():
        for overwrite in (False, True):
            with pytest.raises(OutputError, match=f"is a {kind}, not a regular file"):
                write(str(path), dic, np.zeros((8, 8), np.float32), overwrite=overwrite)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert all(not stat.S_ISREG(os.lstat(p).st_mode) for p in things)
    assert leftovers(tmp_path) == []


def test_a_link_that_appears_after_the_check_is_not_replaced(tmp_path):
    target = tmp_path / "o.ft2"
    writer = PipeWriter(str(target), spectrum_header((8, 8)), overwrite=True)
    writer.write(np.ones((8, 8), np.float32))
    target.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match="symbolic link"):
        writer.close()
    assert target.is_symlink() and leftovers(tmp_path) == []


def test_concurrent_runs_on_one_new_name(tmp_path):
    """Four runs writing one new name without -ov, all past their checks (each holds its
    temporary file) before any finishes: one wins, the others exit 2 and replace nothing (the
    name is created exclusively, not checked and then renamed over)."""
    dic = header_3d((16, 32), 2)
    planes = np.random.default_rng(2).random((2, 16, 32)).astype(np.float32)
    data = [encode_plane(p, layout(dic, nplanes=2)).tobytes() for p in planes]
    procs = [start("degrade", "--echo" if k % 2 else "--antiecho", "-o", "new.ft3",
                   cwd=tmp_path, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
             for k in range(4)]
    for proc in procs:
        proc.stdin.write(encode_header(dic).tobytes() + data[0])
        proc.stdin.flush()
    deadline = time.monotonic() + 120
    while len(leftovers(tmp_path)) < 4:   # every run has passed its checks
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.02)
    for proc in procs:
        proc.stdin.write(data[1])
        proc.stdin.close()
    results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    assert sorted(code for code, _ in results) == [0, 2, 2, 2], results
    for code, err in results:
        if code == 2:
            assert "new.ft3: exists" in one_line(err)
    winner = next(k for k, (code, _) in enumerate(results) if code == 0)
    comment = read(str(tmp_path / "new.ft3"))[0]["FDCOMMENT"]
    assert ("mode=antiecho" if winner % 2 == 0 else "mode=echo") in comment
    assert leftovers(tmp_path) == []


def test_the_race_is_decided_at_the_commit(tmp_path):
    """Both writers pass the existence check; the second to commit fails, its data gone, the
    first's file untouched."""
    target = str(tmp_path / "o.ft2")
    dic = spectrum_header((8, 8))
    first, second = (PipeWriter(target, dic) for _ in range(2))
    first.write(np.ones((8, 8), np.float32))
    second.write(np.full((8, 8), 2, np.float32))
    first.close()
    with pytest.raises(OutputError, match="exists"):
        second.close()
    assert np.all(read(target)[1] == 1) and leftovers(tmp_path) == []


@pytest.mark.parametrize("links", [True, False], ids=["links", "no-links"])
@pytest.mark.parametrize("overwrite", [True, False], ids=["replace", "new"])
def test_plane_series_all_or_nothing(tmp_path, monkeypatch, overwrite, links):
    """With the third file failing to go in place, no file of the old series changed (or, for
    a new series, none of it exists) and no temporary file is left; the failure arises inside
    the with block's __exit__, which must still clean up. Also where the file system has no
    hard links (the old files are renamed aside instead, new names claimed with O_EXCL)."""
    template = str(tmp_path / "s%03d.ft3")
    dic = header_3d((8, 16), 5)
    old = np.arange(5 * 8 * 16, dtype=np.float32).reshape(5, 8, 16)
    if overwrite:
        write(template, dic, old)
        before = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    else:
        before = {}
    third = template % 3
    real_replace, real_link = os.replace, os.link

    failed = []

    def failing(real):
        def call(src, dst, *args, **kwargs):
            if os.fspath(dst) == third and not failed:   # once: putting back works
                failed.append(dst)
                raise OSError(errno.EIO, "injected failure")
            if real is real_link and not links:
                raise OSError(errno.EPERM, "no hard links here")
            return real(src, dst, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "replace", failing(real_replace))
    monkeypatch.setattr(os, "link", failing(real_link))
    with pytest.raises(output.WriteError, match="injected failure"):
        write(template, dic, old + 1000, overwrite=overwrite)
    monkeypatch.undo()
    after = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    assert after == before
    if not links:   # and without the injected failure, the series goes in place
        monkeypatch.setattr(os, "link", failing(real_link))
        third = None
        write(template, dic, old + 1000, overwrite=overwrite)
        assert np.array_equal(read(template)[1], old + 1000) and leftovers(tmp_path) == []


# -- signals and temporary files -------------------------------------------------------------

def _slow_3d_stream(tmp_path):
    """A degrade run reading a 3D stream of which only the first plane has come: it holds a
    temporary output file while it waits for the second."""
    dic = header_3d((16, 32), 3)
    plane = np.random.default_rng(1).random((16, 32)).astype(np.float32)
    proc = start("degrade", "--echo", "-o", "out.ft3", cwd=tmp_path, stdin=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    proc.stdin.write(encode_header(dic).tobytes())
    proc.stdin.write(encode_plane(plane, layout(dic, nplanes=3)).tobytes())
    proc.stdin.flush()
    deadline = time.monotonic() + 120
    while not [n for n in os.listdir(tmp_path) if n.endswith(".part")]:
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.02)
    return proc


@pytest.mark.parametrize("signum, line", [
    (signal.SIGTERM, "mrai: aborted (SIGTERM)\n"),
    (signal.SIGHUP, "mrai: aborted (SIGHUP)\n"),
    (signal.SIGINT, "mrai: aborted\n"),
])
def test_signals_remove_temporary_files(tmp_path, signum, line):
    proc = _slow_3d_stream(tmp_path)
    proc.send_signal(signum)
    proc.stdin.close()
    assert proc.wait(timeout=120) == 128 + signum
    assert proc.stderr.read().decode() == line
    assert os.listdir(tmp_path) == []


def test_stale_temporary_files_of_killed_runs_are_removed(tmp_path, small_file):
    proc = _slow_3d_stream(tmp_path)
    proc.kill()
    proc.wait(timeout=60)
    stale = leftovers(tmp_path)
    assert len(stale) == 1 and stale[0].startswith(".out.ft3.")
    # one that looks alike but belongs to a live process, and one from another host, stay
    alive = f".x.ft2.{os.getpid()}.{output._HOST}.0123abcd.part"
    elsewhere = f".x.ft2.{proc.pid}.other-host.0123abcd.part"
    for name in (alive, elsewhere):
        (tmp_path / name).write_bytes(b"")
    code, _, err = run_mrai("degrade", "--echo", small_file, "-o", tmp_path / "next.ft2")
    assert code == 0, err
    assert leftovers(tmp_path) == sorted([alive, elsewhere])


@pytest.mark.skipif(not os.path.exists(f"/proc/{os.getpid()}/status"), reason="no /proc")
def test_sigint_while_starting_is_one_line(tmp_path, small_file):
    """SIGINT as soon as mrai has started (its handlers are in place: SigCgt shows SIGTERM
    caught), while it imports what the command needs: one line, exit 130, no traceback."""
    proc = start("reconstruct", "--echo", small_file, "-o", tmp_path / "r.ft2",
                 stderr=subprocess.PIPE)
    term = 1 << (signal.SIGTERM - 1)
    deadline = time.monotonic() + 60
    while True:
        with open(f"/proc/{proc.pid}/status") as fh:
            caught = next(int(line.split()[1], 16) for line in fh if line.startswith("SigCgt"))
        if caught & term:
            break
        assert time.monotonic() < deadline
        time.sleep(0.001)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err.decode()) == (130, "mrai: aborted\n")
    assert not (tmp_path / "r.ft2").exists() and leftovers(tmp_path) == []


def test_output_parameters_name_real_options():
    """mrai.cli.main.OUTPUT_PARAMETERS (the check of outputs against each other and the
    inputs) names parameters each command has."""
    import click

    from mrai.cli.main import OUTPUT_PARAMETERS, cli

    ctx = click.Context(cli)
    for name, params in OUTPUT_PARAMETERS.items():
        command = cli.get_command(ctx, name)
        commands = list(getattr(command, "commands", {}).values()) or [command]
        for sub in commands:
            have = {param.name for param in sub.params}
            assert set(params) <= have, (name, sub.name, set(params) - have)


# -- commands with two outputs: one commit ---------------------------------------------------

def _nus_bruker(folder):
    """A small NUS Bruker data set (a nuslist of 12 of 16 increments)."""
    import rawdata

    rawdata.write_bruker(str(folder), increments=16, points=128,
                         nuslist=[0, 1, 2, 4, 5, 7, 8, 9, 11, 12, 14, 15])
    return folder


def _two_output_commands(tmp_path, small_file):
    """(argv of mrai degrade --nus and of mrai convert, each with --schedule-out s.txt and
    -o o.ft2, in ``tmp_path``)."""
    return {"degrade": ["degrade", "--nus", "0.5", "--schedule-out", str(tmp_path / "s.txt"),
                        str(small_file), "-o", str(tmp_path / "o.ft2")],
            "convert": ["convert", str(_nus_bruker(tmp_path / "raw")), "--schedule-out",
                        str(tmp_path / "s.txt"), "-o", str(tmp_path / "o.ft2")]}


@pytest.mark.parametrize("overwrite", [False, True], ids=["new", "replace"])
@pytest.mark.parametrize("failing", ["s.txt", "o.ft2"])
@pytest.mark.parametrize("command", ["degrade", "convert"])
def test_spectrum_and_schedule_go_in_place_together(tmp_path, small_file, monkeypatch, command,
                                                    failing, overwrite):
    """mrai degrade --nus and mrai convert with --schedule-out: the spectrum and the schedule
    are one mrai.output.Commit. Either failing to go in place leaves neither (new names) or
    both old files as they were (-ov), and no temporary file; as mrai simulate does."""
    from mrai.cli.main import main

    argv = _two_output_commands(tmp_path, small_file)[command] + (["-ov"] if overwrite else [])
    names = ("s.txt", "o.ft2")
    if overwrite:
        for name in names:
            (tmp_path / name).write_bytes(b"old " + name.encode())
    real_replace, real_link = os.replace, os.link

    def failing_call(real):
        def call(src, dst, *args, **kwargs):
            if os.path.basename(os.fspath(dst)) == failing:
                raise OSError(errno.EIO, "injected failure")
            return real(src, dst, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "replace", failing_call(real_replace))
    monkeypatch.setattr(os, "link", failing_call(real_link))
    assert main(argv) == 1
    monkeypatch.undo()
    for name in names:
        if overwrite:
            assert (tmp_path / name).read_bytes() == b"old " + name.encode()
        else:
            assert not (tmp_path / name).exists()
    assert leftovers(tmp_path) == []
    # and without the failure both go in place
    assert main([a for a in argv if a != "-ov"] + ["-ov"]) == 0
    assert (tmp_path / "s.txt").read_text().split()[0] == "0"
    assert read(str(tmp_path / "o.ft2"))[0]["FDCOMMENT"].find("mode=nus") >= 0
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["degrade", "convert"])
def test_spectrum_failing_while_written_leaves_no_schedule(tmp_path, small_file, monkeypatch,
                                                            command):
    """A full disk while the spectrum is written (after the schedule's temporary file was
    made): exit 1, neither file, no temporary file."""
    from mrai.cli.main import main
    from mrai.fileio import pipe

    argv = _two_output_commands(tmp_path, small_file)[command]
    real = pipe.write_temp

    def full(fh, data, path):
        if str(path).endswith("o.ft2"):
            raise output.write_failure(path, OSError(errno.ENOSPC, "No space left on device"))
        return real(fh, data, path)

    monkeypatch.setattr(pipe, "write_temp", full)
    assert main(argv) == 1
    assert not (tmp_path / "s.txt").exists() and not (tmp_path / "o.ft2").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("overwrite", [[], ["-ov"]], ids=["new", "replace"])
@pytest.mark.parametrize("command", ["degrade", "convert"])
def test_schedule_out_on_the_output_is_refused(tmp_path, small_file, command, overwrite):
    """--schedule-out o.ft2 -o o.ft2: exit 2 and nothing written, with and without -ov (an old
    o.ft2 stays as it was)."""
    argv = _two_output_commands(tmp_path, small_file)[command]
    argv[argv.index("--schedule-out") + 1] = str(tmp_path / "o.ft2")
    if overwrite:
        (tmp_path / "o.ft2").write_bytes(b"old")
    code, out, err = run_mrai(*argv, *overwrite)
    assert code == 2 and "named for two outputs (--schedule-out and -o)" in one_line(err)
    assert out == b""
    assert (tmp_path / "o.ft2").read_bytes() == b"old" if overwrite else \
        not (tmp_path / "o.ft2").exists()
    assert leftovers(tmp_path) == []


# -- every writer through mrai.output --------------------------------------------------------

def test_ucsf_written_through_a_temporary_file_beside_it(tmp_path, monkeypatch):
    """mrai process --format ucsf: nmrglue writes a temporary file named as every mrai
    temporary file, beside the target, put in place when complete; a failure in the middle
    (a full disk) leaves neither the target nor the temporary file."""
    from nmrglue.fileio import sparky

    from mrai.process.ucsf import write_ucsf

    dic = spectrum_header((8, 16))
    data = np.arange(128, dtype=np.float32).reshape(8, 16)
    target = tmp_path / "s.ucsf"
    real, seen = sparky.write, []

    def watched(path, *args, **kwargs):
        seen.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(sparky, "write", watched)
    write_ucsf(str(target), dic, data)
    assert len(seen) == 1 and seen[0].startswith(".s.ucsf.") and output._TEMP.match(seen[0])
    assert os.listdir(tmp_path) == ["s.ucsf"]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~_umask()
    assert np.array_equal(sparky.read(str(target))[1], data)

    def full(path, *args, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"part of it")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sparky, "write", full)
    with pytest.raises(output.WriteError, match="s2.ucsf: cannot be written"):
        write_ucsf(str(tmp_path / "s2.ucsf"), dic, data)
    with pytest.raises(OutputError, match="exists"):
        write_ucsf(str(target), dic, data)
    assert os.listdir(tmp_path) == ["s.ucsf"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_training_checkpoint_through_temporary_files(tmp_path, monkeypatch):
    """mrai.nn.training.Checkpoint.save: weights, optimizer state and state.json from
    temporary files named as mrai names them (Keras's .weights.h5 after .part), put in place
    together; a failing save leaves the checkpoint before it whole and no temporary file; a
    killed run's checkpoint temporaries are stale for the next save."""
    pytest.importorskip("keras")
    import json

    from mrai.nn.backend import keras
    from mrai.nn.config import WNNConfig
    from mrai.nn.model import build_wnn
    from mrai.nn.training import Checkpoint

    model = build_wnn(WNNConfig(filters=2, dilations=((1, 1),), stages=1, start="echo"))
    model(np.zeros((1, 8, 16), np.float32))
    optimizer = keras.optimizers.Adam(1e-3)
    optimizer.build(model.trainable_variables)
    folder = tmp_path / "ck"
    folder.mkdir()
    # a killed run's temporaries (its pid is dead): removed by this process's first save
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = [f".checkpoint.weights.h5.{dead}.{output._HOST}.0123abcd.part.weights.h5",
             f".optimizer.npz.{dead}.{output._HOST}.0123abcd.part"]
    for name in stale:
        (folder / name).write_bytes(b"")
    assert all(output.is_stale(name) for name in stale)
    checkpoint = Checkpoint(str(folder))
    checkpoint.save(model, optimizer, {"epoch": 1})
    files = ["checkpoint.weights.h5", "optimizer.npz", "state.json"]
    assert sorted(os.listdir(folder)) == files
    before = {name: (folder / name).read_bytes() for name in files}
    real = np.savez

    def failing(*args, **kwargs):
        real(*args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", failing)
    with pytest.raises(OSError):
        checkpoint.save(model, optimizer, {"epoch": 2})
    monkeypatch.undo()
    assert sorted(os.listdir(folder)) == files
    assert {name: (folder / name).read_bytes() for name in files} == before
    checkpoint.save(model, optimizer, {"epoch": 3})
    assert sorted(os.listdir(folder)) == files
    assert json.loads((folder / "state.json").read_text())["epoch"] == 3
