//! Development aid: prints the articles of one dump as pretty JSON.
//!
//! `cargo run -p newsdesk-textdump --example dump -- FILE [NOW_RFC3339]`
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: dump FILE [NOW]");
    let now = args.next().map(|s| chrono::DateTime::parse_from_rfc3339(&s).expect("NOW must be RFC 3339"));
    let bytes = std::fs::read(&path).expect("read");
    let opts = newsdesk_textdump::DumpOptions { now, ..Default::default() };
    let r = newsdesk_textdump::extract_dump_bytes(&bytes, &opts);
    for a in &r.articles {
        println!("{}", serde_json::to_string_pretty(a).expect("serialise"));
    }
    for d in &r.diagnostics {
        eprintln!("{:?}: {}", d.code, d.message);
    }
}
