"""Fuzz the mrai command line against the README's rule for bad input and outputs.

Every case is a small valid input (an NMRPipe 2D spectrum, an Echo-only spectrum, an mrai
reconstruction, a time-domain file, a Bruker or Varian raw data set, a schedule, a recipe) with one
seeded mutation (header words set to extreme, NaN, Inf, negative or huge values, truncation, byte
flips, data scaled or poisoned, FDCOMMENT provenance edits, schedules with bad entries, recipes with
bad values, acqus / procpar / nuslist edits, bad option values, NMRPipe streams on standard input),
run as ``python -m mrai ...`` in a fresh folder, with a timeout and a memory limit. The rule
(README, "Outputs, signals and exit status"):

- exit 0: every file written (and a data stream on standard output) reads back finite;
- exit 2: exactly one line on standard error, starting ``mrai: error:``; nothing written (no new
  or changed file, nothing on standard output);
- never a traceback, never another exit status (1 is an internal error: a violation here, as is a
  timeout or the memory limit), never an input changed, never a ``.part`` temporary file left.

    python scripts/fuzz.py --count 2000 --seed 0 --jobs 2     # counts by command, violations
    python scripts/fuzz.py --seed 0 --only 17 --keep          # one case again, its folder kept

The long run, ``--count 2000 --seed 0 --jobs 2`` (issue 20's "Done when"): 2,000 cases over
every command (info 268, degrade 368, reconstruct 360, score 189, process 282, convert 248,
plot 110, simulate 79, train 50, demo 46; 1,041 exit 0, 959 exit 2), 0 violations, 1,305 s on
2 cores. Its first run found 21, all fixed in the product: click's three-line usage errors (a
bad option value, an unknown option), mrai demo with a file as OUTDIR or a negative --seed
(exit 1), FDTRANSPOSED neither 0 nor 1 (exit 1), numpy warnings before the error line (an empty
nuslist, an Inf word in complex data). ``tests/test_fuzz.py`` runs 80 cases of seed 20 (about
70 s).

As a library (``tests/test_fuzz.py``): ``from fuzz import cases, check``; ``cases(count, seed)``
lists :class:`Case` objects, ``check(case)`` runs one and returns its violations (strings).
"""

import argparse
import hashlib
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TIMEOUT = 120          # seconds per command
MEMORY = 4 << 30       # address-space limit per command (ONNX Runtime maps generously)
SIZE = (16, 64)

# header words worth hitting (nmrglue's names); random words are hit too
WORDS = ("FDMAGIC FDFLTFORMAT FDFLTORDER FDSIZE FDSPECNUM FDREALSIZE FDDIMCOUNT FDQUADFLAG "
         "FDF2QUADFLAG FDF1QUADFLAG FDF3QUADFLAG FDPIPEFLAG FDTRANSPOSED FDDIMORDER1 FDDIMORDER2 "
         "FDF2FTFLAG FDF1FTFLAG FDF3FTFLAG FDF3SIZE FDF4SIZE FDFILECOUNT FDF2TDSIZE FDF1TDSIZE "
         "FDF2SW FDF1SW FDF2OBS FDF1OBS FDF2ORIG FDF1ORIG FDF2CAR FDF1CAR FDF2P0 FDF2P1 FDF1P0 "
         "FDF1P1 FDF2APOD FDF1APOD FDF2CENTER FDF1CENTER FDF2ZF FDF1ZF FDF2X1 FDF2XN FDF1X1 "
         "FDF1XN FDF2AQSIGN FDF1AQSIGN FDF2FTSIZE FDF1FTSIZE FDSLICECOUNT FDMAX FDMIN").split()
VALUES = (float("nan"), float("inf"), -float("inf"), 0.0, -1.0, -2048.0, 1.0, 2.0, 3.0, 7.0,
          0.5, 1e-30, 1e9, -1e9, 3e38, -3e38, 2.0 ** 31, 2.0 ** 24 + 1, 65536.0, 1e12, 2.345)
