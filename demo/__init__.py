"""Demo content: ``flask seed-demo`` loads the learning networks' real content."""
