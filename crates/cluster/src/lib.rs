//! Pure duplicate and story clustering for newsdesk.
//!
//! Ingest needs three judgements about an incoming article, all of them
//! without I/O so they can run anywhere in the pipeline (and in tests) and
//! give the same answer for the same input:
//!
//! - **Is it a copy of something we have?** [`minhash`] turns a body into a
//!   [`Signature`] over word 5-shingles; [`LshIndex`] finds the few stored
//!   signatures that could be similar without comparing against all of them;
//!   an estimated Jaccard above [`SYNDICATION_THRESHOLD`] means the same
//!   story text (a syndicated wire copy or a near-duplicate).
//! - **Which story is it about?** [`story_terms`] picks an article's weighted
//!   key terms, and [`StoryClusterer`] assigns articles to stories
//!   incrementally from shared entities, term cosine and a time window.
//! - **What changed between two revisions?** [`paragraph_diff`] is an LCS
//!   over paragraphs.
//!
//! Everything is deterministic (fixed seeds, no randomised hashers in
//! results) so signatures can be stored and compared across runs and
//! versions, and ingest stays idempotent.

mod diff;
mod hash;
mod lsh;
mod minhash;
mod story;
mod terms;

pub use diff::{paragraph_diff, split_paragraphs, DiffOp};
pub use lsh::{LshIndex, BANDS, ROWS};
pub use minhash::{minhash, Shingles, Signature, NUM_HASHES, SHINGLE_WORDS};
pub use story::{StoryClusterer, StoryFeatures, StoryParams};
pub use terms::{is_stopword, story_terms, MAX_TERMS};

/// Estimated Jaccard similarity of two bodies' shingle sets above which they
/// are the same story text: a syndicated copy or a near-duplicate.
///
/// Why 0.5: copies of one wire story on different sites share almost all of
/// their 5-shingles (about 0.8 to 1.0 once chrome is stripped, still above
/// 0.7 when a site trims the last paragraphs or adds a credit line), while
/// two separately written articles about the same event share well under
/// 0.1 because word 5-grams rarely repeat outside quotations. 0.5 sits in the
/// wide gap, and at 32 bands of 4 rows the LSH finds pairs at 0.5 with
/// probability 0.87 and at 0.7 with probability 0.9998.
pub const SYNDICATION_THRESHOLD: f32 = 0.5;
