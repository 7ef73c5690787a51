"""The end-to-end demonstration behind ``mrai demo``: simulate, degrade, write, measure.

It grows with every capability; today it makes a simulated spectrum, its Echo, Anti-Echo and
50 % NUS forms, reconstructs each with CS-IST and the Echo and Anti-Echo forms also with the
shipped WNN, writes everything as NMRPipe files, and reports r and RMSD against the reference
for each input and reconstruction.
"""

import os
import time

from mrai.fileio.header import spectrum_header, stamp
from mrai.fileio.pipe import check_writable, write
from mrai.fileio.schedule import write_schedule
from mrai.methods.ist import ist
from mrai.metrics import quality
from mrai.simulate import SimulationSettings, simulate


def run_demo(outdir, seed=0, size=(256, 2048), peaks=300, overwrite=False, log=print,
             model=None):
    """Run the demonstration into ``outdir``; returns a list of result rows (dicts).
    ``model``: WNN weights file (default: the shipped model)."""
    os.makedirs(outdir, exist_ok=True)
    names = ["reference.ft2", "echo.ft2", "antiecho.ft2", "nus50.ft2", "nus50.sched",
             "echo_ist.ft2", "antiecho_ist.ft2", "nus50_ist.ft2", "echo_wnn.ft2",
             "antiecho_wnn.ft2"]
    for name in names:
        check_writable(os.path.join(outdir, name), overwrite)
    start = time.perf_counter()
    settings = SimulationSettings(size=size, peaks=peaks)
    data = simulate(settings, seed=seed)
    log(f"simulated {size[0]} x {size[1]} spectrum, {peaks} peaks, seed {seed} "
        f"({time.perf_counter() - start:.2f} s)")
    header = spectrum_header(size, acquired=settings.acquired)
    files = {"reference": data.reference, "echo": data.echo, "antiecho": data.antiecho,
             "nus50": data.nus}
    for name, spectrum in files.items():
        path = os.path.join(outdir, f"{name}.ft2")
        write(path, stamp(header, "demo", mode=name, seed=seed), spectrum, overwrite=overwrite)
    write_schedule(os.path.join(outdir, "nus50.sched"), data.schedule, overwrite=overwrite)
    rows = []
    for name, mode in (("echo", "echo"), ("antiecho", "antiecho"), ("nus50", "nus")):
        rows.append({"input": name, "method": "none", **quality(files[name], data.reference)})
        start = time.perf_counter()
        recon = ist(files[name], mode, data.schedule if mode == "nus" else None)
        seconds = time.perf_counter() - start
        write(os.path.join(outdir, f"{name}_ist.ft2"),
              stamp(header, "demo", method="ist", mode=mode, seed=seed), recon,
              overwrite=overwrite)
        rows.append({"input": name, "method": "ist", "seconds": seconds,
                     **quality(recon, data.reference)})
    from mrai.nn.inference import load_model, reconstruct  # imports Keras: only here

    network, card = load_model(model, "auto")
    for name in ("echo", "antiecho"):
        start = time.perf_counter()
        recon = reconstruct(network, files[name], name)
        seconds = time.perf_counter() - start
        write(os.path.join(outdir, f"{name}_wnn.ft2"),
              stamp(header, "demo", method="wnn", mode=name, model=card.get("name"),
                    precision=card["precision"], seed=seed),
              recon, overwrite=overwrite)
        rows.append({"input": name, "method": "wnn", "seconds": seconds,
                     **quality(recon, data.reference)})
    log(f"wrote {', '.join(names)} to {outdir}")
    order = {"echo": 0, "antiecho": 1, "nus50": 2}
    return sorted(rows, key=lambda row: order[row["input"]])


def format_rows(rows):
    lines = [f"{'input':<10}{'method':<10}{'r':>8}{'RMSD':>9}{'time s':>8}"]
    lines += [f"{r['input']:<10}{r['method']:<10}{r['r']:>8.4f}{r['rmsd']:>9.4f}"
              + (f"{r['seconds']:>8.2f}" if "seconds" in r else "") for r in rows]
    return "\n".join(lines)
