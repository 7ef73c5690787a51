"""The end-to-end demonstration behind ``mrai demo``: simulate, degrade, write, measure.

It grows with every capability; today it makes a simulated spectrum, its Echo, Anti-Echo and
50 % NUS forms, reconstructs each with CS-IST and the Echo and Anti-Echo forms also with the
shipped WNN, gives every reconstruction its per-point sigma and pSQ where the method's sigma
network is shipped, writes everything as NMRPipe files with plots (PNG), and reports r and RMSD
against the reference (and pSQ, the RMSD predicted without it) for each input and
reconstruction.
"""

import os
import time

from mrai.fileio.header import spectrum_header, stamp
from mrai.fileio.pipe import write
from mrai.output import check_writable
from mrai.fileio.schedule import write_schedule
from mrai import reconstruction
from mrai.methods import table
from mrai.metrics import quality
from mrai.simulate import SimulationSettings, simulate

CASES = (("echo", "echo"), ("antiecho", "antiecho"), ("nus50", "nus"))
INPUT = {mode: name for name, mode in CASES}
# every method of mrai.methods.table for every mode: (input name, method)
RECONSTRUCTIONS = tuple((INPUT[e.mode], e.method) for e in table.ENTRIES)
PLOTS = ("contour.png", "slices.png", "sigma_box.png", "sigma_map.png")


def run_demo(outdir, seed=0, size=(256, 2048), peaks=300, overwrite=False, log=print,
             model=None, sigma_dir=None):
    """Run the demonstration into ``outdir``; returns a list of result rows (dicts).
    ``model``: WNN weights file (default: the shipped model); ``sigma_dir``: folder of
    ``sigma-METHOD.weights.h5`` networks (default: the shipped ones; methods without one get
    no sigma)."""
    from mrai.errors import OutputError
    from mrai.limits import check_count

    seed = check_count(seed, "--seed", 0, 2 ** 63 - 1)
    if os.path.lexists(outdir) and not os.path.isdir(outdir):
        raise OutputError(f"{outdir}: is not a folder (the demo writes its files into OUTDIR)")
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot be made ({exc.strerror or exc})") from None
    names = ["reference.ft2", "echo.ft2", "antiecho.ft2", "nus50.ft2", "nus50.sched",
             *[f"{i}_{m}.ft2" for i, m in RECONSTRUCTIONS],
             *[f"{i}_{m}_sigma.ft2" for i, m in RECONSTRUCTIONS], *PLOTS]
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
    written = []

    def save(name, spectrum, **record):
        write(os.path.join(outdir, name), stamp(header, "demo", seed=seed, **record), spectrum,
              overwrite=overwrite)
        written.append(name)

    for name, spectrum in files.items():
        save(f"{name}.ft2", spectrum, mode=name)
    write_schedule(os.path.join(outdir, "nus50.sched"), data.schedule, overwrite=overwrite)
    written.append("nus50.sched")
    modes = dict(CASES)
    rows = [{"input": name, "method": "none", **quality(files[name], data.reference)}
            for name, _ in CASES]
    from mrai.nn.models import load_model

    network = load_model(model, "auto")
    sigmas = _sigma_networks(sigma_dir)
    results = {}
    for name, method in RECONSTRUCTIONS:
        mode = modes[name]
        e = table.entry(method, mode)
        run = reconstruction.solver(e, data.schedule if mode == "nus" else None,
                           model=network if method == "wnn" else None)
        start = time.perf_counter()
        recon = run.solve(files[name])
        seconds = time.perf_counter() - start
        save(f"{name}_{method}.ft2", recon, **table.record(e, **run.fields))
        row = {"input": name, "method": method, "seconds": seconds,
               **quality(recon, data.reference)}
        sigma = _sigma(sigmas, method, mode, files[name], recon, data.schedule)
        if sigma is not None:
            from mrai.uncertainty import coverage, psq

            save(f"{name}_{method}_sigma.ft2", sigma, method=method, mode=mode,
                 output="sigma")
            row.update(psq=psq(recon, sigma), coverage=coverage(data.reference, recon, sigma))
        results[name, method] = (recon, sigma)
        rows.append(row)
    written += _plots(outdir, header, data.reference, results, overwrite)
    log(f"wrote {', '.join(written)} to {outdir}")
    if not sigmas:
        log("no sigma networks shipped yet: reconstructions have no sigma or pSQ")
    order = {"echo": 0, "antiecho": 1, "nus50": 2}
    return sorted(rows, key=lambda row: order[row["input"]])


