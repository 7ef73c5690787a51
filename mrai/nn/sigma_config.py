"""The sigma networks' configuration (no Keras import): a plain, serialisable description,
read by the Keras model (mrai.nn.sigma) and by the Keras-free runtime (mrai.runtime)."""

from dataclasses import asdict, dataclass

from mrai.methods.table import SIGMA_NETWORKS, for_sigma

METHODS = SIGMA_NETWORKS  # one network per method (mrai.methods.table): wnn-echo, ist-echo, ...


@dataclass
class SigmaConfig:
    method: str = "wnn-echo"
    filters: int = 32
    kernel: tuple = (3, 3)
    dilations: tuple = ((1, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32))
    ratio: int = 1
    floor: float = 1e-4
    gain: float = 0.01
    calibration: float = 1.0   # sigma multiplier fitted after training (95 % band coverage)
    noise_scale: bool = False  # noise-level channels and a second sigma part in noise units
    sampling: bool = False     # NUS: the sampled fraction of the t1 points as a channel
    signal_weight: float = 0.0  # share of the training loss on the signal points (nll_loss)
    column: bool = False       # the signal level of each F2 column as a channel (noise units)
    t1_points: bool = False    # NUS: log2 of the acquired t1 points as a channel
    holdout: bool = False      # NUS: the hold-out error estimate as channels and a sigma part
    ridge: bool = False        # the F1 ridge level of each F2 column as a channel and a
    #                            sigma part in its units (ridge_level; needs noise_scale)
    loss_points: str = "signal"  # the points of the loss's signal part: 'signal' (|mu| > 0.01
    #                              max |mu|) or 'metric' (|y| or |mu| > 0.01 max y: the points
    #                              the RMSD and the coverage are judged on)

    def __post_init__(self):
        self.kernel = tuple(int(k) for k in self.kernel)
        self.dilations = tuple((int(a), int(b)) for a, b in self.dilations)
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if len(self.kernel) != 2 or any(k < 1 or k % 2 == 0 for k in self.kernel):
            raise ValueError(f"kernel must be two odd sizes, got {self.kernel}")
        if not self.dilations or min(min(d) for d in self.dilations) < 1:
            raise ValueError("dilations must be a non-empty list of positive (F1, F2) pairs")
        if (self.sampling or self.t1_points) and self.echo_like:
            raise ValueError("sampling and t1_points apply to the NUS method only")
        if self.column and not self.noise_scale:
            raise ValueError("column needs noise_scale: its channel is in units of the noise")
        if self.ridge and not self.noise_scale:
            raise ValueError("ridge needs noise_scale: its channel is in units of the noise")
        if self.holdout and (self.echo_like or not self.noise_scale):
            raise ValueError("holdout applies to the NUS method only, with noise_scale")
        if self.filters < 1 or self.ratio < 1:
            raise ValueError("filters and ratio must be >= 1")
        if not 0.0 <= self.signal_weight <= 1.0:
            raise ValueError(f"signal_weight must be in 0..1, got {self.signal_weight}")
        if self.loss_points not in ("signal", "metric"):
            raise ValueError(f"loss_points must be 'signal' or 'metric', got "
                             f"{self.loss_points!r}")
        if not (self.floor > 0 and self.gain > 0 and self.calibration > 0):
            raise ValueError("floor, gain and calibration must be positive")

    @property
    def echo_like(self):
        """True for the Echo methods (Anti-Echo goes through flip), False for NUS."""
        return for_sigma(self.method)[0].mode != "nus"

    def to_dict(self):
        out = asdict(self)
        out["kernel"], out["dilations"] = list(self.kernel), [list(d) for d in self.dilations]
        return out

    @classmethod
    def from_dict(cls, values):
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})