COMMENTS = ("mrai degrade mode=nus n=1000000000000 sched=7",
            "mrai degrade mode=nus n=16 sched=zz",
            "mrai degrade mode=nus n=16 sched=ffffffffffffffffffffffffffffffffffff",
            "mrai degrade mode=nus n=-3 sched=1",
            "mrai reconstruct method=wnn mode=antiecho model=x method=ist",
            "mrai reconstruct method=zz mode=echo",
            "mrai reconstruct method=ist mode=nus n=16 sched=0",
            "\x1b[2J\x1b]0;title\x07 mode=echo", "mode=echo t1=nan t2=inf",
            "mrai degrade mode=echo t1=1e308 t2=-5")
SCHEDULES = ("", "0\n", "0\n1\n1\n2\n", "-1\n0\n3\n", "3000000\n", "0\n99999999999999999999999\n",
             "zz\n", "0.5\n1.5\n", "nan\n", "1e30\n", "0 1 2 3\n", "0,1,2\n", "15\n16\n",
             "\x00\x00\n", "0\n" * 5000, "# comment\n0\n2\n4\n", "0\n2\n4\n6\n8\n10\n12\n14\n")
RECIPES = ("PS -p0 nan", "EM -lb inf", "EM -lb -1e30", "EXT -x1 5000 -xn 6000", "ZF -size -5",
           "ZF -size 2000000000", "ZF -zf 40", "ZF -pad -3", "BASE -nl 1 99999", "SP -off nan",
           "SP -pow 1e300", "GM -g1 inf -g2 nan", "FT; FT; FT", "TP; TP -hyper", "EXT -x1 0 -xn 0",
           "EXT -x1 9ppm -xn 8ppm", "EXT -x1 1e40ppm -xn 2", "PS -p0 1e308 -p1 -1e308",
           "LP -pred 100000000", "LP -ord 0", "SOL -fl 0", "SOL -fl 99999999", "FOO -x 1",
           "ZF -auto\nFT\nPS -p0 0 -p1 0 -di\nTP\nZF -auto\nFT\nTP", "EXT -round 0",
           "EXT -round -7", "BASE -nw -5 -nl 1 2", "DI; DI; DI", "FT -inv; FT -inv", "")
ACQUS = {"TD": ("0", "-1024", "1", "3", "1e12", "zz", "99999999999", "nan"),
         "SW_h": ("0", "-1", "nan", "inf", "1e308", "abc"),
         "SFO1": ("nan", "0", "-600", "inf"), "BF1": ("0", "nan"), "O1": ("nan", "1e308"),
         "FnMODE": ("xyz", "0", "99", "-1", "1", "2", "3"), "GRPDLY": ("abc", "1e12", "nan", "-5"),
         "DECIM": ("0", "-1", "1e12", "zz"), "DSPFVS": ("99", "zz"), "DTYPA": ("2", "7", "zz"),
         "BYTORDA": ("7", "zz"), "NC": ("nan", "1e9", "-1e9"), "AQ_mod": ("9", "zz")}
PROCPAR = {"np": ("0", "-2", "3", "1e12", "zz"), "ni": ("0", "-1", "1e12", "zz", "nan"),
           "sw": ("0", "-1", "nan", "inf"), "sw1": ("0", "nan", "-5"), "sfrq": ("0", "nan"),
           "dfrq": ("0", "nan"), "dfrq2": ("0", "nan", "inf"), "phase": ("7", "zz", "1 2 3"),
           "reffrq": ("nan", "0"), "arraydim": ("0", "-1", "1e12"), "f1180": ("zz", "y")}
BAD_OPTIONS = {
    "simulate": [["--size", v] for v in ("0x0", "4x4", "7x64", "8x7", "x", "-8x8", "100000x100000",
                                          "99999999999999999999x8", "1e3x8", "nanx8")]
    + [["--peaks", v] for v in ("-1", "0", "100000000", "nan")]
    + [["--noise", v] for v in ("nan", "inf", "-1", "1e308")]
    + [["--imbalance", v] for v in ("nan", "inf", "-2", "1e308")]
    + [["--t1-start", v] for v in ("nan", "inf", "-1", "1e12")]
    + [["--t2-start", v] for v in ("nan", "-inf", "1e12")]
    + [["--seed", v] for v in ("-1", "nan", "99999999999999999999999")],
    "train": [["--epochs", v] for v in ("0", "-1", "nan", "1e12")]
    + [["--steps", v] for v in ("0", "-3")] + [["--batch-size", v] for v in ("0", "-1", "1e9")]
    + [["--lr", v] for v in ("nan", "inf", "-1", "0")] + [["--filters", v] for v in ("0", "-4",
                                                                                    "100000")]
    + [["--dilations", v] for v in ("", "0,0", "x", "1,-1", "100000,1")]
    + [["--stages", v] for v in ("0", "-1", "100000")] + [["--size", v] for v in ("0x0", "4x4",
                                                                                  "100000x100000")]
    + [["--output", "tanh"], ["--start", "zz"], ["--ratio", "0"], ["--ratio", "-2"]],
}


