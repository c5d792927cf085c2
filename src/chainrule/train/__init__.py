"""Training: optimizers, learning-rate schedules, callbacks, checkpoints and the fit loop."""
