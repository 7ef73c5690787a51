"""Neural networks (Keras 3, backend-agnostic). Importing this package imports Keras."""
