"""Prediction engine: endpoint registry, curation, featurizers, training, calibration, AD."""
