"""Efficacy-study statistics as pure functions."""
