//! Formatting: keyword case, spacing, continuation indentation; never changes meaning.
