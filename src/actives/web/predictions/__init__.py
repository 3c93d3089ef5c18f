"""Predictions: one molecule explained, batch prediction as a background job, model cards."""
