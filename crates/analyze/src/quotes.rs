//! Who said what: quoted passages and reported speech, each tied to the
//! words that name its speaker, the cue and the addressee.
//!
//! The rules work in three passes. (1) Quotation marks are paired per
//! paragraph into segments; long or sentence-like segments that stand on
//! their own are direct quotes, short ones inside a sentence are quoted
//! phrases (titles, scare quotes, or parts of mixed reported speech).
//! (2) Each direct segment looks for its attribution right after its close
//! (`…,” she said`) or right before its open (`He said: “…`); segments
//! split by one attribution, or following it in the same paragraph, are
//! merged; an unattributed quote continues the last speaker. (3) Sentences
//! outside direct quotes are scanned for cue verbs and phrases to find
//! reported speech in its three shapes: `X said (that) CLAUSE`,
//! `CLAUSE, X said.` and `according to X, CLAUSE`.

use newsdesk_model::QuoteKind;

use crate::doc::Doc;
use crate::names::Names;
use crate::text::{Kind, Mark};

/// A quote before offsets are converted and speakers resolved.
#[derive(Debug, Clone)]
pub struct RawQuote {
    /// Byte ranges of the statement's parts, in order.
    pub frags: Vec<(usize, usize)>,
    pub kind: QuoteKind,
    /// Token range of the speaker as written.
    pub speaker: Option<(usize, usize)>,
    /// Token range of the cue.
    pub cue: Option<(usize, usize)>,
    pub cue_text: Option<String>,
    pub addressee: Option<(usize, usize)>,
    /// Role given in an apposition ("Kelin, Russia’s ambassador, said").
    pub role: Option<(usize, usize)>,
    /// Continues the speaker of this earlier quote (no attribution of its own).
    pub continues: Option<usize>,
    /// First token of the statement, for ordering.
    pub first_tok: usize,
}

/// A pair of quotation marks (or an open mark running to paragraph end).
#[derive(Debug, Clone, Copy)]
struct Seg {
    open: usize,
    close: Option<usize>,
    /// Exclusive end token (close + 1, or the paragraph's end).
    end: usize,
    /// Stands on its own as speech (vs. a quoted phrase inside a sentence).
    speech: bool,
}

const DETS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "our", "my", "your", "some",
    "many", "most", "several", "other", "another", "one", "two", "three", "four", "five", "all", "both", "each",
    "few", "more", "no", "any", "every", "such", "top", "senior", "former",
];
const PRONOUNS: &[&str] = &["he", "she", "they", "it", "we", "i", "you", "who", "which"];
const ADV_AUX: &[&str] = &[
    "also", "has", "have", "had", "later", "then", "previously", "recently", "again", "repeatedly", "once", "often",
    "publicly", "privately", "reportedly", "further", "even", "simply", "just", "never", "long", "already",
    "quickly", "flatly", "specifically", "initially", "earlier", "first", "frequently", "apparently", "explicitly",
    "still", "would", "will", "could", "may", "might", "should", "did", "does", "do", "not", "both", "all",
    "sharply", "openly", "loudly", "angrily", "bluntly", "calmly", "separately", "subsequently", "eventually",
    "finally", "ultimately", "directly", "proudly", "confidently", "tersely", "famously", "memorably", "since",
    "correctly", "falsely", "wrongly", "rightly", "clearly", "specifically", "strongly", "firmly", "widely",
    "generally", "personally", "herself", "himself", "themselves", "itself", "allegedly", "likely", "certainly",
    "probably", "mistakenly", "only", "now", "had", "must", "can", "is", "are", "was", "were", "been", "be",
    "being", "seemingly", "essentially", "basically", "immediately", "quietly", "openly", "cheerfully", "wryly",
];
/// Words that stop a speaker phrase scanned to the right of an inverted cue.
const NP_STOP: &[&str] = &[
    "on", "in", "at", "during", "after", "before", "to", "with", "from", "about", "when", "while", "as", "because",
    "who", "which", "that", "and", "but", "adding", "referring", "in", "last", "this", "on", "told", "said", "says",
    "yesterday", "today", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "earlier", "later", "recently", "is", "was", "has", "had", "will", "would", "via", "through", "into", "by",
    "noting", "saying", "explaining", "arguing", "pointing", "speaking", "citing", "where", "if", "than", "over",
];
/// Words after a speech verb that show it is not reporting a clause.
const NOT_CLAUSE: &[&str] = &[
    "to", "about", "of", "for", "with", "by", "nothing", "something", "anything", "goodbye", "hello", "yes", "no",
    "so", "sorry", "more", "less", "otherwise", "little", "much", "thanks", "it.", "hi", "up", "out", "off", "down",
    "away", "back", "over", "into", "on", "upon", "against", "as", "from", "at", "why", "how", "what", "whether",
    "if", "this", "these", "those", "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "him",
    "them", "me", "us", "himself", "herself", "themselves", "reporters", "some", "any", "one", "otherwise",
];
/// Determiners that open a reported clause's subject after a verb of
/// saying ("said its policy is …", "say any effort would …").
const DET_CLAUSE: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "these", "those", "some", "any",
    "many", "most", "one", "every", "each", "all", "both", "few", "several", "such", "another", "other", "no",
];
/// Subjects that make a bare clause after a belief verb believable.
const SUBJ: &[&str] = &[
    "he", "she", "they", "it", "we", "i", "you", "there", "this", "that", "he's", "she's", "it's", "they're",
    "we're", "i'm", "you're", "there's", "that's", "the", "his", "her", "their", "our", "trump", "clinton",
];
/// Noun-like cue forms that need a clear subject to be a verb.
const NOUNISH: &[&str] = &[
    "state", "states", "post", "posts", "note", "notes", "report", "reports", "claim", "claims", "read", "reads",
    "point", "points", "project", "projects", "signal", "signals", "estimate", "estimates", "forecast",
    "forecasts", "answer", "answers", "comment", "comments", "charge", "charges", "demand", "demands", "counter",
    "doubt", "doubts", "fear", "fears", "hope", "hopes", "sense", "figure", "figures", "continue", "promise",
    "promises", "pledge", "pledges", "vow", "vows", "warning", "view", "views", "find", "finds", "sees", "see",
    "hear", "learn", "know", "feel", "mention", "remark", "remarks", "reply", "replies", "respond", "request",
    "joke", "jokes", "complaint", "boast", "lament", "caution", "tweet", "tweets", "question", "recall",
    "reveal", "show", "shows", "guarantee", "counsel", "repeat", "publish", "describe", "describes",
    "describing", "described", "inform", "consider", "considers", "considered", "expected", "decided",
    "determined", "convinced", "concluded",
];

/// Auxiliaries, modals and copulas: a finite verb, so a clause.
const FINITE: &[&str] = &[
    "is", "are", "was", "were", "will", "would", "could", "can", "should", "may", "might", "must", "has", "have",
    "had", "did", "does", "do", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "couldn't", "can't",
    "shouldn't", "hasn't", "haven't", "hadn't", "didn't", "doesn't", "don't", "cannot", "remains", "remain",
    "remained", "needs", "need", "needed", "deserves", "deserved", "wants", "wanted",
];
/// Words in NOT_CLAUSE that may still open a reported clause's subject
/// ("said much of the talk was about …", "said if elected he would …"):
/// accepted when a finite verb follows.
const MAYBE_CLAUSE: &[&str] = &[
    "much", "more", "less", "little", "some", "any", "one", "the", "a", "an", "his", "her", "their", "its", "our",
    "my", "your", "this", "these", "those", "nothing", "something", "anything", "no", "if", "about",
];

/// Whether a finite verb follows `a` within the clause (before the
/// sentence ends), past at least one word: "much of his talk *was* …".
fn finite_follows(doc: &Doc, a: usize, se: usize) -> bool {
    let mut k = a + 1;
    while k < se && k < a + 20 {
        if doc.is_p(k, ".") || doc.is_p(k, ";") || doc.is_p(k, "?") || doc.is_p(k, "!") || doc.is_quote(k) {
            return false;
        }
        if doc.is_word(k) && !doc.cap(k) && (in_list(doc.lw(k), FINITE) || (k > a + 1 && doc.lw(k).ends_with("ed") && !doc.is_w(k - 1, "the") && !doc.is_w(k - 1, "a"))) {
            return true;
        }
        k += 1;
    }
    false
}

/// Longest sentence, in tokens, searched for reported speech.
const MAX_SENTENCE_TOKENS: usize = 400;

fn in_list(l: &str, list: &[&str]) -> bool {
    list.contains(&l)
}

/// Words that open an adjunct after a cue ("…, he said on Monday"), so a
/// trailing attribution can end there; anything else after the cue starts
/// the reported clause itself ("By now, X said he was …").
const ADJUNCT_START: &[&str] = &[
    "in", "on", "at", "during", "after", "before", "to", "of", "about", "with", "via", "through", "last", "this",
    "yesterday", "today", "tonight", "earlier", "later", "recently", "repeatedly", "when", "while", "as", "because",
    "adding", "referring", "noting", "citing", "according", "since", "from", "for", "again", "also", "then",
    "privately", "publicly", "afterward", "afterwards", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "by", "under", "without", "over", "outside", "inside", "near", "who",
    "which", "whose", "speaking", "explaining", "pointing", "arguing", "saying", "stressing", "insisting",
    "warning", "calling", "asking", "writing", "late", "early", "once", "now", "too", "flatly", "simply", "quietly",
    "sunday's", "last week", "ahead", "following", "amid", "among", "against", "prior", "just", "and", "but",
];
/// Object pronouns and bare addressees after a verb of telling.
const OBJ_PRONOUNS: &[&str] = &["him", "her", "them", "me", "us", "you", "reporters", "journalists", "supporters", "voters", "listeners", "viewers", "everyone", "people", "lawmakers", "students", "members", "investors", "donors", "followers", "fans", "audiences", "officials", "senators", "delegates"];
/// Subject pronouns (with contractions) that start a reported clause.
const SUBJ_PRON: &[&str] = &[
    "he", "she", "they", "it", "we", "i", "you", "there", "he's", "she's", "it's", "they're", "we're", "i'm",
    "you're", "there's", "he'd", "she'd", "they'd", "we'd", "i'd", "he'll", "she'll", "they'll", "we'll", "i'll",
    "it'll", "they've", "we've", "i've", "that's",
];

