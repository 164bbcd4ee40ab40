//! The analysed body: tokens with lower-cased forms, sentences and
//! paragraph/sentence look-ups, shared read-only by every rule.

use crate::lexicon::Lexicon;
use crate::text::{self, Kind, Sentence, Tok};

/// Closed-class words that never head a speaker phrase and split names.
pub const STOP_CAPS: &[&str] = &[
    "the", "a", "an", "but", "and", "or", "in", "on", "at", "as", "if", "when", "while", "after", "before", "he", "she",
    "it", "they", "we", "i", "you", "his", "her", "their", "its", "our", "my", "your", "this", "that", "these",
    "those", "there", "here", "what", "why", "how", "who", "where", "which", "also", "so", "yet", "still", "now",
    "then", "meanwhile", "however", "although", "though", "since", "because", "for", "with", "from", "by", "to",
    "of", "last", "next", "earlier", "later", "asked", "according", "not", "no", "yes", "even", "just", "only",
    "all", "both", "each", "every", "some", "many", "most", "more", "such", "despite", "during", "among", "under",
    "over", "about", "into", "than", "like", "unlike", "without", "within", "until", "unless", "whether", "would",
    "will", "can", "could", "should", "may", "might", "must", "do", "does", "did", "is", "are", "was", "were", "be",
    "been", "has", "have", "had", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december", "jan.", "feb.", "aug.", "sept.", "sep.", "oct.", "nov.", "dec.", "mr", "today", "tonight",
    "yesterday", "tomorrow", "one", "two", "three", "once", "instead", "other", "another", "any", "let", "please",
    "well", "oh", "ok", "okay", "thank", "thanks", "dear", "hey", "hi", "read", "click", "watch", "see", "photo",
    "image", "video", "editor", "editor's", "note", "update", "updated", "advertisement", "follow", "related",
    "neither", "either", "i'm", "i've", "i'd", "i'll",
];

/// The body with its tokens and sentences.
pub struct Doc<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
    lower: String,
    lranges: Vec<(u32, u32)>,
    pub sents: Vec<Sentence>,
    /// Sentence index of each token.
    pub sent_of: Vec<u32>,
    pub lex: &'static Lexicon,
}

impl<'a> Doc<'a> {
    pub fn new(text: &'a str) -> Doc<'a> {
        let toks = text::tokenize(text);
        let mut lower = String::with_capacity(text.len());
        let mut lranges = Vec::with_capacity(toks.len());
        let mut buf = String::new();
        for t in &toks {
            let s = lower.len() as u32;
            if t.kind == Kind::Word {
                text::lower_into(&text[t.s..t.e], &mut buf);
                lower.push_str(&buf);
            } else {
                lower.push_str(&text[t.s..t.e]);
            }
            lranges.push((s, lower.len() as u32));
        }
        let sents = text::sentences(text, &toks);
        let mut sent_of = vec![0u32; toks.len()];
        for (k, s) in sents.iter().enumerate() {
            for x in sent_of.iter_mut().take(s.end).skip(s.start) {
                *x = k as u32;
            }
        }
        Doc { text, toks, lower, lranges, sents, sent_of, lex: Lexicon::get() }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// The token's text as written.
    pub fn s(&self, i: usize) -> &'a str {
        match self.toks.get(i) {
            Some(t) => &self.text[t.s..t.e],
            None => "",
        }
    }

    /// The token's text lower-cased (’ folded to ').
    pub fn lw(&self, i: usize) -> &str {
        match self.lranges.get(i) {
            Some(&(s, e)) => &self.lower[s as usize..e as usize],
            None => "",
        }
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub fn is_word(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word))
    }

    pub fn is_wordish(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word) | Some(Kind::Num))
    }

    pub fn cap(&self, i: usize) -> bool {
        self.toks.get(i).map(|t| t.cap && t.kind == Kind::Word).unwrap_or(false)
    }

    pub fn is_p(&self, i: usize, p: &str) -> bool {
        matches!(self.kind(i), Some(Kind::Punct)) && self.s(i) == p
    }

    pub fn is_quote(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Quote))
    }

    pub fn is_break(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Break))
    }

    /// The sentence the token is in.
    pub fn sent(&self, i: usize) -> Sentence {
        let k = self.sent_of.get(i).copied().unwrap_or(0) as usize;
        self.sents.get(k).copied().unwrap_or(Sentence { start: 0, end: 0 })
    }

    pub fn para(&self, i: usize) -> u32 {
        self.toks.get(i).map(|t| t.para).unwrap_or(u32::MAX)
    }

    /// Byte range of tokens `[a, b)`.
    pub fn bytes(&self, a: usize, b: usize) -> (usize, usize) {
        if a >= b || a >= self.toks.len() {
            return (0, 0);
        }
        let b = b.min(self.toks.len());
        (self.toks[a].s, self.toks[b - 1].e)
    }

    /// Text of tokens `[a, b)` as written.
    pub fn span_text(&self, a: usize, b: usize) -> &'a str {
        let (s, e) = self.bytes(a, b);
        &self.text[s..e]
    }

    /// A capitalised word that is not a closed-class word: may be part of a name.
    pub fn namey(&self, i: usize) -> bool {
        if !self.cap(i) {
            return false;
        }
        let l = self.lw(i);
        let l = l.strip_suffix("'s").unwrap_or(l);
        !STOP_CAPS.contains(&l)
    }

    /// Whether the token's lower-cased form, without a possessive, is `w`.
    pub fn is_w(&self, i: usize, w: &str) -> bool {
        self.lw(i) == w
    }
}
