"""Networks as data: the file schema (model), the graph with local derivatives, the engine."""