@dataclass
class Case:
    """One fuzz case: ``argv`` after ``python -m mrai``, the ``files`` (relative path -> bytes)
    put in its folder first, ``stdin`` bytes (None: /dev/null), ``stream``: standard output is an
    NMRPipe stream to read back when the command succeeds."""
    index: int
    command: str
    what: str
    argv: list
    files: dict = field(default_factory=dict)
    stdin: bytes = None
    stream: bool = False

    def reproducer(self, seed):
        args = " ".join(shlex.quote(a) for a in self.argv)
        redirect = " < stdin.bin" if self.stdin is not None else ""
        return (f"python scripts/fuzz.py --seed {seed} --only {self.index} --keep"
                f"   # mrai {args}{redirect}  [{self.what}]")


# ---------------------------------------------------------------------------------------------
# the valid inputs, made once per process

_BASE = {}


def _run_setup(argv, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "mrai", *argv], cwd=cwd, env=env,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"fuzz setup failed: mrai {' '.join(argv)}: {proc.stderr.decode()}")


def base():
    """bytes of the valid inputs: ref, echo, anti, nus (+ schedule), recon (an IST Echo
    reconstruction), fid (a converted time-domain file), bruker/ and varian/ (dict of files),
    recipe."""
    if _BASE:
        return _BASE
    from mrai.fileio import write
    from mrai.fileio.header import spectrum_header
    from mrai.simulate import raw, simulate

    with tempfile.TemporaryDirectory(prefix="mrai-fuzz-base-") as folder:
        d = Path(folder)
        data = simulate(seed=11, size=SIZE, peaks=6)
        write(str(d / "ref.ft2"), spectrum_header(SIZE), data.reference)
        write(str(d / "big.ft2"), spectrum_header((32, 128)),
              simulate(seed=12, size=(32, 128), peaks=8).reference)
        write(str(d / "tiny.ft2"), spectrum_header((8, 8)),
              simulate(seed=13, size=(8, 8), peaks=2).reference)
        _run_setup(["degrade", "--echo", "ref.ft2", "-o", "echo.ft2"], d)
        _run_setup(["degrade", "--antiecho", "ref.ft2", "-o", "anti.ft2"], d)
        _run_setup(["degrade", "--nus", "0.5", "--seed", "3", "--schedule-out", "sched.txt",
                    "ref.ft2", "-o", "nus.ft2"], d)
        _run_setup(["reconstruct", "--echo", "echo.ft2", "-o", "recon.ft2", "--method", "ist",
                    "--iterations", "5"], d)
        peaks = dict(amplitude=np.array([1.0, 0.6]), freq1=np.array([0.21, -0.17]),
                     freq2=np.array([0.13, -0.24]), decay1=np.full(2, 1.5),
                     decay2=np.full(2, 3.0), phase1=np.zeros(2), phase2=np.zeros(2))
        p, n = raw.coherences(peaks, (8, 128))
        axes = dict(sw=(2000.0, 8000.0), obs=(60.8, 600.0), car=(118.0, 4.7))
        raw.write_bruker(str(d / "bruker"), p, n, fnmode=6, overwrite=True, **axes)
        raw.write_bruker(str(d / "brukernus"), p[:6], n[:6], fnmode=6,
                         nuslist=[0, 1, 3, 4, 6, 7], overwrite=True, **axes)
        raw.write_varian(str(d / "varian"), p, n, overwrite=True, **axes)
        _run_setup(["convert", "bruker", "-o", "fid.fid"], d)
        for path in sorted(d.rglob("*")):
            if path.is_file():
                rel = path.relative_to(d).as_posix()
                top = rel.split("/")[0]
                if top in ("bruker", "brukernus", "varian"):
                    _BASE.setdefault(top, {})[rel] = path.read_bytes()
                else:
                    _BASE[rel] = path.read_bytes()
    return _BASE


