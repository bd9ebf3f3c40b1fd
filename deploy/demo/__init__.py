"""Demo data for Kukar: a seeded scenario generator and an HTTP driver that loads it through the public APIs."""
