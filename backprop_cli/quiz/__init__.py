"""Quiz mode: questions from templates with seeded random numbers, checked like the lessons, scored.

This module stays light (no SymPy) so that ``backprop --help`` and option checking stay fast;
the templates live in :mod:`backprop_cli.quiz.templates`, the quiz runner (planning, marking, scoring) in :mod:`backprop_cli.quiz.runner`.
"""

from __future__ import annotations

#: The quiz topics, in teaching order (the order of the lessons), with their titles.
TOPIC_TITLES = {
    "derivatives": "Derivatives",
    "partials": "Partial derivatives",
    "gradients": "Gradients",
    "chain-rule": "Chain rule",
    "simple-net": "The simple network",
    "sigmoid-net": "The sigmoid network",
    "gradient-descent": "Gradient descent",
}
TOPICS = tuple(TOPIC_TITLES)
