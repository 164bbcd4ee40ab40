//! A learned name tagger: an averaged structured perceptron over hashed
//! features, decoded with Viterbi over BIO tags of four kinds (person,
//! organisation, place, misc).
//!
//! Why this shape: a linear model over sparse features is what the
//! published CoNLL taggers without neural networks use, it trains in
//! seconds on the train parts, and decoding costs a few dozen table
//! look-ups per token, which keeps the analyze stage near a million tokens
//! per second. Features are hashed into a fixed table (no vocabulary to
//! store) and the averaged weights are quantised to `i8`, so a language's
//! model is one compressed table of a megabyte or so, embedded in the
//! binary: tagging stays a pure function with no file access.
//!
//! Training ([`train`]) is deterministic: documents are visited in an
//! order drawn from a fixed seed, and every sum is over integers or in a
//! fixed order, so the same data gives the same bytes.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::sync::OnceLock;

use crate::doc::Doc;
use crate::text::Kind;

/// Number of tags: O, then B- and I- of each [`Label`].
pub const NTAGS: usize = 9;
const O: usize = 0;
const MAGIC: &[u8; 8] = b"NDNER\x00\x00\x01";

/// The kind of a tagged span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Person,
    Org,
    Place,
    Misc,
}

impl Label {
    fn index(self) -> usize {
        match self {
            Label::Person => 0,
            Label::Org => 1,
            Label::Place => 2,
            Label::Misc => 3,
        }
    }
    fn from_index(i: usize) -> Label {
        match i {
            0 => Label::Person,
            1 => Label::Org,
            2 => Label::Place,
            _ => Label::Misc,
        }
    }
}

fn b_tag(l: Label) -> usize {
    1 + l.index()
}
fn i_tag(l: Label) -> usize {
    5 + l.index()
}
/// The label of a B or I tag.
fn label_of(tag: usize) -> Option<Label> {
    match tag {
        1..=4 => Some(Label::from_index(tag - 1)),
        5..=8 => Some(Label::from_index(tag - 5)),
        _ => None,
    }
}
/// BIO constraint: I-X only continues B-X or I-X.
fn allowed(prev: usize, cur: usize) -> bool {
    match cur {
        5..=8 => prev == cur || prev + 4 == cur,
        _ => true,
    }
}

/// A span of tokens `[a, b)` of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub a: usize,
    pub b: usize,
    pub label: Label,
}

/// Why model bytes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model data is not a newsdesk name-tagger model (bad magic or version)")]
    Magic,
    #[error("model data is truncated or has a bad size: {0}")]
    Size(String),
    #[error("model data does not decompress: {0}")]
    Deflate(#[from] std::io::Error),
}

/// A trained tagger: a hashed feature table of `2^bits` rows of [`NTAGS`]
/// quantised weights, and the tag-to-tag transition scores.
pub struct Model {
    bits: u32,
    weights: Vec<i8>,
    trans: [[i32; NTAGS]; NTAGS],
    start: [i32; NTAGS],
}

