//! Tokens, sentences and offset conversion: the one pass over the body that
//! every other module reads instead of re-scanning the string.
//!
//! Offsets are byte offsets into the body throughout the crate (cheap to
//! slice, always on char boundaries because tokens are built from
//! `char_indices`); [`CharMap`] turns them into the code-point offsets the
//! output promises, only at the end.

/// What kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (and digits) with inner apostrophes, hyphens or abbreviation
    /// dots: "Clinton’s", "U.S.", "Mr.", "D-N.C.".
    Word,
    /// Digits with inner separators: "1,000", "3.1", "2016".
    Num,
    /// Any other single non-space character.
    Punct,
    /// A quotation mark (see [`Mark`]).
    Quote,
    /// One or more line breaks: a paragraph boundary.
    Break,
}

/// Quotation marks, by glyph; whether one opens or closes is decided in
/// context by the quotes module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// “ (opens in English, closes in German „…“ style)
    LeftDouble,
    /// ”
    RightDouble,
    /// „
    LowDouble,
    /// «
    LeftGuillemet,
    /// »
    RightGuillemet,
    /// " or '' (two apostrophes, as some newspapers' text exports print)
    Straight,
    /// ‘
    LeftSingle,
    /// ’ when not inside a word
    RightSingle,
    /// ' when not inside a word
    StraightSingle,
}

impl Mark {
    /// Double marks delimit speech in every style we read; single marks
    /// only nest inside them (or serve British style, handled separately).
    pub fn is_double(self) -> bool {
        !matches!(self, Mark::LeftSingle | Mark::RightSingle | Mark::StraightSingle)
    }
}

/// One token, by byte range.
#[derive(Debug, Clone, Copy)]
pub struct Tok {
    pub s: usize,
    pub e: usize,
    pub kind: Kind,
    /// First character is uppercase.
    pub cap: bool,
    pub mark: Option<Mark>,
    /// Index of the paragraph the token is in.
    pub para: u32,
}

/// Abbreviations that take a dot without ending a sentence. Titles and
/// initials never end one; the others may ("… in the U.S. The …").
pub const TITLE_ABBREVS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "sen", "rep", "reps", "gov", "gen", "lt", "col", "sgt", "capt", "cmdr", "adm", "maj",
    "prof", "rev", "st", "hon", "pres", "supt", "det", "atty", "messrs", "sens", "cpl", "pvt", "insp", "fr", "mt",
    "ft", "no", "nos", "vs", "v", "jr", "sr", "lt.gen", "gens", "rt", "sec", "asst", "dept", "amb",
];
const OTHER_ABBREVS: &[&str] = &[
    "inc", "corp", "co", "ltd", "llc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "etc", "al", "approx", "est",
    "ave", "blvd", "rd", "e.g", "i.e", "a.m", "p.m", "u.s", "u.k", "u.n", "d.c", "e.u", "ph.d", "calif", "fla", "mass",
    "penn", "conn", "ariz", "ore", "wash", "mich", "minn", "wis", "tenn", "ky", "la", "md", "va", "pa", "ill", "ind",
    "mo", "okla", "colo", "nev", "ga", "ala", "miss", "ark", "kan", "neb", "del", "vt", "n.h", "n.j", "n.y", "n.c",
    "s.c", "n.d", "s.d", "r.i", "w.va", "tex",
];

fn is_abbrev(word: &str) -> bool {
    if word.len() > 8 {
        return false;
    }
    let mut buf = [0u8; 8];
    let n = word.len();
    for (i, b) in word.bytes().enumerate() {
        buf[i] = b.to_ascii_lowercase();
    }
    let lw = match std::str::from_utf8(&buf[..n]) {
        Ok(s) => s,
        Err(_) => return false,
    };
    TITLE_ABBREVS.contains(&lw) || OTHER_ABBREVS.contains(&lw)
}

