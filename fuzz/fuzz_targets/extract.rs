//! Page extraction on any bytes (charset detection, parsing, body and fields): no panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00Z").ok();
    let opts = newsdesk_extract::Options { url: Some("https://example.org/news/a".into()), now, ..Default::default() };
    let _ = newsdesk_extract::extract(data, &opts);
});
