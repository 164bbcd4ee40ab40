//! Development aid: prints the gaps between candidate bodies of each file
//! given on the command line, as JSON lines, for tuning page-break rules.
fn main() {
    if let Ok(p) = std::env::var("LINES") {
        let text = newsdesk_textdump::decode_text(&std::fs::read(&p).expect("read")).0;
        print!("{}", newsdesk_textdump::debug_lines(&text));
        return;
    }
    for path in std::env::args().skip(1) {
        let text = newsdesk_textdump::decode_text(&std::fs::read(&path).expect("read")).0;
        for (s, a, b, e, brk) in newsdesk_textdump::debug_gaps(&text) {
            println!("{{\"file\":{path:?},\"s\":{s},\"a\":{a},\"b\":{b},\"e\":{e},\"brk\":{brk}}}");
        }
    }
}
