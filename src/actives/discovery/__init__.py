"""Active-ingredient discovery: plants, extracts and libraries to ranked candidate actives."""