# ---------------------------------------------------------------------------------------------
# mutations


def _word_index(name):
    from nmrglue.fileio.pipe import fdata_nums
    return int(fdata_nums[name])


def mutate_header(rng, blob):
    a = bytearray(blob)
    words = np.frombuffer(bytes(a[:2048]), np.float32).copy()
    parts = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if rng.random() < 0.8:
            name = rng.choice(WORDS)
            i = _word_index(name)
        else:
            i = rng.randrange(512)
            name = f"word {i}"
        value = rng.choice(VALUES) if rng.random() < 0.85 else rng.uniform(-1e6, 1e6)
        words[i] = np.float32(value)
        parts.append(f"{name}={value:g}")
    a[:2048] = words.tobytes()
    return bytes(a), "header " + ", ".join(parts)


def mutate_comment(rng, blob):
    a = bytearray(blob)
    text = rng.choice(COMMENTS).encode("latin-1")[:160]
    start = 312 * 4  # FDCOMMENT, 160 characters
    a[start:start + 160] = text.ljust(160, b"\0")
    return bytes(a), f"FDCOMMENT {text!r}"


def mutate_truncate(rng, blob):
    cut = rng.choice((0, 1, 100, 2047, 2048, 2052, len(blob) - 4, len(blob) - 1,
                      rng.randrange(len(blob))))
    cut = max(0, min(cut, len(blob) - 1))
    return blob[:cut], f"truncated to {cut} of {len(blob)} bytes"


def mutate_extend(rng, blob):
    extra = rng.choice((1, 3, 4, 2048, 4096))
    return blob + bytes(rng.randrange(256) for _ in range(extra)), f"{extra} bytes appended"


def mutate_flips(rng, blob):
    a = bytearray(blob)
    count = rng.choice((1, 4, 32))
    region = 2048 if rng.random() < 0.7 else len(a)
    for _ in range(count):
        i = rng.randrange(region)
        a[i] ^= 1 << rng.randrange(8)
    return bytes(a), f"{count} bit flips in the first {region} bytes"


def mutate_data(rng, blob):
    data = np.frombuffer(blob[2048:], np.float32).copy()
    kind = rng.choice(("nan", "inf", "huge", "scale", "zero", "const", "tiny", "neg"))
    if kind == "nan":
        data[rng.randrange(data.size)] = np.nan
    elif kind == "inf":
        data[rng.randrange(data.size)] = np.inf
    elif kind == "huge":
        data[rng.randrange(data.size)] = np.float32(3.4e38)
    elif kind == "scale":
        data *= np.float32(3e38) / max(np.abs(data).max(), 1e-30)
    elif kind == "zero":
        data[:] = 0
    elif kind == "const":
        data[:] = 1.5
    elif kind == "tiny":
        data *= np.float32(1e-44)
    else:
        data = -np.abs(data)
    return blob[:2048] + data.astype(np.float32).tobytes(), f"data {kind}"


FILE_MUTATIONS = (mutate_header, mutate_header, mutate_header, mutate_comment, mutate_truncate,
                  mutate_extend, mutate_flips, mutate_data, mutate_data)


def mutate_file(rng, blob):
    return rng.choice(FILE_MUTATIONS)(rng, blob)


def mutate_params(rng, text, table, sep):
    """Set one parameter of a JCAMP acqus (sep '=') or a procpar (sep None) to a bad value."""
    name = rng.choice(sorted(table))
    value = rng.choice(table[name])
    lines = text.splitlines(keepends=True)
    if sep == "=":
        key = f"##${name}="
        lines = [f"{key} {value}\n" if line.startswith(key) else line for line in lines]
    else:
        for i, line in enumerate(lines):
            if line.split(" ")[0] == name and i + 1 < len(lines):
                count = lines[i + 1].split(" ")[0]
                if count == "1":
                    quoted = lines[i + 1].split(" ", 1)[1].strip().startswith('"')
                    lines[i + 1] = f'1 "{value}"\n' if quoted else f"1 {value}\n"
                break
    return "".join(lines), f"{name} = {value}"


