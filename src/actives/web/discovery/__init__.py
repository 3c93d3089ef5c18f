"""Discovery pages: plant to actives, function to plants, extract to actives, screening."""
