"""Regulation and export: market rule packs, ingredient resolution, formula checks, INCI label."""
