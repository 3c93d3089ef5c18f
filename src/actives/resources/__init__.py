"""Shipped trained models and model cards, read with importlib.resources."""
