//! Folding ranges: stages, continued instructions, heredocs, comment blocks.