# ---------------------------------------------------------------------------------------------
# cases

COMMANDS = ("info", "degrade", "reconstruct", "score", "process", "convert", "plot", "simulate",
            "train", "demo", "stdin")
WEIGHTS = (10, 16, 16, 9, 12, 14, 5, 5, 3, 2, 8)


def _spectrum_case(rng, index, command, b):
    """A spectrum command on a mutated (or, now and then, intact) spectrum."""
    if command == "info":
        source = rng.choice(("ref.ft2", "echo.ft2", "recon.ft2", "nus.ft2", "fid.fid"))
        argv = ["info", "in.ft2"] + (["--json"] if rng.random() < 0.5 else [])
    elif command == "degrade":
        source = rng.choice(("ref.ft2", "ref.ft2", "big.ft2", "tiny.ft2"))
        mode = rng.choice((["--echo"], ["--antiecho"], ["--nus", rng.choice(("0.5", "0.3", "1"))],
                           ["--nus", "0.5", "--schedule-out", "s.txt"],
                           ["--schedule", "sched.txt"]))
        argv = ["degrade", *mode, "in.ft2", "-o", "out.ft2"]
    elif command == "reconstruct":
        kind = rng.choice(("ist", "ist", "wnn", "nus", "nusheader", "anti", "sigma"))
        if kind in ("nus", "nusheader"):
            source = "nus.ft2"
            sched = "sched.txt" if kind == "nus" else "header"
            argv = ["reconstruct", "--nus", sched, "in.ft2", "-o", "out.ft2", "--iterations", "5"]
        elif kind == "anti":
            source = "anti.ft2"
            argv = ["reconstruct", "--antiecho", "in.ft2", "-o", "out.ft2", "--method", "ist",
                    "--iterations", "5"]
        else:
            source = "echo.ft2"
            argv = ["reconstruct", "--echo", "in.ft2", "-o", "out.ft2"]
            if kind == "ist":
                argv += ["--method", "ist", "--iterations", "5"]
            if kind == "sigma":
                argv += ["--sigma", "sig.ft2"]
    elif command == "score":
        source = "recon.ft2"
        argv = ["score", "in.ft2"] + rng.choice(([], ["--json"], ["--region", "1:64"],
                                                 ["--sigma-out", "sig.ft2"]))
    elif command == "process":
        source = "fid.fid"
        argv = ["process", "in.ft2", "-o", "out.ft2"] + rng.choice(
            ([], ["--fn", "SP -off 0.5 -end 0.98 -pow 2 -c 0.5; ZF -auto; FT; PS -p0 0 -p1 0 -di; "
                          "TP; SP; ZF; FT; PS -p0 0 -p1 0 -di; TP"]))
    else:  # plot
        source = rng.choice(("ref.ft2", "recon.ft2"))
        argv = ["plot", "contour", "in.ft2", "-o", "out.png"]
    files = {"in.ft2": b[source], "sched.txt": b["sched.txt"]}
    what = "intact " + source
    if rng.random() < 0.9:
        blob, what = mutate_file(rng, b[source])
        files["in.ft2"] = blob
        what = f"{source}: {what}"
    return Case(index, command, what, argv, files)


def _schedule_case(rng, index, b):
    text = rng.choice(SCHEDULES)
    if rng.random() < 0.5:
        argv = ["degrade", "--schedule", "sched.txt", "in.ft2", "-o", "out.ft2"]
        files = {"in.ft2": b["ref.ft2"], "sched.txt": text.encode()}
        return Case(index, "degrade", f"schedule {text[:40]!r}", argv, files)
    argv = ["reconstruct", "--nus", "sched.txt", "in.ft2", "-o", "out.ft2", "--iterations", "5"]
    files = {"in.ft2": b["nus.ft2"], "sched.txt": text.encode()}
    return Case(index, "reconstruct", f"schedule {text[:40]!r}", argv, files)


def _recipe_case(rng, index, b):
    recipe = rng.choice(RECIPES)
    files = {"in.ft2": b["fid.fid"]}
    if rng.random() < 0.5:
        files["recipe.txt"] = recipe.encode()
        argv = ["process", "in.ft2", "-o", "out.ft2", "--recipe", "recipe.txt"]
    else:
        argv = ["process", "in.ft2", "-o", "out.ft2", "--fn", recipe]
        if rng.random() < 0.3:  # on a spectrum
            files["in.ft2"] = b["ref.ft2"]
    return Case(index, "process", f"recipe {recipe[:50]!r}", argv, files)


