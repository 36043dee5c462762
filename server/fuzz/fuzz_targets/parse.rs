//! Fuzz target for the Dockerfile parser: any UTF-8 input must parse without panicking into
//! a lossless, well-formed tree whose typed views all work. The checks are the ones the
//! property tests run (`server/tests/support/mod.rs`), shared so both test the same
//! invariants.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/mod.rs"]
mod support;

fuzz_target!(|data: &[u8]| {
    // The parser takes `&str`; callers decode first, so only UTF-8 inputs matter.
    if let Ok(text) = std::str::from_utf8(data) {
        support::check_all(text);
    }
});
