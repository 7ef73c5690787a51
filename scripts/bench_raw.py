#!/usr/bin/env python
"""Raw-data import check: for each measured gradient-selected data set, convert it keeping both
halves, the Echo half and the Anti-Echo half, process all three the same way, and print the
correlation r of the processed Echo-only (Anti-Echo-only) spectrum with the Echo (Anti-Echo)
part (docs/conventions.md) of the processed full spectrum. Bruker sets: the default recipe
(first line: with the phases stored with the set, mrai convert's default).
Varian set (t1 from half a dwell, f1180): the author's recipe without its F2 EXT (a spectrum
cut to part of its width is no longer periodic, so its Virtual Echo no longer separates the
halves: split or reconstruct, then EXT); the parts by the plain quadrant mask and by the
half-dwell mask (mrai.physics.halfdwell), on the whole F2 width and on the author's EXT region
(the left half), the same with mrai's default recipe, and how much of the remaining difference is a constant per F1 row (the t2 = 0
points, where the two FIDs differ). Its full spectrum is also compared with the author's own
NMRPipe spectrum (the author's whole recipe and referencing): r, r without the last 24 F2
points (a DC artefact at the F2 carrier that the author's spectrum does not have), and the
positions of its 30 largest peaks.

Phases: each set is processed with the phases stored with it (mrai convert's default), with
zero phases (--phases zero) and with mrai process --autophase; for each, with the default
recipe, r of the Echo-only and Anti-Echo-only spectra with the parts of the full one, and the
full spectrum's negative intensity near its peaks (0 for pure positive absorption; an edited HSQC has negative
peaks of its own) and the phase error that mrai.process.autophase.looks_unphased measures
(F2 / F1, degrees; above 16 it calls the spectrum unphased).

    python scripts/bench_raw.py --data ../shared/data
"""

import argparse
import os

import numpy as np

from mrai.fileio import read
from mrai.fileio.convert import to_pipe
from mrai.fileio.raw import read_raw
from mrai.physics import antiecho_part, echo_part, half_dwell_part
from mrai.process import default_recipe, parse_recipe, process

SETS = ("penguins_noah_15N_seHSQC_EA", "spectrochempy_exam2d_HC_EA",
        "adkins_varian_15N_hsqc_RK/varian_sample.fid")
# the recipe the author's header of adkins nmrpipe_sample.ft2 records
ADKINS_RECIPE = """
SP -off 0.5 -end 1.0 -pow 2 -c 0.5
ZF -size 2048
FT
PS -p0 -135 -p1 0 -di
EXT -left -sw
TP
SP -off 0.5 -end 1.0 -pow 1 -c 1.0
ZF -size 256
FT
PS -p0 -90 -p1 180 -di
TP
"""
ADKINS_CAR = (4.821, 119.042)  # ppm (F2, F1): the author's referencing