impl Model {
    /// Reads a model written by [`Model::to_bytes`] (zlib-compressed).
    pub fn from_bytes(data: &[u8]) -> Result<Model, ModelError> {
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(data).take(1 << 28).read_to_end(&mut raw)?;
        if raw.len() < 16 || &raw[..8] != MAGIC {
            return Err(ModelError::Magic);
        }
        let u32_at =
            |o: usize| -> Option<u32> { raw.get(o..o + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])) };
        let bits = u32_at(8).ok_or_else(|| ModelError::Size("header".into()))?;
        if !(8..=24).contains(&bits) {
            return Err(ModelError::Size(format!("{bits} hash bits")));
        }
        let mut off = 12;
        let mut ints = [0i32; NTAGS * NTAGS + NTAGS];
        for x in ints.iter_mut() {
            *x = u32_at(off).ok_or_else(|| ModelError::Size("transitions".into()))? as i32;
            off += 4;
        }
        let n = (1usize << bits) * NTAGS;
        let w = raw.get(off..off + n).ok_or_else(|| ModelError::Size(format!("{} weight bytes", raw.len() - off)))?;
        let weights = w.iter().map(|&b| b as i8).collect();
        let mut trans = [[0i32; NTAGS]; NTAGS];
        for (p, row) in trans.iter_mut().enumerate() {
            row.copy_from_slice(&ints[p * NTAGS..(p + 1) * NTAGS]);
        }
        let mut start = [0i32; NTAGS];
        start.copy_from_slice(&ints[NTAGS * NTAGS..]);
        Ok(Model { bits, weights, trans, start })
    }

    /// The model as compressed bytes, for [`Model::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut raw = Vec::with_capacity(self.weights.len() + 512);
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        for row in &self.trans {
            for x in row {
                raw.extend_from_slice(&x.to_le_bytes());
            }
        }
        for x in &self.start {
            raw.extend_from_slice(&x.to_le_bytes());
        }
        raw.extend(self.weights.iter().map(|&w| w as u8));
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing into a Vec cannot fail.
        let _ = std::io::Write::write_all(&mut enc, &raw);
        enc.finish().unwrap_or_default()
    }

    /// Tags the document: name spans in token order, never overlapping.
    pub(crate) fn tag(&self, doc: &Doc) -> Vec<Span> {
        let feats = Features::new(doc, self.bits);
        let mut out = Vec::new();
        let mut buf = Vec::with_capacity(64);
        let mut emis: Vec<[i32; NTAGS]> = Vec::new();
        let mut back: Vec<[u8; NTAGS]> = Vec::new();
        for (s, e) in segments(doc) {
            emis.clear();
            for t in s..e {
                buf.clear();
                feats.of(t, &mut buf);
                let mut sc = [0i32; NTAGS];
                for &f in &buf {
                    let row = &self.weights[f as usize * NTAGS..f as usize * NTAGS + NTAGS];
                    for (x, &w) in sc.iter_mut().zip(row) {
                        *x += w as i32;
                    }
                }
                emis.push(sc);
            }
            let tags = viterbi_i32(&emis, &self.trans, &self.start, &mut back);
            spans_of(&tags, s, &mut out);
        }
        out
    }
}

/// The models trained by `newsdesk train ner` from the train parts of the
/// entity evaluation folder, compiled in so tagging needs no file access.
const EMBEDDED: &[(&str, &[u8])] = &[
    ("en", include_bytes!("../models/ner-en.bin")),
    ("es", include_bytes!("../models/ner-es.bin")),
    ("nl", include_bytes!("../models/ner-nl.bin")),
];

/// The embedded model for an ISO 639-1 language code, decoded on first
/// use. `None` when there is no model for the language (or its bytes do not
/// decode, which the tests rule out for the committed models): the caller
/// then falls back to the hand-written rules.
pub fn for_language(lang: &str) -> Option<&'static Model> {
    static MODELS: [OnceLock<Option<Model>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let i = EMBEDDED.iter().position(|(l, _)| *l == lang)?;
    MODELS[i].get_or_init(|| Model::from_bytes(EMBEDDED[i].1).ok()).as_ref()
}

/// Token ranges between line breaks: each is tagged as one sequence.
fn segments(doc: &Doc) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut s = 0;
    for t in 0..doc.len() {
        if doc.is_break(t) {
            if t > s {
                v.push((s, t));
            }
            s = t + 1;
        }
    }
    if doc.len() > s {
        v.push((s, doc.len()));
    }
    v
}

fn spans_of(tags: &[usize], off: usize, out: &mut Vec<Span>) {
    let mut k = 0;
    while k < tags.len() {
        let Some(l) = label_of(tags[k]) else {
            k += 1;
            continue;
        };
        let a = k;
        k += 1;
        while k < tags.len() && tags[k] == i_tag(l) {
            k += 1;
        }
        out.push(Span { a: off + a, b: off + k, label: l });
    }
}

/// [`viterbi`] on the quantised model's integer scores, reusing `back`:
/// the decoding loop of every analysed article.
fn viterbi_i32(
    emis: &[[i32; NTAGS]],
    trans: &[[i32; NTAGS]; NTAGS],
    start: &[i32; NTAGS],
    back: &mut Vec<[u8; NTAGS]>,
) -> Vec<usize> {
    decode(emis.len(), i64::MIN / 4, |t, c| emis[t][c] as i64, |p, c| trans[p][c] as i64, |c| start[c] as i64, back)
}

