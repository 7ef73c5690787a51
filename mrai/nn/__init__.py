"""Neural networks (Keras 3, backend-agnostic): the WNN, the sigma networks, their training and
model cards. Importing this package does not import Keras: the modules that need it import it
through :mod:`mrai.nn.backend` (config, card and sigma_config stay Keras-free, so that
inference through mrai.runtime needs no TensorFlow).
"""