def corr(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def halves(raw, recipe=None, phases="stored", **referencing):
    """Processed (full, echo-only, anti-echo-only) spectra of a raw data set."""
    out = []
    for keep in ("both", "echo", "antiecho"):
        dic, data = to_pipe(raw, keep=keep, phases=phases, **referencing)
        dic, spectrum = process(dic, data, recipe if recipe else default_recipe(dic))
        out.append(np.asarray(spectrum, dtype=np.float64))
    return dic, out


def negative_near_peaks(spectrum, level=0.05):
    """Negative intensity over all intensity, within 3 points of where |S| > level x max."""
    from scipy.ndimage import binary_dilation

    near = binary_dilation(np.abs(spectrum) > level * np.abs(spectrum).max(), iterations=3)
    values = spectrum[near]
    return float(-values[values < 0].sum() / np.abs(values).sum())


def phase_report(raw, **referencing):
    """One line per phase choice (stored, zero, autophase), all with the default recipe: the
    header phases, r of the Echo-only (Anti-Echo-only) spectrum with the Echo (Anti-Echo) part
    of the full one (the half-dwell split for f1180 data), and for the full spectrum the
    negative intensity near its peaks and looks_unphased's F2 / F1 phase errors."""
    from mrai.physics import is_half_dwell
    from mrai.process.autophase import autophase, looks_unphased

    lines = []
    for label in ("stored", "zero", "autophase"):
        phases = "zero" if label == "autophase" else label
        dic, data = to_pipe(raw, phases=phases, **referencing)
        fields = autophase(dic, data).header(dic) if label == "autophase" else dic
        spectra = []
        for keep in ("both", "echo", "antiecho"):
            dic, data = to_pipe(raw, keep=keep, phases=phases, **referencing)
            dic = {**dic, **{k: fields[k] for k in ("FDF2P0", "FDF2P1", "FDF1P0", "FDF1P1")}}
            spectra.append(np.asarray(process(dic, data, default_recipe(dic))[1], np.float64))
        full, echo, anti = spectra
        split = ((lambda s, m: half_dwell_part(s, m)) if is_half_dwell(dic) else
                 (lambda s, m: echo_part(s) if m == "echo" else antiecho_part(s)))
        check = looks_unphased(full)
        lines.append(f"  phases {label:<9} F2 P0 {dic['FDF2P0']:7.1f} P1 {dic['FDF2P1']:7.1f}, "
                     f"F1 P0 {dic['FDF1P0']:7.1f} P1 {dic['FDF1P1']:6.1f}: r Echo "
                     f"{corr(echo, split(full, 'echo')):.5f} Anti "
                     f"{corr(anti, split(full, 'antiecho')):.5f}; negative near peaks "
                     f"{negative_near_peaks(full):.3f}, phase error F2 {check.f2:4.1f} F1 "
                     f"{check.f1:4.1f}{' (unphased)' if check.unphased else ''}")
    return lines


def largest_peaks(spectrum, count=30, exclude=2):
    """(row, column) of the ``count`` largest local maxima, at least ``exclude`` points apart."""
    from scipy.ndimage import maximum_filter

    peaks = (spectrum == maximum_filter(spectrum, size=2 * exclude + 1)) & (spectrum > 0)
    rows, cols = np.nonzero(peaks)
    order = np.argsort(spectrum[rows, cols])[::-1][:count]
    return np.stack([rows[order], cols[order]], axis=1)


def compare_with_author(spectrum, reference):
    """r, and how far each of the reference's 30 largest peaks is from ours (points)."""
    ours = largest_peaks(spectrum, 60)
    theirs = largest_peaks(reference, 30)
    distance = np.abs(theirs[:, None, :] - ours[None, :, :]).max(axis=2).min(axis=1)
    return corr(spectrum, reference), distance


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data", help="folder of the data sets")
    args = parser.parse_args()
    print(f"{'data set':<46}{'mode':<15}{'r Echo':>8}{'r Anti':>8}")
    for name in SETS:
        path = os.path.join(args.data, name)
        if not os.path.isdir(path):
            print(f"{name:<46}absent")
            continue
        raw = read_raw(path)
        adkins = name.startswith("adkins")
        author = parse_recipe(ADKINS_RECIPE)
        recipe = [step for step in author if step.name != "EXT"] if adkins else None
        referencing = dict(xcar=ADKINS_CAR[0], ycar=ADKINS_CAR[1]) if adkins else {}
        dic, (full, echo, anti) = halves(raw, recipe, **referencing)
        mode = raw.quadrature or "detected"
        print(f"{name.split('/')[0]:<46}{mode:<15}{corr(echo, echo_part(full)):>8.5f}"
              f"{corr(anti, antiecho_part(full)):>8.5f}", flush=True)
        for line in phase_report(raw, **referencing):
            print(line, flush=True)
        if adkins:
            _, reference = read(os.path.join(os.path.dirname(path), "nmrpipe_sample.ft2"))
            reference = np.asarray(reference, np.float64)
            _, (ours, _, _) = halves(raw, author, **referencing)
            r, distance = compare_with_author(ours, reference)
            print(f"  vs the author's nmrpipe_sample.ft2: r {r:.4f} (without the last 24 F2 "
                  f"points {corr(ours[:, :-24], reference[:, :-24]):.4f}); its 30 largest "
                  f"peaks within {int(distance.max())} point(s) of ours")
            parts = {m: half_dwell_part(full, m) for m in ("echo", "antiecho")}
            left = np.s_[:, : full.shape[1] // 2]
            print(f"  half-dwell mask: r Echo {corr(echo, parts['echo']):.5f}, r Anti "
                  f"{corr(anti, parts['antiecho']):.5f}; on the author's EXT region (left half): "
                  f"r Echo {corr(echo[left], parts['echo'][left]):.5f}, r Anti "
                  f"{corr(anti[left], parts['antiecho'][left]):.5f}")
            _, (full_d, echo_d, anti_d) = halves(raw, None, phases="zero", **referencing)
            print(f"  default recipe (zero F2 phases), half-dwell mask: r Echo "
                  f"{corr(echo_d, half_dwell_part(full_d, 'echo')):.5f}, r Anti "
                  f"{corr(anti_d, half_dwell_part(full_d, 'antiecho')):.5f}")
            diff = echo - parts["echo"]
            rows = diff.mean(axis=1, keepdims=True) * np.ones_like(diff)
            print(f"  of the Echo difference, {(rows ** 2).sum() / (diff ** 2).sum():.4f} of "
                  f"the energy is a constant per F1 row; without it r Echo "
                  f"{corr(echo - rows, parts['echo']):.6f}")

if __name__ == "__main__":
    main()
