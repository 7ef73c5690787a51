#!/usr/bin/env python
"""The Python part of the prepared GPU run (scripts/gpu/README.md; run.sh installs the wheels
and sets the backend, then calls this).

    python scripts/gpu/run.py OUTDIR [STAGE...]   # train the plan's stages (all by default)
    python scripts/gpu/run.py --home DEST         # the finished networks, flat, into DEST

Each stage of scripts/gpu/plan.json (the plan MRAI_GPU_PLAN names, default 'gpu') trains in a
scratch folder with `mrai train ... --checkpoint --resume --time-limit`, in a subprocess, with
the minutes left of the command's budget (counted from MRAI_GPU_T0, the Unix time run.sh
started, or from this script's start), data parallel on every visible GPU (`--devices all`, or
the plan's "devices"). A stage starts from its state of the last call: the
tar STATE/STAGE.tar (STATE: MRAI_GPU_STATE, default gpu-run.ckpt in the repository, carried to
the device machine). OUTDIR receives, flat, one STAGE.tar per stage with a state (the
checkpoint while it trains; the weights, card and ONNX files once finished), run.log and
status.json: few enough files for the device's $OUT. MRAI_GPU_MINUTES overrides the plan's
budget (a shorter command); MRAI_GPU_TIME_LIMIT gives every stage that --time-limit instead of
the minutes left (the test stops each stage after one step with it). A stage still running at
the budget's end is killed; its last checkpoint stays.
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAN = os.path.join(ROOT, "scripts", "gpu", "plan.json")
MODEL_SUFFIXES = (".weights.h5", ".json", ".onnx")


def load_plan(name=None):
    """The plan ``name`` (MRAI_GPU_PLAN, default 'gpu') of plan.json."""
    name = name or os.environ.get("MRAI_GPU_PLAN") or "gpu"
    with open(PLAN) as fh:
        plans = json.load(fh)
    if name not in plans or name == "about":
        raise SystemExit(f"run.py: no plan {name!r} in {PLAN} "
                         f"({', '.join(k for k in plans if k != 'about')})")
    return plans[name]


class Log:
    """Lines to stdout (the device reply's tail) and to OUTDIR/run.log."""

    def __init__(self, path):
        self.file = open(path, "a")

    def __call__(self, text):
        stamp = time.strftime("%H:%M:%S")
        for line in str(text).rstrip("\n").splitlines() or [""]:
            print(f"[{stamp}] {line}", flush=True)
            self.file.write(f"[{stamp}] {line}\n")
        self.file.flush()


def prefix(work, name):
    return os.path.join(work, name, name)


def finished(work, name):
    return os.path.isfile(prefix(work, name) + ".weights.h5") and \
        os.path.isfile(prefix(work, name) + ".json")


def unpack(tar_path, work):
    with tarfile.open(tar_path) as tar:
        try:
            tar.extractall(work, filter="data")
        except TypeError:  # Python without extraction filters
            tar.extractall(work)


def pack(work, name, out):
    """OUTDIR/NAME.tar: the model files once finished, else the checkpoint folder."""
    folder = os.path.join(work, name)
    if finished(work, name):
        files = [f for f in sorted(os.listdir(folder)) if f.endswith(MODEL_SUFFIXES)]
    else:
        files = [os.path.join("ckpt", f) for f in sorted(os.listdir(os.path.join(folder, "ckpt")))
                 if not f.startswith(".")] if os.path.isdir(os.path.join(folder, "ckpt")) else []
    if not files:
        return None
    path = os.path.join(out, name + ".tar")
    temp = path + ".part"
    with tarfile.open(temp, "w") as tar:
        for f in files:
            tar.add(os.path.join(folder, f), arcname=f"{name}/{f}")
    os.replace(temp, path)
    return path


def stage_status(work, name, plan_stage=None):
    """What a stage's files say: state, epochs done, step, the last validation line."""
    if finished(work, name):
        with open(prefix(work, name) + ".json") as fh:
            card = json.load(fh)
        return {"state": "finished", "epochs": card.get("epochs"), "wall_s": card.get("wall_s"),
                "validation": card.get("calibrated_validation") or card.get("validation"),
                "device": card.get("device"), "devices": card.get("devices", 1)}
    path = os.path.join(work, name, "ckpt", "state.json")
    if not os.path.isfile(path):
        return {"state": "not started"}
    with open(path) as fh:
        state = json.load(fh)
    history = state.get("history") or [{}]
    return {"state": "training", "epoch": state.get("epoch"), "step": state.get("step") or 0,
            "epochs": state.get("schedule", {}).get("epochs"),
            "steps": state.get("schedule", {}).get("steps"),
            "wall_s": round(state.get("wall_s", 0.0), 1), "last": history[-1],
            "device": state.get("device"), "devices": state.get("devices", 1)}


def command(plan, stage, work, minutes):
    name = stage["name"]
    cmd = [sys.executable, "-m", "mrai", "train", stage["train"], "-o", prefix(work, name),
           "--checkpoint", os.path.join(work, name, "ckpt"), "--resume",
           "--time-limit", f"{minutes:.4f}", "--workers", str(plan.get("workers", 1)),
           "--devices", str(plan.get("devices", "all")), *stage["args"]]
    if stage.get("wnn"):
        cmd += ["--wnn", prefix(work, stage["wnn"]) + ".weights.h5"]
    return cmd


def run_stage(plan, stage, work, minutes, seconds, log):
    """Train one stage for at most ``minutes`` (its --time-limit), killed after ``seconds``;
    returns its exit status (None when killed)."""
    cmd = command(plan, stage, work, minutes)
    log("$ " + " ".join(cmd))
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + seconds

    def read():
        for line in proc.stdout:
            log(f"  {line.rstrip()}")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = None
        log("  killed at the command's budget; its last checkpoint stays")
    reader.join(timeout=10)
    return code


def train(out, names=(), log=print):
    """Run the plan's stages (``names``: only these); returns the number that failed."""
    t0 = float(os.environ.get("MRAI_GPU_T0") or time.time())
    plan = load_plan()
    budget = float(os.environ.get("MRAI_GPU_MINUTES") or plan["budget_minutes"]) * 60.0
    stages = plan["stages"]
    known = [s["name"] for s in stages]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"run.py: no stage {', '.join(unknown)} in the plan "
                         f"({', '.join(known)})")
    state_dir = os.environ.get("MRAI_GPU_STATE") or os.path.join(ROOT, "gpu-run.ckpt")
    work = tempfile.mkdtemp(prefix="mrai-gpu-")
    log(f"plan {os.environ.get('MRAI_GPU_PLAN') or 'gpu'}: {', '.join(known)}; budget "
        f"{budget / 60:.2f} min, {time.time() - t0:.0f} s gone; state from {state_dir}")
    for name in known:
        tar = os.path.join(state_dir, name + ".tar")
        if os.path.isfile(tar):
            unpack(tar, work)
    failed = 0
    for stage in stages:
        name = stage["name"]
        if names and name not in names:
            continue
        if finished(work, name):
            log(f"{name}: finished before")
            continue
        if stage.get("wnn") and not finished(work, stage["wnn"]):
            log(f"{name}: waits for {stage['wnn']} to finish")
            continue
        left = budget - (time.time() - t0) - 60.0 * plan.get("reserve_minutes", 0.0)
        minutes = left / 60.0 - stage.get("finish_minutes", 0.0)
        if os.environ.get("MRAI_GPU_TIME_LIMIT"):
            minutes = float(os.environ["MRAI_GPU_TIME_LIMIT"])
        elif plan.get("min_minutes", 0.0) > 0 and minutes < plan["min_minutes"]:
            log(f"{name}: not started, {max(left, 0) / 60:.2f} min left (it needs "
                f"{plan['min_minutes'] + stage.get('finish_minutes', 0.0):.1f})")
            continue
        log(f"{name}: training for at most {max(minutes, 0):.2f} min")
        os.makedirs(os.path.join(work, name), exist_ok=True)
        kill = max(budget - (time.time() - t0) - 5.0, 1.0)  # the budget's end
        code = run_stage(plan, stage, work, max(minutes, 1e-4), kill, log)
        if code not in (0, None):
            failed += 1
            log(f"{name}: mrai train failed (exit {code})")
        path = pack(work, name, out)
        log(f"{name}: {json.dumps(stage_status(work, name))}"
            + (f"; {os.path.basename(path)} {os.path.getsize(path) / 2**20:.1f} MiB"
               if path else ""))
    status = {}
    for name in known:  # every stage's state in OUTDIR, so the latest OUTDIR is the whole run
        if not os.path.exists(os.path.join(out, name + ".tar")):
            pack(work, name, out)
        status[name] = stage_status(work, name)
    with open(os.path.join(out, "status.json"), "w") as fh:
        json.dump(status, fh, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    log(f"done in {time.time() - t0:.0f} s: "
        + "; ".join(f"{n} {s['state']}" + (f" {s.get('epoch')}/{s.get('epochs')} epochs"
                                           if s["state"] == "training" else "")
                    for n, s in status.items()))
    return failed


def bring_home(dest, state_dir=None, log=print):
    """The model files of the finished stages in STATE/*.tar, flat into ``dest``; returns the
    names of the finished ones."""
    state_dir = state_dir or os.environ.get("MRAI_GPU_STATE") or os.path.join(ROOT,
                                                                            "gpu-run.ckpt")
    os.makedirs(dest, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory() as work:
        for stage in load_plan()["stages"]:
            name = stage["name"]
            tar = os.path.join(state_dir, name + ".tar")
            if not os.path.isfile(tar):
                log(f"{name}: no state")
                continue
            unpack(tar, work)
            if not finished(work, name):
                status = stage_status(work, name)
                log(f"{name}: still training ({status.get('epoch')}/{status.get('epochs')} "
                    f"epochs)")
                continue
            for f in sorted(os.listdir(os.path.join(work, name))):
                shutil.copy2(os.path.join(work, name, f), os.path.join(dest, f))
            done.append(name)
            log(f"{name}: {os.path.join(dest, name)}.weights.h5")
    return done


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    if argv[0] == "--home":
        if len(argv) != 2:
            raise SystemExit("usage: run.py --home DEST")
        bring_home(argv[1])
        return 0
    out = os.path.abspath(argv[0])
    os.makedirs(out, exist_ok=True)
    log = Log(os.path.join(out, "run.log"))
    return 1 if train(out, argv[1:], log) else 0


if __name__ == "__main__":
    sys.exit(main())
