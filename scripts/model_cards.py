"""Human-readable model cards: models/NAME.md for every shipped model models/NAME.json.

Each card is generated from the model's JSON card (what it is, its training recipe and schedule,
parameters, wall time, device, commit, validation and MALT1 metrics) and from the small tables
below (intended use and input limits per kind of model, and the measured benchmark figures that
models/README.md and the docs list, with the script that produced them). The text states facts
only; edit the tables or the JSON card, never the generated .md files.

    python scripts/model_cards.py                 # writes models/NAME.md for every models/*.json
    python scripts/model_cards.py --out DIR       # writes them into DIR instead
    python scripts/model_cards.py --check         # exit 1 if a card in models/ is out of date

The conventions the cards refer to (Echo/Anti-Echo parts, time grids, NUS schedules, metrics,
pSQ) are defined in docs/conventions.md.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"

CONVENTIONS = "docs/conventions.md"
MALT1 = ("MALT1: the measured 256 x 2048 1H-15N TROSY of MALT1 (not shipped; "
         f"{CONVENTIONS}, \"Measured spectra used for benchmarks\"), F2 points 100..800")

# what each model is for, and the limits of its input (docs/conventions.md, the method table)
USE = {
    "wnn": {
        "use": ("Reconstructs the pure-absorption 2D spectrum from its Echo part alone (P-type "
                "data); an Anti-Echo part goes through the F1 mirror `flip` and the same network. "
                "Default network of `mrai reconstruct --echo` / `--antiecho`."),
        "grids": "t1 and t2 from 0, or one of them from half a dwell (with both from half a "
                 "dwell `mrai reconstruct` uses IST instead and refuses `--method wnn`)",
    },
    "ist-echo": {
        "use": ("Predicts a per-point standard deviation sigma for a CS-IST reconstruction of an "
                "Echo or Anti-Echo spectrum (`mrai reconstruct --method ist --sigma`, "
                "`mrai score`), from which pSQ, the predicted RMSD, follows."),
        "grids": "t1 and t2 each from 0 or half a dwell",
    },
    "wnn-echo": {
        "use": ("Predicts a per-point standard deviation sigma for a WNN (`wnn-echo`) "
                "reconstruction of an Echo or Anti-Echo spectrum (`mrai reconstruct --sigma`, "
                "`mrai score`), from which pSQ, the predicted RMSD, follows."),
        "grids": "t1 and t2 from 0, or one of them from half a dwell (as the WNN)",
    },
    "ist-nus": {
        "use": ("Predicts a per-point standard deviation sigma for a CS-IST reconstruction of "
                "non-uniformly sampled data (`mrai reconstruct --nus SCHEDULE --sigma`, "
                "`mrai score`), from which pSQ, the predicted RMSD, follows."),
        "grids": "t1 and t2 from 0 only (NUS is refused on a half-dwell grid)",
    },
}

# role of a model beside its use (from models/README.md)
ROLE = {
    "wnn-echo": "The shipped WNN: phase 2 of training, started from `wnn-echo-base`.",
    "wnn-echo-base": ("Phase 1 of `wnn-echo` (its `--init`); kept so that `wnn-echo` can be "
                      "trained again from its card. Not used by default."),
    "sigma-ist-echo": "The shipped sigma network for IST Echo/Anti-Echo reconstructions.",
    "sigma-wnn-echo": "The shipped sigma network for WNN Echo/Anti-Echo reconstructions.",
    "sigma-ist-nus": ("The shipped sigma network for IST NUS reconstructions, trained on 30..70 % "
                      "sampling."),
}

# measured benchmark figures, as models/README.md and the docs list them, with their script
BENCHMARKS = {
    "wnn-echo": {
        "script": "python scripts/bench_wnn.py --spectrum MALT1.ft2 (docs/wnn.md, Results)",
        "rows": [
            ("held-out simulated, 16 spectra 128 x 1024, mean r / RMSD", "0.9819 / 0.0079"),
            ("MALT1 Echo r / RMSD", "0.9875 / 0.0115 (input 0.6931; project IST 0.9686 / "
             "0.0176; published MR-Ai WNN 0.9865 / 0.0123)"),
            ("MALT1 Anti-Echo r / RMSD", "0.9899 / 0.0104 (input 0.7213; project IST 0.9748 / "
             "0.0157; published MR-Ai WNN 0.9886 / 0.0109)"),
            ("whole process, `mrai reconstruct --echo` on MALT1, 2-core CPU, best of 3",
             "3.8 s with bfloat16 convolutions, 5.4 s in float32 (IST 1.1 s)"),
        ],
    },
    "wnn-echo-base": {
        "script": "python scripts/bench_wnn.py --spectrum MALT1.ft2 (models/README.md)",
        "rows": [
            ("held-out simulated r / RMSD", "0.9814 / 0.0081"),
            ("MALT1 Echo r / RMSD", "0.9867 / 0.0118"),
            ("MALT1 Anti-Echo r / RMSD", "0.9894 / 0.0106"),
        ],
    },
    "sigma-wnn-echo": {
        "script": ("python scripts/bench_sigma.py --models models --count 8 --recipe realistic "
                   "(docs/uncertainty.md; held-out set: 8 realistic simulated spectra 128 x 1024, "
                   "seed 20241122; real spectra over their whole width)"),
        "rows": [
            ("held-out coverage of the 95 % band (mean, min)", "0.944, 0.771"),
            ("held-out pSQ / RMSD (median, range)", "1.16, 0.61..1.96"),
            ("MALT1 whole width, Echo / Anti-Echo: coverage", "0.902 / 0.940"),
            ("MALT1 whole width, Echo / Anti-Echo: pSQ / RMSD", "0.84 / 0.97"),
            ("MALT1 F2 100..800, Echo / Anti-Echo: coverage, pSQ / RMSD",
             "0.978 / 0.983, 1.37 / 1.61"),
            ("penguins, adkins, spectrochempy, fidnet whole width, Echo: coverage",
             "0.798, 0.833, 0.790, 0.938"),
        ],
    },
    "sigma-ist-echo": {
        "script": ("python scripts/bench_sigma.py --models models --count 8 --recipe realistic "
                   "(docs/uncertainty.md; held-out set: 8 realistic simulated spectra 128 x 1024, "
                   "seed 20241122; real spectra over their whole width)"),
        "rows": [
            ("held-out coverage of the 95 % band (mean, min)", "0.955, 0.878"),
            ("held-out pSQ / RMSD (median, range)", "1.21, 0.73..1.80"),
            ("MALT1 whole width, Echo / Anti-Echo: coverage", "0.946 / 0.970"),
            ("MALT1 whole width, Echo / Anti-Echo: pSQ / RMSD", "1.02 / 1.21"),
            ("MALT1 F2 100..800, Echo / Anti-Echo: coverage, pSQ / RMSD",
             "0.978 / 0.983, 1.32 / 1.68"),
            ("penguins, adkins, spectrochempy, fidnet whole width, Echo: coverage",
             "0.939, 0.901, 0.871, 0.972"),
        ],
    },
    "sigma-ist-nus": {
        "script": ("python scripts/bench_sigma.py --spectrum MALT1.ft2 (docs/uncertainty.md; "
                   "held-out set: 50 simulated spectra 128 x 1024, seed 20241122; MALT1 NUS: "
                   "50 % Poisson gap, seed 0)"),
        "rows": [
            ("held-out coverage of the 95 % band (mean, min)", "0.946, 0.809"),
            ("held-out pSQ / RMSD (median, range)", "1.04, 0.61..6.48"),
            ("MALT1 NUS 50 % coverage", "0.875"),
            ("MALT1 NUS 50 % pSQ / RMSD", "1.03"),
        ],
    },
}

RECIPE_LABELS = [
    ("sizes", "sample sizes (F1 x F2; one per epoch)"),
    ("peaks", "peak count, scaled from a 256 x 2048 spectrum (log-uniform)"),
    ("acquired1", "acquired t1 points / F1 size"),
    ("acquired2", "acquired t2 points / F2 size"),
    ("decay1", "decay over the acquired t1 (e-folds)"),
    ("decay2", "decay over the acquired t2 (e-folds)"),
    ("noise", "noise standard deviation / maximum (log-uniform)"),
    ("phase_deg", "phase error scale (degrees)"),
    ("negative_fraction", "fraction of negative peaks"),
    ("window_off", "sine-bell window offset"),
    ("window_end", "sine-bell window end"),
    ("window_pow", "sine-bell window power"),
]

# the realistic simulator's fields (mrai.nn.data.TrainingRecipe; docs/simulator.md), listed
# when a card's recipe uses them
REALISTIC_LABELS = [
    ("window_kinds", "chance of an SP, EM, GM window per dimension"),
    ("em_lb", "EM line broadening (e-folds over the acquired time)"),
    ("gm_g1", "GM inverse exponential (e-folds)"),
    ("gm_g2", "GM Gaussian (e-folds)"),
    ("log_amplitudes", "chance of log-uniform peak heights"),
    ("dynamic_range", "their dynamic range (log-uniform)"),
    ("broad_fraction", "share of exchange-broadened peaks (3-10 x the decay)"),
    ("coupling_chance", "chance of F1 doublets (13C-13C couplings)"),
    ("coupling_fraction", "share of split peaks in such spectra"),
    ("global_phase_deg", "residual zero-order phase error scale (degrees)"),
    ("t1_noise", "t1 noise, relative perturbation per increment (log-uniform)"),
    ("solvent_chance", "chance of a solvent ridge"),
    ("solvent", "solvent ridge standard deviation / maximum (log-uniform)"),
    ("baseline", "smooth baseline, largest value / maximum"),
    ("carrier_chance", "chance of a ridge at the F2 carrier (DC offset of the FIDs)"),
    ("carrier", "its standard deviation / maximum (log-uniform)"),
    ("imbalance", "Echo / Anti-Echo imbalance"),
    ("region1", "share of the F1 width the peaks fill"),
    ("region2", "share of the F2 width the peaks fill"),
]


def realistic(recipe):
    """Whether a card's recipe uses the realistic simulator."""
    from mrai.nn.data import TrainingRecipe

    return TrainingRecipe.from_dict(recipe).realistic


