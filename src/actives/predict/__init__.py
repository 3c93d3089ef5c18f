"""Prediction engine: endpoints, curation, featurizers, training, calibration, AD."""

from actives.predict.registry import (
    CosmeticFunction,
    Endpoint,
    endpoints,
    get_endpoint,
    register_endpoint,
)

__all__ = ["CosmeticFunction", "Endpoint", "endpoints", "get_endpoint", "register_endpoint"]
