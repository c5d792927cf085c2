"""From a table to a trained, evaluated model: what the command line (and Python users) run."""