/// The addressee right after a verb of telling: an object pronoun, or a
/// short noun phrase that ends before a clause's subject.
fn addressee_np(doc: &Doc, names: &Names, j: usize, limit: usize) -> Option<(usize, usize)> {
    if j >= limit || !doc.is_word(j) {
        return None;
    }
    let l = doc.lw(j);
    // "told her the plan …" (object) but "told her supporters …" (possessive).
    let possessive_her = l == "her" && doc.is_word(j + 1) && !doc.cap(j + 1) && !in_list(doc.lw(j + 1), SUBJ_PRON) && !in_list(doc.lw(j + 1), DETS) && doc.lw(j + 1) != "that";
    if in_list(l, OBJ_PRONOUNS) && !possessive_her {
        return Some((j, j + 1));
    }
    if in_list(l, SUBJ_PRON) || l == "that" {
        return None;
    }
    let np = np_right(doc, names, j, limit)?;
    // Cut before a subject pronoun or after a name followed by lower-case words.
    let mut k = j + 1;
    while k < np.1 {
        if in_list(doc.lw(k), SUBJ_PRON) {
            return Some((j, k));
        }
        // "told his supporters the nation …": a second determiner starts
        // the clause, unless a preposition joins it to the first phrase.
        if matches!(doc.lw(k), "the" | "a" | "an" | "this" | "these" | "those" | "his" | "her" | "their" | "its" | "our")
            && !matches!(doc.lw(k - 1), "of" | "for" | "at" | "to" | "in" | "on" | "and" | "with" | "from" | "by")
        {
            return Some((j, k));
        }
        if let Some(m) = names.mention_at(k) {
            if m.b < np.1 && doc.is_word(m.b) && !doc.cap(m.b) && !matches!(doc.lw(m.b), "of" | "for" | "at" | "news" | "radio" | "television" | "magazine" | "newspaper") {
                return Some((j, m.b));
            }
            k = m.b.max(k + 1);
            continue;
        }
        k += 1;
    }
    // "told the court the state …": a determiner phrase is at most a few words.
    if names.mention_at(j).is_none() && np.1 > j + 4 && !(j..np.1).any(|t| doc.cap(t)) {
        return Some((j, (j + 3).min(np.1)));
    }
    Some(np)
}

/// Whether the tokens after a cue at `c` are only adjuncts, so that the cue
/// can close a trailing attribution ("…, X said (to Y) on Monday.").
fn cue_tail_is_adjunct(doc: &Doc, names: &Names, c: usize, tell: bool, se: usize) -> bool {
    let mut k = c + 1;
    if tell {
        if let Some(ad) = addressee_np(doc, names, k, se) {
            k = ad.1;
        }
    }
    if k >= se || !doc.is_wordish(k) {
        return !doc.is_quote(k) || k >= se;
    }
    // "reported at least six …": a quantity opening the clause.
    if doc.is_w(k, "at") && matches!(doc.lw(k + 1), "least" | "most") {
        return false;
    }
    // "agreed to effectively lend …", "agreed to clean up …": an
    // infinitive, not "said to reporters".
    if doc.is_w(k, "to") && doc.is_word(k + 1) && !doc.cap(k + 1) && !in_list(doc.lw(k + 1), DETS) && !in_list(doc.lw(k + 1), OBJ_PRONOUNS) && !doc.lw(k + 1).ends_with('s') {
        return false;
    }
    in_list(doc.lw(k), ADJUNCT_START)
}

fn opens(m: Mark) -> bool {
    matches!(m, Mark::LeftDouble | Mark::LowDouble | Mark::LeftGuillemet | Mark::LeftSingle)
}

/// Pairs quotation marks per paragraph.
fn segments(doc: &Doc) -> Vec<Seg> {
    let toks = &doc.toks;
    let any_double = toks.iter().any(|t| t.mark.map(|m| m.is_double()).unwrap_or(false));
    let is_mark = |i: usize| -> Option<Mark> {
        let m = toks[i].mark?;
        if any_double {
            if m.is_double() {
                Some(m)
            } else {
                None
            }
        } else if m == Mark::StraightSingle || m == Mark::LeftSingle || m == Mark::RightSingle {
            Some(m)
        } else {
            None
        }
    };
    let mut segs = Vec::new();
    let mut open: Option<usize> = None;
    let n = toks.len();
    for i in 0..n {
        let t = &toks[i];
        if t.kind == Kind::Break {
            if let Some(o) = open.take() {
                segs.push(Seg { open: o, close: None, end: i, speech: false });
            }
            continue;
        }
        let Some(m) = is_mark(i) else { continue };
        let attached_left = i > 0 && toks[i - 1].e == t.s && toks[i - 1].kind != Kind::Break;
        let attached_right = i + 1 < n && toks[i + 1].s == t.e && toks[i + 1].kind != Kind::Break;
        match open {
            None => {
                // Anything but a clearly closing mark opens.
                let closing_shape = !opens(m) && attached_left && !attached_right;
                if !closing_shape || matches!(m, Mark::Straight | Mark::StraightSingle) {
                    if matches!(m, Mark::StraightSingle | Mark::RightSingle) && attached_left {
                        continue; // apostrophe
                    }
                    open = Some(i);
                }
            }
            Some(o) => {
                let closes = match m {
                    Mark::LeftDouble | Mark::LowDouble | Mark::LeftGuillemet | Mark::LeftSingle => {
                        // “ closes in „…“ style or when used as a stray closer.
                        attached_left && !attached_right
                    }
                    Mark::StraightSingle | Mark::RightSingle => !attached_right || !attached_left,
                    _ => true,
                };
                if closes {
                    segs.push(Seg { open: o, close: Some(i), end: i + 1, speech: false });
                    open = None;
                } else {
                    // A second open: the first was never closed.
                    segs.push(Seg { open: o, close: None, end: i, speech: false });
                    open = Some(i);
                }
            }
        }
    }
    if let Some(o) = open {
        segs.push(Seg { open: o, close: None, end: n, speech: false });
    }
    segs
}

/// Words (and numbers) inside a segment.
fn seg_words(doc: &Doc, s: &Seg) -> usize {
    (s.open + 1..s.end).filter(|&i| doc.is_wordish(i)).count()
}

fn is_speech_cue(doc: &Doc, i: usize) -> bool {
    doc.is_word(i) && !doc.cap(i) && doc.lex.cue(doc.lw(i)).map(|c| c.speech || c.tell || c.show).unwrap_or(false)
}

/// A cue-like token, capitalised or not (sentence-initial "Says").
fn any_cue(doc: &Doc, i: usize) -> bool {
    doc.is_word(i) && doc.lex.cue(doc.lw(i)).map(|c| c.speech || c.tell || c.show || c.belief).unwrap_or(false)
}

/// Speaker phrase starting at `j` (inverted attribution: `said Rep. X`).
pub fn np_right(doc: &Doc, names: &Names, j: usize, limit: usize) -> Option<(usize, usize)> {
    if j >= limit || !(doc.is_word(j) || doc.kind(j) == Some(Kind::Num) && doc.is_word(j + 1) && !doc.cap(j + 1)) {
        return None;
    }
    let l = doc.lw(j);
    if in_list(l, PRONOUNS) {
        return Some((j, j + 1));
    }
    if in_list(l, NP_STOP) || matches!(l, "despite" | "although" | "though" | "unless" | "whether" | "even" | "being" | "having") {
        return None;
    }
    let mut k = j;
    let mut saw_head = false;
    while k < limit && k < j + 14 {
        if !doc.is_wordish(k) {
            // Keep a parenthetical party/state tag: "(D-Mo.)".
            if doc.is_p(k, "(") {
                let mut m = k + 1;
                while m < limit && m < k + 6 && !doc.is_p(m, ")") {
                    m += 1;
                }
                if m < limit && doc.is_p(m, ")") && saw_head {
                    k = m + 1;
                    continue;
                }
            }
            break;
        }
        let l = doc.lw(k);
        if k > j && (in_list(l, NP_STOP) || in_list(l, FINITE) || in_list(l, SUBJ_PRON) || (is_speech_cue(doc, k) && !doc.lex.is_title(l))) {
            break;
        }
        if (l == "of" || l == "for" || l == "at") && k > j {
            // "a spokesman for the campaign": keep going only into a noun phrase.
            if !(doc.is_word(k + 1) && (doc.cap(k + 1) || in_list(doc.lw(k + 1), DETS))) {
                break;
            }
        }
        if names.mention_at(k).is_some() || !in_list(l, DETS) {
            saw_head = true;
        }
        k += 1;
    }
    if k > j && saw_head {
        Some((j, k))
    } else {
        None
    }
}

/// Speaker phrase ending at `j` inclusive (normal order: `X said`).
fn np_left_core(doc: &Doc, names: &Names, j: usize, floor: usize) -> Option<(usize, usize)> {
    // "Six in 10 say", "one in five voters said": a share of people.
    let numberish = |t: usize| doc.kind(t) == Some(Kind::Num) || in_list(doc.lw(t), NUMBER_WORDS);
    if j >= floor + 2 && numberish(j) && doc.is_w(j - 1, "in") && numberish(j - 2) {
        let mut a = j - 2;
        if a >= floor + 2 && doc.is_w(a - 1, "than") && matches!(doc.lw(a - 2), "more" | "fewer" | "less") {
            a -= 2;
        }
        return Some((a, j + 1));
    }
    if j < floor || !doc.is_word(j) {
        return None;
    }
    let l = doc.lw(j);
    if in_list(l, PRONOUNS) {
        return Some((j, j + 1));
    }
    // "Most believe that …", "Many say …": a quantifier standing alone.
    if in_list(l, QUANT_SUBJ) && (j == floor || !doc.is_wordish(j - 1) || matches!(doc.lw(j - 1), "and" | "but")) {
        return Some((j, j + 1));
    }
    if in_list(l, crate::doc::STOP_CAPS) && !doc.lex.is_title(l) {
        return None;
    }
    // Walk left over the phrase.
    let mut a = j;
    let mut steps = 0;
    while a > floor && steps < 9 {
        let p = a - 1;
        if !doc.is_wordish(p) {
            break;
        }
        let pl = doc.lw(p);
        if names.mention_at(p).is_some() || doc.cap(p) && !in_list(pl, crate::doc::STOP_CAPS) {
            a = p;
        } else if in_list(pl, DETS) || pl.ends_with("'s") {
            a = p;
            if in_list(pl, DETS) && !matches!(pl, "top" | "senior" | "former" | "other") {
                break;
            }
        } else if doc.lex.is_title(pl) || (!in_list(pl, crate::doc::STOP_CAPS) && !any_cue(doc, p) && pl.len() > 2 && !pl.ends_with("ly") && steps < 4 && !pl.ends_with("ed")) {
            a = p;
        } else if (pl == "of" || pl == "for" || pl == "at") && p > floor && steps < 6 {
            a = p;
        } else if pl == "in" && p > floor && steps < 6 && names.mention_at(p + 1).is_some_and(|m| names.ents[m.ent].kind == crate::names::EKind::Place) && doc.is_word(p - 1) && holder_like(doc, p - 1) {
            // "a woman in Worcester told …": a person somewhere.
            a = p;
        } else {
            break;
        }
        steps += 1;
    }
    // "sources with knowledge of the talks", "a person close to the
    // campaign", "officials familiar with the matter": the head comes first.
    if a > floor + 1 && in_list(doc.lw(a), DETS) && matches!(doc.lw(a - 1), "of" | "with" | "to" | "on" | "in") {
        let mut p = a - 1;
        let mut hops = 0;
        while p > floor && hops < 6 && doc.is_word(p - 1) && (!in_list(doc.lw(p - 1), crate::doc::STOP_CAPS) || matches!(doc.lw(p - 1), "with" | "to" | "of")) && !any_cue(doc, p - 1) {
            p -= 1;
            hops += 1;
        }
        while p < a - 1 && matches!(doc.lw(p), "with" | "to" | "of") {
            p += 1;
        }
        let head = doc.lw(p.min(a - 1));
        let qualifier = (p..a - 1).any(|t| matches!(doc.lw(t), "knowledge" | "close" | "familiar" | "briefed" | "involved" | "aware" | "sources" | "people" | "officials" | "source" | "person" | "official"));
        if p < a - 1 && qualifier && !head.is_empty() {
            // Take in a determiner or adjective before the head noun.
            while p > floor && doc.is_word(p - 1) && (in_list(doc.lw(p - 1), DETS) || doc.cap(p - 1)) && p + 8 > a {
                p -= 1;
            }
            a = p;
        }
    }
    // Do not start on a preposition.
    while a < j && matches!(doc.lw(a), "of" | "for" | "at") {
        a += 1;
    }
    Some((a, j + 1))
}

