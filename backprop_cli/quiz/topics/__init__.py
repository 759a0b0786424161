"""One module per quiz topic; importing a module registers its templates (in the order a seed relies on)."""
