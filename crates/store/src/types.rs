//! The records a store takes and gives back.

use std::fmt;

use newsdesk_model::{Analysis, Article};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use newsdesk_model::EntityKind;

/// A content-addressed id: the first 64 bits of a SHA-256 over the parts
/// that identify the thing. 64 bits keep ids short to type (`show 1f3a…`)
/// and fast as SQLite integer keys; the chance of any collision among a
/// million articles is about 3 in 100 million.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Id(pub u64);

impl Id {
    /// The id of the thing identified by `parts` (each length-prefixed, so
    /// `["ab","c"]` and `["a","bc"]` differ).
    pub fn of(parts: &[&[u8]]) -> Id {
        let mut h = Sha256::new();
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        let d = h.finalize();
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[..8]);
        Id(u64::from_be_bytes(b))
    }

    /// Parses the 16-digit hex form.
    pub fn parse(s: &str) -> Option<Id> {
        (s.len() == 16).then(|| u64::from_str_radix(s, 16).ok().map(Id)).flatten()
    }

    /// The value as SQLite stores it (the same bits).
    pub fn as_i64(self) -> i64 {
        self.0 as i64
    }

    /// The id from its SQLite form.
    pub fn from_i64(v: i64) -> Id {
        Id(v as u64)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for Id {
    type Error = String;
    fn try_from(s: String) -> Result<Id, String> {
        Id::parse(&s).ok_or_else(|| format!("not an id: {s:?}"))
    }
}

/// One atomic unit of ingest: everything decided for a run of raw
/// documents.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// Keys of the raw documents this batch covers (including those that
    /// gave no article), so a rerun skips them.
    pub docs: Vec<Id>,
    /// Articles seen for the first time.
    pub articles: Vec<NewArticle>,
    /// New revisions of existing articles (or of articles earlier in this
    /// batch), in order.
    pub revisions: Vec<NewRevision>,
    /// Records that failed, with where they came from.
    pub errors: Vec<IngestError>,
}

/// An article seen for the first time, with every decision about it.
#[derive(Clone, Debug)]
pub struct NewArticle {
    pub id: Id,
    /// Site: the outlet's name or the URL's host.
    pub site: Option<String>,
    /// Where the record came from (path, WARC record, URL).
    pub location: String,
    /// When it was fetched (Unix seconds), if known.
    pub fetched_unix: Option<i64>,
    /// `article.published` as Unix seconds, for date filters.
    pub published_unix: Option<i64>,
    pub article: Article,
    pub analysis: Analysis,
    /// The MinHash signature, opaque to the store.
    pub signature: Vec<u8>,
    /// The syndication group; the article's own id when it starts one.
    pub group: Id,
    /// The story; assignments for new stories carry the clusterer's id.
    pub story: Id,
    /// The clusterer's input for this article, opaque to the store
    /// (replayed by [`crate::Store::story_log`]); empty when the article
    /// joined its group's story without being clustered.
    pub story_features: Vec<u8>,
}

/// A changed version of an article already known (same URL, new text).
#[derive(Clone, Debug)]
pub struct NewRevision {
    pub article: Id,
    pub location: String,
    pub fetched_unix: Option<i64>,
    pub published_unix: Option<i64>,
    pub new: Article,
    pub analysis: Analysis,
    /// Paragraph-level changes from the previous revision's body.
    pub diff: Vec<DiffLine>,
}

/// One paragraph of a revision diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// A record that could not be ingested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestError {
    pub location: String,
    pub message: String,
}

/// One story assignment, as recorded.
#[derive(Clone, Debug)]
pub struct StoryLogEntry {
    pub article: Id,
    pub story: Id,
    pub features: Vec<u8>,
}

/// A full-text search.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    /// Query text: words (all required), `"phrases"`, `AND`/`OR`/`NOT`,
    /// `-word`, `field:word` for `headline`/`body`. Empty matches all.
    pub text: String,
    /// Published at or after (Unix seconds).
    pub since: Option<i64>,
    /// Published before (Unix seconds).
    pub until: Option<i64>,
    pub site: Option<String>,
    pub lang: Option<String>,
    /// A quoted speaker: the full name or one of its words.
    pub speaker: Option<String>,
    /// A mentioned entity: the full name or one of its words.
    pub entity: Option<String>,
    pub limit: usize,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: Id,
    pub score: f32,
    pub headline: Option<String>,
    pub url: Option<String>,
    pub site: Option<String>,
    /// ISO 639-1 code of the article's language, when known.
    #[serde(default)]
    pub language: Option<String>,
    pub published: Option<String>,
    /// A passage of the body with the matched words marked `**like this**`.
    pub snippet: String,
    pub group: Id,
    /// Copies in the syndication group (1 when not syndicated).
    pub copies: usize,
}

/// A quote search.
#[derive(Clone, Debug, Default)]
pub struct QuoteQuery {
    pub speaker: Option<String>,
    /// Words that must all occur in the quote.
    pub text: Option<String>,
    pub limit: usize,
}

/// One quote with its article.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteRow {
    pub article: Id,
    pub speaker: Option<String>,
    pub role: Option<String>,
    pub kind: String,
    pub text: String,
    pub cue: Option<String>,
    pub headline: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
}

/// An entity with how often it is mentioned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityRow {
    pub name: String,
    pub kind: EntityKind,
    pub articles: u64,
    pub mentions: u64,
}

/// A story with its articles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoryRow {
    pub id: Id,
    pub headline: Option<String>,
    pub first_published: Option<String>,
    pub last_published: Option<String>,
    pub articles: Vec<ArticleBrief>,
}

/// The short form of an article in lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleBrief {
    pub id: Id,
    pub headline: Option<String>,
    pub site: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
}

/// One article with its history and copies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleView {
    pub id: Id,
    pub site: Option<String>,
    pub location: String,
    pub story: Id,
    /// The latest revision's article.
    pub article: Article,
    pub revisions: Vec<RevisionView>,
    pub group: GroupView,
}

/// One revision of an article.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevisionView {
    pub number: u32,
    pub fetched_unix: Option<i64>,
    pub updated: Option<String>,
    pub headline: Option<String>,
    /// Changes from the previous revision (empty for the first).
    pub diff: Vec<DiffLine>,
}

/// A syndication group: the copies of one text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: Id,
    pub representative: Id,
    pub copies: Vec<ArticleBrief>,
}

/// Where one article was filed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: Id,
    pub url: Option<String>,
    pub headline: Option<String>,
    pub published_unix: Option<i64>,
    pub group: Id,
    pub story: Id,
}

/// Counts of everything in a store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub articles: u64,
    pub revisions: u64,
    pub syndication_groups: u64,
    pub stories: u64,
    pub quotes: u64,
    pub entities: u64,
    pub follows: u64,
    pub follow_matches: u64,
    pub ingest_errors: u64,
    pub indexed: u64,
}

/// What a follow watches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum FollowSpec {
    /// A search query (same syntax as [`SearchQuery::text`]).
    Query(String),
    /// Quotes by a speaker.
    Speaker(String),
    /// Mentions of an entity.
    Entity(String),
}

/// A follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Follow {
    pub name: String,
    pub spec: FollowSpec,
    /// Matches not yet delivered.
    pub pending: u64,
}

/// A new match of a follow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowMatch {
    pub follow: String,
    pub article: ArticleBrief,
}