/// Speaker phrase that ends right before cue `c`, skipping adverbs,
/// auxiliaries, a parenthetical tag and an apposition. Returns the phrase
/// and the apposition's token range.
fn np_left(doc: &Doc, names: &Names, c: usize, floor: usize) -> Option<((usize, usize), Option<(usize, usize)>)> {
    if c == 0 || c <= floor {
        return None;
    }
    let mut j = c - 1;
    let mut skipped = 0;
    while j > floor && doc.is_word(j) && skipped < 6 {
        let l = doc.lw(j);
        if in_list(l, ADV_AUX) || in_list(l, NEG_AUX) || is_adverb(doc, j) {
            j -= 1;
        } else if in_list(l, WEEKDAYS) {
            // "X on Friday said", "X Tuesday said".
            j -= 1;
            if j > floor && doc.is_w(j, "on") {
                j -= 1;
            }
        } else if matches!(l, "week" | "month" | "year" | "weekend" | "morning" | "night" | "evening" | "afternoon") && j > floor + 1 && matches!(doc.lw(j - 1), "this" | "last" | "next" | "that" | "later" | "earlier") {
            j -= 2;
            if j > floor && matches!(doc.lw(j), "earlier" | "later") {
                j -= 1;
            }
        } else {
            break;
        }
        skipped += 1;
    }
    if doc.is_word(j) && (in_list(doc.lw(j), ADV_AUX) || in_list(doc.lw(j), NEG_AUX)) {
        return None;
    }
    if doc.is_p(j, ")") {
        let mut m = j;
        while m > floor && m + 8 > j && !doc.is_p(m, "(") {
            m -= 1;
        }
        if doc.is_p(m, "(") && m > floor {
            j = m - 1;
        }
    }
    let mut role = None;
    let sep = if doc.is_p(j, ",") { Some(",") } else if doc.is_p(j, "—") || doc.is_p(j, "–") { Some(doc.s(j)) } else { None };
    if let (Some(sep), true) = (sep, j > floor) {
        // Apposition: "Kenneth Baer, a former official who …, said"; a
        // chain of them ("Jane Roe, 29, of Austin, Texas, said"); or the
        // role first and the name in the apposition ("Her aide, Ann Lee, said").
        let role_end = j;
        let mut m = j - 1;
        let mut hops = 0;
        // After a hop over "…, of Ohio, a Republican who …, said": the
        // place may end the name itself when no further comma comes.
        let mut fallback: Option<(usize, usize)> = None;
        loop {
            while m > floor && m + 30 > j && !doc.is_p(m, sep) && !doc.is_quote(m) && !doc.is_break(m) {
                m -= 1;
            }
            if !(doc.is_p(m, sep) && m > floor && m + 1 < j) {
                if let Some((e0, m0)) = fallback {
                    role = Some((m0 + 1, role_end));
                    j = e0;
                    break;
                }
                return None;
            }
            let mut e = m - 1;
            if doc.is_p(e, ")") {
                while e > floor && !doc.is_p(e, "(") {
                    e -= 1;
                }
                e = e.saturating_sub(1);
            }
            let is_place = names.mention_at(e).map(|x| names.ents[x.ent].kind == crate::names::EKind::Place).unwrap_or(false);
            let is_age = doc.kind(e) == Some(Kind::Num) && m >= e + 1;
            // "…, of Huntsville, Ala., said": a city and its state.
            let state_like = j == m + 2 && doc.cap(m + 1) && (doc.s(m + 1).ends_with('.') || names.mention_at(m + 1).map(|x| names.ents[x.ent].kind == crate::names::EKind::Place).unwrap_or(false));
            if state_like && hops < 3 && e > floor + 1 && doc.cap(e) {
                hops += 1;
                j = m;
                m = e;
                continue;
            }
            if (is_place || is_age) && hops < 3 && e > floor + 1 {
                // Part of the apposition chain; keep walking left.
                if is_place && hops == 0 {
                    fallback = Some((e, m));
                }
                hops += 1;
                j = m;
                m = e;
                continue;
            }
            if names.mention_at(e).is_some() || doc.cap(e) {
                role = Some((m + 1, role_end));
                j = e;
                break;
            }
            // A common-noun subject with a relative clause or a list set
            // off: "the campaign, which has …, said", "speakers — including
            // …, — said".
            let participle = doc.is_word(m + 1) && !doc.cap(m + 1) && doc.lw(m + 1).ends_with("ed") && in_list(doc.lw(e), DOC_NOUNS);
            if hops == 0 && doc.is_word(e) && !in_list(doc.lw(e), ADV_AUX) && (matches!(doc.lw(m + 1), "who" | "which" | "whose" | "including") || participle) {
                role = Some((m + 1, role_end));
                j = e;
                break;
            }
            // "ROLE, NAME, said": the name sits in the apposition.
            if sep == "," && hops == 0 {
                if let Some(nm) = names.mention_at(role_end - 1) {
                    let ent = &names.ents[nm.ent];
                    let start = (m + 1..role_end).find(|&t| names.mention_at(t).map(|x| x.ent == nm.ent).unwrap_or(false));
                    if let Some(st) = start {
                        if ent.kind != crate::names::EKind::Place && st == m + 1 && nm.b >= role_end {
                            let r = np_left_core(doc, names, e, floor).map(|x| (x.0, m));
                            return Some(((st, role_end), r));
                        }
                    }
                }
            }
            return None;
        }
    }
    np_left_core(doc, names, j, floor).map(|np| (np, role))
}

/// A lower-case "-ly" adverb ("flatly", "ridiculously").
fn is_adverb(doc: &Doc, i: usize) -> bool {
    let l = doc.lw(i);
    doc.is_word(i) && !doc.cap(i) && l.len() > 4 && l.ends_with("ly") && !matches!(l, "family" | "ally" | "rally" | "assembly" | "supply" | "anomaly" | "monopoly" | "butterfly" | "bully" | "reply" | "daily" | "weekly" | "monthly" | "quarterly" | "yearly" | "italy" | "july" | "homily")
}

const NEG_AUX: &[&str] = &[
    "didn't", "doesn't", "don't", "hasn't", "haven't", "hadn't", "wasn't", "weren't", "won't", "wouldn't", "can't",
    "couldn't", "shouldn't", "isn't", "aren't", "cannot",
];
const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday", "today", "tonight"];

/// First token of the subject of the sentence holding `c`: the first name,
/// pronoun or determiner phrase before `c`.
fn subject_before(doc: &Doc, names: &Names, c: usize, floor: usize) -> Option<(usize, usize)> {
    let mut i = floor.max(c.saturating_sub(80));
    while i < c {
        if doc.is_word(i) {
            let l = doc.lw(i);
            if matches!(l, "he" | "she" | "they" | "we" | "i") {
                return Some((i, i + 1));
            }
            if let Some(m) = names.mention_at(i) {
                if doc.toks[i].cap {
                    return Some(subject_phrase(doc, names, i, m.b.min(c), c, floor));
                }
            }
        }
        if doc.is_quote(i) {
            return None;
        }
        i += 1;
    }
    None
}

/// The whole subject around the name at `a..b`: "Democratic candidate
/// Hillary Clinton", "two Democratic speechwriters", "The Republican
/// nominee" rather than the adjective-like name alone. Extends right over
/// titles, names and people nouns (not verbs) and left over a determiner or
/// number word; keeps `a..b` when no noun head follows.
fn subject_phrase(doc: &Doc, names: &Names, a: usize, b: usize, limit: usize, floor: usize) -> (usize, usize) {
    let mut k = b;
    let mut end = b;
    while k < limit && k < b + 6 && doc.is_word(k) {
        if let Some(m) = names.mention_at(k).filter(|_| doc.cap(k)) {
            k = m.b.max(k + 1);
            end = k.min(limit);
            continue;
        }
        let l = doc.lw(k);
        let people = !doc.cap(k) && (holder_noun(doc, k) || (l.len() > 5 && (l.ends_with("ers") || l.ends_with("ists") || l.ends_with("ians"))));
        let modifier = !doc.cap(k) && matches!(l, "presidential" | "vice" | "former" | "deputy" | "acting" | "chief" | "senior");
        if people {
            k += 1;
            end = k;
        } else if modifier {
            k += 1;
        } else {
            break;
        }
    }
    let mut start = a;
    if end > b && start > floor && doc.is_word(start - 1) && (in_list(doc.lw(start - 1), DETS) || in_list(doc.lw(start - 1), NUMBER_WORDS)) {
        start -= 1;
    }
    (start, end)
}

/// Attribution found next to a direct quote.
struct Attr {
    speaker: Option<(usize, usize)>,
    cue: Option<(usize, usize)>,
    role: Option<(usize, usize)>,
    addressee: Option<(usize, usize)>,
    /// First token after the attribution clause.
    end: usize,
}

/// End of the paragraph holding `i`, looking at most 300 tokens ahead:
/// attributions are local, and an unbounded scan per quote mark would make
/// a huge paragraph full of marks quadratic.
fn para_end(doc: &Doc, i: usize) -> usize {
    let mut k = i;
    let lim = i.saturating_add(300).min(doc.len());
    while k < lim && !doc.is_break(k) {
        k += 1;
    }
    k
}

