"""WNN configuration: a plain, serialisable description of the network (no Keras import).

Sizes are in spectrum points. A stage is a trunk of dilated convolutions (``dilations``, one
(F1, F2) pair per convolution, each with ``kernel``) whose output corrects the current estimate,
followed by exact data consistency. ``ratio`` is the proportional module of Zhao et al.
(docs/conventions.md, reference [3]): a ReLU after every ``ratio``-th convolution
(1: conv-ReLU, 2: conv-conv-ReLU).
``start`` is the first estimate: 'echo' (the measured part alone) or 'ist' (a short CS-IST
run of ``start_iterations``, computed outside the network, see mrai.nn.inference).
``output`` is 'linear' (a 1x1 convolution) or 'relu' (two 1x1 channels through a ReLU, the
correction being their difference, so that it can take both signs).
"""

from dataclasses import asdict, dataclass, field


def _pairs(values):
    return tuple((int(a), int(b)) for a, b in values)


@dataclass
class WNNConfig:
    filters: int = 32
    kernel: tuple = (3, 3)
    dilations: tuple = ((1, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32))
    stages: int = 3
    ratio: int = 1
    output: str = "linear"
    features: tuple = ("spectrum", "quadrature", "magnitude")
    share_weights: bool = False
    start: str = "echo"
    start_iterations: int = 50
    FEATURES = ("spectrum", "quadrature", "magnitude")
    OUTPUTS = ("linear", "relu")
    STARTS = ("echo", "ist")

    def __post_init__(self):
        self.kernel = tuple(int(k) for k in self.kernel)
        self.dilations = _pairs(self.dilations)
        self.features = tuple(self.features)
        if len(self.kernel) != 2 or min(self.kernel) < 1 or any(k % 2 == 0 for k in self.kernel):
            raise ValueError(f"kernel must be two odd sizes, got {self.kernel}")
        if not self.dilations or min(min(d) for d in self.dilations) < 1:
            raise ValueError("dilations must be a non-empty list of positive (F1, F2) pairs")
        if self.filters < 1 or self.stages < 1 or self.ratio < 1:
            raise ValueError("filters, stages and ratio must be >= 1")
        if self.output not in self.OUTPUTS:
            raise ValueError(f"output must be one of {self.OUTPUTS}, got {self.output!r}")
        if self.start not in self.STARTS:
            raise ValueError(f"start must be one of {self.STARTS}, got {self.start!r}")
        unknown = set(self.features) - set(self.FEATURES)
        if unknown or "spectrum" not in self.features:
            raise ValueError(f"features must include 'spectrum' and come from {self.FEATURES}")

    @property
    def receptive_field(self):
        """Points (F1, F2) one output point sees through one stage."""
        return tuple(1 + sum(d[a] * (self.kernel[a] - 1) for d in self.dilations)
                     for a in (0, 1))

    def to_dict(self):
        out = asdict(self)
        out["dilations"] = [list(d) for d in self.dilations]
        out["kernel"], out["features"] = list(self.kernel), list(self.features)
        return out

    @classmethod
    def from_dict(cls, values):
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)
