//! Word shingles and MinHash signatures.

use crate::hash::{hash_bytes, mix64, SplitMix};

/// Number of hash functions (and `u32` values) in a [`Signature`].
pub const NUM_HASHES: usize = 128;

/// Words per shingle. Five-word windows are long enough that two separately
/// written articles rarely share one by chance, and short enough that a
/// changed word disturbs only five shingles.
pub const SHINGLE_WORDS: usize = 5;

/// Word 5-shingles of normalised text (lower-cased, split on anything that
/// is not a letter or a digit), as 64-bit hashes.
///
/// A unit type holding the functions, so callers can compute shingles
/// directly (for exact Jaccard in tests and benchmarks) with the same
/// normalisation the signatures use.
pub struct Shingles;

impl Shingles {
    /// Hashes of the normalised words of `text`, in order.
    pub fn word_hashes(text: &str) -> Vec<u64> {
        let mut out = Vec::with_capacity(text.len() / 6);
        let mut word = String::with_capacity(32);
        for ch in text.chars() {
            if ch.is_alphanumeric() {
                if ch.is_ascii() {
                    word.push(ch.to_ascii_lowercase());
                } else {
                    word.extend(ch.to_lowercase());
                }
            } else if !word.is_empty() {
                out.push(hash_bytes(word.as_bytes()));
                word.clear();
            }
        }
        if !word.is_empty() {
            out.push(hash_bytes(word.as_bytes()));
        }
        out
    }

    /// Hashes of every window of [`SHINGLE_WORDS`] words. A text shorter than
    /// that is one shingle of all its words; an empty text has none.
    pub fn hashes(text: &str) -> Vec<u64> {
        let words = Self::word_hashes(text);
        if words.is_empty() {
            return Vec::new();
        }
        let n = SHINGLE_WORDS.min(words.len());
        words.windows(n).map(combine).collect()
    }
}

fn combine(words: &[u64]) -> u64 {
    let mut h: u64 = 0x5851_f42d_4c95_7f2d;
    for &w in words {
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    mix64(h)
}

/// A MinHash signature: for each of [`NUM_HASHES`] hash functions the
/// smallest value over the text's shingles. The fraction of positions two
/// signatures agree on estimates the Jaccard similarity of the shingle sets
/// (standard error about 0.044 at 128 hashes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// The estimated Jaccard similarity, in 0..=1. A signature of an empty
    /// text (all values `u32::MAX`) is similar to nothing, not even another
    /// empty one, so empty bodies never fold together. Signatures of
    /// different lengths compare over their common prefix.
    pub fn jaccard(&self, other: &Signature) -> f32 {
        let n = self.0.len().min(other.0.len());
        if n == 0 || self.is_empty_text() || other.is_empty_text() {
            return 0.0;
        }
        let same = self.0[..n].iter().zip(&other.0[..n]).filter(|(a, b)| a == b).count();
        same as f32 / n as f32
    }

    /// True for the signature of a text without words.
    pub fn is_empty_text(&self) -> bool {
        self.0.iter().all(|&v| v == u32::MAX)
    }

    /// Little-endian bytes, four per value, for storing in a database.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.len() * 4);
        for v in &self.0 {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// The inverse of [`Signature::to_bytes`]; `None` for an empty slice or
    /// a length that is not a multiple of four (a damaged record).
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.is_empty() || !b.chunks_exact(4).remainder().is_empty() {
            return None;
        }
        Some(Signature(
            b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
        ))
    }
}

/// Seeds of the hash family: fixed, so a signature stored today compares
/// with one computed by a later build.
struct Family {
    a: [u64; NUM_HASHES],
    b: [u64; NUM_HASHES],
}

fn family() -> &'static Family {
    static FAMILY: std::sync::OnceLock<Family> = std::sync::OnceLock::new();
    FAMILY.get_or_init(|| {
        let mut rng = SplitMix(0x6e65_7773_6465_736b); // "newsdesk"
        let mut a = [0u64; NUM_HASHES];
        let mut b = [0u64; NUM_HASHES];
        for i in 0..NUM_HASHES {
            a[i] = rng.next_u64() | 1;
            b[i] = rng.next_u64();
        }
        Family { a, b }
    })
}

/// The MinHash [`Signature`] of `text` (128 `u32` values, deterministic).
///
/// Each hash function is multiply-shift over the 64-bit shingle hash,
/// `(a*h + b) >> 32` with odd `a`: two operations per function, which the
/// compiler vectorises, so a 1,000-word body costs tens of microseconds.
pub fn minhash(text: &str) -> Signature {
    let shingles = Shingles::hashes(text);
    signature_of_hashes(&shingles)
}

pub(crate) fn signature_of_hashes(shingles: &[u64]) -> Signature {
    let f = family();
    let mut mins = [u32::MAX; NUM_HASHES];
    // One hash function at a time over all shingles: a branch-free min
    // reduction with `a` and `b` in registers, several times faster than
    // updating 128 minima per shingle.
    for (m, (&a, &b)) in mins.iter_mut().zip(f.a.iter().zip(f.b.iter())) {
        *m = shingles.iter().map(|&h| (a.wrapping_mul(h).wrapping_add(b) >> 32) as u32).fold(u32::MAX, u32::min);
    }
    Signature(mins.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_ignores_case_and_punctuation() {
        let a = minhash("The Quick brown fox, jumps over the lazy dog!");
        let b = minhash("the quick BROWN fox jumps -- over the lazy dog");
        assert_eq!(a, b);
        assert_eq!(a.jaccard(&b), 1.0);
    }

    #[test]
    fn deterministic_values() {
        let a = minhash("one two three four five six");
        let b = minhash("one two three four five six");
        assert_eq!(a.0, b.0);
        assert_eq!(a.0.len(), NUM_HASHES);
    }

    #[test]
    fn empty_is_similar_to_nothing() {
        let e = minhash("  ,,, ");
        assert!(e.is_empty_text());
        assert_eq!(e.jaccard(&minhash("")), 0.0);
        assert_eq!(e.jaccard(&minhash("a b c d e")), 0.0);
    }

    #[test]
    fn short_text_is_one_shingle() {
        assert_eq!(Shingles::hashes("two words").len(), 1);
        assert_eq!(Shingles::hashes("a b c d e f").len(), 2);
        assert!(Shingles::hashes("").is_empty());
    }

    #[test]
    fn bytes_round_trip() {
        let s = minhash("a text with some words in it for the signature");
        assert_eq!(Signature::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Signature::from_bytes(&[1, 2, 3]), None);
        assert_eq!(Signature::from_bytes(&[]), None);
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        let base: Vec<String> = (0..400).map(|i| format!("w{}", i * 7 % 113 + i)).collect();
        let a = base.join(" ");
        let mut changed = base.clone();
        for i in (0..400).step_by(40) {
            changed[i] = format!("x{i}");
        }
        let b = changed.join(" ");
        let sa: std::collections::HashSet<u64> = Shingles::hashes(&a).into_iter().collect();
        let sb: std::collections::HashSet<u64> = Shingles::hashes(&b).into_iter().collect();
        let exact = sa.intersection(&sb).count() as f32 / sa.union(&sb).count() as f32;
        let est = minhash(&a).jaccard(&minhash(&b));
        assert!((exact - est).abs() < 0.15, "exact {exact} est {est}");
    }
}