/// `…,” he said` / `…,” said X` / `…” ― X` right after the close mark.
fn attr_after(doc: &Doc, names: &Names, close: usize) -> Option<Attr> {
    let pe = para_end(doc, close + 1);
    let mut j = close + 1;
    while j < pe && (doc.is_p(j, ",") || doc.is_p(j, "—") || doc.is_p(j, "–") || doc.is_p(j, "-") || doc.is_p(j, "―")) {
        j += 1;
    }
    if j >= pe {
        return None;
    }
    let dash = j > close + 1 && (doc.is_p(j - 1, "—") || doc.is_p(j - 1, "―") || doc.is_p(j - 1, "–"));
    if is_speech_cue(doc, j) || (doc.is_word(j) && doc.lw(j) == "says") {
        let sp = np_right(doc, names, j + 1, pe)?;
        let end = clause_tail(doc, sp.1, pe);
        let role = appos_right(doc, sp.1, pe);
        return Some(Attr { speaker: Some(sp), cue: Some((j, j + 1)), role, addressee: None, end });
    }
    // Normal order: up to ~10 tokens of speaker, then the cue.
    let mut c = j;
    let mut in_paren = false;
    while c < pe && c < j + 20 {
        // A cue word right after a determiner is a noun ("the report said").
        if is_speech_cue(doc, c) && c > j && !in_list(doc.lw(c - 1), DETS) {
            break;
        }
        if doc.is_p(c, "(") {
            in_paren = true;
        } else if doc.is_p(c, ")") {
            in_paren = false;
        }
        // A full stop inside a party tag ("(D-Wis.)") does not end it.
        if (doc.is_p(c, ".") && !in_paren) || doc.is_quote(c) || doc.is_p(c, "?") || doc.is_p(c, "!") {
            c = pe;
            break;
        }
        c += 1;
    }
    if c < pe && c < j + 20 && is_speech_cue(doc, c) && !in_list(doc.lw(c - 1), DETS) {
        if let Some((sp, role)) = np_left(doc, names, c, j.saturating_sub(1)) {
            if sp.0 >= j {
                let mut addressee = None;
                let cls = doc.lex.cue(doc.lw(c)).unwrap_or_default();
                if cls.tell {
                    addressee = np_right(doc, names, c + 1, pe);
                }
                let end = clause_tail(doc, c + 1, pe);
                return Some(Attr { speaker: Some(sp), cue: Some((c, c + 1)), role, addressee, end });
            }
        }
    }
    if dash && names.mention_at(j).is_some() {
        let m = names.mention_at(j)?;
        let b = m.b;
        return Some(Attr { speaker: Some((j, b)), cue: Some((j - 1, j)), role: None, addressee: None, end: b });
    }
    None
}

/// The role in `X, head of Y,` right of a speaker phrase.
fn appos_right(doc: &Doc, from: usize, pe: usize) -> Option<(usize, usize)> {
    if !doc.is_p(from, ",") {
        return None;
    }
    let mut k = from + 1;
    while k < pe && k < from + 20 && doc.is_wordish(k) {
        k += 1;
    }
    if k > from + 1 {
        Some((from + 1, k))
    } else {
        None
    }
}

/// End of the attribution clause: the sentence end, or the next quote mark.
fn clause_tail(doc: &Doc, from: usize, pe: usize) -> usize {
    let mut k = from;
    while k < pe {
        if doc.is_quote(k) {
            return k;
        }
        if doc.is_p(k, ".") || doc.is_p(k, "!") || doc.is_p(k, "?") {
            return k + 1;
        }
        k += 1;
    }
    pe
}

/// `He said: “…` / `X told Y, “…` / `…, saying, “…` right before the open mark.
fn attr_before(doc: &Doc, names: &Names, open: usize) -> Option<Attr> {
    if open == 0 {
        return None;
    }
    // "He said:" closing one paragraph, the quotation opening the next:
    // attribute as if the mark followed the colon.
    let open = if open >= 3 && doc.is_break(open - 1) && doc.is_p(open - 2, ":") { open - 1 } else { open };
    let mut j = open - 1;
    let punct = doc.is_p(j, ":") || doc.is_p(j, ",");
    if punct {
        j = j.checked_sub(1)?;
    } else if !is_speech_cue(doc, j) {
        return None;
    }
    let sent = doc.sent(j);
    let floor = sent.start.min(open);
    // A cue within the last few tokens before the mark.
    let mut c = j;
    let mut steps = 0;
    loop {
        if is_speech_cue(doc, c) || (doc.is_word(c) && doc.lex.cue(doc.lw(c)).map(|x| x.belief).unwrap_or(false) && doc.is_p(open - 1, ":")) {
            break;
        }
        if c <= floor || steps > 8 || doc.is_quote(c) || doc.is_break(c) {
            // A colon after a whole clause: "X scolded him: “…”".
            if doc.is_p(open - 1, ":") {
                let sp = subject_before(doc, names, open - 1, floor);
                if sp.is_some() {
                    return Some(Attr { speaker: sp, cue: Some((open - 1, open)), role: None, addressee: None, end: open });
                }
            }
            return None;
        }
        c -= 1;
        steps += 1;
    }
    let cls = doc.lex.cue(doc.lw(c)).unwrap_or_default();
    let mut addressee = None;
    if cls.tell && c + 1 < open {
        addressee = np_right(doc, names, c + 1, open);
    }
    let found = np_left(doc, names, c, floor);
    let (speaker, role) = match found {
        Some((sp, role)) if !cls.ing => (Some(sp), role),
        _ => (subject_before(doc, names, c, floor), None),
    };
    Some(Attr { speaker, cue: Some((c, c + 1)), role, addressee, end: open })
}

/// The colon after a transcript speaker label in capitals right inside an
/// opening mark at `open` (`"PENCE:`, `"MR. LEE:`).
fn speaker_label(doc: &Doc, open: usize) -> Option<usize> {
    let mut k = open + 1;
    while k < open + 4 && doc.is_word(k) && doc.s(k).chars().any(|c| c.is_alphabetic()) && doc.s(k).chars().all(|c| !c.is_lowercase()) {
        k += 1;
    }
    (k > open + 1 && doc.is_p(k, ":") && doc.s(open + 1).chars().filter(|c| c.is_alphabetic()).count() >= 2).then_some(k)
}

fn frag_of(doc: &Doc, s: &Seg) -> (usize, usize) {
    let a = doc.toks[s.open].s;
    let mut e = doc.toks[s.end.saturating_sub(1).max(s.open)].e;
    // Unclosed: to the paragraph's last token.
    if s.close.is_none() {
        let mut k = s.end;
        while k > s.open + 1 && (k > doc.len() || doc.is_break(k - 1)) {
            k -= 1;
        }
        e = doc.toks[k.saturating_sub(1).max(s.open)].e;
    }
    (a, e)
}

/// Finds every quote, in order of appearance; also returns which tokens
/// sit inside direct quotes (names there are not antecedents).
pub fn find(doc: &Doc, names: &Names) -> (Vec<RawQuote>, Vec<bool>) {
    let mut inq = vec![false; doc.len()];
    let n = doc.len();
    let mut segs = segments(doc);
    // Classify segments.
    for s in segs.iter_mut() {
        let words = seg_words(doc, s);
        let last_inner = match s.close {
            Some(c) if c > s.open + 1 => Some(c - 1),
            _ => None,
        };
        let ends_punct = last_inner.map(|k| doc.kind(k) == Some(Kind::Punct) && matches!(doc.s(k), "," | "." | "!" | "?" | "…" | ":" | "—")).unwrap_or(true);
        let prev = s.open.checked_sub(1);
        let at_start = prev.map(|p| doc.is_break(p) || doc.sent(p).end <= s.open).unwrap_or(true);
        let after_intro = prev.map(|p| doc.is_p(p, ":") || doc.is_p(p, ",") || doc.is_p(p, "—") || doc.is_p(p, "(") || doc.is_p(p, "―") || is_speech_cue(doc, p) || doc.is_p(p, ".")).unwrap_or(true);
        let inner_first_cap = doc.toks.get(s.open + 1).map(|t| t.cap || t.kind == Kind::Num).unwrap_or(false);
        s.speech = (at_start && (words >= 3 || ends_punct && words >= 1))
            || (after_intro && words >= 3 && (ends_punct || inner_first_cap))
            || (after_intro && words >= 8);
        // A quoted phrase mid-sentence is not speech on its own unless an
        // attribution follows it directly.
        if !s.speech && words >= 3 && ends_punct {
            if let Some(c) = s.close {
                if attr_after(doc, names, c).is_some() && (at_start || after_intro) {
                    s.speech = true;
                }
            }
        }
    }
    let mut mask = vec![false; n];
    let mut out: Vec<RawQuote> = Vec::new();
    // Group speech segments.
    let mut i = 0;
    let mut last_direct: Option<usize> = None;
    while i < segs.len() {
        if !segs[i].speech {
            i += 1;
            continue;
        }
        let first = segs[i];
        let mut group = vec![first];
        let mut attr: Option<Attr> = attr_before(doc, names, first.open);
        let mut k = i + 1;
        let mut cur = first;
        loop {
            // Multi-paragraph: unclosed, next paragraph opens with a mark
            // (but a transcript's next line, `"PENCE: …`, is a new turn).
            if cur.close.is_none() {
                if let Some(nx) = segs.get(k) {
                    let brk = cur.end;
                    if nx.speech && doc.is_break(brk) && nx.open == brk + 1 && speaker_label(doc, nx.open).is_none() {
                        group.push(*nx);
                        cur = *nx;
                        k += 1;
                        continue;
                    }
                }
                break;
            }
            let close = cur.close.unwrap_or(cur.end);
            let after = if attr.is_none() { attr_after(doc, names, close) } else { None };
            let gap_end = match &after {
                Some(a) => a.end,
                None => close + 1,
            };
            if after.is_some() {
                attr = after;
            }
            // Next segment in the same paragraph, right after the attribution
            // (or with nothing but punctuation between).
            if let Some(nx) = segs.get(k) {
                let same_para = doc.para(nx.open) == doc.para(close);
                let mut g = gap_end;
                while g < nx.open && !doc.is_wordish(g) && !doc.is_break(g) {
                    g += 1;
                }
                let adjacent = g >= nx.open;
                if nx.speech && same_para && adjacent {
                    group.push(*nx);
                    cur = *nx;
                    k += 1;
                    continue;
                }
            }
            break;
        }
        i = k;
        let mut frags: Vec<(usize, usize)> = Vec::new();
        for s in &group {
            let f = frag_of(doc, s);
            frags.push(f);
            for x in mask.iter_mut().take(s.end.min(n)).skip(s.open) {
                *x = true;
            }
            for x in inq.iter_mut().take(s.end.min(n)).skip(s.open) {
                *x = true;
            }
        }
        // A transcript turn, `"WALLACE: If I may …`: the label speaks.
        if attr.is_none() {
            if let Some(colon) = speaker_label(doc, first.open) {
                attr = Some(Attr { speaker: Some((first.open + 1, colon)), cue: Some((colon, colon + 1)), role: None, addressee: None, end: colon + 1 });
                if let (Some(f), Some(t)) = (frags.first_mut(), doc.toks.get(colon + 1)) {
                    f.0 = t.s.min(f.1);
                }
            }
        }
        let continues = if attr.is_none() { last_direct } else { None };
        let q = RawQuote {
            frags,
            kind: QuoteKind::Direct,
            speaker: attr.as_ref().and_then(|a| a.speaker),
            cue: attr.as_ref().and_then(|a| a.cue),
            cue_text: None,
            addressee: attr.as_ref().and_then(|a| a.addressee),
            role: attr.as_ref().and_then(|a| a.role),
            continues,
            first_tok: first.open,
        };
        // Only continue from a quote in the previous two paragraphs.
        let cont_ok = match (q.continues, last_direct) {
            (Some(_), Some(ld)) => {
                let prev_para = doc.para(out[ld].first_tok);
                doc.para(first.open) <= prev_para + 2
            }
            _ => true,
        };
        let mut q = q;
        if !cont_ok {
            q.continues = None;
        }
        out.push(q);
        last_direct = Some(out.len() - 1);
        // Attribution tokens are not reported speech either.
        if let Some(a) = &attr {
            if let Some((s, e)) = a.speaker {
                for x in mask.iter_mut().take(e.min(n)).skip(s) {
                    *x = true;
                }
            }
            if let Some((s, e)) = a.cue {
                for x in mask.iter_mut().take(e.min(n)).skip(s) {
                    *x = true;
                }
            }
        }
    }
    indirect(doc, names, &segs, &mut mask, &mut out);
    // Keep the order of appearance, remapping continuation links.
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&k| out[k].frags.first().map(|f| f.0).unwrap_or(0));
    let mut new_pos = vec![0; out.len()];
    for (p, &k) in order.iter().enumerate() {
        new_pos[k] = p;
    }
    let mut sorted: Vec<RawQuote> = order.iter().map(|&k| out[k].clone()).collect();
    for q in sorted.iter_mut() {
        q.continues = q.continues.map(|c| new_pos[c]);
    }
    // An unattributed quotation right after reported speech continues its
    // speaker ("… are 'not meeting the demand,' says X. 'We often …'").
    for k in 0..sorted.len() {
        let q = &sorted[k];
        if q.kind != QuoteKind::Direct || q.speaker.is_some() || q.continues.is_some() || k == 0 {
            continue;
        }
        let para = doc.para(q.first_tok);
        let prev = k - 1;
        let p = &sorted[prev];
        if p.speaker.is_some() && doc.para(p.first_tok) + 1 >= para {
            sorted[k].continues = Some(prev);
        }
    }
    let _ = mask;
    (sorted, inq)
}

