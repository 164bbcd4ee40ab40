//! The dump reader on any bytes: no panic, no hang, memory linear in the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00Z").ok();
    let r = newsdesk_textdump::extract_dump_bytes(data, &newsdesk_textdump::DumpOptions { now, ..Default::default() });
    for a in &r.articles {
        // Bodies are built from the dump's own lines, each used once: at most the dump with every invalid
        // byte widened to U+FFFD (3 bytes) and a paragraph break after every line.
        assert!(a.body.len() <= data.len() * 5 + 64, "a body far longer than its dump");
    }
});
