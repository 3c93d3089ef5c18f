"""Safety assessment: skin sensitisation, dermal absorption, SCCS margin of safety."""