fn mark_of(c: char) -> Option<Mark> {
    Some(match c {
        '\u{201C}' | '\u{201F}' => Mark::LeftDouble,
        '\u{201D}' | '\u{2033}' => Mark::RightDouble,
        '\u{201E}' => Mark::LowDouble,
        '\u{00AB}' => Mark::LeftGuillemet,
        '\u{00BB}' => Mark::RightGuillemet,
        '"' | '\u{FF02}' => Mark::Straight,
        '\u{2018}' | '\u{201B}' => Mark::LeftSingle,
        '\u{2019}' => Mark::RightSingle,
        '\'' => Mark::StraightSingle,
        _ => return None,
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Splits the body into tokens. Linear in the body's length.
pub fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut toks: Vec<Tok> = Vec::with_capacity(text.len() / 5 + 8);
    let mut para: u32 = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c == '\n' || c == '\r' || c == '\u{2029}' {
            let mut e = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if d.is_whitespace() {
                    if d == '\n' || d == '\r' || d == '\u{2029}' || d.is_whitespace() {
                        e = j + d.len_utf8();
                        it.next();
                        continue;
                    }
                }
                break;
            }
            if !matches!(toks.last(), Some(t) if t.kind == Kind::Break) && !toks.is_empty() {
                toks.push(Tok { s: i, e, kind: Kind::Break, cap: false, mark: None, para });
                para += 1;
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if is_word_char(c) {
            // A word: alphanumerics joined by inner ' ’ - . & when a word char follows.
            let mut e = i + c.len_utf8();
            let mut all_digits = c.is_ascii_digit();
            let mut has_dot = false;
            loop {
                let Some(&(j, d)) = it.peek() else { break };
                if is_word_char(d) {
                    if !d.is_ascii_digit() {
                        all_digits = false;
                    }
                    e = j + d.len_utf8();
                    it.next();
                    continue;
                }
                if matches!(d, '\'' | '\u{2019}' | '-' | '.' | '&' | ',' | '\u{2010}' | '\u{2011}' | '/') {
                    // Look one further: only join when a word char follows.
                    let next = text[j + d.len_utf8()..].chars().next();
                    if let Some(n) = next {
                        let join = match d {
                            ',' => all_digits && n.is_ascii_digit(),
                            '.' => n.is_alphanumeric() && !(all_digits && !n.is_ascii_digit()),
                            '/' => all_digits && n.is_ascii_digit(),
                            _ => is_word_char(n),
                        };
                        if join {
                            if d == '.' {
                                has_dot = true;
                            }
                            it.next();
                            e = j + d.len_utf8();
                            continue;
                        }
                    }
                }
                break;
            }
            // Abbreviation dot: "Mr.", "U.S.", single initials "J.".
            if let Some(&(j, '.')) = it.peek() {
                let w = &text[i..e];
                let single_initial = w.chars().count() == 1 && c.is_uppercase();
                if has_dot && !all_digits || single_initial || is_abbrev(w) {
                    e = j + 1;
                    it.next();
                }
            }
            let kind = if all_digits || (c.is_ascii_digit() && text[i..e].bytes().all(|x| x.is_ascii_digit() || x == b',' || x == b'.')) {
                Kind::Num
            } else {
                Kind::Word
            };
            toks.push(Tok { s: i, e, kind, cap: c.is_uppercase(), mark: None, para });
            continue;
        }
        // Two ASCII apostrophes act as one double mark.
        if c == '\'' && b.get(i + 1) == Some(&b'\'') {
            it.next();
            toks.push(Tok { s: i, e: i + 2, kind: Kind::Quote, cap: false, mark: Some(Mark::Straight), para });
            continue;
        }
        if let Some(m) = mark_of(c) {
            toks.push(Tok { s: i, e: i + c.len_utf8(), kind: Kind::Quote, cap: false, mark: Some(m), para });
            continue;
        }
        toks.push(Tok { s: i, e: i + c.len_utf8(), kind: Kind::Punct, cap: false, mark: None, para });
    }
    toks
}

/// Converts byte offsets into code-point offsets in O(1) amortised per
/// call, using checkpoints every 64 bytes.
pub struct CharMap<'a> {
    text: &'a str,
    /// Code points before byte `64 * k`.
    checkpoints: Vec<u32>,
}

impl<'a> CharMap<'a> {
    pub fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut checkpoints = Vec::with_capacity(b.len() / 64 + 2);
        let mut count: u32 = 0;
        for (k, chunk) in b.chunks(64).enumerate() {
            let _ = k;
            checkpoints.push(count);
            count += chunk.iter().filter(|&&x| (x & 0xC0) != 0x80).count() as u32;
        }
        checkpoints.push(count);
        CharMap { text, checkpoints }
    }

    /// Code-point offset of byte offset `byte` (clamped to the text).
    pub fn chars(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        let k = byte / 64;
        let base = self.checkpoints.get(k).copied().unwrap_or(0) as usize;
        let from = k * 64;
        base + self.text.as_bytes()[from..byte].iter().filter(|&&x| (x & 0xC0) != 0x80).count()
    }
}

/// Lower-cases ASCII into a reusable buffer; non-ASCII is kept. Used for
/// lexicon look-ups without allocating per token.
pub fn lower_into(s: &str, buf: &mut String) {
    buf.clear();
    for c in s.chars() {
        if c == '\u{2019}' {
            buf.push('\'');
        } else {
            for l in c.to_lowercase() {
                buf.push(l);
            }
        }
    }
}

/// A sentence as a token range `[start, end)`.
#[derive(Debug, Clone, Copy)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
}