def _convert_case(rng, index, b):
    kind = rng.choice(("bruker", "bruker", "brukernus", "varian", "varian"))
    files = dict(b[kind])
    mutation = rng.choice(("param", "param", "param", "truncate", "nuslist", "flips", "none"))
    what = mutation
    if mutation == "param":
        if kind == "varian":
            name = f"{kind}/procpar"
            text, what = mutate_params(rng, files[name].decode("latin-1"), PROCPAR, None)
        else:
            name = rng.choice((f"{kind}/acqus", f"{kind}/acqu2s"))
            text, what = mutate_params(rng, files[name].decode("latin-1"), ACQUS, "=")
            what = f"{name.split('/')[1]} {what}"
        files[name] = text.encode("latin-1")
    elif mutation == "truncate":
        name = f"{kind}/fid" if kind == "varian" else f"{kind}/ser"
        blob, what = mutate_truncate(rng, files[name])
        files[name] = blob
    elif mutation == "nuslist":
        text = rng.choice(SCHEDULES)
        files[f"{kind}/nuslist"] = text.encode()
        what = f"nuslist {text[:40]!r}"
    elif mutation == "flips":
        name = f"{kind}/fid" if kind == "varian" else f"{kind}/ser"
        a = bytearray(files[name])
        for _ in range(8):
            i = rng.randrange(len(a))
            a[i] ^= 1 << rng.randrange(8)
        files[name] = bytes(a)
        what = f"8 bit flips in {name}"
    extra = rng.choice(([], [], ["--keep", "echo"], ["--mode", "states"],
                        ["--schedule-out", "s.txt"], ["--f1180", "yes"]))
    argv = ["convert", kind, "-o", "out.fid", *extra]
    return Case(index, "convert", f"{kind}: {what}", argv, files)


def _options_case(rng, index, command, b):
    if command == "simulate":
        bad = rng.choice(BAD_OPTIONS["simulate"])
        argv = ["simulate", "-o", "out.ft2", "--size", "8x16", *bad]
        if rng.random() < 0.3:
            argv += ["--echo", "e.ft2", "--antiecho", rng.choice(("a.ft2", "e.ft2", "out.ft2"))]
        return Case(index, command, f"simulate {' '.join(bad)}", argv)
    if command == "train":
        bad = rng.choice(BAD_OPTIONS["train"])
        net = rng.choice((["wnn"], ["sigma", "--method", "wnn-echo"], ["sigma", "--method", "zz"]))
        argv = ["train", *net, "-o", "p", "--epochs", "1", "--steps", "1", "--size", "8x16",
                "--batch-size", "1", "--filters", "2", *bad]
        files = {}
        if rng.random() < 0.3:
            card = rng.choice(('{"filters": 100000}', "[" * 100000, "{", '{"dilations": "x"}',
                               '{"name": "x\\u001b[2J", "stages": -1}', ""))
            files["card.json"] = card.encode()
            argv = ["train", "wnn", "-o", "p", "--card", "card.json", "--epochs", "1", "--steps",
                    "1", "--size", "8x16", "--batch-size", "1", "--time-limit", "0.05"]
            bad = [f"card {card[:30]!r}"]
        return Case(index, command, f"train {' '.join(bad)}", argv, files)
    # demo: bad arguments only (a full demo is a minute of work)
    choice = rng.choice((["demo", "out", "--seed", "-1"], ["demo", "out", "--seed", "nan"],
                         ["demo", "file.txt"], ["demo", "out", "--bogus"]))
    return Case(index, command, f"demo {' '.join(choice[1:])}", choice,
                {"file.txt": b"x", "out/keep.txt": b"y"})


