"""Seeing the chain rule: explain, gradcheck and pictures."""
