//! Hover: docs for keywords, flags and directives; resolved variable values; stage summaries.
