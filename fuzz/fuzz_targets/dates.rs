//! Date expressions on any text, with and without a reference time: no panic, no overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00Z").ok();
    for reference in [None, now] {
        let _ = newsdesk_dates::parse_date(&text, reference);
        let _ = newsdesk_dates::find_dates(&text, reference);
    }
});
