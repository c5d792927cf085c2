"""The neural network itself: activations, losses, initialisation, dense layers, propagation, Network.

Imports nothing but NumPy (and the base modules errors and _validation).
"""
