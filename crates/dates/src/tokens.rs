//! A tiny tokenizer: the grammar in `lib.rs` works on tokens rather than
//! bytes so that every pattern is an index walk, which cannot slice a string
//! at a non-character boundary and stays linear in the input.

/// One token of a date expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A run of ASCII digits: its value (saturating) and digit count.
    Num(u32, u8),
    /// A run of letters, lower-cased.
    Word(String),
    /// Any other visible character.
    Punct(char),
}

/// A token with its byte span in the source and whether whitespace came
/// just before it (so "19T10" and "19 T 10" can be told apart).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    pub gap: bool,
}

/// Splits `s` into tokens. Letters and digits are separated at every change
/// of class ("19th" → 19, "th"); whitespace (including no-break space) only
/// sets the `gap` flag of the next token.
pub(crate) fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    let mut gap = true;
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        if c.is_ascii_digit() {
            let mut v: u32 = c as u32 - '0' as u32;
            let mut n: u8 = 1;
            let mut end = i + 1;
            while let Some(&(j, d)) = it.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                v = v.saturating_mul(10).saturating_add(d as u32 - '0' as u32);
                n = n.saturating_add(1);
                end = j + 1;
                it.next();
            }
            out.push(Token { tok: Tok::Num(v, n), start: i, end, gap });
        } else if c.is_alphabetic() {
            let mut w = String::new();
            w.extend(c.to_lowercase());
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                if w.len() < 24 {
                    w.extend(d.to_lowercase());
                }
                end = j + d.len_utf8();
                it.next();
            }
            out.push(Token { tok: Tok::Word(w), start: i, end, gap });
        } else {
            out.push(Token { tok: Tok::Punct(c), start: i, end: i + c.len_utf8(), gap });
        }
        gap = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_classes_and_tracks_gaps() {
        let t = tokenize("19th Nov\u{a0}2019T10:05");
        let kinds: Vec<_> = t.iter().map(|t| t.tok.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Num(19, 2),
                Tok::Word("th".into()),
                Tok::Word("nov".into()),
                Tok::Num(2019, 4),
                Tok::Word("t".into()),
                Tok::Num(10, 2),
                Tok::Punct(':'),
                Tok::Num(5, 2),
            ]
        );
        assert!(t[0].gap && !t[1].gap && t[2].gap && t[3].gap && !t[4].gap);
    }

    #[test]
    fn huge_numbers_saturate() {
        let t = tokenize("99999999999999999999999");
        assert!(matches!(t[0].tok, Tok::Num(u32::MAX, _)));
    }
}
