//! Definition, references, document highlight and rename for stages, ARG/ENV variables and heredoc delimiters.
