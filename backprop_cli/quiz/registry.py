"""The registry of quiz templates: each topic module registers its builders with :func:`template`;
:func:`by_id` and :func:`for_topics` find them (in registration order, which a seed depends on).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from backprop_cli.quiz import TOPICS
from backprop_cli.quiz.question import Question, Template

TEMPLATES: list[Template] = []


def template(id_: str, topic: str, title: str):
    """Register a builder as a quiz template."""
    assert topic in TOPICS, topic

    def register(build: Callable[[random.Random], Question]):
        TEMPLATES.append(Template(id_, topic, title, build))
        return build

    return register


def by_id(template_id: str) -> Template:
    for t in TEMPLATES:
        if t.id == template_id:
            return t
    raise KeyError(template_id)


def for_topics(topics: Sequence[str] | None = None) -> list[Template]:
    """The templates of ``topics`` (all when None), in topic order then registration order."""
    wanted = list(topics) if topics else list(TOPICS)
    return [t for topic in TOPICS if topic in wanted for t in TEMPLATES if t.topic == topic]
