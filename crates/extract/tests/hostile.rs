//! Hostile input: every prefix cut, byte flips and pathological markup built
//! from the golden pages must extract without panicking and within bounds.

use std::path::Path;

use newsdesk_extract::{extract, Options};

fn pages() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/html");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("golden dir").flatten() {
        if let Ok(b) = std::fs::read(e.path().join("page.html")) {
            out.push(b);
        }
    }
    assert!(!out.is_empty());
    out
}

/// A small deterministic generator (xorshift) so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_pages_never_panic() {
    let opts = Options::default();
    for page in pages().iter().take(6) {
        let step = (page.len() / 40).max(1);
        for cut in (0..page.len()).step_by(step) {
            let a = extract(&page[..cut], &opts);
            assert!(a.body.len() <= cut * 4 + 16);
        }
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let opts = Options::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for page in pages() {
        for _ in 0..10 {
            let mut p = page.clone();
            for _ in 0..20 {
                let i = (rng.next() % p.len() as u64) as usize;
                p[i] = (rng.next() & 0xFF) as u8;
            }
            let _ = extract(&p, &opts);
        }
    }
}

#[test]
fn pathological_markup_is_bounded() {
    let opts = Options::default();
    let cases: Vec<String> = vec![
        "<".repeat(100_000),
        "<a ".repeat(50_000),
        "<p>".repeat(100_000) + "text",
        "<table><tr><td>".repeat(20_000),
        "&amp;&#x41;&#99999999;".repeat(20_000),
        format!("<script>{}", "x".repeat(1_000_000)),
        format!("<!--{}", "-".repeat(500_000)),
        "<div class='".to_string() + &"a ".repeat(200_000) + "'>x</div>",
        format!("<html><body>{}</body></html>", "<p>word </p>".repeat(200_000)),
        String::from_utf8_lossy(&[0xFF, 0xFE, 0x00, 0x3C, 0x00, 0x70]).into_owned(),
    ];
    for c in &cases {
        let a = extract(c.as_bytes(), &opts);
        assert!(a.schema_version == 1);
    }
    // Small bound: the page is cut and says so.
    let small = Options { max_bytes: 1000, ..Options::default() };
    let a = extract(cases[8].as_bytes(), &small);
    assert!(a.diagnostics.iter().any(|d| d.code == newsdesk_model::DiagnosticCode::Truncated));
}
