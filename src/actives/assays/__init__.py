"""Assay analysis: dose-response fits (IC50) and qPCR amplification curves."""
