//! Document symbols: stages, then their instructions.