def _stdin_case(rng, index, b):
    source = rng.choice(("ref.ft2", "echo.ft2", "recon.ft2"))
    blob = b[source]
    what = f"stdin {source} intact"
    if rng.random() < 0.85:
        blob, what = mutate_file(rng, blob)
        what = f"stdin {source}: {what}"
    command, argv = rng.choice((
        ("info", ["info", "-"]),
        ("degrade", ["degrade", "--echo"]),
        ("degrade", ["degrade", "--antiecho", "-in", "-", "-o", "out.ft2"]),
        ("reconstruct", ["reconstruct", "--echo", "--method", "ist", "--iterations", "3"]),
        ("score", ["score", "-"]),
        ("process", ["process", "--fn", "FT -inv; FT"]),
    ))
    stream = command in ("degrade", "reconstruct", "process") and "-o" not in argv
    return Case(index, command, what, argv, {}, stdin=blob, stream=stream)


def make_case(index, seed):
    """Case ``index`` of the series ``seed`` (each case has its own generator)."""
    rng = random.Random(seed * 1_000_003 + index)
    b = base()
    command = rng.choices(COMMANDS, WEIGHTS)[0]
    if command == "stdin":
        return _stdin_case(rng, index, b)
    if command in ("simulate", "train", "demo"):
        if command == "simulate" and rng.random() < 0.3:  # a valid small one
            size = rng.choice(("8x8", "8x16", "16x32"))
            argv = ["simulate", "-o", "out.ft2", "--size", size, "--seed", str(rng.randrange(99)),
                    "--echo", "e.ft2", "--antiecho", "a.ft2"]
            return Case(index, command, f"valid simulate {size}", argv)
        return _options_case(rng, index, command, b)
    if command == "convert":
        return _convert_case(rng, index, b)
    if command == "degrade" and rng.random() < 0.3:
        return _schedule_case(rng, index, b)
    if command == "reconstruct" and rng.random() < 0.2:
        return _schedule_case(rng, index, b)
    if command == "process" and rng.random() < 0.5:
        return _recipe_case(rng, index, b)
    return _spectrum_case(rng, index, command, b)


def cases(count, seed=0, start=0):
    """``count`` cases of the series ``seed`` from index ``start``."""
    return [make_case(i, seed) for i in range(start, start + count)]


# ---------------------------------------------------------------------------------------------
# the rule


def _limit():
    import resource
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    except (ValueError, OSError):
        pass
    os.nice(5)


def _snapshot(folder):
    out = {}
    for path in folder.rglob("*"):
        if path.is_file() or path.is_symlink():
            rel = path.relative_to(folder).as_posix()
            try:
                out[rel] = hashlib.sha1(path.read_bytes()).hexdigest()
            except OSError:
                out[rel] = "unreadable"
    return out


def _finite_pipe(blob_or_path):
    """None when the NMRPipe data read back finite, else why not."""
    from mrai.fileio import read
    try:
        if isinstance(blob_or_path, bytes):
            with tempfile.NamedTemporaryFile(suffix=".ft2") as fh:
                fh.write(blob_or_path)
                fh.flush()
                _, data = read(fh.name)
        else:
            _, data = read(str(blob_or_path))
    except Exception as exc:  # noqa: BLE001 - any failure to read back is the finding
        return f"does not read back: {type(exc).__name__}: {exc}"
    data = np.asarray(data)
    if data.size == 0:
        return "is empty"
    if not np.all(np.isfinite(data)):
        return f"has {int(np.size(data) - np.isfinite(data).sum())} non-finite values"
    return None


def _check_output(path):
    name = path.name
    if name.endswith(".part") or name.startswith("."):
        return f"temporary file left: {name}"
    blob = path.read_bytes()
    if path.suffix in (".ft2", ".ft3", ".fid", ".ft1"):
        why = _finite_pipe(path)
        return f"output {name} {why}" if why else None
    if path.suffix == ".png":
        return None if blob.startswith(b"\x89PNG") else f"output {name} is not a PNG"
    if path.suffix == ".pdf":
        return None if blob.startswith(b"%PDF") else f"output {name} is not a PDF"
    if path.suffix == ".txt":
        try:
            values = [int(v) for v in blob.decode().split() if not v.startswith("#")]
        except ValueError:
            return None  # not a schedule; text is text
        return None if values else f"output {name} is an empty schedule"
    if path.suffix in (".h5", ".json", ".ckpt"):
        return None if blob else f"output {name} is empty"
    return None


