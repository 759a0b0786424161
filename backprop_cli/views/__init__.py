"""What the picture views compute: derivations, nudge experiments, graph layouts, curves, surfaces.

Plain frozen dataclasses only (no Rich, no Typer): ``render/`` draws them, lessons reuse them.
"""
