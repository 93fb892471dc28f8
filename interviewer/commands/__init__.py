"""Command groups of the ``interviewer`` CLI, one module per feature."""
