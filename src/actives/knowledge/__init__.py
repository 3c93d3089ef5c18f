"""Data packs of reference knowledge: compounds, organisms, occurrences, ingredient names."""
