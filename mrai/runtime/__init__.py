"""Inference of the shipped networks without Keras or TensorFlow: each network's convolutional
trunk runs in ONNX Runtime (the ONNX files mrai.nn.export writes beside the weights), everything
around it (normalisation, input features, the IST first estimate, data consistency, the sigma
head) in numpy, the twin of the Keras code in mrai.nn. The results equal the Keras path's to
float32 round-off (tests/test_runtime.py). Spectra larger than a tile run the trunks in
overlapping tiles, with the same result (mrai.runtime.tiling, tests/test_tiling.py).
"""

from mrai.runtime.session import available
from mrai.runtime.sigma import RuntimeSigma
from mrai.runtime.wnn import RuntimeWNN

__all__ = ["available", "RuntimeWNN", "RuntimeSigma"]
