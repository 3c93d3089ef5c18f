"""Trained model weights with their model cards, one folder per endpoint."""
