"""Figures of reconstructions with sigma (mrai.plots) and the ``mrai plot`` command."""

import numpy as np
import pytest
from nmrglue.fileio import pipe as ng_pipe

from conftest import header_3d, run_mrai
from mrai import plots
from mrai.errors import OutputError
from mrai.fileio import write
from mrai.fileio.header import spectrum_header
from mrai.simulate import simulate

SHAPE = (32, 128)
PNG = b"\x89PNG\r\n\x1a\n"
Z = 1.959964


@pytest.fixture(scope="module")
def data():
    """A reference, a 'reconstruction' mu (reference + error), its sigma, and a header."""
    sim = simulate(size=SHAPE, peaks=(5, 5), seed=11)
    rng = np.random.default_rng(1)
    top = float(sim.reference.max())
    mu = (sim.reference + 0.01 * top * rng.standard_normal(SHAPE)).astype(np.float32)
    sigma = (0.01 * top + 0.02 * np.abs(mu)).astype(np.float32)
    return dict(reference=sim.reference, mu=mu, sigma=sigma, dic=spectrum_header(SHAPE))


def band_at(collection, x):
    """(low, high) of a fill_between band at abscissa x."""
    vertices = collection.get_paths()[0].vertices
    ys = vertices[np.isclose(vertices[:, 0], x), 1]
    return ys.min(), ys.max()


def xspan(line):
    """(min, max) of a line's x data."""
    return np.min(line.get_xdata()), np.max(line.get_xdata())


def test_axes_ppm_from_header_or_points(data):
    dic = data["dic"]
    f1, f2 = plots.spectrum_axes(dic, SHAPE)
    zeros = np.zeros(SHAPE, np.float32)
    assert np.allclose(f1.values, ng_pipe.make_uc(dic, zeros, 0).ppm_scale())
    assert np.allclose(f2.values, ng_pipe.make_uc(dic, zeros, 1).ppm_scale())
    assert (f1.label, f2.label) == ("F1 \u00b9\u2075N (ppm)", "F2 \u00b9H (ppm)")
    transposed = dict(dic, FDTRANSPOSED=1.0, FDDIMORDER=[1.0, 2.0, 3.0, 4.0])
    t1, t2 = plots.spectrum_axes(transposed, SHAPE)
    assert np.allclose(t1.values, f1.values) and np.allclose(t2.values, f2.values)
    for header in (None, dict(dic, FDF2FTFLAG=0.0), dict(dic, FDF1SW=0.0)):
        p1, p2 = plots.spectrum_axes(header, SHAPE)
        assert p2.unit == "point" and np.array_equal(p2.values, np.arange(SHAPE[1]))
        assert p1.label == "F1 (point)" and len(p1.values) == SHAPE[0]


def test_contour_levels_orientation_and_legend(data):
    mu, ref = data["mu"], data["reference"]
    levels = plots.contour_levels(mu)
    top = np.abs(mu).max()
    assert levels[0] >= 0.03 * top and levels[-1] <= top < levels[-1] * 1.4
    assert np.allclose(levels[1:] / levels[:-1], 1.4)
    fig = plots.contour(mu, data["dic"], reference=ref, title="T")
    (ax,) = fig.axes
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert "spectrum +" in labels and "reference +" in labels
    assert ("spectrum \u2212" in labels) == (-mu.min() >= levels[0])
    assert len(ax.collections) == len(labels)  # one contour set per sign drawn
    assert np.allclose(ax.collections[0].levels, levels)
    # the reference lies beneath the spectrum: lower z-order, wider lines
    spectrum_set, reference_set = ax.collections[0], ax.collections[labels.index("reference +")]
    assert reference_set.get_zorder() < spectrum_set.get_zorder()
    assert reference_set.get_linewidth()[0] > spectrum_set.get_linewidth()[0]
    f1, f2 = plots.spectrum_axes(data["dic"], SHAPE)
    assert ax.get_xlim() == (f2.values[0], f2.values[-1]) and f2.values[0] > f2.values[-1]
    assert ax.get_ylim() == (f1.values[0], f1.values[-1]) and f1.values[0] > f1.values[-1]
    assert ax.get_title() == "T" and ax.get_xlabel() == "F2 \u00b9H (ppm)"
    (ax,) = plots.contour(mu, levels=[1.0, 2.0, 4.0]).axes
    assert np.allclose(ax.collections[0].levels, [1, 2, 4]) and ax.get_xlim() == (0, 127)


