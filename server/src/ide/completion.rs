//! Completion: instructions, directives, flags and their values, stage names, variables, base images.
