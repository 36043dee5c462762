//! Signature help for the instruction at the cursor.