def test_find_peaks_highest_separated_maxima(data):
    mu = data["mu"]
    peaks = plots.find_peaks(mu, 3)
    assert len(peaks) == 3 and peaks[0] == np.unravel_index(np.argmax(mu), SHAPE)
    heights = [mu[p] for p in peaks]
    assert heights == sorted(heights, reverse=True)
    for r, c in peaks:
        assert mu[r, c] == mu[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2].max()
    assert plots.find_peaks(-np.abs(mu), 2) == [np.unravel_index(np.argmax(np.abs(mu)), SHAPE)]


def test_slices_panels_band_and_error(data):
    mu, sigma, ref = data["mu"], data["sigma"], data["reference"]
    assert len(plots.slices(mu, sigma, data["dic"], count=3).axes) == 3
    r, c = plots.find_peaks(mu, 1)[0]
    fig = plots.slices(mu, sigma, None, reference=ref, peaks=[(r, c)], window=0)
    (ax,) = fig.axes
    band, error_band = ax.collections
    assert np.allclose(band_at(band, c), (mu[r, c] - Z * sigma[r, c], mu[r, c] + Z * sigma[r, c]),
                       rtol=1e-5)
    low, high = band_at(error_band, c)
    assert np.isclose(high - low, 2 * Z * sigma[r, c], rtol=1e-5)
    mu_line, ref_line, error_line = ax.lines[:3]
    assert np.allclose(mu_line.get_ydata(), mu[r]) and np.allclose(ref_line.get_ydata(), ref[r])
    offset = error_line.get_ydata() - (ref[r] - mu[r])
    assert np.allclose(offset, offset[0], atol=1e-4) and np.isclose(offset[0], (low + high) / 2)
    assert offset[0] < (mu[r] - Z * sigma[r]).min()  # the error trace sits below the slice
    (ax,) = plots.slices(mu, sigma, peaks=[(r, c)], axis="f1", window=None).axes
    assert np.allclose(ax.lines[0].get_ydata(), mu[:, c]) and ax.get_xlabel() == "F1 (point)"


def test_sigma_box_median_over_signal_points(data):
    mu, sigma = data["mu"], data["sigma"]
    negative = -np.abs(mu)  # no positive point: Smax is max |mu|
    fig = plots.sigma_box([("pos", mu, sigma), ("neg", negative, 2 * sigma)])
    (ax,) = fig.axes
    assert ax.get_ylabel() == "\u03c3 / Smax"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["pos", "neg"]
    for position, (m, s) in enumerate(((mu, sigma), (negative, 2 * sigma)), start=1):
        top = m.max() if m.max() > 0 else np.abs(m).max()
        ratio = (s / top)[np.abs(m) / top > 0.01]
        lines = [line for line in ax.lines if np.isclose(np.mean(xspan(line)), position)]
        box = next(line for line in lines if len(line.get_xdata()) == 5)
        median = next(line for line in lines if len(line.get_xdata()) == 2
                      and np.allclose(xspan(line), xspan(box)))
        assert np.allclose(median.get_ydata(), np.median(ratio))
        assert np.allclose(sorted(set(box.get_ydata())), np.percentile(ratio, [25, 75]))
        mean = next(line for line in lines if len(line.get_xdata()) == 1)
        assert np.isclose(mean.get_ydata()[0], np.mean(ratio))


