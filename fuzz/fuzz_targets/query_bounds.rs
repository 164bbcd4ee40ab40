//! The bound check that runs before any query parser sees user text: no panic, and linear in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = newsdesk_store::check_query_text(&text);
});
