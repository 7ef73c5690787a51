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
    assert (f1.label, f2.label) == ("F1 15N (ppm)", "F2 1H (ppm)")
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
    f1, f2 = plots.spectrum_axes(data["dic"], SHAPE)
    assert ax.get_xlim() == (f2.values[0], f2.values[-1]) and f2.values[0] > f2.values[-1]
    assert ax.get_ylim() == (f1.values[0], f1.values[-1]) and f1.values[0] > f1.values[-1]
    assert ax.get_title() == "T" and ax.get_xlabel() == "F2 1H (ppm)"
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
    fig = plots.slices(mu, sigma, None, reference=ref, peaks=[(r, c)])
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
    (ax,) = plots.slices(mu, sigma, peaks=[(r, c)], axis="f1").axes
    assert np.allclose(ax.lines[0].get_ydata(), mu[:, c]) and ax.get_xlabel() == "F1 (point)"


def test_sigma_box_median_over_signal_points(data):
    mu, sigma = data["mu"], data["sigma"]
    negative = -np.abs(mu)  # no positive point: Smax is max |mu|
    fig = plots.sigma_box([("pos", mu, sigma), ("neg", negative, 2 * sigma)])
    (ax,) = fig.axes
    assert ax.get_ylabel() == "sigma / Smax"
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
    write(str(paths["3d"]), header_3d(SHAPE, 2), np.stack([data["mu"]] * 2))
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
    (("box", "--entry", "x", "{3d}", "{3d}"), "b.png", "3D data"),
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
