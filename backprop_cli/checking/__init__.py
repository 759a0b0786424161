"""The one answer checker: numbers, formulas and choices, as a patient teacher would mark them.

Every answer is read by :func:`backprop_cli.expressions.parse` (never ``eval``) and marked
``invalid`` (unreadable, no penalty), ``correct`` or ``incorrect``. One idea per module:

- :mod:`.figures` the rules for numbers (significant figures, 0.1%, exact decimals)
- :mod:`.numbers` number answers, updates judged on their step, follow-through
- :mod:`.components` several numbers typed together
- :mod:`.formulas` formula answers, compared at random points
- :mod:`.choices` multiple choice
- :mod:`.diagnosis` model tracing: the buggy computations of a step, generated from its formula
- :mod:`.mistakes` hand-assembled mistake lists (the quiz's builders)
- :mod:`.floats` a fast, bounded float evaluator

No Rich, no I/O: the guided lessons and the quiz render the :class:`Verdict`.
"""

from backprop_cli.checking.choices import check_choice
from backprop_cli.checking.components import check_components
from backprop_cli.checking.diagnosis import Candidate, Diagnosis, UpdateRule
from backprop_cli.checking.figures import (
    MIN_FIGURES,
    RELATIVE_TOLERANCE,
    significant_figures,
    within_tolerance,
)
from backprop_cli.checking.formulas import check_expression
from backprop_cli.checking.mistakes import (
    chain_mistakes,
    forward_value_mistakes,
    generic_mistakes,
    sigmoid_mistake,
    update_mistakes,
)
from backprop_cli.checking.numbers import check_number
from backprop_cli.checking.verdict import Carried, Mistake, Verdict

__all__ = [
    "MIN_FIGURES", "RELATIVE_TOLERANCE", "Candidate", "Carried", "Diagnosis", "Mistake", "UpdateRule", "Verdict",
    "chain_mistakes", "check_choice", "check_components", "check_expression", "check_number",
    "forward_value_mistakes", "generic_mistakes", "sigmoid_mistake", "significant_figures",
    "update_mistakes", "within_tolerance",
]
