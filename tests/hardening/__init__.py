"""Hostile input, faults, crashes and load."""
