"""Quiz question templates: fresh numbers from a seeded ``random.Random``, answers from SymPy or the engine.

Each template draws its numbers from ranges chosen so the question is sensible (no zero gradient, no
answer needing a dozen digits, no case where a named mistake coincides with the right answer) and
computes everything a learner sees — the expected answer, the worked explanation, the values of the
likely mistakes — with SymPy or the engine, never with hand-written arithmetic. A draw that still
turns out degenerate raises :class:`Redraw` and the template draws again from the same generator, so
one seed always gives the same question.

The rooms: :mod:`.question` (the model and its sanity checks), :mod:`.registry` (the list and its
look-ups), :mod:`.drawing` (numbers and how prompts show them) and :mod:`.topics` (one module per
topic). Importing this module registers every template, in the order a seed depends on.
"""

from backprop_cli.quiz.question import Question, Redraw, Template
from backprop_cli.quiz.registry import TEMPLATES, by_id, for_topics, template

# Registration order is the order of these imports (a seed relies on it): keep it.
# isort: off
from backprop_cli.quiz.topics import derivatives  # noqa: F401
from backprop_cli.quiz.topics import partials  # noqa: F401
from backprop_cli.quiz.topics import chain  # noqa: F401
from backprop_cli.quiz.topics import networks  # noqa: F401
from backprop_cli.quiz.topics import descent  # noqa: F401
# isort: on

__all__ = ["TEMPLATES", "Question", "Redraw", "Template", "by_id", "for_topics", "template"]
