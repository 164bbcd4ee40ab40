//! Locality-sensitive hashing over MinHash signatures (banding).

use std::collections::HashMap;

use crate::hash::{mix64, PassThroughBuild};
use crate::minhash::Signature;

/// Bands of a signature; each band is one hash table.
pub const BANDS: usize = 32;
/// Signature values per band. Two signatures become candidates when all
/// rows of at least one band agree: probability `1 - (1 - J^4)^32`, about
/// 0.87 at J = 0.5, 0.9998 at J = 0.7 and 0.23 at J = 0.3 — a steep curve
/// around [`crate::SYNDICATION_THRESHOLD`].
pub const ROWS: usize = 4;

/// Most entries walked per band bucket in [`LshIndex::candidates`]. A bucket
/// only grows past a handful when many stored texts are the same (a
/// boilerplate "subscribe to read" body); the cap keeps a lookup bounded and
/// still returns plenty of those copies.
const MAX_BUCKET_WALK: usize = 1000;

const NIL: u32 = u32::MAX;

/// An in-memory LSH index from ids to signatures' band hashes.
///
/// Why this layout: each band keeps a map from a 32-bit band hash to the
/// newest item in that bucket, and items chain to the previous item of the
/// same bucket through a flat `next` array. That is about 15 bytes per item
/// per band (about 0.5 KB per article), a third of a map of vectors, so the
/// index of a million articles fits in memory. 32-bit band keys collide by
/// chance only rarely, and a collision costs one extra candidate that the
/// caller's Jaccard check rejects.
pub struct LshIndex {
    heads: Vec<HashMap<u32, u32, PassThroughBuild>>,
    /// `next[item * BANDS + band]`: the previous item in the same bucket.
    next: Vec<u32>,
    ids: Vec<u64>,
}

impl Default for LshIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl LshIndex {
    /// An empty index.
    pub fn new() -> Self {
        LshIndex { heads: (0..BANDS).map(|_| HashMap::default()).collect(), next: Vec::new(), ids: Vec::new() }
    }

    /// Number of signatures inserted (empty-text signatures are not kept).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds `id` with its signature. Signatures of empty texts are ignored:
    /// they would all share every bucket and are similar to nothing anyway.
    /// A signature shorter than `BANDS * ROWS` values uses the bands it has.
    /// Inserting the same id twice indexes it twice; candidates are
    /// deduplicated, so that only costs memory.
    pub fn insert(&mut self, id: u64, sig: &Signature) {
        if sig.is_empty_text() || self.ids.len() >= (NIL as usize) {
            return;
        }
        let item = self.ids.len() as u32;
        self.ids.push(id);
        for band in 0..BANDS {
            let prev = match band_key(sig, band) {
                Some(key) => self.heads[band].insert(key, item).unwrap_or(NIL),
                None => NIL,
            };
            self.next.push(prev);
        }
    }

    /// Ids whose signatures share at least one whole band with `sig`,
    /// sorted and without repeats. These are only candidates: check each
    /// with [`Signature::jaccard`] against the stored signature.
    pub fn candidates(&self, sig: &Signature) -> Vec<u64> {
        let mut out = Vec::new();
        if sig.is_empty_text() {
            return out;
        }
        for band in 0..BANDS {
            let Some(key) = band_key(sig, band) else { continue };
            let mut item = self.heads[band].get(&key).copied().unwrap_or(NIL);
            let mut walked = 0;
            while item != NIL && walked < MAX_BUCKET_WALK {
                out.push(self.ids[item as usize]);
                item = self.next[item as usize * BANDS + band];
                walked += 1;
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn band_key(sig: &Signature, band: usize) -> Option<u32> {
    let rows = sig.0.get(band * ROWS..(band + 1) * ROWS)?;
    let mut h = mix64(band as u64 + 1);
    for &r in rows {
        h = mix64(h ^ u64::from(r));
    }
    Some((h >> 32) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::minhash;

    #[test]
    fn finds_identical_and_skips_unrelated() {
        let mut idx = LshIndex::new();
        let a = "the council voted on tuesday to close the old bridge across the river for repairs";
        let b = "a storm brought heavy snow to the northern valleys and closed several mountain passes";
        idx.insert(1, &minhash(a));
        idx.insert(2, &minhash(b));
        assert_eq!(idx.candidates(&minhash(a)), vec![1]);
        assert_eq!(idx.len(), 2);
    }

    #[test]
    fn empty_signatures_not_indexed() {
        let mut idx = LshIndex::new();
        idx.insert(1, &minhash(""));
        assert!(idx.is_empty());
        assert!(idx.candidates(&minhash("")).is_empty());
    }

    #[test]
    fn short_signatures_do_not_panic() {
        let mut idx = LshIndex::new();
        let s = Signature(vec![1, 2, 3, 4, 5, 6]);
        idx.insert(9, &s);
        assert_eq!(idx.candidates(&s), vec![9]);
        assert!(idx.candidates(&Signature(vec![7])).is_empty());
    }
}
