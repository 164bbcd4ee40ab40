//! Line normalisation and classification: every later step works on these
//! per-line features, computed once, so the whole dump is read in one pass.

use crate::vocab;

/// Longest line kept whole; longer lines (a dump with no line breaks) are
/// cut at a character boundary so that per-line work stays bounded.
pub(crate) const MAX_LINE_BYTES: usize = 64 * 1024;

/// What a line looks like on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Blank,
    /// Long, sentence-like running text: seeds an article body.
    Prose,
    /// A short sentence ("He declined to comment."): body inside a body.
    Sentence,
    /// Anything else: menus, headings, bylines, captions, buttons.
    Short,
}

/// One line of the dump with the features the classifier uses.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Whitespace collapsed (tabs, no-break spaces, zero-width characters),
    /// trimmed.
    pub text: String,
    /// Lower-cased `text`, made on first use: most lines never need it.
    lower: std::cell::OnceCell<String>,
    pub kind: Kind,
    /// Rough word count: space-separated words plus CJK characters / 2.
    pub units: usize,
    pub chars: usize,
    /// CJK characters (these scripts put no spaces between words).
    pub cjk: usize,
    /// Ends like a sentence (. ! ? … or a closing quote after one).
    pub terminal: bool,
    pub boiler: usize,
    pub footer: bool,
    /// Names a photo credit ("Photo: ...", "... /Getty Images").
    pub credit: bool,
    /// Starts with a bullet character.
    pub bullet: bool,
    /// Whether the line states a date and little else, decided on first
    /// use (it needs the reference time) and asked many times after.
    pub date_line: std::cell::OnceCell<bool>,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}')
}

/// Bullet characters that open summary items and list entries.
pub(crate) fn strip_bullet(s: &str) -> Option<&str> {
    let t = s.trim_start();
    let mut it = t.chars();
    let c = it.next()?;
    if matches!(c, '•' | '●' | '▪' | '■' | '◦' | '‣' | '∙' | '·' | '►' | '▶' | '–' | '*' | '-') {
        let rest = it.as_str();
        if rest.starts_with(char::is_whitespace) {
            return Some(rest.trim_start());
        }
    }
    None
}