/// Words that begin a sentence after an ambiguous abbreviation dot
/// ("… in the U.S. The …").
const STARTERS: &[&str] = &[
    "The", "A", "An", "He", "She", "They", "It", "We", "I", "But", "In", "This", "That", "And", "Some", "His", "Her",
    "Their", "Its", "On", "At", "As", "If", "When", "Yet", "So", "There", "Our", "Those", "These", "Many", "Most",
];

/// Splits tokens into sentences: at paragraph breaks, and after . ! ? (and
/// closing quotes/brackets after them) when the next token can start a
/// sentence. Dots inside quotes count too, so a quoted passage of several
/// sentences yields several sentences.
pub fn sentences(text: &str, toks: &[Tok]) -> Vec<Sentence> {
    let mut out = Vec::with_capacity(toks.len() / 15 + 2);
    let mut start = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.kind == Kind::Break {
            if i > start {
                out.push(Sentence { start, end: i });
            }
            start = i + 1;
            i += 1;
            continue;
        }
        let tx = &text[t.s..t.e];
        let is_end_punct = t.kind == Kind::Punct && matches!(tx, "." | "!" | "?" | "…");
        let abbrev_end = t.kind == Kind::Word && tx.ends_with('.') && {
            // An abbreviation that may end a sentence.
            let core = &tx[..tx.len() - 1];
            let lw = core.to_ascii_lowercase();
            let title = TITLE_ABBREVS.contains(&lw.as_str()) || core.chars().count() == 1;
            !title && toks.get(i + 1).map(|n| n.kind == Kind::Break || (n.kind == Kind::Word && STARTERS.contains(&&text[n.s..n.e]))).unwrap_or(true)
        };
        if is_end_punct || abbrev_end {
            // Swallow following closers: quotes, brackets, more end punctuation.
            let mut j = i + 1;
            while j < toks.len() {
                let n = &toks[j];
                let nx = &text[n.s..n.e];
                if n.kind == Kind::Quote && n.mark.map(|m| !matches!(m, Mark::LeftDouble | Mark::LeftSingle | Mark::LowDouble | Mark::LeftGuillemet)).unwrap_or(false) && (j + 1 >= toks.len() || toks[j + 1].kind == Kind::Break || toks[j + 1].s > n.e) {
                    j += 1;
                } else if n.kind == Kind::Punct && matches!(nx, ")" | "]" | "." | "!" | "?" | "…") {
                    j += 1;
                } else {
                    break;
                }
            }
            // The next token must look like a sentence start.
            let ok = match toks.get(j) {
                None => true,
                Some(n) => n.kind == Kind::Break || n.cap || n.kind == Kind::Quote || n.kind == Kind::Num || (n.kind == Kind::Punct && matches!(&text[n.s..n.e], "(" | "[" | "—" | "-" | "–")),
            };
            // "said:" lists and ellipses mid-sentence followed by lowercase stay.
            if ok {
                out.push(Sentence { start, end: j });
                start = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if start < toks.len() {
        out.push(Sentence { start, end: toks.len() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<&str> {
        tokenize(t).iter().map(|k| &t[k.s..k.e]).collect()
    }

    #[test]
    fn abbreviations_and_possessives_stay_whole() {
        assert_eq!(words("Mr. Obama’s U.S. plan, 1,000 votes."), vec!["Mr.", "Obama’s", "U.S.", "plan", ",", "1,000", "votes", "."]);
        assert_eq!(words("Rep. G.K. Butterfield (D-N.C.)"), vec!["Rep.", "G.K.", "Butterfield", "(", "D-N.C.", ")"]);
    }

    #[test]
    fn quote_marks_are_tokens() {
        let t = "“Yes,” he said. ''No.''";
        let k = tokenize(t);
        assert_eq!(k[0].mark, Some(Mark::LeftDouble));
        assert_eq!(k.iter().filter(|x| x.kind == Kind::Quote).count(), 4);
    }

    #[test]
    fn sentences_split_after_closing_quote_and_not_after_titles() {
        let t = "“Go,” said Mr. Smith. He left.\nNext one";
        let k = tokenize(t);
        let s = sentences(t, &k);
        assert_eq!(s.len(), 3);
        assert_eq!(&t[k[s[0].start].s..k[s[0].end - 1].e], "“Go,” said Mr. Smith.");
    }

    #[test]
    fn char_map_counts_code_points() {
        let t = "é“a”".repeat(40);
        let m = CharMap::new(&t);
        for (ci, (bi, _)) in t.char_indices().enumerate() {
            assert_eq!(m.chars(bi), ci);
        }
        assert_eq!(m.chars(t.len()), t.chars().count());
    }
}