/// Best tag sequence under emission scores and transition scores, with
/// I-X allowed only after B-X or I-X. Linear in the length.
fn viterbi<T, F, G>(emis: &[[T; NTAGS]], trans: F, start: G) -> Vec<usize>
where
    T: Copy + Into<f64>,
    F: Fn(usize, usize) -> T,
    G: Fn(usize) -> T,
{
    decode(emis.len(), -1e30, |t, c| emis[t][c].into(), |p, c| trans(p, c).into(), |c| start(c).into(), &mut Vec::new())
}

/// The one Viterbi pass behind both: scores summed in `A` (f64 while
/// training, i64 on the quantised model), `neg` standing for "unreachable".
fn decode<A>(
    n: usize,
    neg: A,
    emis: impl Fn(usize, usize) -> A,
    trans: impl Fn(usize, usize) -> A,
    start: impl Fn(usize) -> A,
    back: &mut Vec<[u8; NTAGS]>,
) -> Vec<usize>
where
    A: Copy + PartialOrd + std::ops::Add<Output = A>,
{
    if n == 0 {
        return Vec::new();
    }
    back.clear();
    back.resize(n, [0u8; NTAGS]);
    let mut cur = [neg; NTAGS];
    for c in 0..NTAGS {
        if allowed(O, c) {
            cur[c] = start(c) + emis(0, c);
        }
    }
    for t in 1..n {
        let mut next = [neg; NTAGS];
        for c in 0..NTAGS {
            let mut best = neg;
            let mut arg = 0u8;
            for p in 0..NTAGS {
                if cur[p] <= neg || !allowed(p, c) {
                    continue;
                }
                let v = cur[p] + trans(p, c);
                if v > best {
                    best = v;
                    arg = p as u8;
                }
            }
            next[c] = best + emis(t, c);
            back[t][c] = arg;
        }
        cur = next;
    }
    let mut last = 0;
    for c in 1..NTAGS {
        if cur[c] > cur[last] {
            last = c;
        }
    }
    let mut tags = vec![0usize; n];
    tags[n - 1] = last;
    for t in (1..n).rev() {
        tags[t - 1] = back[t][tags[t]] as usize;
    }
    tags
}

// ---------------------------------------------------------------- features

/// FNV-1a over bytes: deterministic on every platform, so hashed tables
/// stay valid wherever the model is loaded.
fn fnv(s: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Combines a feature template with up to three part hashes into a table
/// row (a multiply-xorshift mix, then the top `bits` bits).
#[inline]
fn row(bits: u32, template: u64, a: u64, b: u64, c: u64) -> u32 {
    let mut h = template.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for x in [a, b, c] {
        h = (h ^ x).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 31;
    }
    (h >> (64 - bits)) as u32
}

/// "Xxxx" → "Xx", "U.S." → "X.X.", "1996-08-30" → "d-d-d": character
/// classes with runs collapsed, at most 12 bytes.
fn shape(s: &str, out: &mut Vec<u8>) {
    out.clear();
    let mut last = 0u8;
    for c in s.chars() {
        let k = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_numeric() {
            b'd'
        } else if c.is_ascii() {
            c as u8
        } else {
            b'*'
        };
        if k != last {
            out.push(k);
            last = k;
        }
        if out.len() >= 12 {
            break;
        }
    }
}

fn all_upper(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
    }
    letters > 0
}

/// A hasher for keys that are already hashes (FNV of a word): the set
/// look-ups per token then cost no second hash.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// The closed-class words as a set: a look-up per token, where scanning
/// the list cost more than all other features together.
fn stop_caps() -> &'static rustc_hash::FxHashSet<&'static str> {
    static SET: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| crate::doc::STOP_CAPS.iter().copied().collect())
}

/// What the features read of one token, computed once per document.
#[derive(Clone, Copy, Default)]
struct TokInfo {
    /// Hash of the lower-cased word; of "<s>" outside the line.
    word: u64,
    /// Hash of the word's shape.
    shape: u64,
    /// Word-list memberships of the token (see [`Features::new`]).
    lex: u8,
    /// Capitalised word.
    cap: bool,
    /// In an upper-case line (headline, dateline).
    upper: bool,
    /// First word of a sentence.
    start: bool,
    /// Document context bits: also written in lower case elsewhere,
    /// capitalised mid-sentence elsewhere.
    ctx: u8,
}

/// Per-document context the features read: which lines are set in upper
/// case (headlines, datelines), which tokens start a sentence, and which
/// words the document also writes in lower case or capitalised mid-sentence.
pub(crate) struct Features<'d, 'a> {
    doc: &'d Doc<'a>,
    bits: u32,
    info: Vec<TokInfo>,
}

