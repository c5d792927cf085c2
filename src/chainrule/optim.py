"""Optimizers (public module; they live in ``chainrule.train.optim``)."""

from .train.optim import SGD, Adam, Optimizer, get_optimizer

__all__ = ["SGD", "Adam", "Optimizer", "get_optimizer"]