def _sigma_networks(folder):
    """{'wnn-echo': model, ...} for the sigma networks present in ``folder``."""
    from mrai.nn.models import load_sigma, model_dir

    found = {}
    for method in table.SIGMA_NETWORKS:
        path = os.path.join(folder or model_dir(), f"sigma-{method}.weights.h5")
        if os.path.isfile(path):
            found[method] = load_sigma(path, "auto")[0]
    return found


def _sigma(networks, method, mode, measured, recon, schedule):
    e = table.entry(method, mode)
    network = networks.get(e.sigma)
    if network is None:
        return None
    return reconstruction.sigma_for(e, network, recon, measured, schedule if mode == "nus" else None)[0]


def _plots(outdir, header, reference, results, overwrite):
    """contour.png: the WNN Echo reconstruction in blue over the reference in wide light grey,
    6 levels, zoomed on a region around its highest peak (a quarter of F1, an eighth of F2) so
    single peaks can be compared; slices.png: F2 slices through the four highest peaks of the first
    reconstruction with a sigma (the WNN Echo one when it has it), 64 points around each peak,
    with the 95 % band and the error against the reference; sigma_box.png: the sigma/Smax box
    plot of every reconstruction with a sigma; sigma_map.png: sigma/Smax of the slices'
    reconstruction over the contour plot's region."""
    from mrai import plots

    def around(at, size, width):  # (first, last) point of ``width`` points around ``at``
        first = min(max(at - width // 2, 0), max(size - width, 0))
        return first, min(first + width, size) - 1

    recon = results["echo", "wnn"][0]
    row, col = plots.find_peaks(recon, 1)[0]
    region = tuple(around(at, size, size // part)
                   for at, size, part in zip((row, col), recon.shape, (4, 8)))
    figures = {"contour.png": plots.contour(
        recon, header, reference=reference, region=region, region_unit="point", count=6,
        name="WNN from Echo", title="WNN from Echo (blue) over the reference (grey)")}
    scored = sorted((key for key, (_, s) in results.items() if s is not None),
                    key=lambda key: key != ("echo", "wnn"))
    if scored:
        figures["slices.png"] = plots.slices(*results[scored[0]], header, reference=reference)
        label = f"{scored[0][1].upper()} from {scored[0][0]}"
        figures["sigma_map.png"] = plots.sigma_map(
            *results[scored[0]], header, region=region, region_unit="point",
            title=f"sigma / Smax of the {label} reconstruction, its contours in black")
    entries = [(f"{m.upper()}\n{i}", r, s) for (i, m), (r, s) in results.items()
               if s is not None]
    if entries:
        figures["sigma_box.png"] = plots.sigma_box(entries)
    for name, figure in figures.items():
        plots.save(figure, os.path.join(outdir, name), overwrite=overwrite)
    return list(figures)


def format_rows(rows):
    lines = [f"{'input':<10}{'method':<10}{'r':>8}{'RMSD':>9}{'pSQ':>9}{'time s':>8}"]
    lines += [f"{r['input']:<10}{r['method']:<10}{r['r']:>8.4f}{r['rmsd']:>9.4f}"
              + (f"{r['psq']:>9.4f}" if "psq" in r else f"{'-':>9}")
              + (f"{r['seconds']:>8.2f}" if "seconds" in r else "") for r in rows]
    return "\n".join(lines)
