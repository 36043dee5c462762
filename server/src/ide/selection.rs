//! Selection ranges: token, word, argument, instruction, stage.