/// End of a reported clause starting at `from`: the sentence end, before a
/// trailing attribution (", X said") or a direct quote.
fn clause_end(doc: &Doc, names: &Names, from: usize, send: usize, mask: &[bool]) -> usize {
    let mut k = from;
    while k < send {
        if mask.get(k).copied().unwrap_or(false) && doc.is_quote(k) {
            break;
        }
        if doc.is_p(k, ";") {
            break;
        }
        // "… and called it …": a second statement by the same speaker.
        if k > from + 1 && doc.is_w(k, "and") && coord_cue(doc, k + 1) {
            break;
        }
        // "… and Trump says …", "… and he added that …": a new statement.
        if k > from + 1 && doc.is_w(k, "and") && (doc.cap(k + 1) || matches!(doc.lw(k + 1), "he" | "she" | "they")) {
            let c = (k + 2..(k + 6).min(send)).take_while(|&t| doc.is_word(t)).find(|&t| is_speech_cue(doc, t));
            if c.is_some_and(|c| (k + 1..c).all(|t| doc.cap(t) || names.mention_at(t).is_some() || matches!(doc.lw(t), "he" | "she" | "they" | "also" | "later"))) {
                break;
            }
        }
        // "… tough after a woman told him …": a time clause with its own
        // speaker and cue starts another statement.
        if k > from + 2 && matches!(doc.lw(k), "after" | "before" | "when") {
            let c = (k + 2..(k + 9).min(send)).take_while(|&t| doc.is_word(t)).find(|&t| is_speech_cue(doc, t) && !doc.lw(t).ends_with("ing"));
            if c.is_some() {
                break;
            }
        }
        // "… on Twitter before claiming that …".
        if k > from + 1 && matches!(doc.lw(k), "before" | "after") && doc.is_word(k + 1) && doc.lex.cue(doc.lw(k + 1)).is_some_and(|c| c.ing && c.speech) {
            break;
        }
        if doc.is_p(k, ",") {
            let l1 = doc.lw(k + 1);
            if matches!(l1, "though" | "although" | "according" | "while" | "whereas") {
                break;
            }
            // ", calling it …" / ", adding that …".
            if doc.is_word(k + 1) && !doc.cap(k + 1) && doc.lex.cue(l1).map(|c| c.ing && (c.speech || c.stance || c.tell)).unwrap_or(false) {
                break;
            }
            if doc.is_w(k + 1, "and") && coord_cue(doc, k + 2) {
                break;
            }
            if is_speech_cue(doc, k + 1) && np_right(doc, names, k + 2, send).is_some() {
                break;
            }
            // ", X said." at the end.
            let mut c = k + 1;
            while c < send && c < k + 10 && !is_speech_cue(doc, c) && doc.is_wordish(c) {
                c += 1;
            }
            if c < send && c < k + 10 && is_speech_cue(doc, c) && c > k + 1 {
                break;
            }
        }
        k += 1;
    }
    // Drop trailing punctuation.
    while k > from && doc.kind(k - 1) == Some(Kind::Punct) {
        k -= 1;
    }
    k
}

/// "CARACAS:" — a place name in capitals opening a story, not a speaker.
fn dateline(doc: &Doc, a: usize, b: usize) -> bool {
    let w = doc.span_text(a, b);
    if !w.chars().any(|c| c.is_alphabetic()) || w.chars().any(|c| c.is_lowercase()) {
        return false;
    }
    let mut t = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start {
            t.extend(c.to_uppercase());
        } else {
            t.extend(c.to_lowercase());
        }
        start = c == ' ' || c == '-';
    }
    doc.lex.places.contains_key(&t)
}

/// A finite cue verb right after "and" (an adverb may come between).
fn coord_cue(doc: &Doc, i: usize) -> bool {
    let i = if doc.is_word(i) && (is_adverb(doc, i) || matches!(doc.lw(i), "also" | "later" | "then")) { i + 1 } else { i };
    if !doc.is_word(i) || doc.cap(i) {
        return false;
    }
    let l = doc.lw(i);
    match doc.lex.cue(l) {
        Some(c) => !c.ing && (c.speech || c.stance || c.tell) && !in_list(l, NOUNISH) && (l.ends_with("ed") || matches!(l, "said" | "told" | "wrote" | "says" | "tells" | "writes")),
        None => false,
    }
}

