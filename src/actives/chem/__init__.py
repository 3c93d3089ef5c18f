"""Chemistry core: parse, standardise, identify, describe and depict structures (RDKit)."""