def fmt(value):
    """Plain text of a JSON value."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            return ", ".join(" x ".join(fmt(x) for x in v) for v in value)
        if len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
            return f"{fmt(value[0])} .. {fmt(value[1])}"
        return ", ".join(fmt(v) for v in value)
    return str(value)


def use_key(card):
    if card["kind"] == "wnn":
        return "wnn"
    return card["config"]["method"]


def architecture(card):
    c = card["config"]
    dil = ", ".join(f"({a},{b})" for a, b in c["dilations"])
    trunk = (f"{c['filters']} filters, {c['kernel'][0]} x {c['kernel'][1]} kernels, dilations "
             f"{dil}, periodic ('wrap') padding, {c['ratio']} convolution(s) per ReLU")
    if card["kind"] == "wnn":
        return [
            f"cascade of {c['stages']} stages, each a fully convolutional trunk ({trunk}) "
            "followed by exact data consistency",
            f"first estimate: {c['start']}"
            + (f" ({c['start_iterations']} CS-IST iterations)" if c["start"] == "ist" else ""),
            f"input features: {', '.join(c['features'])}; output layer: {c['output']}; "
            f"weights shared between stages: {fmt(c['share_weights'])}",
            f"receptive field {card['receptive_field'][0]} x {card['receptive_field'][1]} points",
        ]
    options = [k for k in ("noise_scale", "sampling", "t1_points", "holdout", "column",
                           "ridge") if c.get(k)]
    lines = [
        f"one trunk ({trunk}) for the method `{c['method']}`",
        f"output: sigma = Smax (floor + gain ReLU(x)), floor {fmt(c['floor'])}, gain "
        f"{fmt(c['gain'])}" + (", plus the terms its options add (docs/uncertainty.md)"
                               if options else "")
        + f"; all times the calibration factor {c['calibration']:.3f}",
        "options: " + (", ".join(options) if options else "none")
        + (f"; signal weight {fmt(c['signal_weight'])}" if c.get("signal_weight") else ""),
    ]
    return lines


def training(card):
    s = card["schedule"]
    lines = [
        f"{card['epochs']} epochs x {s['steps']} steps = {card['steps']} steps, batches of "
        f"{s['batch_size']} simulated spectra; learning rate {fmt(s['learning_rate'])}, falling "
        f"to {fmt(s['final_lr'])} of it; seed {s['seed']}; precision "
        f"{s.get('precision', 'float32')}",
        "started from: " + (f"`{s['init']}`" if s.get("init") else "random initialisation"),
        f"parameters: {card['parameters']:,}",
        f"wall time: {card['wall_s'] / 60:.1f} min on {card['device']}"
        + (f", data parallel on {card['devices']} devices" if card.get("devices", 1) > 1
           else "")
        + f" (Keras {card.get('keras', '?')}, {card['backend']} backend)",
        f"commit: {card.get('commit', 'not recorded')}",
    ]
    if "wnn" in card:
        lines.append(f"reconstructions from `{card['wnn']['name']}` (commit "
                     f"{card['wnn']['commit']})")
    for key in ("commit_note", "init_note"):
        if key in card:
            lines.append(f"note: {card[key]}")
    return lines


def validation(card):
    v = card["validation"]
    n = card["schedule"].get("validation", "?")
    if card["kind"] == "wnn":
        lines = [f"held-out simulated set ({n} spectra), after epoch {v['epoch']}: r "
                 f"{v['r']:.4f}, RMSD {v['rmsd']:.4f}"]
    else:
        lines = [f"held-out simulated set ({n} spectra), after epoch {v['epoch']}, before "
                 f"calibration: NLL {v['nll']:.3f}, coverage of the 95 % band "
                 f"{v['coverage']:.3f}, pSQ / RMSD {v['psq_ratio']:.3f}"]
        cv = card.get("calibrated_validation")
        if cv:
            lines.append(f"after calibration: NLL {cv['nll']:.3f}, coverage {cv['coverage']:.3f}, "
                         f"pSQ / RMSD {cv['psq_ratio']:.3f}")
    real = card.get("real")
    if real:
        names = {"echo": "Echo", "antiecho": "Anti-Echo", "nus50": "NUS 50 %"}
        for case, m in real.items():
            if case in ("spectrum", "f2_points"):
                continue
            if "r" in m:
                text = f"r {m['r']:.4f}, RMSD {m['rmsd']:.4f}"
            else:
                text = (f"coverage {m['coverage']:.3f}, pSQ {m['psq']:.4f}, true RMSD "
                        f"{m['rmsd']:.4f}, pSQ / RMSD {m['psq_ratio']:.2f}")
            lines.append(f"MALT1 {names.get(case, case)} (F2 points {real['f2_points'][0]}.."
                         f"{real['f2_points'][1]}): {text}")
    return lines


def render(card):
    """Markdown text of the human-readable card of one JSON card."""
    name = card["name"]
    use = USE[use_key(card)]
    out = [f"# Model card: {name}", "",
           f"Generated by `python scripts/model_cards.py` from `models/{name}.json`; do not edit "
           "by hand. Conventions (Echo/Anti-Echo parts, time grids, NUS schedules, metrics, pSQ): "
           f"`{CONVENTIONS}`.", "",
           "## Intended use", "",
           f"Task: {card['task']}.", "",
           use["use"], "", ROLE.get(name, ""), "",
           "## Input conventions and limits", "",
           "- A real 2D spectrum as NMRPipe stores it (3D data plane by plane), processed with "
           "correct phases so that the full spectrum would be pure absorption; the model sees "
           + ("its NUS version (sampled t1 rows of the Virtual Echo; a schedule as "
              "docs/conventions.md defines)" if use_key(card) == "ist-nus"
              else "its Echo or Anti-Echo part") + "; not a States spectrum, not magnitude "
           "mode, not an unphased spectrum.",
           f"- Time grids: {use['grids']}; other first-order phases are taken to the nearest of "
           "these grids with a warning.",
           "- Sizes: any size from 8 x 8 points, odd or even; trained on simulated spectra of "
           f"{fmt(card['recipe']['sizes'])} points.",
           ("- Trained on the realistic simulator (recipe below, `docs/simulator.md`): "
            "Lorentzian peaks with other windows, couplings, broad lines, t1 noise, a solvent "
            "ridge and baseline offsets; artefacts of other kinds are outside its training "
            "distribution." if realistic(card["recipe"]) else
            "- Trained on simulated Lorentzian peaks only (recipe below); spectra far outside "
            "that recipe (e.g. very broad lines, strong artefacts such as a water ridge) are "
            "outside its training distribution."), "",
           "## Architecture", ""]
    out += [f"- {line}" for line in architecture(card)]
    out += ["", "## Training", "", "Simulator recipe (`mrai.nn.data.TrainingRecipe`; a range is drawn from per spectrum):", ""]
    recipe = card["recipe"]
    labels = RECIPE_LABELS + (REALISTIC_LABELS if realistic(recipe) else [])
    out += [f"- {label}: {fmt(recipe[key])}" for key, label in labels if key in recipe]
    out += ["", "Schedule and run:", ""]
    out += [f"- {line}" for line in training(card)]
    out += ["", f"Train again: `mrai train {card['kind']} --card models/{name}.json -o OUT`.", "",
            "## Validation (from the JSON card)", ""]
    out += [f"- {line}" for line in validation(card)]
    bench = BENCHMARKS.get(name)
    if bench:
        command, _, source = bench["script"].partition(" (")
        origin = (f"Produced by `{command}`" if command.startswith("python ")
                  else f"As listed in `{command}`")
        out += ["", "## Measured benchmark figures", "",
                origin + (f" ({source}" if source else "") + f"; {MALT1}.", "",
                "| figure | value |", "|---|---|"]
        out += [f"| {label} | {value} |" for label, value in bench["rows"]]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def cards(models=MODELS):
    """{name: markdown} for every JSON card in ``models``."""
    result = {}
    for path in sorted(Path(models).glob("*.json")):
        card = json.loads(path.read_text(encoding="utf-8"))
        result[path.stem] = render(card)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=str(MODELS), help="folder of the JSON cards")
    parser.add_argument("--out", help="folder to write NAME.md into [the models folder]")
    parser.add_argument("--check", action="store_true",
                        help="only compare with the NAME.md files there; exit 1 if any differ")
    args = parser.parse_args(argv)
    out = Path(args.out or args.models)
    stale = []
    for name, text in cards(args.models).items():
        path = out / f"{name}.md"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run python scripts/model_cards.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
