"""Catalogue pages: search, compound and plant pages over the current data pack."""
