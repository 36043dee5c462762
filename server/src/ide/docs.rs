//! Our own documentation of instructions, flags and directives: the knowledge base behind completion, hover and signature help.
