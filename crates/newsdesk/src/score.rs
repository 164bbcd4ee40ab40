//! The body-quality metric of the extraction evaluation: precision and
//! recall of 4-token shingles, macro-averaged over pages, as defined in
//! `../shared/eval/extraction/score.py` (reimplemented here so `bench`
//! reports the same figures without Python).

use std::collections::HashMap;

const SHINGLE: usize = 4;

/// Tokens are runs of Unicode word characters (`\w+` in Python).
pub fn tokenize(text: &str) -> Vec<&str> {
    text.split(|c: char| !is_word(c)).filter(|t| !t.is_empty()).collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || matches!(unicode_general_mark(c), true)
}

/// Python's `\w` also matches combining marks (category M*) in most cases;
/// approximated by the common combining ranges.
fn unicode_general_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F | 0x0900..=0x0903 | 0x093A..=0x094F)
}

fn shingles<'a>(tokens: &[&'a str]) -> HashMap<Vec<&'a str>, usize> {
    let mut m = HashMap::new();
    if tokens.is_empty() {
        return m;
    }
    if tokens.len() <= SHINGLE {
        m.insert(tokens.to_vec(), 1);
        return m;
    }
    for w in tokens.windows(SHINGLE) {
        *m.entry(w.to_vec()).or_insert(0) += 1;
    }
    m
}

/// Per-page counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageScore {
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub exact: bool,
}

/// Scores one prediction against its truth.
pub fn score_page(truth: &str, pred: &str) -> PageScore {
    let t = tokenize(truth);
    let p = tokenize(pred);
    let ts = shingles(&t);
    let ps = shingles(&p);
    let tp: usize = ps.iter().map(|(k, &n)| n.min(*ts.get(k).unwrap_or(&0))).sum();
    let np: usize = ps.values().sum();
    let nt: usize = ts.values().sum();
    PageScore {
        precision: (np > 0).then(|| tp as f64 / np as f64),
        recall: (nt > 0).then(|| tp as f64 / nt as f64),
        exact: t == p,
    }
}

/// Macro-averaged figures over pages.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub accuracy: f64,
    pub n: usize,
}

/// Averages page scores the way the reference scorer does.
pub fn summarize(pages: &[PageScore]) -> Summary {
    let mean = |v: Vec<f64>| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let p = mean(pages.iter().filter_map(|s| s.precision).collect());
    let r = mean(pages.iter().filter_map(|s| s.recall).collect());
    let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    let acc = if pages.is_empty() { 0.0 } else { pages.iter().filter(|s| s.exact).count() as f64 / pages.len() as f64 };
    Summary { precision: p, recall: r, f1, accuracy: acc, n: pages.len() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one() {
        let s = score_page("The dam opened on Monday, officials said.", "The dam opened on Monday - officials said");
        assert_eq!(s.precision, Some(1.0));
        assert_eq!(s.recall, Some(1.0));
        assert!(s.exact);
    }

    #[test]
    fn extra_text_lowers_precision_only() {
        let s = score_page("a b c d e", "a b c d e f g");
        assert_eq!(s.recall, Some(1.0));
        assert!((s.precision.unwrap() - 0.5).abs() < 1e-9);
        let empty = score_page("a b c", "");
        assert_eq!(empty.precision, None);
        assert_eq!(empty.recall, Some(0.0));
    }

    #[test]
    fn short_texts_are_one_shingle() {
        let s = score_page("one two", "one two three");
        assert_eq!(s.precision, Some(0.0));
    }
}