fn indirect(doc: &Doc, names: &Names, segs: &[Seg], mask: &mut [bool], out: &mut Vec<RawQuote>) {
    let n = doc.len();
    let _ = segs;
    for si in 0..doc.sents.len() {
        let sent = doc.sents[si];
        let (ss, se) = (sent.start, sent.end.min(n));
        // Real sentences are far shorter; a run-on "sentence" of thousands
        // of tokens (a list, a table, hostile input) is not parsed, which
        // keeps the per-cue scans below linear overall.
        if se <= ss + 2 || se - ss > MAX_SENTENCE_TOKENS {
            continue;
        }
        // Interview and transcript lines: "Lopez: Well, no one …".
        if (ss == 0 || doc.is_break(ss - 1)) && !mask[ss] {
            let mut k = ss;
            while k < se && k < ss + 4 && doc.cap(k) {
                k += 1;
            }
            if k > ss && k < se && doc.is_p(k, ":") && !in_list(doc.lw(ss), crate::doc::STOP_CAPS) && (names.mention_at(k - 1).is_some() || k == ss + 1 && !doc.lw(ss).ends_with("ing")) && !dateline(doc, ss, k) {
                let pe = para_end(doc, k);
                let a = k + 1;
                let mut b = pe;
                while b > a && doc.kind(b - 1) == Some(Kind::Punct) {
                    b -= 1;
                }
                if b > a + 2 && !(a..b).any(|t| mask[t]) {
                    push_indirect(doc, out, mask, vec![(a, b)], Some((ss, k)), Some((k, k + 1)), None, None);
                    continue;
                }
            }
        }
        let words = (ss..se).filter(|&t| doc.is_word(t)).count();
        let caps = (ss..se).filter(|&t| doc.cap(t)).count();
        let title_case = words >= 4 && caps * 10 >= words * 7;
        let mut c = ss;
        while c < se {
            if mask[c] || !doc.is_word(c) {
                c += 1;
                continue;
            }
            let l = doc.lw(c);
            // "In the latest Quinnipiac poll, Clinton leads …": a document
            // opening the sentence says what follows.
            if c == ss && l == "in" {
                if let Some((sp, a)) = in_document_intro(doc, ss, se) {
                    let b = clause_end(doc, names, a, se, mask);
                    if b >= a + 4 && !(a..b).any(|t| mask[t]) {
                        push_indirect(doc, out, mask, vec![(a, b)], Some(sp), Some((c, c + 1)), None, None);
                        c = se;
                        continue;
                    }
                }
            }
            // "according to X"
            if l == "according" && doc.lw(c + 1) == "to" {
                // Only conjunctions and punctuation before it: it opens the
                // sentence ("But, according to the poll, 46 percent …").
                let initial = (ss..c).all(|t| doc.kind(t) == Some(Kind::Punct) || matches!(doc.lw(t), "but" | "and" | "yet" | "so" | "still" | "however" | "now"));
                // A sentence opening with a subordinate clause: the main
                // clause after "according to X," is what X says.
                let subordinate = matches!(doc.lw(ss), "while" | "although" | "though" | "when" | "if" | "because" | "since" | "as" | "after" | "before" | "even" | "whereas");
                let mut sp = np_right(doc, names, c + 2, se);
                if initial {
                    // "According to early results of exit polls conducted
                    // for …, majorities …": the source runs to the comma.
                    if let Some(k) = (c + 3..se.min(c + 40)).find(|&k| doc.is_p(k, ",")) {
                        if (c + 2..k).all(|t| !doc.is_quote(t)) {
                            sp = Some((c + 2, k));
                        }
                    }
                }
                if let (Some(x), true) = (sp, subordinate && !initial) {
                    if doc.is_p(x.1, ",") {
                        let a = x.1 + 1;
                        let b = clause_end(doc, names, a, se, mask);
                        if b >= a + 4 && !(a..b).all(|t| mask[t]) {
                            push_indirect(doc, out, mask, vec![(a, b)], Some(x), Some((c, c + 2)), None, None);
                            c = se;
                            continue;
                        }
                    }
                }
                if let Some(sp) = sp {
                    let mut sp_end = sp.1;
                    if doc.is_p(sp_end, ",") {
                        // "according to X, a professor at Y,"
                        if let Some(r) = appos_right(doc, sp_end, se) {
                            if doc.is_p(r.1, ",") && r.1 + 1 < se && r.1 - r.0 < 10 {
                                sp_end = r.1;
                            }
                        }
                    }
                    let (a, b) = if initial || c <= ss + 1 || (c > ss && doc.lw(c - 1) == "but") {
                        let mut a = sp_end;
                        while a < se && doc.kind(a) == Some(Kind::Punct) {
                            a += 1;
                        }
                        (a, clause_end(doc, names, a, se, mask))
                    } else {
                        let mut b = c;
                        while b > ss && doc.kind(b - 1) == Some(Kind::Punct) && !doc.is_quote(b - 1) {
                            b -= 1;
                        }
                        (ss, b)
                    };
                    if b > a + 2 && !(a..b).all(|t| mask[t]) {
                        push_indirect(doc, out, mask, vec![(a, b)], Some(sp), Some((c, c + 2)), None, None);
                        c = se;
                        continue;
                    }
                }
                c += 2;
                continue;
            }
            // A question put to someone: "Asked whether he would run, …",
            // "when asked how ties would fare". The question is reported;
            // who asked it is rarely said.
            if let Some((a, b)) = asked_question(doc, c, ss, se, mask) {
                push_indirect(doc, out, mask, vec![(a, b)], None, Some((c, c + 1)), None, None);
                c = b.max(c + 1);
                continue;
            }
            // Hedged claims the writer attributes to no one: "the plan
            // seems to …", "Trump is expected to …", "it appears that …".
            if let Some((a, b)) = hedge(doc, names, c, ss, se, mask) {
                // "Stumpf appeared to blame …": a named person is the one
                // whose view it is; an impersonal "it seems" has no one.
                let sp = subject_before(doc, names, c, ss).filter(|&(x, _)| {
                    matches!(doc.lw(x), "he" | "she") || names.mention_at(x).is_some_and(|m| names.ents[m.ent].kind == crate::names::EKind::Person)
                });
                push_indirect(doc, out, mask, vec![(a, b)], sp, Some((c, c + 1)), None, None);
                c = b.max(c + 1);
                continue;
            }
            let Some(cls) = doc.lex.cue(l) else {
                c += 1;
                continue;
            };
            // A capitalised cue is a name's part ("Says" in "Simon Says"),
            // except in a headline set in title case ("Mayor Says Bridge
            // Will Reopen").
            if doc.cap(c) && c != ss && !title_case {
                c += 1;
                continue;
            }
            // Infinitive or noun use ("to say", "the comments", "Pence's
            // comments"; but "he's said" is "he has said").
            if c > ss && matches!(doc.lw(c - 1), "to" | "the" | "a" | "an" | "this" | "that" | "his" | "her" | "their" | "its" | "our" | "my" | "your" | "no" | "any" | "every" | "whose" | "which") {
                c += 1;
                continue;
            }
            // (`lw` folds ’ to ', so one spelling covers both.)
            if c > ss && doc.is_word(c - 1) && doc.lw(c - 1).ends_with("'s") && !in_list(doc.lw(c - 1), SUBJ_PRON) && doc.lw(c - 1) != "who's" && in_list(l, NOUNISH) {
                c += 1;
                continue;
            }
            // Inverted trailing attribution: "CLAUSE, said X."
            let comma_before = (c >= 1 && doc.is_p(c - 1, ",")) || (c >= 2 && doc.is_quote(c - 1) && doc.is_p(c - 2, ",") && !mask[c - 1]);
            if c > ss + 3 && comma_before && (cls.speech || cls.show) && !cls.ing {
                if let Some(sp) = np_right(doc, names, c + 1, se).filter(|sp| !(sp.1 == sp.0 + 1 && !doc.cap(sp.0) && doc.lex.cue(doc.lw(sp.0)).is_some())) {
                    let tail = clause_tail(doc, sp.1, se);
                    let ends_here = sp.1 >= se || doc.kind(sp.1) == Some(Kind::Punct) && (doc.is_p(sp.1, ".") || doc.is_p(sp.1, ",") || doc.is_p(sp.1, "(") || doc.is_p(sp.1, "!") || doc.is_p(sp.1, "?") || doc.is_p(sp.1, ";")) || doc.is_quote(sp.1);
                    // "…, said X, a professor at Y, which …": the rest is an apposition.
                    let appos = doc.is_p(sp.1, ",") && !doc.lex.cue(doc.lw(sp.1 + 1)).map(|x| x.ing).unwrap_or(false) && !doc.is_w(sp.1 + 1, "and") && !doc.is_w(sp.1 + 1, "but");
                    if ends_here && (tail + 1 >= se || tail >= se || appos) {
                        let b = if doc.is_p(c - 1, ",") { c - 1 } else { c };
                        if !(ss..b).any(|t| mask[t] && doc.is_quote(t)) || !(ss..b).all(|t| mask[t]) {
                            if !(ss..b).all(|t| mask[t]) {
                                let role = appos_right(doc, sp.1, se);
                                push_indirect(doc, out, mask, vec![(ss, b)], Some(sp), Some((c, c + 1)), None, role);
                            }
                        }
                        c = se;
                        continue;
                    }
                }
            }
            // Subject before the cue.
            let left = np_left(doc, names, c, ss);
            // "Cook did not mention Carter by name", "the campaign did not
            // respond to questions about …": what was not said is still
            // what the sentence attributes to them.
            let negated = c >= ss + 2
                && ((doc.is_w(c - 1, "not") && matches!(doc.lw(c - 2), "did" | "does" | "do" | "has" | "have" | "had" | "would" | "could" | "will"))
                    || matches!(doc.lw(c - 1), "didn't" | "doesn't" | "don't" | "hasn't" | "haven't" | "won't" | "wouldn't" | "never"));
            if negated && (cls.speech || cls.stance) && !cls.ing && !doc.cap(c) && !doc.lw(c).ends_with("ed") {
                if let Some((sp, role)) = left {
                    let mut a = c + 1;
                    if matches!(doc.lw(a), "to" | "on" | "about" | "with") && doc.is_word(a + 1) {
                        a += 1;
                    }
                    if doc.is_word(a) && !doc.is_w(a, "that") && !in_list(doc.lw(a), SUBJ_PRON) {
                        let b = clause_end(doc, names, a, se, mask);
                        if b >= a + 2 && !(a..b).any(|t| mask[t]) {
                            push_indirect(doc, out, mask, vec![(a, b)], Some(sp), Some((c, a)), None, role);
                            c = b;
                            continue;
                        }
                    }
                }
            }
            let nounish = in_list(l, NOUNISH);
            // The comma may sit inside a closing quote mark (`values,” saying`)
            // or be a dash (`on the spot – saying`).
            let ing_sep = c > ss && (doc.is_p(c - 1, ",") || doc.is_p(c - 1, "–") || doc.is_p(c - 1, "—") || (c >= 2 && doc.is_quote(c - 1) && doc.is_p(c - 2, ",")))
                || (c > ss + 1 && matches!(doc.lw(c - 1), "before" | "after") && cls.speech);
            if cls.ing && ing_sep {
                // ", saying (that) CLAUSE": the sentence's subject speaks.
                if cls.stance && !cls.speech && !cls.tell {
                    // ", calling it …": the object of the stance.
                    if let Some((a, b)) = stance_object(doc, names, c + 1, se, mask) {
                        let sp = subject_before(doc, names, c, ss);
                        if sp.is_some() {
                            push_indirect(doc, out, mask, vec![(a, b)], sp, Some((c, a)), None, None);
                            c = b;
                            continue;
                        }
                    }
                    c += 1;
                    continue;
                }
                let mut a = c + 1;
                let mut addressee = None;
                if cls.tell {
                    if let Some(ad) = addressee_np(doc, names, a, se) {
                        addressee = Some(ad);
                        a = ad.1;
                    }
                }
                let has_that = doc.lw(a) == "that";
                if has_that {
                    a += 1;
                }
                let first = doc.lw(a);
                let clause_ok = has_that || !in_list(first, NOT_CLAUSE) || in_list(first, DET_CLAUSE) && !in_list(l, NOUNISH);
                if (cls.speech || cls.belief || cls.tell) && clause_ok && (doc.is_word(a) || doc.is_quote(a) && has_that) {
                    let mut b = clause_end(doc, names, a, se, mask);
                    let mut sp = subject_before(doc, names, c, ss);
                    // "Rights groups, fearing X, want …": a participle set off
                    // between the subject and its verb; the subject is the
                    // whole phrase before the comma and the clause ends at
                    // the next comma.
                    if c >= ss + 2 && sp.is_some_and(|s| s.0 == ss && s.1 + 1 >= c - 1) {
                        if let Some(whole) = np_left_core(doc, names, c - 2, ss).filter(|x| x.0 == ss) {
                            sp = Some(whole);
                            if let Some(k) = (a + 2..b).find(|&k| doc.is_p(k, ",") && doc.is_word(k + 1) && !doc.cap(k + 1)) {
                                b = k;
                            }
                        }
                    }
                    if b > a + 2 {
                        push_indirect(doc, out, mask, vec![(a, b)], sp, Some((c, c + 1)), addressee, None);
                        c = b;
                        continue;
                    }
                }
                c += 1;
                continue;
            }
            let left = left.or_else(|| {
                // "X obtained a video and said …": the sentence's subject.
                let mut j = c.checked_sub(1)?;
                while j > ss && in_list(doc.lw(j), ADV_AUX) {
                    j -= 1;
                }
                if matches!(doc.lw(j), "and" | "but") && (cls.speech || cls.stance || cls.tell) && !doc.cap(c) {
                    subject_before(doc, names, j, ss).map(|sp| (sp, None))
                } else {
                    None
                }
            });
            let Some((mut sp, role)) = left else {
                c += 1;
                continue;
            };
            // "X issued a statement saying …": X speaks, not the statement.
            let published = |t: usize| {
                let l = doc.lw(t);
                matches!(l, "issued" | "released" | "sent" | "published" | "posted" | "put" | "wrote" | "signed" | "tweeted" | "delivered")
                    || (!doc.cap(t) && l.len() > 4 && l.ends_with("ed") && !any_cue(doc, t))
            };
            if sp.0 > ss + 1 && (matches!(doc.lw(sp.1 - 1), "statement" | "letter" | "release" | "tweet" | "post" | "video" | "memo" | "note" | "message" | "op-ed" | "report" | "tweets" | "statements" | "posts" | "messages" | "letters" | "ad" | "ads")) && published(sp.0 - 1)
            {
                if let Some(s2) = subject_before(doc, names, sp.0 - 1, ss) {
                    sp = s2;
                }
            }
            // A noun-like cue needs a subject that can speak: "the
            // derogatory comments had …" is not "the derogatory" commenting.
            let speaker_like = |t: usize| in_list(doc.lw(t), PRONOUNS) || doc.cap(t) || holder_noun(doc, t) || in_list(doc.lw(t), DOC_NOUNS);
            if nounish && sp.1 - sp.0 == 1 && !speaker_like(sp.0) {
                c += 1;
                continue;
            }
            // Trailing form: "CLAUSE, X said (adjuncts)."
            let before = sp.0;
            // A partly quoted clause may end on its closing mark with no
            // comma: `Lee "is the only one who can win" Ann Roe said.`
            let closes_quote = before >= 2 && doc.is_quote(before - 1) && (ss..before - 1).any(|t| doc.is_quote(t));
            let start_ok = before > ss + 2 && (doc.is_p(before - 1, ",") || (before >= 2 && doc.is_quote(before - 1) && doc.is_p(before - 2, ",")) || closes_quote);
            let after_cue = c + 1;
            let tail = clause_tail(doc, after_cue, se);
            let short_tail = tail + 1 >= se && !doc.is_w(after_cue, "that") && tail <= after_cue + 12;
            // `…," Jordan said, and still "…"`: more words of the speaker
            // follow; they are found on their own.
            let and_more = doc.is_p(after_cue, ",") && matches!(doc.lw(after_cue + 1), "and" | "but") && (after_cue + 2..(after_cue + 6).min(se)).any(|t| doc.is_quote(t));
            if start_ok && (cls.speech || cls.show || cls.belief || cls.tell) && ((short_tail && cue_tail_is_adjunct(doc, names, c, cls.tell, se)) || and_more) {
                let b = before - 1;
                if !(ss..b).all(|t| mask[t]) {
                    push_indirect(doc, out, mask, vec![(ss, b)], Some(sp), Some((c, c + 1)), None, role);
                }
                c = se;
                continue;
            }
            // Parenthetical: "CLAUSE, X said, CLAUSE." ("Still, he said, …").
            let paren_ok = before > ss && doc.is_p(before - 1, ",");
            if paren_ok && doc.is_p(after_cue, ",") && cls.speech {
                let a2 = after_cue + 1;
                let b2 = clause_end(doc, names, a2, se, mask);
                if b2 > a2 + 1 {
                    let head = if before - 1 > ss + 2 { vec![(ss, before - 1), (a2, b2)] } else { vec![(a2, b2)] };
                    push_indirect(doc, out, mask, head, Some(sp), Some((c, c + 1)), None, role);
                    c = se;
                    continue;
                }
            }
            // Stance verbs: "Clinton criticized the plan", "he called for …".
            let head = doc.lw(sp.1 - 1);
            let named = in_list(head, &["he", "she", "they", "we", "i"])
                || (sp.0..sp.1).any(|t| names.mention_at(t).map(|m| names.ents[m.ent].kind != crate::names::EKind::Place).unwrap_or(false))
                // "the Vermont senator", "the campaign", "a majority of voters".
                || holder_noun(doc, sp.1 - 1);
            // "is pledging to …": a progressive form after a form of "be".
            let progressive = cls.ing && c > ss && in_list(doc.lw(c - 1), &["is", "are", "was", "were", "been", "be"]);
            let stance_ok = cls.stance && named && !(cls.ing && !doc.is_p(c.saturating_sub(1), ",") && !progressive);
            if cls.stance && !cls.speech && !cls.belief && !cls.show && !cls.tell {
                if stance_ok {
                    if let Some((a, b)) = stance_object(doc, names, after_cue, se, mask) {
                        push_indirect(doc, out, mask, vec![(a, b)], Some(sp), Some((c, a)), None, role);
                        c = b;
                        continue;
                    }
                }
                c += 1;
                continue;
            }
            // Inline: "X said (to Y) (that) CLAUSE".
            let mut a = after_cue;
            let mut addressee = None;
            if cls.tell || doc.lw(c) == "told" {
                if let Some(ad) = addressee_np(doc, names, a, se) {
                    if !doc.is_w(ad.0, "that") {
                        addressee = Some(ad);
                        a = ad.1;
                    }
                }
            }
            // "said — on Twitter, as it happens — that …", "said, among
            // other things, that …": a parenthetical between cue and clause.
            if doc.is_p(a, "—") || doc.is_p(a, "–") || doc.is_p(a, ",") {
                let sep = doc.s(a);
                let mut m = a + 1;
                while m < se && m < a + 14 && !doc.is_p(m, sep) && !doc.is_quote(m) {
                    m += 1;
                }
                if m < se && m > a + 1 && doc.is_p(m, sep) && doc.is_w(m + 1, "that") {
                    a = m + 1;
                }
            }
            // Skip "in a statement", "on Monday", "Tuesday".
            let mut skipped = 0;
            while a < se && skipped < 8 && doc.is_word(a) && !doc.is_w(a, "that") {
                let w = doc.lw(a);
                let datey = matches!(w, "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday" | "yesterday" | "today" | "tonight" | "recently" | "earlier" | "later" | "repeatedly" | "again" | "also" | "previously" | "privately" | "publicly" | "flatly");
                if datey {
                    a += 1;
                    skipped += 1;
                    continue;
                }
                if matches!(w, "in" | "on" | "at" | "during" | "via" | "through" | "last" | "this" | "to") && skipped == 0 {
                    // A prepositional phrase, only when "that" or a comma follows it.
                    let mut m = a + 1;
                    while m < se && m < a + 10 && !doc.is_w(m, "that") && !doc.is_p(m, ",") && !doc.is_quote(m) {
                        m += 1;
                    }
                    // "said to reporters that …": only straight into "that".
                    let to_ok = w != "to" || (doc.is_w(m, "that") && m < a + 5);
                    if m < se && m < a + 10 && (doc.is_w(m, "that") || doc.is_p(m, ",")) && to_ok {
                        a = if doc.is_p(m, ",") { m + 1 } else { m };
                        skipped += 1;
                        continue;
                    }
                }
                break;
            }
            let has_that = doc.is_w(a, "that");
            if has_that {
                a += 1;
                // "said that, if elected, he would …".
                if doc.is_p(a, ",") {
                    if let Some(m) = (a + 2..se.min(a + 12)).find(|&m| doc.is_p(m, ",")) {
                        if (a + 1..m).all(|t| doc.is_word(t)) {
                            a = m + 1;
                        }
                    }
                }
            }
            if a >= se {
                c += 1;
                continue;
            }
            let first = doc.lw(a);
            let asking = matches!(doc.lw(c), "asked" | "asks" | "ask" | "asking" | "wondered" | "wonders" | "wondering" | "questioned");
            let clause_start_ok = if doc.is_quote(a) {
                true
            } else if asking && matches!(first, "whether" | "if" | "why" | "how" | "what" | "who" | "when" | "where") {
                true
            } else if !doc.is_wordish(a) {
                false
            } else if has_that {
                true
            } else if cls.speech || cls.tell {
                !in_list(first, NOT_CLAUSE) || SUBJ.contains(&first) && !matches!(first, "this" | "that" | "the" | "his" | "her" | "their" | "our")
                    || (in_list(first, DET_CLAUSE) && !nounish)
                    || (in_list(first, MAYBE_CLAUSE) && !nounish && !asking && finite_follows(doc, a, se))
            } else {
                // belief / show without "that": a clear subject must follow.
                (SUBJ.contains(&first) || doc.cap(a)) && doc.is_word(a + 1) && !in_list(doc.lw(a + 1), &["of", "and", "to"])
            };
            if !clause_start_ok || nounish && !has_that && !(in_list(doc.lw(sp.0), PRONOUNS) || doc.cap(sp.0)) {
                // A verb that also takes a position ("described the plan as …").
                if stance_ok && !has_that {
                    if let Some((a, b)) = stance_object(doc, names, after_cue, se, mask) {
                        push_indirect(doc, out, mask, vec![(a, b)], Some(sp), Some((c, a)), None, role);
                        c = b;
                        continue;
                    }
                }
                // What a document shows: "the poll shows Trump ahead".
                // "A video of the episode shows …": the document heads a
                // phrase that ends in something else.
                let doc_sp = doc_phrase_before(doc, c, ss).or(doc_subject(doc, sp).then_some(sp));
                if let (true, Some(dsp)) = (cls.show && !has_that && doc.is_wordish(a) && !in_list(first, &["to", "of", "for", "with", "by", "up", "off", "out", "on", "in", "at", "about", "as"]), doc_sp) {
                    let b = clause_end(doc, names, a, se, mask);
                    if b >= a + 2 {
                        push_indirect(doc, out, mask, vec![(a, b)], Some(dsp), Some((c, c + 1)), None, role);
                        c = b;
                        continue;
                    }
                }
                c += 1;
                continue;
            }
            if !cls.speech && !cls.tell && !has_that && cls.belief && !cls.show {
                // Belief verbs without "that" need a pronoun, a name or a
                // people noun as subject ("some officials think X is …").
                let head = doc.lw(sp.1 - 1);
                if !(in_list(doc.lw(sp.0), PRONOUNS) || doc.cap(sp.0) || in_list(head, PEOPLE_NOUNS) || doc.lex.is_title(head) || in_list(head, QUANT_SUBJ)) {
                    c += 1;
                    continue;
                }
            }
            // Nested reported speech, "RIA said Kelin told ITV that …": the
            // inner speaker said the words; the outer one only relays them.
            if let Some(inner) = (a + 1..se.min(a + 6)).find(|&k| doc.is_word(k) && !doc.cap(k) && doc.lex.cue(doc.lw(k)).map(|x| (x.speech || x.tell) && !x.ing).unwrap_or(false)) {
                if names.mention_at(a).map(|m| m.b == inner && names.ents[m.ent].kind == crate::names::EKind::Person).unwrap_or(false) {
                    c = a;
                    continue;
                }
            }
            let b = clause_end(doc, names, a, se, mask);
            if b >= a + 2 {
                push_indirect(doc, out, mask, vec![(a, b)], Some(sp), Some((c, c + 1)), addressee, role);
                c = b;
                continue;
            }
            c += 1;
        }
    }
}

