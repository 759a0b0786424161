"""backprop: a terminal tutor that teaches backpropagation by making you compute it."""

__version__ = "0.1.0"