const BOUNDARY: u64 = 0x5eed_0f_11e5;

impl<'d, 'a> Features<'d, 'a> {
    pub(crate) fn new(doc: &'d Doc<'a>, bits: u32) -> Self {
        let n = doc.len();
        let lex = doc.lex;
        let mut info = vec![TokInfo::default(); n];
        for (s, e) in segments(doc) {
            let (mut words, mut upper) = (0, 0);
            for t in s..e {
                if doc.is_word(t) {
                    words += 1;
                    if all_upper(doc.s(t)) {
                        upper += 1;
                    }
                }
            }
            let up = words > 0 && upper * 10 >= words * 7;
            for x in &mut info[s..e] {
                x.upper = up;
            }
        }
        let mut lower_seen: HashSet<u64, BuildHasherDefault<Prehashed>> = HashSet::default();
        let mut cap_mid_seen: HashSet<u64, BuildHasherDefault<Prehashed>> = HashSet::default();
        let mut prev_end = true;
        let mut sh = Vec::with_capacity(12);
        for t in 0..n {
            let k = doc.kind(t);
            let lw = doc.lw(t);
            let s = doc.s(t);
            let x = &mut info[t];
            x.word = fnv(lw.as_bytes());
            shape(s, &mut sh);
            x.shape = fnv(&sh);
            x.cap = doc.cap(t);
            if matches!(k, Some(Kind::Word) | Some(Kind::Num)) {
                x.start = prev_end;
                prev_end = false;
                if doc.is_word(t) {
                    if !x.cap {
                        lower_seen.insert(x.word);
                    } else if !x.start && !x.upper && !all_upper(s) {
                        cap_mid_seen.insert(x.word);
                    }
                }
            } else if doc.is_break(t) || matches!(s, "." | "!" | "?" | ":" | "-" | "--") {
                prev_end = true;
            }
            let l0 = lw.strip_suffix("'s").unwrap_or(lw);
            let s0 = s.strip_suffix("'s").or_else(|| s.strip_suffix("’s")).unwrap_or(s);
            x.lex = (lex.first_names.contains_key(s0) as u8)
                | (lex.titles.contains_key(l0) as u8) << 1
                | (lex.org_words.contains_key(l0) as u8) << 2
                | (lex.places.contains_key(s0) as u8) << 3
                | (lex.orgs.contains_key(s0) as u8) << 4
                | (stop_caps().contains(l0) as u8) << 5
                | (lex.place_words.contains_key(l0) as u8) << 6;
        }
        for (t, x) in info.iter_mut().enumerate() {
            if doc.is_word(t) && (x.cap || x.upper) {
                x.ctx = 4 | lower_seen.contains(&x.word) as u8 | (cap_mid_seen.contains(&x.word) as u8) << 1;
            }
        }
        Features { doc, bits, info }
    }