/// Collapses whitespace runs into one space and drops invisible characters.
fn collapse(raw: &str) -> String {
    let b = raw.as_bytes();
    let clean = b.first().is_none_or(|&c| c != b' ')
        && b.last().is_none_or(|&c| c != b' ')
        && b.iter().all(|&c| c.is_ascii_graphic() || c == b' ')
        && !b.windows(2).any(|w| w == b"  ");
    if clean {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars() {
        if c.is_ascii_graphic() {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
            continue;
        }
        if is_invisible(c) || c.is_control() && !c.is_whitespace() {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

impl Line {
    pub(crate) fn new(raw: &str) -> Line {
        let mut cut = raw.len().min(MAX_LINE_BYTES);
        while !raw.is_char_boundary(cut) {
            cut -= 1;
        }
        let text = collapse(&raw[..cut]);
        let mut chars = 0;
        let mut cjk = 0;
        let mut letters = 0;
        let mut words = usize::from(!text.is_empty());
        if text.is_ascii() {
            chars = text.len();
            for &c in text.as_bytes() {
                words += usize::from(c == b' ');
                letters += usize::from(c.is_ascii_alphabetic());
            }
        } else {
            for c in text.chars() {
                chars += 1;
                words += usize::from(c == ' ');
                if c.is_ascii() {
                    letters += usize::from(c.is_ascii_alphabetic());
                    continue;
                }
                if is_cjk(c) {
                    cjk += 1;
                }
                if c.is_alphabetic() {
                    letters += 1;
                }
            }
        }
        let units = words + cjk / 2;
        let body = text.trim_end_matches(['"', '”', '’', '\'', ')', '»', ']', '」']);
        let terminal = body.ends_with(['.', '!', '?', '…', '。', '！', '？']) && !body.ends_with("...")
            || (body.ends_with("...") && units >= 12);
        let boiler = vocab::boiler_hits(&text);
        let credit = chars <= 400 && vocab::credit_cue(&text, units <= 12);
        let footer = chars < 400 && vocab::is_footer(&text) && !vocab::credit_cue(&text, true);
        let bullet = strip_bullet(raw).is_some();
        let mut line = Line {
            text,
            lower: Default::default(),
            kind: Kind::Blank,
            units,
            chars,
            cjk,
            terminal,
            boiler,
            footer,
            credit,
            bullet,
            date_line: Default::default(),
        };
        line.kind = line.classify(letters, words, cjk);
        line
    }

    fn classify(&self, letters: usize, words: usize, cjk: usize) -> Kind {
        if self.chars == 0 {
            return Kind::Blank;
        }
        let alpha = letters as f32 / self.chars as f32;
        // Glued menus ("Contact UsWork with usAdvertise...") have long "words".
        let avg_word = if words > 0 { (self.chars - cjk) as f32 / words as f32 } else { 99.0 };
        let wordy = cjk * 2 > self.chars || avg_word <= 11.0;
        let (commas, stops) = if self.text.is_ascii() {
            let b = self.text.as_bytes();
            let commas = b.iter().filter(|&&c| c == b',' || c == b';').count();
            (commas, b.windows(2).filter(|w| w == b". ").count())
        } else {
            (self.text.matches([',', ';', '，', '、']).count(), self.text.matches(". ").count())
        };
        let sentences = stops + usize::from(self.terminal);
        let boilerish = self.boiler >= 2 && self.boiler * 12 >= self.units || self.footer;
        if boilerish || alpha < 0.5 || !wordy {
            return Kind::Short;
        }
        let long = self.units >= 15 && self.chars >= 80;
        // Tag clouds and keyword lists are long but have no punctuation.
        let punctuated = sentences + commas >= 1 || cjk * 2 > self.chars;
        if long && (self.terminal || sentences + commas >= 2) || self.units >= 30 && self.chars >= 160 && punctuated {
            return Kind::Prose;
        }
        if self.terminal && self.units >= 4 && self.chars >= 20 {
            return Kind::Sentence;
        }
        Kind::Short
    }

    /// The line in lower case.
    pub(crate) fn lower(&self) -> &str {
        self.lower.get_or_init(|| {
            if self.text.is_ascii() {
                self.text.to_ascii_lowercase()
            } else {
                self.text.to_lowercase()
            }
        })
    }

    pub(crate) fn is_body(&self) -> bool {
        matches!(self.kind, Kind::Prose | Kind::Sentence)
    }
}

/// Splits a dump into classified lines (`\n`, `\r\n` and lone `\r` all end
/// a line).
pub(crate) fn split(text: &str) -> Vec<Line> {
    split_bounded(text, usize::MAX).0
}

/// At most this many lines are read: real dumps have a few thousand, and
/// each line costs about a hundred bytes of memory.
pub(crate) const MAX_LINES: usize = 400_000;

/// [`split`], stopping after `max` lines; the flag says whether text was
/// left unread.
pub(crate) fn split_bounded(text: &str, max: usize) -> (Vec<Line>, bool) {
    let sep = if text.contains('\n') { '\n' } else { '\r' };
    // Sized once: doubling a vector of lines holds up to three times their size while it moves them.
    let mut out =
        Vec::with_capacity(memchr::memchr_iter(sep as u8, text.as_bytes()).count().saturating_add(1).min(max));
    for raw in text.split(sep) {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        for piece in chunks(raw) {
            if out.len() >= max {
                return (out, true);
            }
            out.push(Line::new(piece));
        }
    }
    (out, false)
}

/// Cuts an over-long line into pieces of at most [`MAX_LINE_BYTES`], at a
/// sentence end or space where there is one, so no text is lost and no
/// line costs more than a bounded amount of work.
fn chunks(mut s: &str) -> impl Iterator<Item = &str> {
    let mut first = true;
    std::iter::from_fn(move || {
        if s.is_empty() && !std::mem::take(&mut first) {
            return None;
        }
        first = false;
        if s.len() <= MAX_LINE_BYTES {
            let all = s;
            s = "";
            return Some(all);
        }
        let mut cut = MAX_LINE_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        let head = &s[..cut];
        let at = head.rfind(". ").map(|k| k + 2).or_else(|| head.rfind(' ').map(|k| k + 1));
        let cut = at.filter(|&k| k > MAX_LINE_BYTES / 2).unwrap_or(cut);
        let (a, b) = s.split_at(cut);
        s = b;
        Some(a)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_prose_sentences_and_chrome() {
        let p = Line::new(
            "The council voted on Tuesday to close the old bridge, citing cracks found by inspectors in the spring.",
        );
        assert_eq!(p.kind, Kind::Prose);
        assert_eq!(Line::new("She declined to comment.").kind, Kind::Sentence);
        assert_eq!(Line::new("Business").kind, Kind::Short);
        assert_eq!(Line::new("   ").kind, Kind::Blank);
        assert_eq!(
            Line::new("Contact UsWork with usAdvertiseT Brand StudioYour Ad ChoicesPrivacyTerms").kind,
            Kind::Short
        );
        assert_eq!(Line::new("© 2024 Example Media. All rights reserved.").kind, Kind::Short);
    }

    #[test]
    fn normalises_whitespace() {
        let l = Line::new("\u{a0}\tHello\u{a0}\u{a0}world\u{200b}!\t");
        assert_eq!(l.text, "Hello world!");
        assert!(Line::new("  • Point one").bullet);
        assert_eq!(split("a\r\nb\r\nc\n").len(), 4);
        assert_eq!(split("a\rb").len(), 2);
    }

    #[test]
    fn huge_line_is_chunked_without_loss() {
        let s = "word é. ".repeat(MAX_LINE_BYTES / 3);
        let v = split(&s);
        assert!(v.len() > 1);
        assert!(v.iter().all(|l| l.text.len() <= MAX_LINE_BYTES));
        let total: usize = v.iter().map(|l| l.text.matches("word").count()).sum();
        assert_eq!(total, MAX_LINE_BYTES / 3);
    }
}
