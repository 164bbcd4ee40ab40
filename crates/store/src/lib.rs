//! The newsdesk store: where ingested articles, their revisions,
//! syndication groups, stories, quotes, entities, follows and ingest errors
//! live, and how they are searched.
//!
//! [`Store`] is the one interface every backend implements; the
//! [`conformance`] suite states its contract as tests so that a second
//! backend (PostgreSQL, for the scale-out) is checked against the same
//! behaviour. [`EmbeddedStore`] is the default backend: SQLite records plus a
//! tantivy full-text index in one data directory, no server to run.
//!
//! The store decides nothing about *which* group or story an article
//! belongs to: that is the ingest pipeline's job (MinHash/LSH and story
//! clustering live in `newsdesk-cluster`). The store records decisions
//! atomically per [`Batch`] and keeps what the pipeline needs to rebuild its
//! in-memory state after a restart ([`Store::signatures`],
//! [`Store::story_log`], [`Store::seen_docs`]).
//!
//! Ids are content-addressed ([`Id::of`]): the same bytes or URL give the
//! same id in every run and every backend, which makes ingest idempotent.

pub mod conformance;
mod embedded;
pub mod query_bounds;
mod types;

pub use embedded::EmbeddedStore;
pub use query_bounds::check_query_text;
pub use types::*;

/// Helpers shared by the backends, so that every backend normalises names,
/// follow kinds and snippets the same way (the PostgreSQL backend uses them).
pub mod backend {
    pub use crate::embedded::{kind_from, kind_str, lead, name_terms, spec_from, spec_parts};
}

use std::collections::HashSet;

/// What can go wrong in a store. Bad *input* never shows up here: the
/// pipeline records it as an [`IngestError`]. These are failures of the
/// store itself (disk, corruption, a query that does not parse).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The full-text index failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A search or follow query has a syntax error.
    #[error("query {query:?}: {message}")]
    Query { query: String, message: String },
    /// Reading or writing the data directory failed.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
    /// A stored JSON value did not decode: the data directory was written by
    /// an incompatible version or damaged.
    #[error("stored record: {0}")]
    Json(#[from] serde_json::Error),
    /// An argument was invalid (an empty follow name, an unknown id form).
    #[error("{0}")]
    Invalid(String),
    /// A database server backend (PostgreSQL) failed: the connection was
    /// lost or refused, or a statement was rejected.
    #[error("database server: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The contract of a newsdesk store backend.
///
/// **Writes.** The only write of ingest is [`Store::apply`], which records
/// one [`Batch`] atomically: after a crash at any point, either all of a
/// batch is there or none of it. Every write is idempotent by id: applying
/// a batch whose documents were already applied changes nothing.
///
/// **Index.** Full-text search may lag the records: [`Store::sync_index`]
/// makes the index agree with the records and runs follow matching over
/// what it indexed. A backend must recover a lagging index on its own (the
/// embedded backend replays from SQLite on open), so a crash between
/// `apply` and `sync_index` loses nothing.
///
/// **Follows.** A follow matches articles indexed after it was added; each
/// match is delivered by [`Store::follow_check`] exactly once.
///
/// **Determinism.** Given the same sequence of batches, two stores end in
/// the same state, as compared by [`Store::dump`].
pub trait Store {
    /// Keys of raw documents already applied, so the pipeline skips them
    /// before doing any work.
    fn seen_docs(&self) -> Result<HashSet<Id>>;
    /// Every article's MinHash signature with its syndication group, in
    /// arrival order, to rebuild the in-memory LSH index.
    fn signatures(&self) -> Result<Vec<(Id, Id, Vec<u8>)>>;
    /// Story assignments in arrival order, with the features the clusterer
    /// saw, so an incremental clusterer can be replayed to the same state.
    fn story_log(&self) -> Result<Vec<StoryLogEntry>>;
    /// The current revision number and body of an article, if it exists.
    fn current_body(&self, article: Id) -> Result<Option<(u32, String)>>;
    /// Records a batch atomically (see the trait docs).
    fn apply(&mut self, batch: &Batch) -> Result<()>;
    /// Brings the full-text index up to the records and matches follows
    /// against what was newly indexed. Returns the number of documents
    /// (re)indexed.
    fn sync_index(&mut self) -> Result<usize>;
    /// Index upkeep deferred while an ingest runs (merging the full-text
    /// index's segments), done once at its end. Stores without any do
    /// nothing.
    fn finish_ingest(&mut self) -> Result<()> {
        Ok(())
    }

    /// Full-text search, best first, one hit per syndication group.
    fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>>;
    /// Quotes, newest first.
    fn quotes(&self, q: &QuoteQuery) -> Result<Vec<QuoteRow>>;
    /// Entities by number of articles mentioning them.
    fn entities(&self, kind: Option<EntityKind>, limit: usize) -> Result<Vec<EntityRow>>;
    /// Stories, latest first, with their articles.
    fn stories(&self, limit: usize) -> Result<Vec<StoryRow>>;
    /// One article with its revisions and syndication group. `id` is the
    /// hex id or a unique prefix of it.
    fn show(&self, id: &str) -> Result<Option<ArticleView>>;
    /// Counts of everything.
    fn stats(&self) -> Result<Stats>;
    /// Every article's URL, headline, group and story in arrival order: the
    /// whole clustering at once, for evaluation against a known truth and
    /// for export.
    fn assignments(&self) -> Result<Vec<Assignment>>;

    /// Adds a follow; fails with [`StoreError::Invalid`] if the name exists.
    fn follow_add(&mut self, name: &str, spec: &FollowSpec) -> Result<Follow>;
    /// All follows, by name.
    fn follow_list(&self) -> Result<Vec<Follow>>;
    /// Removes a follow and its matches; false if there was none.
    fn follow_remove(&mut self, name: &str) -> Result<bool>;
    /// Matches not delivered before (of one follow, or of all), marked
    /// delivered in the same transaction.
    fn follow_check(&mut self, name: Option<&str>) -> Result<Vec<FollowMatch>>;

    /// A canonical text form of the whole state (records and which
    /// articles the index holds), for comparing two stores in tests.
    fn dump(&self) -> Result<String>;

    /// One story with its articles (in arrival order), for a story page.
    fn story(&self, id: Id) -> Result<Option<StoryRow>>;
    /// A follow's matches, delivered or not, newest first: the history an
    /// Atom feed shows, read without consuming what
    /// [`Store::follow_check`] delivers. `None` if there is no such follow.
    fn follow_matches(&self, name: &str, limit: usize) -> Result<Option<Vec<FollowMatch>>>;

    /// What the analysis found in an article's current revision as stored
    /// at ingest (quotes and mentions with their offsets), so an article
    /// page can mark them up without re-running the analyzer per request.
    /// `body` is that revision's text. `None` when the backend keeps no
    /// offsets: the caller then analyzes `body` again, which gives the same
    /// quotes and mentions at the cost of the time it takes.
    fn stored_analysis(&self, article: Id, body: &str) -> Result<Option<newsdesk_model::Analysis>> {
        let _ = (article, body);
        Ok(None)
    }
}
