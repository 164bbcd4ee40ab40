//! Bounds on search and follow query text, checked before any parser sees
//! it.
//!
//! The embedded backend hands query text to tantivy's query grammar, which
//! descends recursively into groups and unary operators: a query nested a
//! few thousand levels deep (`((((a))))`, `NOT NOT NOT … a`, `(a OR (a OR
//! …`) overflowed the stack of whichever thread parsed it, aborting the
//! server from one GET, or poisoning every later ingest through a stored
//! follow. The bounds here are far above any query a person types and far
//! below what a small (256 KiB) thread stack can parse; every backend
//! checks them so the same text is accepted or refused everywhere.

use crate::{Result, StoreError};

/// Longest query text accepted, in bytes. A search box or a follow made of
/// a hundred long names fits; a 6 KB parenthesis bomb does not.
pub const MAX_QUERY_BYTES: usize = 4096;
/// Deepest nesting of parentheses accepted.
pub const MAX_QUERY_DEPTH: usize = 16;
/// Most operators (`AND`, `OR`, `NOT`, and `+`/`-` prefixes) in one query.
pub const MAX_QUERY_OPERATORS: usize = 128;
/// Most unary operators (`NOT`, `+`, `-`) in a row before a term.
pub const MAX_QUERY_UNARY_RUN: usize = 8;

/// Checks `text` against the bounds above; over any of them is a
/// [`StoreError::Query`] that says which bound and what the text has.
pub fn check_query_text(text: &str) -> Result<()> {
    let refuse = |message: String| {
        let shown: String = text.chars().take(60).collect();
        let shown = if shown.len() < text.len() { format!("{shown}…") } else { shown };
        Err(StoreError::Query { query: shown, message })
    };
    if text.len() > MAX_QUERY_BYTES {
        return refuse(format!("is {} bytes long; a query may have at most {MAX_QUERY_BYTES}", text.len()));
    }
    let (mut depth, mut deepest, mut operators, mut unary_run) = (0usize, 0usize, 0usize, 0usize);
    let mut in_phrase = false;
    for word in words(text) {
        match word {
            Word::Quote => in_phrase = !in_phrase,
            _ if in_phrase => {}
            Word::Open => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Word::Close => depth = depth.saturating_sub(1),
            Word::Binary => {
                operators += 1;
                unary_run = 0;
            }
            Word::Unary => {
                operators += 1;
                unary_run += 1;
                if unary_run > MAX_QUERY_UNARY_RUN {
                    return refuse(format!("has more than {MAX_QUERY_UNARY_RUN} NOT/+/- operators in a row"));
                }
            }
            Word::Term => unary_run = 0,
        }
    }
    if deepest > MAX_QUERY_DEPTH {
        return refuse(format!("nests parentheses {deepest} deep; at most {MAX_QUERY_DEPTH} levels are accepted"));
    }
    if operators > MAX_QUERY_OPERATORS {
        return refuse(format!("has {operators} operators; at most {MAX_QUERY_OPERATORS} are accepted"));
    }
    Ok(())
}

/// What the bound check tells apart in query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Open,
    Close,
    Quote,
    Binary,
    Unary,
    Term,
}

/// Splits query text into the pieces that can nest or chain. Cheap and
/// linear: one pass, no allocation.
fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        let c = rest.chars().next()?;
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let one = |w| Some(w);
        match c {
            '(' | ')' | '"' => {
                rest = &rest[1..];
                return one(match c {
                    '(' => Word::Open,
                    ')' => Word::Close,
                    _ => Word::Quote,
                });
            }
            '+' | '-' => {
                rest = &rest[1..];
                return Some(Word::Unary);
            }
            _ => {}
        }
        let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"')).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        rest = tail;
        return Some(match word {
            "AND" | "OR" | "&&" | "||" => Word::Binary,
            "NOT" | "!" => Word::Unary,
            _ => Word::Term,
        });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> bool {
        matches!(check_query_text(text), Err(StoreError::Query { .. }))
    }

    #[test]
    fn ordinary_queries_pass() {
        for q in [
            "strike",
            "dam OR ferry",
            "opens -ferry \"old Verna bridge\"",
            "headline:Dam NOT x AND y",
            "(a OR b) c",
            "",
        ] {
            assert!(check_query_text(q).is_ok(), "{q}");
        }
    }

    #[test]
    fn deep_parentheses_are_refused() {
        let q = format!("{}a{}", "(".repeat(3000), ")".repeat(3000));
        assert!(refused(&q[..MAX_QUERY_BYTES.min(q.len())]));
        let ok = format!("{}a{}", "(".repeat(MAX_QUERY_DEPTH), ")".repeat(MAX_QUERY_DEPTH));
        assert!(check_query_text(&ok).is_ok());
        let over = format!("{}a{}", "(".repeat(MAX_QUERY_DEPTH + 1), ")".repeat(MAX_QUERY_DEPTH + 1));
        assert!(refused(&over));
    }

    #[test]
    fn unclosed_nesting_counts_too() {
        assert!(refused(&format!("{}a", "(a OR ".repeat(MAX_QUERY_DEPTH + 1))));
    }

    #[test]
    fn long_unary_runs_are_refused() {
        assert!(refused(&format!("{}a", "NOT ".repeat(MAX_QUERY_UNARY_RUN + 1))));
        assert!(refused(&format!("{}a", "-".repeat(MAX_QUERY_UNARY_RUN + 1))));
        assert!(check_query_text(&format!("{}a", "NOT ".repeat(MAX_QUERY_UNARY_RUN))).is_ok());
    }

    #[test]
    fn too_many_operators_are_refused() {
        assert!(refused(&"a OR ".repeat(MAX_QUERY_OPERATORS + 1)));
    }

    #[test]
    fn too_long_text_is_refused() {
        assert!(refused(&"word ".repeat(MAX_QUERY_BYTES / 5 + 1)));
    }

    #[test]
    fn quoted_parentheses_do_not_nest() {
        let q = format!("\"{}\"", "(".repeat(MAX_QUERY_DEPTH * 2));
        assert!(check_query_text(&q).is_ok());
    }
}