    /// Hashed feature rows of token `t`, appended to `out`.
    pub(crate) fn of(&self, t: usize, out: &mut Vec<u32>) {
        let d = self.doc;
        let bits = self.bits;
        let Some(&me) = self.info.get(t) else { return };
        let at = |k: isize| -> TokInfo {
            let i = t as isize + k;
            if i < 0 || i as usize >= d.len() || d.is_break(i as usize) {
                TokInfo { word: BOUNDARY, shape: BOUNDARY, ..TokInfo::default() }
            } else {
                self.info[i as usize]
            }
        };
        let (p2, p1, n1, n2) = (at(-2), at(-1), at(1), at(2));
        let flags = (me.upper as u64) | (me.start as u64) << 1;
        let mut f = |template: u64, a: u64, b: u64, c: u64| out.push(row(bits, template, a, b, c));
        f(1, 0, 0, 0);
        f(2, me.word, 0, 0);
        f(3, me.shape, 0, 0);
        f(4, flags, me.shape, 0);
        // Affixes of the lower-cased word, up to four characters.
        let lw = d.lw(t).as_bytes();
        if lw.len() < 60 {
            let mut ends = [0usize; 4];
            let mut k = 0;
            for (i, _) in d.lw(t).char_indices().skip(1).take(4) {
                ends[k] = i;
                k += 1;
            }
            let nc = k + (k < 4) as usize;
            if k < 4 {
                ends[k] = lw.len();
            }
            for (j, &e) in ends.iter().take(nc).enumerate() {
                f(5 + j as u64, fnv(&lw[..e]), 0, 0);
            }
            for (j, (i, _)) in d.lw(t).char_indices().rev().take(4).enumerate() {
                f(10 + j as u64, fnv(&lw[i..]), 0, 0);
            }
        }
        // Neighbours.
        f(20, p1.word, 0, 0);
        f(21, p2.word, 0, 0);
        f(22, n1.word, 0, 0);
        f(23, n2.word, 0, 0);
        f(24, p1.word, me.word, 0);
        f(25, me.word, n1.word, 0);
        f(26, p1.shape, me.shape, n1.shape);
        f(27, p1.shape, me.shape, 0);
        f(28, me.shape, n1.shape, 0);
        f(29, flags, p1.shape ^ n1.shape.rotate_left(17), me.shape);
        // Word lists written by hand, here and next door.
        f(30, me.lex as u64, me.cap as u64, 0);
        f(31, (p1.lex & 0x5f) as u64, (n1.lex & 0x5f) as u64, me.cap as u64);
        // Document context: a capitalised word the text also writes in
        // lower case is likely a common noun ("Police"); an upper-case
        // headline word the text capitalises mid-sentence is likely a name.
        if me.ctx != 0 {
            let ctx = me.ctx as u64 | flags << 3;
            f(32, ctx, 0, 0);
            f(33, ctx, me.shape, 0);
        }
        if me.upper {
            f(34, me.word, 0, 0);
        }
    }
}

// ---------------------------------------------------------------- training

/// One training document: its text and gold name spans in byte offsets.
pub struct TrainDoc {
    pub text: String,
    pub spans: Vec<(usize, usize, Label)>,
}

/// How to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Hash table size, as a power of two.
    pub bits: u32,
    /// Passes over the data.
    pub epochs: usize,
    /// Seed of the document order.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { bits: 18, epochs: 10, seed: 16 }
    }
}

/// Gold tags of a document's tokens: a token whose start lies in a span is
/// B- at the span's first such token, I- after it.
pub(crate) fn gold_tags(doc: &Doc, spans: &[(usize, usize, Label)]) -> Vec<usize> {
    let mut tags = vec![O; doc.len()];
    let mut sp: Vec<&(usize, usize, Label)> = spans.iter().collect();
    sp.sort_by_key(|x| x.0);
    let mut k = 0;
    let mut last_span = usize::MAX;
    for (t, tok) in doc.toks.iter().enumerate() {
        while k < sp.len() && sp[k].1 <= tok.s {
            k += 1;
        }
        if tok.kind == Kind::Break {
            continue;
        }
        if let Some(&&(a, b, l)) = sp.get(k) {
            if tok.s >= a && tok.s < b {
                tags[t] = if last_span == k { i_tag(l) } else { b_tag(l) };
                last_span = k;
            }
        }
    }
    tags
}

