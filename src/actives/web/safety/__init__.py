"""Safety pages: skin sensitisation (OECD GL497), QSAR, SCCS margin of safety, QRA, summary."""
