"""Bareos, the network backup system, rebuilt in Python."""