/// Trains a model on the documents with the averaged structured perceptron.
/// `progress` is called after each epoch with (epoch, token accuracy).
pub fn train(docs: &[TrainDoc], opts: &TrainOptions, mut progress: impl FnMut(usize, f64)) -> Model {
    let bits = opts.bits.clamp(8, 24);
    // Features are computed once: per document, per segment, per token.
    struct Seq {
        feats: Vec<Vec<u32>>,
        gold: Vec<usize>,
    }
    let mut seqs: Vec<Seq> = Vec::new();
    for td in docs {
        let doc = Doc::new(&td.text);
        let gold = gold_tags(&doc, &td.spans);
        let f = Features::new(&doc, bits);
        for (s, e) in segments(&doc) {
            let mut feats = Vec::with_capacity(e - s);
            for t in s..e {
                let mut v = Vec::with_capacity(48);
                f.of(t, &mut v);
                feats.push(v);
            }
            seqs.push(Seq { feats, gold: gold[s..e].to_vec() });
        }
    }
    let rows = 1usize << bits;
    let mut w = vec![0f32; rows * NTAGS];
    let mut u = vec![0f32; rows * NTAGS];
    let mut tr = [[0f32; NTAGS]; NTAGS];
    let mut tru = [[0f32; NTAGS]; NTAGS];
    let mut st = [0f32; NTAGS];
    let mut stu = [0f32; NTAGS];
    let mut c: f32 = 1.0;
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    let mut rng = opts.seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut emis: Vec<[f32; NTAGS]> = Vec::new();
    for epoch in 0..opts.epochs {
        // Fisher-Yates with a xorshift generator: a fixed order per seed.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        let (mut right, mut total) = (0usize, 0usize);
        for &si in &order {
            let sq = &seqs[si];
            emis.clear();
            for fs in &sq.feats {
                let mut sc = [0f32; NTAGS];
                for &f in fs {
                    let row = &w[f as usize * NTAGS..f as usize * NTAGS + NTAGS];
                    for (x, &v) in sc.iter_mut().zip(row) {
                        *x += v;
                    }
                }
                emis.push(sc);
            }
            let pred = viterbi(&emis, |p, q| tr[p][q], |q| st[q]);
            total += pred.len();
            right += pred.iter().zip(&sq.gold).filter(|(a, b)| a == b).count();
            if pred != sq.gold {
                for (t, (&g, &p)) in sq.gold.iter().zip(&pred).enumerate() {
                    if g != p {
                        for &f in &sq.feats[t] {
                            let r = f as usize * NTAGS;
                            w[r + g] += 1.0;
                            u[r + g] += c;
                            w[r + p] -= 1.0;
                            u[r + p] -= c;
                        }
                    }
                    let (gp, pp) = if t == 0 { (None, None) } else { (Some(sq.gold[t - 1]), Some(pred[t - 1])) };
                    if gp != pp || g != p {
                        match gp {
                            Some(x) => {
                                tr[x][g] += 1.0;
                                tru[x][g] += c;
                            }
                            None => {
                                st[g] += 1.0;
                                stu[g] += c;
                            }
                        }
                        match pp {
                            Some(x) => {
                                tr[x][p] -= 1.0;
                                tru[x][p] -= c;
                            }
                            None => {
                                st[p] -= 1.0;
                                stu[p] -= c;
                            }
                        }
                    }
                }
            }
            c += 1.0;
        }
        progress(epoch + 1, right as f64 / total.max(1) as f64);
    }
    // Averaged weights, then one scale for the whole model: the largest
    // feature weights (after a clip at the 99.99th percentile of magnitudes,
    // so a handful of extreme weights do not flatten the rest to zero)
    // map to ±127.
    let avg = |w: f32, u: f32| w - u / c;
    let mut mags: Vec<f32> = w.iter().zip(&u).map(|(&a, &b)| avg(a, b).abs()).filter(|&m| m > 0.0).collect();
    mags.sort_by(|a, b| a.total_cmp(b));
    let clip =
        mags.get((mags.len() as f64 * 0.9999) as usize).copied().or(mags.last().copied()).unwrap_or(1.0).max(1e-6);
    let scale = 127.0 / clip;
    let q = |x: f32| -> i8 { (x * scale).round().clamp(-127.0, 127.0) as i8 };
    let weights = w.iter().zip(&u).map(|(&a, &b)| q(avg(a, b))).collect();
    let mut trans = [[0i32; NTAGS]; NTAGS];
    let mut start = [0i32; NTAGS];
    for p in 0..NTAGS {
        for k in 0..NTAGS {
            trans[p][k] = (avg(tr[p][k], tru[p][k]) * scale).round() as i32;
        }
        start[p] = (avg(st[p], stu[p]) * scale).round() as i32;
    }
    Model { bits, weights, trans, start }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with(text: &str, names: &[(&str, Label)]) -> TrainDoc {
        let mut spans = Vec::new();
        for (n, l) in names {
            let mut from = 0;
            while let Some(i) = text[from..].find(n) {
                spans.push((from + i, from + i + n.len(), *l));
                from += i + n.len();
            }
        }
        TrainDoc { text: text.to_string(), spans }
    }

    #[test]
    fn shapes_collapse_runs() {
        let mut b = Vec::new();
        shape("London", &mut b);
        assert_eq!(b, b"Xx");
        shape("U.S.", &mut b);
        assert_eq!(b, b"X.X.");
        shape("1996-08-30", &mut b);
        assert_eq!(b, b"d-d-d");
    }

    #[test]
    fn gold_tags_are_bio() {
        let d = doc_with(
            "Yesterday Mara Quint met the Halvor Group.",
            &[("Mara Quint", Label::Person), ("Halvor Group", Label::Org)],
        );
        let doc = Doc::new(&d.text);
        let tags = gold_tags(&doc, &d.spans);
        assert_eq!(tags, vec![O, 1, 5, O, O, 2, 6, O]);
    }

    #[test]
    fn integer_viterbi_agrees_with_the_general_one() {
        let mut e = [[0i32; NTAGS]; 5];
        for (t, row) in e.iter_mut().enumerate() {
            for (c, x) in row.iter_mut().enumerate() {
                *x = ((t * 7 + c * 13) % 11) as i32 - 5;
            }
        }
        let mut trans = [[0i32; NTAGS]; NTAGS];
        for (p, row) in trans.iter_mut().enumerate() {
            for (c, x) in row.iter_mut().enumerate() {
                *x = ((p * 5 + c * 3) % 7) as i32 - 3;
            }
        }
        let start = [1, -2, 0, 3, -1, 0, 0, 0, 0];
        let general = viterbi(&e, |p, c| trans[p][c], |c| start[c]);
        assert_eq!(viterbi_i32(&e, &trans, &start, &mut Vec::new()), general);
    }

    #[test]
    fn viterbi_keeps_bio_valid() {
        // Emissions prefer I-PER at the start; the constraint forbids it.
        let mut e = [[0i32; NTAGS]; 2];
        e[0][5] = 10;
        e[0][1] = 5;
        e[1][5] = 10;
        let tags = viterbi(&e, |_, _| 0, |_| 0);
        assert_eq!(tags, vec![1, 5]);
    }

    #[test]
    fn learns_a_small_synthetic_set_and_round_trips() {
        let firsts = ["Mara", "Tovin", "Elsa", "Brom", "Ilka", "Oren"];
        let lasts = ["Quint", "Darrow", "Fenn", "Ostrow", "Pell", "Vance"];
        let towns = ["Kelmarsh", "Dunmore", "Ashby", "Corvale"];
        let mut docs = Vec::new();
        for (i, f) in firsts.iter().enumerate() {
            let l = lasts[(i * 5 + 1) % lasts.len()];
            let town = towns[i % towns.len()];
            let person = format!("{f} {l}");
            let org = format!("{} Holdings", lasts[(i + 2) % lasts.len()]);
            let text = format!(
                "{person} said on Monday that {org} would open an office in {town}.\nThe plan was welcomed in {town} , where {org} employs many people .\nLater {person} left ."
            );
            docs.push(doc_with(&text, &[(&person, Label::Person), (&org, Label::Org), (town, Label::Place)]));
        }
        let m = train(&docs, &TrainOptions { bits: 14, epochs: 8, seed: 1 }, |_, _| {});
        let m = Model::from_bytes(&m.to_bytes()).expect("round trip");
        let text = "Ilka Darrow said on Monday that Pell Holdings would open an office in Ashby.";
        let doc = Doc::new(text);
        let spans: Vec<(String, Label)> =
            m.tag(&doc).iter().map(|s| (doc.span_text(s.a, s.b).to_string(), s.label)).collect();
        assert_eq!(
            spans,
            vec![
                ("Ilka Darrow".to_string(), Label::Person),
                ("Pell Holdings".to_string(), Label::Org),
                ("Ashby".to_string(), Label::Place)
            ]
        );
    }

    #[test]
    fn training_is_deterministic() {
        let docs =
            vec![doc_with("Brom Fenn visited Corvale .", &[("Brom Fenn", Label::Person), ("Corvale", Label::Place)])];
        let a = train(&docs, &TrainOptions { bits: 10, epochs: 3, seed: 7 }, |_, _| {}).to_bytes();
        let b = train(&docs, &TrainOptions { bits: 10, epochs: 3, seed: 7 }, |_, _| {}).to_bytes();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_model_bytes_are_errors() {
        assert!(Model::from_bytes(b"not a model").is_err());
        let m = Model { bits: 8, weights: vec![0; 256 * NTAGS], trans: [[0; NTAGS]; NTAGS], start: [0; NTAGS] };
        let mut bytes = m.to_bytes();
        assert!(Model::from_bytes(&bytes).is_ok());
        bytes.truncate(bytes.len() / 2);
        assert!(Model::from_bytes(&bytes).is_err());
    }
}
