//! Small text helpers shared by the extraction stages.

/// Collapses every run of whitespace (including no-break and zero-width
/// spaces) to one space and trims the ends.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_squashed(s, &mut out, true);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Appends `s` to `out` with whitespace runs collapsed. `at_space` says
/// whether `out` already ends in a space (or is at a line start), so that
/// runs spanning calls collapse too. Returns the new `at_space`.
pub fn push_squashed(s: &str, out: &mut String, mut at_space: bool) -> bool {
    if s.is_ascii() {
        // Fast path: copy runs of printable bytes whole.
        for (i, run) in s.split(|c: char| c.is_ascii_whitespace()).enumerate() {
            if i > 0 && !at_space {
                out.push(' ');
                at_space = true;
            }
            if !run.is_empty() {
                out.push_str(run);
                at_space = false;
            }
        }
        return at_space;
    }
    for c in s.chars() {
        if is_space(c) {
            if !at_space {
                out.push(' ');
                at_space = true;
            }
        } else if !is_invisible(c) {
            out.push(c);
            at_space = false;
        }
    }
    at_space
}

/// Whitespace as a reader sees it.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{A0}' || c == '\u{202F}' || c == '\u{2007}'
}

/// Characters that take no room on screen.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}')
}

/// Number of chars.
pub fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Lower-cased words of `s` (runs of alphanumerics).
pub fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// True when `a` and `b` are the same text up to case, spacing and
/// punctuation.
pub fn same_words(a: &str, b: &str) -> bool {
    words(a).eq(words(b))
}

/// True when the words of `needle` occur, in order and contiguously, at the
/// start of `hay`'s words.
pub fn starts_with_words(hay: &str, needle: &str) -> bool {
    let mut h = words(hay);
    let mut any = false;
    for w in words(needle) {
        any = true;
        if h.next().as_deref() != Some(w.as_str()) {
            return false;
        }
    }
    any
}

/// True when the words of `needle` occur contiguously in `hay`
/// ("Opinion | Dam opens" contains "Dam opens").
pub fn contains_words(hay: &str, needle: &str) -> bool {
    let h: Vec<String> = words(hay).collect();
    let n: Vec<String> = words(needle).collect();
    !n.is_empty() && h.windows(n.len()).any(|w| w == n.as_slice())
}

/// True when `hay`'s words end with `needle`'s.
pub fn ends_with_words(hay: &str, needle: &str) -> bool {
    let h: Vec<String> = words(hay).collect();
    let n: Vec<String> = words(needle).collect();
    !n.is_empty() && h.ends_with(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_collapses_all_space_kinds() {
        assert_eq!(squash(" a\u{A0}\u{A0}b\n\t c\u{200B}d "), "a b cd");
        assert_eq!(squash(""), "");
    }

    #[test]
    fn word_comparisons() {
        assert!(same_words("Dam Opens!", "dam opens"));
        assert!(starts_with_words("Dam opens, at last.", "dam opens"));
        assert!(!starts_with_words("Dam", "dam opens"));
    }
}
