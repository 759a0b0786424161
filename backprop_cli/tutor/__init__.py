"""The learner model: the skills the course teaches, how well each is known (Bayesian Knowledge
Tracing), and when each is due for review (FSRS). No I/O, no Rich: plain data in, plain data out."""