@pytest.mark.parametrize("call, message", [
    (lambda d: plots.slices(d["mu"], d["sigma"][:, :64]), "sigma has shape (32, 64) where mu"),
    (lambda d: plots.contour(d["mu"], reference=d["mu"][:16]), "reference has shape"),
    (lambda d: plots.contour(d["mu"][None]), "2D spectrum"),
    (lambda d: plots.slices(d["mu"], np.where(d["mu"] > 0, np.nan, d["sigma"])), "NaN"),
    (lambda d: plots.sigma_box([("x", d["mu"], -d["sigma"])]), "entry 'x': sigma has negative"),
    (lambda d: plots.slices(d["mu"], d["sigma"], axis="f3"), "'f1' or 'f2'"),
    (lambda d: plots.slices(d["mu"], d["sigma"], peaks=[(32, 0)]), "outside the 32 x 128"),
    (lambda d: plots.contour(np.zeros(SHAPE)), "zero everywhere"),
])
def test_bad_input_is_a_clear_value_error(data, call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(data)


def test_save_formats_atomic_and_no_overwrite(tmp_path, data):
    fig = plots.sigma_box([("a", data["mu"], data["sigma"])])
    png, pdf = tmp_path / "box.png", tmp_path / "box.PDF"
    plots.save(fig, png)
    plots.save(fig, str(pdf))
    assert png.read_bytes().startswith(PNG) and pdf.read_bytes().startswith(b"%PDF")
    png.write_bytes(b"old")
    with pytest.raises(OutputError, match="exists \\(use -ov / --overwrite"):
        plots.save(fig, png)
    assert png.read_bytes() == b"old"
    with pytest.raises(ValueError, match="name the file .png or .pdf"):
        plots.save(fig, tmp_path / "box.jpg")

    def broken(*args, **kwargs):
        raise RuntimeError("render failed")

    fig.savefig = broken
    with pytest.raises(RuntimeError):
        plots.save(fig, png, overwrite=True)
    assert png.read_bytes() == b"old"
    del fig.savefig
    plots.save(fig, png, overwrite=True)
    assert png.read_bytes().startswith(PNG)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["box.PDF", "box.png"]


@pytest.fixture(scope="module")
def files(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("plot")
    paths = {name: folder / f"{name}.ft2" for name in ("mu", "sigma", "reference")}
    for name, path in paths.items():
        write(str(path), data["dic"], data[name])
    paths["small"] = folder / "small.ft2"
    write(str(paths["small"]), spectrum_header((32, 64)), data["sigma"][:, :64])
    paths["3d"] = folder / "s.ft3"
    write(str(paths["3d"]), header_3d(SHAPE, 2), np.stack([data["mu"], 3 * data["mu"]]))
    paths["3dsigma"] = folder / "sigma.ft3"
    write(str(paths["3dsigma"]), header_3d(SHAPE, 2), np.stack([data["sigma"]] * 2))
    paths["nohdr"] = folder / "nohdr.ft2"  # no spectral widths: axes in points
    write(str(paths["nohdr"]), dict(data["dic"], FDF1SW=0.0, FDF2SW=0.0), data["sigma"])
    return paths


def check_ok(result, out, name, signature):
    code, stdout, stderr = result
    assert code == 0, stderr
    assert stdout == b"" and stderr.strip() == f"mrai plot {name}: wrote {out}" + \
        (" (2 entries)" if name == "box" else "")
    assert out.read_bytes().startswith(signature)


def test_cli_contour_overwrites_with_ov(tmp_path, files):
    out = tmp_path / "c.png"
    out.write_bytes(b"old")
    check_ok(run_mrai("plot", "contour", files["mu"], "--reference", files["reference"],
                      "--title", "recon", "-o", out, "-ov"), out, "contour", PNG)


def test_cli_slices_pdf(tmp_path, files):
    out = tmp_path / "s.pdf"
    check_ok(run_mrai("plot", "slices", files["mu"], "--sigma", files["sigma"], "--reference",
                      files["reference"], "--peak", "3,40", "--peak", "20,100", "--axis", "f1",
                      "-o", out), out, "slices", b"%PDF")


def test_cli_box(tmp_path, files):
    out = tmp_path / "b.png"
    check_ok(run_mrai("plot", "box", "--entry", "WNN", files["mu"], files["sigma"],
                      "--entry", "IST", files["reference"], files["sigma"], "-o", out),
             out, "box", PNG)


@pytest.mark.parametrize("args, out_name, message", [
    (("contour", "{missing}"), "c.png", "no such file"),
    (("slices", "{mu}", "--sigma", "{small}"), "s.png", "32 x 64 points where"),
    (("contour", "{mu}"), "c.jpg", "name the file .png or .pdf"),
    (("contour", "{mu}"), "exists.png", "exists (use -ov"),
    (("box", "--entry", "x", "{3d}", "{3d}"), "b.png", "3D data with 2 planes; choose one "
                                                      "with --plane N (1 to 2)"),
    (("contour", "{3d}", "--plane", "3"), "c.png", "--plane 3: the data have 2 plane(s)"),
    (("contour", "{mu}", "--plane", "0"), "c.png", "--plane: '0' must be at least 1"),
    (("contour", "{mu}", "--plane", "2"), "c.png", "--plane 2: the data have 1 plane(s)"),
    (("contour", "{mu}", "--region", "110:120"), "c.png", "is not F1A:F1B,F2A:F2B"),
    (("contour", "{mu}", "--region", "110:x,7:8"), "c.png", "'x' is not a number"),
    (("contour", "{mu}", "--region", "110:120,7"), "c.png", "'7' where A:B is needed"),
    (("contour", "{mu}", "--region", "300:400,7:8"), "c.png", "is outside the spectrum"),
    (("contour", "{mu}", "--region-points", "0:40,0:10"), "c.png", "outside 0 to 31"),
    (("contour", "{mu}", "--region-points", "0:1.5,0:10"), "c.png", "is not an integer"),
    (("contour", "{mu}", "--region", "110:120,", "--region-points", "0:3,"), "c.png",
     "give --region (ppm) or --region-points, not both"),
    (("contour", "{mu}", "--levels", "0"), "c.png", "--levels: '0' must be at least 1"),
    (("contour", "{mu}", "--floor", "1.5"), "c.png", "between 0 and 1"),
    (("contour", "{mu}", "--level-list", "3,2"), "c.png", "positive increasing levels"),
    (("contour", "{mu}", "--level-list", "1,2", "--levels", "3"), "c.png", "leave out"),
    (("contour", "{mu}", "--layout", "stacked"), "c.png", "not one of overlay, side"),
    (("slices", "{mu}", "--sigma", "{sigma}", "--axis", "f3"), "s.png", "not one of f1, f2"),
    (("slices", "{mu}", "--sigma", "{sigma}", "--count", "0"), "s.png", "at least 1"),
    (("slices", "{mu}", "--sigma", "{sigma}", "--peak", "1"), "s.png", "ROW,COL"),
    (("slices", "{mu}", "--sigma", "{sigma}", "--window", "1"), "s.png", "at least 2 points"),
    (("slices", "{mu}", "--sigma", "{sigma}", "--window", "8", "--window-ppm", "1"), "s.png",
     "not both"),
    (("sigma", "{mu}", "--sigma", "{small}"), "g.png", "32 x 64 points where"),
    (("sigma", "{nohdr}", "--sigma", "{nohdr}", "--region", "1:2,3:4"), "g.png",
     "no ppm scale"),
])
def test_cli_bad_input_one_line_exit_2(tmp_path, files, args, out_name, message):
    names = {k: str(v) for k, v in files.items()}
    names["missing"] = str(tmp_path / "missing.ft2")
    out = tmp_path / out_name
    if out_name == "exists.png":
        out.write_bytes(b"old")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, stdout, stderr = run_mrai("plot", *(a.format(**names) for a in args), "-o", out)
    assert code == 2 and stdout == b""
    assert len(stderr.splitlines()) == 1 and stderr.startswith("mrai: error: ")
    assert message in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_levels_count_floor_and_list(data):
    mu = data["mu"]
    top = np.abs(mu).max()
    levels = plots.contour_levels(mu, count=5, floor=0.02)
    assert len(levels) == 5 and np.isclose(levels[0], 0.02 * top) and levels[-1] < top
    assert np.allclose(levels[1:] / levels[:-1], (top / levels[0]) ** 0.2)
    assert len(plots.contour_levels(mu, count=3)) == 3
    assert np.isclose(plots.contour_levels(mu, floor=0.1)[0], 0.1 * top)
    (ax,) = plots.contour(mu, data["dic"], count=7).axes
    assert len(ax.collections[0].levels) == 7
    for bad in (dict(count=0), dict(floor=1.0), dict(floor=0.0)):
        with pytest.raises(ValueError):
            plots.contour_levels(mu, **bad)


def test_region_ppm_and_points_set_the_axis_limits(data):
    mu, dic = data["mu"], data["dic"]
    f1, f2 = plots.spectrum_axes(dic, SHAPE)
    lo1, hi1 = np.percentile(f1.values, [30, 70])
    lo2, hi2 = np.percentile(f2.values, [20, 50])
    (ax,) = plots.contour(mu, dic, region=((lo1, hi1), (hi2, lo2))).axes  # either order
    assert np.allclose(ax.get_xlim(), (hi2, lo2)) and np.allclose(ax.get_ylim(), (hi1, lo1))
    step = abs(f2.values[1] - f2.values[0])
    for collection in ax.collections:  # only the region (and one point beyond) is contoured
        for path in collection.get_paths():
            if len(path.vertices) == 0:
                continue
            x = path.vertices[:, 0]
            assert x.min() >= lo2 - 1.01 * step and x.max() <= hi2 + 1.01 * step
    (ax,) = plots.contour(mu, dic, region=((4, 20), None), region_unit="point").axes
    assert np.allclose(ax.get_ylim(), (f1.values[4], f1.values[20]))
    assert np.allclose(ax.get_xlim(), (f2.values[0], f2.values[-1]))
    (ax,) = plots.contour(mu, None, region=(None, (10, 50)), region_unit="point").axes
    assert ax.get_xlim() == (10, 50) and ax.get_ylim() == (0, SHAPE[0] - 1)
    # a region reaching past the spectrum is clipped to it
    (ax,) = plots.contour(mu, dic, region=(None, (f2.values[5], f2.values[0] + 5))).axes
    assert np.allclose(ax.get_xlim(), (f2.values[0], f2.values[5]))
    for region, unit, message in [(((1, 2), None), "ppm", "no ppm scale"),
                                  (((0, 32), None), "point", "outside 0 to 31"),
                                  ((None, (50, 60)), "ppm", "outside the spectrum"),
                                  ((None, (7, 7)), "ppm", "is empty")]:
        with pytest.raises(ValueError, match=message):
            plots.contour(mu, None if message == "no ppm scale" else dic, region=region,
                          region_unit=unit)


def test_contour_side_by_side(data):
    fig = plots.contour(data["mu"], data["dic"], reference=data["reference"], layout="side",
                        name="recon", reference_name="ref")
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("recon", "ref")
    assert left.get_xlim() == right.get_xlim() and len(right.collections) >= 1
    with pytest.raises(ValueError, match="'overlay' or 'side'"):
        plots.contour(data["mu"], layout="stacked")


def test_slices_zoom_window_around_the_peak(data):
    mu, sigma, dic = data["mu"], data["sigma"], data["dic"]
    r, c = plots.find_peaks(mu, 1)[0]
    (ax,) = plots.slices(mu, sigma, dic, peaks=[(r, c)], window=16).axes
    f1, f2 = plots.spectrum_axes(dic, SHAPE)
    x = ax.lines[0].get_xdata()
    start = min(max(c - 8, 0), SHAPE[1] - 16)
    assert np.allclose(x, f2.values[start:start + 16]) and f2.values[c] in x
    assert np.allclose(ax.lines[0].get_ydata(), mu[r, start:start + 16])
    assert ax.get_xlim() == (x[0], x[-1]) and x[0] > x[-1]  # ppm decreasing to the right
    (ax,) = plots.slices(mu, sigma, dic, peaks=[(r, c)], window_ppm=0.5).axes
    x = ax.lines[0].get_xdata()
    assert np.all(np.abs(x - f2.values[c]) <= 0.25) and len(x) >= 2
    (ax,) = plots.slices(mu, sigma, peaks=[(r, c)]).axes  # default: 64 points
    assert len(ax.lines[0].get_xdata()) == plots.WINDOW
    with pytest.raises(ValueError, match="no ppm scale"):
        plots.slices(mu, sigma, None, peaks=[(r, c)], window_ppm=0.5)


def test_sigma_map_image_is_sigma_over_smax(data):
    mu, sigma, dic = data["mu"], data["sigma"], data["dic"]
    fig = plots.sigma_map(mu, sigma, dic, region=((2, 20), (10, 60)), region_unit="point")
    ax, bar = fig.axes
    image = ax.collections[0]
    expected = sigma[1:22, 9:62] / mu.max()  # the region and one point beyond
    assert np.allclose(np.asarray(image.get_array()).reshape(expected.shape), expected)
    assert bar.get_ylabel() == "\u03c3 / Smax"
    f1, f2 = plots.spectrum_axes(dic, SHAPE)
    assert np.allclose(ax.get_xlim(), (f2.values[10], f2.values[60]))


def figure_of(monkeypatch, *args):
    """Run ``mrai plot ARGS`` in this process; the figure it would have saved."""
    from mrai.cli.main import main

    saved = []
    monkeypatch.setattr(plots, "save", lambda fig, path, overwrite=False: saved.append(fig))
    assert main(["plot", *map(str, args)]) == 0
    (fig,) = saved
    return fig


def test_cli_region_levels_and_plane_take_effect(monkeypatch, tmp_path, files, data):
    out = tmp_path / "c.png"
    fig = figure_of(monkeypatch, "contour", files["mu"], "--region", "125:110,6:9",
                    "--levels", "6", "--floor", "0.05", "-o", out)
    (ax,) = fig.axes
    assert np.allclose(ax.get_xlim(), (9, 6)) and np.allclose(ax.get_ylim(), (125, 110))
    levels = ax.collections[0].levels
    assert len(levels) == 6 and np.isclose(levels[0], 0.05 * np.abs(data["mu"]).max())
    (ax,) = figure_of(monkeypatch, "contour", files["nohdr"], "--region-points", "3:20,",
                      "--level-list", "0.5,1,2", "-o", out).axes
    assert ax.get_ylim() == (3, 20) and ax.get_xlim() == (0, SHAPE[1] - 1)
    assert np.allclose(ax.collections[0].levels, [0.5, 1, 2])
    # --plane: plane 2 of the 3D file is 3 x plane 1, so are its default levels
    first = figure_of(monkeypatch, "contour", files["3d"], "--plane", "1", "-o", out)
    second = figure_of(monkeypatch, "contour", files["3d"], "--plane", "2", "-o", out)
    assert np.allclose(second.axes[0].collections[0].levels,
                       3 * first.axes[0].collections[0].levels, rtol=1e-5)
    fig = figure_of(monkeypatch, "contour", files["mu"], "--reference", files["reference"],
                    "--layout", "side", "-o", out)
    assert [ax.get_title() for ax in fig.axes] == ["mu.ft2", "reference.ft2"]
    fig = figure_of(monkeypatch, "slices", files["3d"], "--sigma", files["3dsigma"], "--plane", "2",
                    "--peak", "3,40", "--window", "10", "-o", out)
    assert np.allclose(fig.axes[0].lines[0].get_ydata(), 3 * data["mu"][3, 35:45], rtol=1e-5)
    fig = figure_of(monkeypatch, "sigma", files["mu"], "--sigma", files["sigma"],
                    "--region", "125:110,6:9", "-o", out)
    assert np.allclose(fig.axes[0].get_xlim(), (9, 6))
    fig = figure_of(monkeypatch, "box", "--entry", "a", files["3d"], files["3dsigma"],
                    "--plane", "2", "-o", out)
    assert len(fig.axes) == 1


def test_read_plane_picks_the_plane(files, data):
    from mrai.cli.plot import read_plane

    for plane, factor in ((1, 1), (2, 3)):
        dic, array = read_plane(str(files["3d"]), plane)
        assert array.shape == SHAPE and np.allclose(array, factor * data["mu"], rtol=1e-6)
    assert np.allclose(read_plane(str(files["mu"]))[1], data["mu"])


def test_cli_sigma_map_file(tmp_path, files):
    out = tmp_path / "g.png"
    code, stdout, stderr = run_mrai("plot", "sigma", files["mu"], "--sigma", files["sigma"],
                                    "--region-points", "2:20,10:100", "-o", out)
    assert code == 0 and stderr.strip() == f"mrai plot sigma: wrote {out}"
    assert out.read_bytes().startswith(PNG)