def check(case, keep=None):
    """Run ``case``; its violations of the rule (an empty list when it keeps it). ``keep``: a
    folder to run in and leave behind."""
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="mrai-fuzz-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for rel, blob in case.files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(blob)
        if case.stdin is not None:
            (folder / "stdin.bin").write_bytes(case.stdin)
        before = _snapshot(folder)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("MRAI_DEBUG", None)
        start = time.monotonic()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "mrai", *case.argv], cwd=folder, env=env,
                input=case.stdin if case.stdin is not None else None,
                stdin=None if case.stdin is not None else subprocess.DEVNULL,
                capture_output=True, timeout=TIMEOUT, preexec_fn=_limit)
        except subprocess.TimeoutExpired:
            return [f"timeout after {TIMEOUT} s"]
        seconds = time.monotonic() - start
        return _judge(case, folder, before, proc, seconds)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _judge(case, folder, before, proc, seconds):
    found = []
    rc = proc.returncode
    err = proc.stderr.decode("utf-8", "replace")
    lines = [line for line in err.splitlines() if line.strip()]
    after = _snapshot(folder)
    if "Traceback" in err:
        found.append("traceback on stderr")
    if "MemoryError" in err or "bad_alloc" in err:
        found.append(f"memory limit ({MEMORY >> 30} GB) hit")
    for rel, digest in before.items():
        if after.get(rel) != digest:
            found.append(f"input {rel} changed or removed")
    new = sorted(rel for rel in after if rel not in before)
    for rel in new:
        if Path(rel).name.endswith(".part") or ".part" in Path(rel).name:
            found.append(f"temporary file left: {rel}")
    first = lines[0][:200] if lines else ""
    if rc == 0:
        for rel in new:
            why = _check_output(folder / rel)
            if why and "temporary" not in why:
                found.append(why)
        if case.stream:
            why = _finite_pipe(proc.stdout) if proc.stdout else "is empty"
            if why:
                found.append(f"standard output stream {why}")
    elif rc == 2:
        if len(lines) != 1 or not lines[0].startswith("mrai: error:"):
            found.append(f"exit 2 with {len(lines)} stderr lines: {err[:300]!r}")
        if new:
            found.append(f"exit 2 but wrote {new}")
        if proc.stdout:
            found.append(f"exit 2 but wrote {len(proc.stdout)} bytes to standard output")
    elif rc < 0:
        found.append(f"killed by signal {-rc} ({first!r})")
    else:
        found.append(f"exit {rc}: {err[-300:]!r}")
    case.result = (rc, first, seconds)
    return found


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="first case index")
    parser.add_argument("--only", type=int, action="append", help="run only this case index")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--keep", action="store_true",
                        help="keep each case's folder (under ./fuzz-cases/SEED-INDEX)")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    if args.only:
        todo = [make_case(i, args.seed) for i in args.only]
    else:
        todo = cases(args.count, args.seed, args.start)

    def one(case):
        keep = Path("fuzz-cases") / f"{args.seed}-{case.index}" if args.keep else None
        return case, check(case, keep=keep)

    counts, bad, codes = Counter(), Counter(), Counter()
    violations = []
    start = time.monotonic()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        for done, (case, found) in enumerate(pool.map(one, todo), 1):
            counts[case.command] += 1
            rc = getattr(case, "result", (None,))[0]
            codes[(case.command, rc)] += 1
            if found:
                bad[case.command] += 1
                violations.append((case, found))
                print(f"VIOLATION case {case.index} ({case.command}): {'; '.join(found)}\n"
                      f"    {case.reproducer(args.seed)}", flush=True)
            elif args.verbose:
                print(f"ok case {case.index} ({case.command}) exit {rc}: {case.what}", flush=True)
            if done % 100 == 0:
                print(f"... {done}/{len(todo)} cases, {len(violations)} violations, "
                      f"{time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)
    print(f"\n{len(todo)} cases, seed {args.seed}, {time.monotonic() - start:.0f} s")
    print(f"{'command':<12} {'cases':>6} {'exit 0':>7} {'exit 2':>7} {'violations':>10}")
    for command in COMMANDS[:-1]:
        if counts[command]:
            print(f"{command:<12} {counts[command]:>6} {codes[(command, 0)]:>7} "
                  f"{codes[(command, 2)]:>7} {bad[command]:>10}")
    print(f"violations: {len(violations)}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
