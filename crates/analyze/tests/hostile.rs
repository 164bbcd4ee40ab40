//! Hostile input: results must come back, bounded in time, without a
//! panic, whatever the text looks like.

use std::time::{Duration, Instant};

use newsdesk_analyze::analyze;

fn bounded(body: &str, limit: Duration) -> newsdesk_model::Analysis {
    let t = Instant::now();
    let a = analyze(body, None);
    assert!(t.elapsed() < limit, "took {:?} on {} bytes", t.elapsed(), body.len());
    // Offsets always lie inside the text and on its code points.
    let n = body.chars().count();
    for q in &a.quotes {
        assert!(q.start <= q.end && q.end <= n);
    }
    a
}

#[test]
fn unbalanced_quotes() {
    for b in ["“", "”", "“““ said he", "He said “yes. And then", "”Backwards“ quote,” she said “", "\"\"\"\"\"", "''''", "« » « »", "„“„“"] {
        bounded(b, Duration::from_secs(2));
    }
    let many = "“open and never closed, said Ann. ".repeat(5_000);
    bounded(&many, Duration::from_secs(20));
}

#[test]
fn five_megabyte_body() {
    let para = "“We will not retreat,” said General Ana Ruiz on Monday. Officials said the line held, according to the ministry.\n\n";
    let mut body = String::with_capacity(5 * 1024 * 1024 + para.len());
    while body.len() < 5 * 1024 * 1024 {
        body.push_str(para);
    }
    let a = bounded(&body, Duration::from_secs(60));
    assert!(!a.quotes.is_empty());
}

#[test]
fn text_without_sentences() {
    bounded(&"x".repeat(1_000_000), Duration::from_secs(20));
    bounded(&"said ".repeat(200_000), Duration::from_secs(20));
    bounded(&"A B C D said he, ".repeat(50_000), Duration::from_secs(20));
    bounded(&"\n".repeat(100_000), Duration::from_secs(5));
    bounded(&". , ; : ! ? ".repeat(100_000), Duration::from_secs(20));
}

#[test]
fn only_quotes_and_mixed_scripts() {
    bounded(&"“”".repeat(100_000), Duration::from_secs(20));
    bounded(&"“a” ‘b’ «c» „d“ ".repeat(50_000), Duration::from_secs(20));
    let mixed = "«Мы готовы», — сказал Лавров. 「我们准备好了」他说。 \"نحن مستعدون\" قال. 👍🏽 ÅÄÖ e\u{301}\n“We are fine here,” said Zoë Ørsted.\n";
    let a = bounded(&mixed.repeat(2_000), Duration::from_secs(20));
    assert!(a.quotes.iter().any(|q| q.speaker.resolved.as_deref() == Some("Zoë Ørsted")));
}

#[test]
fn cut_at_a_char_boundary() {
    // Longer than the work bound, with multi-byte characters across the cut.
    let body = "é“ü”".repeat(newsdesk_analyze::MAX_BODY_BYTES / 6 + 7);
    bounded(&body, Duration::from_secs(60));
}