/// "Asked (on Fox News) whether …," at a sentence start or after "when":
/// the question's range, from the wh-word to the comma that closes it
/// (with a closing quote mark right after the comma).
fn asked_question(doc: &Doc, c: usize, ss: usize, se: usize, mask: &[bool]) -> Option<(usize, usize)> {
    if doc.lw(c) != "asked" {
        return None;
    }
    let opens = c == ss || c > ss && matches!(doc.lw(c - 1), "when" | "after" | "being" | "once" | "if");
    if !opens {
        return None;
    }
    let mut a = c + 1;
    // "Asked on Fox News whether", "asked specifically what", "asked about".
    while a < se && a < c + 8 && !matches!(doc.lw(a), "whether" | "if" | "who" | "what" | "how" | "why" | "where" | "which" | "when") {
        if !doc.is_wordish(a) || doc.is_quote(a) {
            return None;
        }
        a += 1;
    }
    if a >= se || a >= c + 8 {
        return None;
    }
    let mut b = a + 1;
    while b < se {
        if doc.is_p(b, ",") {
            if doc.is_quote(b + 1) {
                b += 2;
            }
            break;
        }
        if doc.is_p(b, ".") || doc.is_p(b, "?") || doc.is_p(b, ";") {
            break;
        }
        b += 1;
    }
    let b = b.min(se);
    (b >= a + 3 && !(a..b).any(|t| mask[t])).then_some((a, b))
}

/// Openers of a sentence that stand before its subject, up to a comma.
const OPENERS: &[&str] = &[
    "in", "on", "at", "during", "after", "before", "since", "for", "with", "among", "to", "indeed", "still",
    "however", "but", "and", "yet", "so", "now", "meanwhile", "instead", "by", "over", "under", "despite",
    "as", "when", "while", "if", "though", "although", "then", "today", "yesterday", "thus", "overall",
];

/// A hedged claim around the verb at `c`: "seem(s) to", "appear(s) to",
/// "is/was expected to", "it seems/appears (that)". Returns the claim's
/// token range: the whole clause with its subject, or the "that" clause
/// after an impersonal "it".
fn hedge(doc: &Doc, names: &Names, c: usize, ss: usize, se: usize, mask: &[bool]) -> Option<(usize, usize)> {
    let l = doc.lw(c);
    let seem = matches!(l, "seem" | "seems" | "seemed" | "appear" | "appears" | "appeared");
    let expected = l == "expected" && c > ss && matches!(doc.lw(c - 1), "is" | "are" | "was" | "were" | "be" | "been");
    if !(seem || expected) || doc.cap(c) {
        return None;
    }
    let impersonal = c > ss && doc.is_w(c - 1, "it") && seem;
    if impersonal {
        // "It appears, though, that …".
        let mut a = c + 1;
        if doc.is_p(a, ",") {
            while a < se && a < c + 6 && !doc.is_w(a, "that") {
                a += 1;
            }
        }
        if !doc.is_w(a, "that") {
            return None;
        }
        let a = a + 1;
        let b = clause_end(doc, names, a, se, mask);
        return (b >= a + 3).then_some((a, b));
    }
    if !doc.is_w(c + 1, "to") && !(seem && doc.is_word(c + 1) && !doc.cap(c + 1) && !in_list(doc.lw(c + 1), NOT_CLAUSE)) {
        return None;
    }
    // The subject: from the sentence start, past an opener phrase.
    let mut a = ss;
    while a < c && doc.kind(a) == Some(Kind::Punct) {
        a += 1;
    }
    if doc.is_word(a) && in_list(doc.lw(a), OPENERS) {
        if let Some(k) = (a..c).find(|&k| doc.is_p(k, ",")) {
            a = k + 1;
        }
    }
    if a >= c || (a..c).any(|t| mask[t] || doc.is_quote(t)) || c - a > 25 {
        return None;
    }
    let b = clause_end(doc, names, c + 1, se, mask);
    (b >= c + 3).then_some((a, b))
}

/// The object of a stance verb, from the token after the cue to the
/// clause's end ("called for an end to …" → "an end to …").
fn stance_object(doc: &Doc, names: &Names, after_cue: usize, se: usize, mask: &[bool]) -> Option<(usize, usize)> {
    let mut a = after_cue;
    // An infinitive complement keeps its "to" ("declined to comment").
    if matches!(doc.lw(a), "for" | "on" | "out" | "that" | "as") {
        a += 1;
    } else if doc.is_w(a, "to") && doc.is_word(a + 1) && (doc.cap(a + 1) || in_list(doc.lw(a + 1), DETS) || in_list(doc.lw(a + 1), OBJ_PRONOUNS) || names.mention_at(a + 1).is_some()) {
        // "referring to the ad" (a phrasal verb), not "declined to comment".
        a += 1;
    }
    let b = clause_end(doc, names, a, se, mask);
    if b >= a + 2 {
        Some((a, b))
    } else {
        None
    }
}

/// Quantifiers that stand for people on their own: "Most believe …".
const QUANT_SUBJ: &[&str] = &["most", "many", "some", "few", "others", "half", "several", "majorities", "both"];
/// Number words that count people in "six in 10".
const NUMBER_WORDS: &[&str] = &["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/// A lower-case noun for a person or people: a holder noun or one of the
/// words for ordinary people that stand as speakers.
fn holder_like(doc: &Doc, t: usize) -> bool {
    holder_noun(doc, t) || matches!(doc.lw(t), "woman" | "man" | "women" | "men" | "people" | "resident" | "voter" | "farmer" | "worker" | "workers" | "student" | "students" | "teacher" | "teachers" | "doctor" | "doctors" | "official" | "lawmaker" | "mother" | "father" | "owner")
}

/// A noun that can head a phrase holding a view: a title or role ("the
/// senator"), an organisation word ("the campaign"), people ("voters").
fn holder_noun(doc: &Doc, t: usize) -> bool {
    let l = doc.lw(t);
    doc.lex.is_title(l) || doc.lex.org_words.contains_key(l) || in_list(l, PEOPLE_NOUNS)
}

/// Heads of people-denoting phrases that can hold a stance: "most voters
/// support …", "a majority of Republicans oppose …".
const PEOPLE_NOUNS: &[&str] = &[
    "voters", "respondents", "americans", "republicans", "democrats", "independents", "supporters", "critics",
    "opponents", "officials", "aides", "advisers", "allies", "leaders", "lawmakers", "members",
    "delegates", "activists", "protesters", "residents", "experts", "analysts", "economists", "strategists",
    "insiders", "donors", "conservatives", "liberals", "progressives", "evangelicals", "majority", "percent",
    "half", "third", "thirds", "quarter", "quarters", "plurality", "minority", "spokesman", "spokeswoman",
    "spokesperson", "campaign", "administration", "government", "company", "group", "party", "committee",
];

/// Head nouns of documents, polls and counts that "show" or "find" things.
const DOC_NOUNS: &[&str] = &[
    "poll", "polls", "survey", "surveys", "study", "studies", "report", "reports", "record", "records", "data",
    "analysis", "analyses", "review", "figures", "numbers", "results", "documents", "document", "emails", "email",
    "filings", "filing", "research", "evidence", "statistics", "count", "tally", "estimates", "census", "audit",
    "investigation", "probe", "memo", "letter", "statement", "video", "footage", "photos", "polling", "surveys",
    "audio", "recording", "transcript", "transcripts", "papers", "files", "findings", "projections", "forecast",
    "model", "models", "index", "ranking", "rankings", "returns", "disclosures", "receipts", "logs", "tweets",
];

/// "In this poll, …", "In the previous national poll, conducted in early
/// September, …": the document phrase after "In" and where its clause
/// starts. Only polls, surveys and the like: "In Ohio, …" says nothing.
fn in_document_intro(doc: &Doc, ss: usize, se: usize) -> Option<((usize, usize), usize)> {
    let comma = (ss + 2..se.min(ss + 16)).find(|&k| doc.is_p(k, ","))?;
    if !(ss + 1..comma).all(|t| doc.is_wordish(t) || doc.is_p(t, "/") || doc.is_p(t, "-") || doc.is_p(t, "'") || doc.is_p(t, "’")) {
        return None;
    }
    let head = doc.lw(comma - 1);
    if !matches!(head, "poll" | "polls" | "survey" | "surveys" | "study" | "report" | "analysis" | "polling" | "census" | "audit" | "findings" | "data" | "ranking" | "estimates") {
        return None;
    }
    let mut a = comma + 1;
    // A participle phrase set off after the document: ", conducted in …,".
    if doc.is_word(a) && !doc.cap(a) && doc.lw(a).ends_with("ed") {
        a = (a + 1..se.min(a + 14)).find(|&k| doc.is_p(k, ","))? + 1;
    }
    (doc.is_word(a) && a < se).then_some(((ss + 1, comma), a))
}

/// The subject of a "shows"/"finds" cue at `c` headed by a document noun
/// a few words back: "A review of his work in Ukraine shows".
fn doc_phrase_before(doc: &Doc, c: usize, ss: usize) -> Option<(usize, usize)> {
    let lo = ss.max(c.saturating_sub(10));
    let mut t = c;
    while t > lo {
        t -= 1;
        if !doc.is_word(t) || any_cue(doc, t) {
            return None;
        }
        if in_list(doc.lw(t), DOC_NOUNS) {
            let mut a = t;
            while a > ss && a + 4 > t && doc.is_word(a - 1) && !in_list(doc.lw(a - 1), &["of", "by", "in", "on", "at", "for", "and", "but", "that"]) && !any_cue(doc, a - 1) {
                a -= 1;
            }
            // The phrase opens its clause.
            let opens = a == ss || doc.kind(a - 1) == Some(Kind::Punct) || matches!(doc.lw(a - 1), "and" | "but");
            if opens {
                return Some((a, c));
            }
            // "A review of the port's records": look further back.
            t = a;
        }
    }
    None
}

fn doc_subject(doc: &Doc, sp: (usize, usize)) -> bool {
    sp.1 > sp.0 && in_list(doc.lw(sp.1 - 1), DOC_NOUNS)
}

#[allow(clippy::too_many_arguments)]
fn push_indirect(
    doc: &Doc,
    out: &mut Vec<RawQuote>,
    mask: &mut [bool],
    ranges: Vec<(usize, usize)>,
    speaker: Option<(usize, usize)>,
    cue: Option<(usize, usize)>,
    addressee: Option<(usize, usize)>,
    role: Option<(usize, usize)>,
) {
    let mut frags = Vec::new();
    let mut has_quote = false;
    for &(a, b) in &ranges {
        if b <= a {
            continue;
        }
        frags.push(doc.bytes(a, b));
        for t in a..b {
            if doc.is_quote(t) {
                has_quote = true;
            }
            if let Some(m) = mask.get_mut(t) {
                *m = true;
            }
        }
    }
    if frags.is_empty() {
        return;
    }
    let first_tok = ranges[0].0;
    out.push(RawQuote {
        frags,
        kind: if has_quote { QuoteKind::Mixed } else { QuoteKind::Indirect },
        speaker,
        cue,
        cue_text: cue.map(|(a, b)| doc.span_text(a, b).to_string()),
        addressee,
        role,
        continues: None,
        first_tok,
    });
}
