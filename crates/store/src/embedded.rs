//! The embedded backend: SQLite (WAL) holds every record and is the source
//! of truth; a tantivy index beside it serves full-text search.
//!
//! Layout of the data directory: `newsdesk.sqlite` (+ `-wal`, `-shm`) and
//! `index/`.
//!
//! **Crash safety.** Each [`Batch`] is one SQLite transaction. Every change
//! to an article also appends a row to `index_queue` in that transaction.
//! The tantivy commit carries, as its payload, the highest queue sequence it
//! contains; [`Store::sync_index`] (and [`EmbeddedStore::open`]) re-index
//! every article queued after that payload. So a kill between the SQLite
//! commit and the tantivy commit only delays indexing, and re-indexing is
//! idempotent (delete by id, then add). Follow matching keeps its own
//! watermark (`meta.follows_upto`) in SQLite and runs over the indexed range
//! after it, so it too resumes where it stopped.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::ops::Bound;
use std::path::{Path, PathBuf};

use newsdesk_model::{Analysis, Article, Entity, EntityKind, Mention, Quote, QuoteKind, Speaker};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value, FAST, INDEXED, STORED, STRING, TEXT};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::*;

/// The schema. Rows are keyed by arrival (`seq`, rowid) rather than by the
/// content-addressed ids, which are hashes: keyed by hash, every insert of
/// a large row (an article's JSON, a body, a quote) lands on a random page
/// of a big B-tree, and each batch rewrote most of the file through the
/// WAL (ingest slowed by a quarter over 100k articles). Appended rows fill
/// pages in order; lookups by id go through small `UNIQUE` indexes. Stores
/// written with the earlier hash-keyed tables keep working: the columns
/// are the same.
const SCHEMA_SQL: &str = r#"
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(key INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS articles(
  seq INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, url TEXT, site TEXT, location TEXT NOT NULL,
  headline TEXT, language TEXT, published TEXT, published_unix INTEGER, updated TEXT,
  group_id INTEGER NOT NULL, story_id INTEGER NOT NULL, rev INTEGER NOT NULL, body_len INTEGER NOT NULL,
  article_json TEXT NOT NULL, signature BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS articles_group ON articles(group_id);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE TABLE IF NOT EXISTS revisions(
  article_id INTEGER NOT NULL, rev INTEGER NOT NULL, location TEXT NOT NULL, fetched_unix INTEGER,
  updated TEXT, headline TEXT, body TEXT NOT NULL, diff_json TEXT NOT NULL,
  UNIQUE(article_id, rev));
CREATE TABLE IF NOT EXISTS groups(id INTEGER PRIMARY KEY, representative INTEGER NOT NULL, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stories(
  id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, headline TEXT, first_unix INTEGER, last_unix INTEGER,
  first_published TEXT, last_published TEXT, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS story_log(seq INTEGER PRIMARY KEY, article_id INTEGER NOT NULL, story_id INTEGER NOT NULL, features BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS quotes(
  article_id INTEGER NOT NULL, idx INTEGER NOT NULL, speaker TEXT, speaker_lc TEXT, role TEXT,
  kind TEXT NOT NULL, text TEXT NOT NULL, cue TEXT, start_cp INTEGER, end_cp INTEGER, UNIQUE(article_id, idx));
CREATE INDEX IF NOT EXISTS quotes_speaker ON quotes(speaker_lc);
CREATE TABLE IF NOT EXISTS entities(id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mentions(
  article_id INTEGER NOT NULL, entity_id INTEGER NOT NULL, count INTEGER NOT NULL, spans TEXT,
  UNIQUE(article_id, entity_id));
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS follows(
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, value TEXT NOT NULL,
  start_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS follow_matches(
  follow_id INTEGER NOT NULL, article_id INTEGER NOT NULL, iseq INTEGER NOT NULL,
  delivered INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(follow_id, article_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingest_errors(id INTEGER PRIMARY KEY, location TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS index_queue(seq INTEGER PRIMARY KEY AUTOINCREMENT, article_id INTEGER NOT NULL);
"#;

/// tantivy's indexing memory budget: one thread, segments flushed at this
/// size. Small enough for the 1 GiB ingest target, large enough that a
/// 100k-article ingest makes only a handful of segments.
const INDEX_MEMORY: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    iseq: Field,
    headline: Field,
    body: Field,
    site: Field,
    lang: Field,
    speaker: Field,
    entity: Field,
    published: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let f = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        iseq: b.add_u64_field("iseq", INDEXED | FAST),
        headline: b.add_text_field("headline", TEXT),
        body: b.add_text_field("body", TEXT),
        site: b.add_text_field("site", STRING),
        lang: b.add_text_field("lang", STRING),
        speaker: b.add_text_field("speaker", STRING),
        entity: b.add_text_field("entity", STRING),
        published: b.add_i64_field("published", INDEXED | FAST),
    };
    (b.build(), f)
}

/// The default backend. See the module docs for the layout and the
/// crash-safety scheme.
pub struct EmbeddedStore {
    dir: PathBuf,
    db: Connection,
    index: Index,
    fields: Fields,
    /// `None` when another process (a running ingest) holds the index lock:
    /// the store then answers queries from the last committed index.
    writer: Option<IndexWriter>,
    reader: IndexReader,
    next_seq: i64,
    /// The highest `index_queue` sequence whose document this handle has
    /// already handed to `writer` (uncommitted): [`Store::apply`] indexes
    /// what it writes right away, from the batch in memory, so
    /// [`Store::sync_index`] only commits instead of reading every row back.
    /// 0 after open: whatever a previous process left is rebuilt from SQLite.
    added_upto: i64,
    /// Copies the WAL back into the database on its own thread (writable
    /// handles only).
    checkpointer: Option<Checkpointer>,
}

/// A thread with its own connection that checkpoints the WAL after each
/// batch is committed. Checkpoints write every changed page once more and
/// fsync the file; run by SQLite's autocheckpoint they stall the committing
/// thread, which in an ingest is the serial writer everything waits on
/// (about a tenth of its time at 100k articles). A passive checkpoint from
/// another connection runs beside the writer instead: it never blocks it,
/// and the WAL restarts from the top once a checkpoint has caught up.
struct Checkpointer {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// WAL pages at which the writer's own connection checkpoints anyway (1 GiB):
/// a backstop for when the checkpointer cannot keep up.
const WAL_BACKSTOP_PAGES: i64 = 262_144;

impl Checkpointer {
    fn start(path: &Path) -> Result<Checkpointer> {
        let db = Connection::open(path)?;
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("nd-checkpoint".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    // A failed checkpoint is retried at the next wake-up;
                    // the data is safe in the WAL meanwhile.
                    let _ = db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })?;
        Ok(Checkpointer { wake: Some(wake), thread: Some(thread) })
    }

    /// Asks for a checkpoint; one already asked for and not yet started
    /// covers this commit too.
    fn poke(&self) {
        if let Some(w) = &self.wake {
            let _ = w.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Process-wide SQLite settings, made once before the first connection
/// (SQLite accepts them only before it initialises).
///
/// Memory statistics off: with them on, every allocation SQLite makes takes
/// one global mutex, and a server's concurrent readers spent much of their
/// time handing it to each other (the biggest item of an article page's
/// profile under load). The store never reads those statistics.
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` is called before any connection exists
        // in this process (the store opens them all, after this); if some
        // other code initialised SQLite first, the call returns
        // SQLITE_MISUSE and changes nothing, which is harmless.
        unsafe {
            rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
        }
    });
}

/// Turns on SQLite's query planner stability guarantee for `db`. Without
/// it, SQLite marks a statement to be re-planned whenever a parameter is
/// re-bound if the value *might* change the plan, and clearing the
/// bindings (which rusqlite's statement cache does each time a statement
/// is returned) then forces a full re-prepare: every cached statement was
/// parsed and planned again on every use, a fifth of an article page's
/// time. The store's queries have one right plan whatever the values.
fn stable_plans(db: &Connection) -> Result<()> {
    db.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// A path as the path part of an SQLite `file:` URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// The index directory of a read-only handle: tantivy takes a lock file while it opens segments, so that a
/// writer's garbage collection does not delete them meanwhile. Where that file cannot be made (a read-only
/// mount or copy, a full disk), no writer can work either, and the handle reads without it.
#[derive(Clone, Debug)]
struct ReadOnlyDirectory(tantivy::directory::MmapDirectory);

type FileHandleResult =
    std::result::Result<std::sync::Arc<dyn tantivy::directory::FileHandle>, tantivy::directory::error::OpenReadError>;

impl tantivy::Directory for ReadOnlyDirectory {
    fn get_file_handle(&self, path: &Path) -> FileHandleResult {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> std::result::Result<(), tantivy::directory::error::DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> std::result::Result<bool, tantivy::directory::error::OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(
        &self,
        path: &Path,
    ) -> std::result::Result<tantivy::directory::WritePtr, tantivy::directory::error::OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, tantivy::directory::error::OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }
    fn acquire_lock(
        &self,
        lock: &tantivy::directory::Lock,
    ) -> std::result::Result<tantivy::directory::DirectoryLock, tantivy::directory::error::LockError> {
        match self.0.acquire_lock(lock) {
            Err(tantivy::directory::error::LockError::IoError(_)) => {
                Ok(tantivy::directory::DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }
    fn watch(&self, callback: tantivy::directory::WatchCallback) -> tantivy::Result<tantivy::directory::WatchHandle> {
        self.0.watch(callback)
    }
}

impl EmbeddedStore {
    /// Opens (creating if needed) the store in `dir`, and brings the index
    /// up to the records if a previous run stopped before indexing.
    pub fn open(dir: &Path) -> Result<EmbeddedStore> {
        configure_sqlite();
        std::fs::create_dir_all(dir.join("index"))?;
        let db = Connection::open(dir.join("newsdesk.sqlite"))?;
        db.busy_timeout(std::time::Duration::from_secs(30))?;
        stable_plans(&db)?;
        // WAL: readers (queries) never block the one writer (ingest);
        // synchronous=NORMAL is durable against process kills, which is
        // the crash the store promises to survive.
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        // Ids are hashes, so inserts into the id indexes land all over
        // their B-trees: with SQLite's default 2 MB page cache most of them
        // read and write a page through the kernel. 64 MB keeps the hot
        // pages of a large store in memory. Checkpoints run on their own
        // thread after each batch ([`Checkpointer`]), so this connection
        // only checkpoints past a large backstop. (No mmap: mapped pages count as
        // resident memory and pushed a 100k-article ingest from 0.4 to
        // 0.7 GiB for little gain.)
        db.pragma_update(None, "cache_size", -65536)?;
        db.pragma_update(None, "temp_store", "MEMORY")?;
        db.pragma_update(None, "wal_autocheckpoint", WAL_BACKSTOP_PAGES)?;
        db.execute_batch(SCHEMA_SQL)?;
        // Columns added after the first release: stores written before
        // them gain them empty (pages then re-run the analysis, see
        // `stored_analysis`).
        add_column(&db, "quotes", "start_cp", "INTEGER")?;
        add_column(&db, "quotes", "end_cp", "INTEGER")?;
        add_column(&db, "mentions", "spans", "TEXT")?;
        let (schema, fields) = schema();
        let idx_dir = dir.join("index");
        let index = if idx_dir.join("meta.json").exists() {
            Index::open_in_dir(&idx_dir)?
        } else {
            Index::create_in_dir(&idx_dir, schema)?
        };
        let writer = match index.writer_with_num_threads(1, INDEX_MEMORY) {
            Ok(w) => {
                // No merges behind the ingest's back: background merges of
                // ever larger segments took a growing share of the cores
                // as a long ingest went on (its rate fell by a quarter over
                // 100k articles). `finish_ingest` merges once at the end.
                w.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
                Some(w)
            }
            Err(tantivy::TantivyError::LockFailure(..)) => None,
            Err(e) => return Err(e.into()),
        };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let next_seq: i64 = db.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles", [], |r| r.get(0))?;
        let checkpointer = Some(Checkpointer::start(&dir.join("newsdesk.sqlite"))?);
        let mut store =
            EmbeddedStore { dir: dir.to_path_buf(), db, index, fields, writer, reader, next_seq, added_upto: 0, checkpointer };
        store.sync_index()?;
        Ok(store)
    }

    /// Opens an existing store for queries only, changing nothing on disk: SQLite read-only (no pragmas that
    /// write, no schema statements), no index writer and no index catch-up, and tantivy's lock files skipped
    /// where they cannot be made. So `stats` and `search` work on a read-only mount, a copy without write
    /// permission and a full disk (they failed with "unable to open database file" and "disk I/O error").
    /// An index behind its records (an ingest was killed) is read as it is until the next writer opens it.
    pub fn open_read_only(dir: &Path) -> Result<EmbeddedStore> {
        use rusqlite::OpenFlags;
        configure_sqlite();
        let file = dir.join("newsdesk.sqlite");
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let probe = |db: &Connection| db.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
        let mut db = Connection::open_with_flags(&file, flags)?;
        if probe(&db).is_err() {
            // A WAL database whose -shm file cannot be made (a read-only directory, a closed store) opens only
            // as immutable; no one can be writing where this process cannot even make that file.
            db = Connection::open_with_flags(format!("file:{}?immutable=1", uri_path(&file)), flags)?;
            probe(&db)?;
        }
        db.busy_timeout(std::time::Duration::from_secs(30))?;
        stable_plans(&db)?;
        let (_, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir.join("index"))
            .map_err(|e| StoreError::Invalid(format!("opening the index in {}: {e}", dir.display())))?;
        let index = Index::open(ReadOnlyDirectory(directory))?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(EmbeddedStore {
            dir: dir.to_path_buf(),
            db,
            index,
            fields,
            writer: None,
            reader,
            next_seq: 0,
            added_upto: 0,
            checkpointer: None,
        })
    }

    /// Another handle on the same store for queries only: its own SQLite
    /// connection (read-only; WAL lets readers run while a writer writes)
    /// and the same tantivy reader, which sees each index commit of this
    /// handle. A server keeps a few of these so concurrent requests do not
    /// queue behind one connection. Its page cache is smaller than a
    /// writer's (16 MB) since several are open at once.
    pub fn reader(&self) -> Result<EmbeddedStore> {
        use rusqlite::OpenFlags;
        configure_sqlite();
        let db = Connection::open_with_flags(
            self.dir.join("newsdesk.sqlite"),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        db.busy_timeout(std::time::Duration::from_secs(30))?;
        stable_plans(&db)?;
        db.pragma_update(None, "cache_size", -16384)?;
        // Room for every statement the pages run, so none is parsed twice.
        db.set_prepared_statement_cache_capacity(64);
        Ok(EmbeddedStore {
            dir: self.dir.clone(),
            db,
            index: self.index.clone(),
            fields: self.fields,
            writer: None,
            reader: self.reader.clone(),
            next_seq: self.next_seq,
            added_upto: 0,
            checkpointer: None,
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the analysis found in an article's current revision, as stored
    /// at ingest, so a page can mark up quotes and mentions without
    /// re-running the analyzer per request: quotes with their offsets,
    /// kind, role and speaker (the resolved name, else the written one, in
    /// `speaker.resolved`), and entities with their mention spans, in order
    /// of first mention. Dates are not kept. `body` is that revision's text
    /// (mention texts are cut from it). Empty for an unknown article; `None`
    /// when it was stored by a version that kept no offsets.
    pub fn stored_analysis(&self, article: Id, body: &str) -> Result<Option<Analysis>> {
        let aid = article.as_i64();
        let mut chars: Vec<usize> = body.char_indices().map(|(i, _)| i).collect();
        chars.push(body.len());
        let mut quotes = Vec::new();
        let mut st = self.db.prepare_cached(
            "SELECT speaker, role, kind, text, cue, start_cp, end_cp FROM quotes WHERE article_id = ?1 ORDER BY idx",
        )?;
        let rows = st.query_map([aid], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        })?;
        for row in rows {
            let (speaker, role, kind, text, cue, start, end) = row?;
            let (Some(start), Some(end)) = (start, end) else { return Ok(None) };
            let kind = match kind.as_str() {
                "indirect" => QuoteKind::Indirect,
                "mixed" => QuoteKind::Mixed,
                _ => QuoteKind::Direct,
            };
            quotes.push(Quote {
                start: start.max(0) as usize,
                end: end.max(0) as usize,
                text,
                kind,
                fragments: vec![],
                speaker: Speaker { written: None, resolved: speaker, role, span: None, entity: None },
                cue,
                addressee: None,
            });
        }
        let mut entities = Vec::new();
        let mut st = self.db.prepare_cached(
            "SELECT e.name, e.kind, m.spans FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ?1",
        )?;
        let rows = st.query_map([aid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))?;
        for row in rows {
            let (name, kind, spans) = row?;
            let Some(spans) = spans else { return Ok(None) };
            entities.push(Entity { name, kind: kind_from(&kind), roles: vec![], mentions: parse_spans(&spans, body, &chars) });
        }
        entities.sort_by_key(|e| e.mentions.first().map_or(usize::MAX, |m| m.start));
        Ok(Some(Analysis { quotes, entities, dates: vec![] }))
    }

    /// Whether this handle can write the index (no other ingest holds it).
    pub fn can_write_index(&self) -> bool {
        self.writer.is_some()
    }

    fn indexed_upto(&self) -> Result<i64> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.as_deref().and_then(|p| p.parse().ok()).unwrap_or(0))
    }

    fn meta_get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// The tantivy document of an article's current state, from SQLite.
    fn index_doc(&self, aid: i64, iseq: i64) -> Result<Option<TantivyDocument>> {
        let row = self
            .db
            .prepare_cached(
                "SELECT a.headline, r.body, a.site, a.language, a.published_unix FROM articles a
                 JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev WHERE a.id = ?1",
            )?
            .query_row([aid], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })
            .optional()?;
        let Some((headline, body, site, lang, published)) = row else { return Ok(None) };
        let mut st = self.db.prepare_cached("SELECT DISTINCT speaker FROM quotes WHERE article_id = ?1 AND speaker IS NOT NULL")?;
        let speakers: Vec<String> = st.query_map([aid], |r| r.get::<_, String>(0))?.collect::<std::result::Result<_, _>>()?;
        let mut st = self
            .db
            .prepare_cached("SELECT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ?1")?;
        let entities: Vec<String> = st.query_map([aid], |r| r.get::<_, String>(0))?.collect::<std::result::Result<_, _>>()?;
        let text = DocText {
            headline: headline.as_deref(),
            body: &body,
            site: site.as_deref(),
            lang: lang.as_deref(),
            published,
        };
        Ok(Some(doc_of(self.fields, aid, iseq, &text, speakers.iter().map(String::as_str), entities.iter().map(String::as_str))))
    }

    /// Hands queued articles to the index writer in queue order (not yet
    /// committed: [`Store::sync_index`] commits). An entry without a
    /// document is built from SQLite; an article no longer stored is only
    /// deleted. New articles from `apply` were never indexed, so only
    /// rebuilt ones delete an older document first.
    fn add_to_index(&mut self, items: Vec<(i64, i64, Option<TantivyDocument>)>) -> Result<()> {
        if self.writer.is_none() || items.is_empty() {
            return Ok(());
        }
        let mut docs = Vec::with_capacity(items.len());
        for (aid, seq, doc) in items {
            let (doc, replace) = match doc {
                Some(d) => (Some(d), false),
                None => (self.index_doc(aid, seq)?, true),
            };
            docs.push((aid, seq, doc, replace));
        }
        let f = self.fields;
        let Some(writer) = self.writer.as_mut() else { return Ok(()) };
        for (aid, seq, doc, replace) in docs {
            if replace {
                writer.delete_term(Term::from_field_u64(f.id, aid as u64));
            }
            if let Some(doc) = doc {
                writer.add_document(doc)?;
            }
            self.added_upto = self.added_upto.max(seq);
        }
        Ok(())
    }

    /// The index query for a search text. Text the grammar cannot read in
    /// full (an unclosed quote, an unknown `field:`, a stray operator, a
    /// space the grammar does not know) is searched for what it can read
    /// rather than refused, as the PostgreSQL backend's own parser does:
    /// a search box answers whatever is typed into it, and the API's
    /// document can then truthfully take any text. Readable text goes
    /// through the strict parse, so its meaning is unchanged.
    fn parse_text_query(&self, text: &str) -> Result<Box<dyn Query>> {
        // Before the grammar sees it: tantivy's parser recurses per group
        // and unary operator (see `query_bounds`).
        crate::check_query_text(text)?;
        if text.trim().is_empty() {
            return Ok(Box::new(AllQuery));
        }
        let mut parser = QueryParser::for_index(&self.index, vec![self.fields.headline, self.fields.body]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(self.fields.headline, 2.0);
        Ok(parser.parse_query(text).unwrap_or_else(|_| parser.parse_query_lenient(text).0))
    }

    fn follow_query(&self, spec: &FollowSpec) -> Result<Box<dyn Query>> {
        Ok(match spec {
            FollowSpec::Query(q) => self.parse_text_query(q)?,
            FollowSpec::Speaker(n) => term_query(self.fields.speaker, &n.to_lowercase()),
            FollowSpec::Entity(n) => term_query(self.fields.entity, &n.to_lowercase()),
        })
    }

    /// Records matches of every follow among the documents indexed after
    /// `meta.follows_upto` and up to `upto`, then moves the watermark, in
    /// one transaction.
    fn match_follows(&mut self, upto: i64) -> Result<()> {
        let from: i64 = self.meta_get("follows_upto")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        if from >= upto {
            return Ok(());
        }
        let follows = self.follows_raw()?;
        let searcher = self.reader.searcher();
        let mut found: Vec<(i64, i64, i64)> = Vec::new();
        for (fid, spec, start) in follows {
            let lo = from.max(start);
            if lo >= upto {
                continue;
            }
            // A follow stored before the query bounds existed may be over
            // them: it matches nothing (and says so) rather than failing
            // every ingest that reaches this point.
            let q = match self.follow_query(&spec) {
                Ok(q) => q,
                Err(StoreError::Query { query, message }) => {
                    eprintln!("newsdesk: follow {fid} is skipped: query {query:?} {message}; remove it with `follow remove`");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let range = RangeQuery::new(
                Bound::Excluded(Term::from_field_u64(self.fields.iseq, lo as u64)),
                Bound::Included(Term::from_field_u64(self.fields.iseq, upto as u64)),
            );
            let both = BooleanQuery::new(vec![(Occur::Must, q), (Occur::Must, Box::new(range))]);
            for addr in searcher.search(&both, &DocSetCollector)? {
                let doc: TantivyDocument = searcher.doc(addr)?;
                if let Some(aid) = doc.get_first(self.fields.id).and_then(|v| v.as_u64()) {
                    found.push((fid, aid as i64, 0));
                }
            }
        }
        let tx = self.db.transaction()?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT OR IGNORE INTO follow_matches(follow_id, article_id, iseq) VALUES (?1, ?2, ?3)",
            )?;
            for (fid, aid, _) in &found {
                let iseq: i64 = tx
                    .query_row("SELECT seq FROM articles WHERE id = ?1", [aid], |r| r.get(0))
                    .optional()?
                    .unwrap_or(0);
                ins.execute(params![fid, aid, iseq])?;
            }
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('follows_upto', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [upto.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn follows_raw(&self) -> Result<Vec<(i64, FollowSpec, i64)>> {
        let mut st = self.db.prepare_cached("SELECT id, kind, value, start_seq FROM follows ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, value, start) = row?;
            out.push((id, spec_from(&kind, value), start));
        }
        Ok(out)
    }

    fn brief(&self, aid: i64) -> Result<Option<ArticleBrief>> {
        Ok(self
            .db
            .prepare_cached("SELECT headline, site, url, published FROM articles WHERE id = ?1")?
            .query_row([aid], |r| {
                Ok(ArticleBrief {
                    id: Id::from_i64(aid),
                    headline: r.get(0)?,
                    site: r.get(1)?,
                    url: r.get(2)?,
                    published: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn resolve_id(&self, id: &str) -> Result<Option<i64>> {
        let id = id.trim().to_ascii_lowercase();
        if let Some(i) = Id::parse(&id) {
            return Ok(Some(i.as_i64()));
        }
        if id.len() < 4 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(format!("not an article id: {id:?} (16 hex digits, or a prefix of at least 4)")));
        }
        let mut st = self.db.prepare("SELECT id FROM articles WHERE printf('%016x', id) LIKE ?1 || '%' LIMIT 2")?;
        let found: Vec<i64> = st.query_map([&id], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        match found.as_slice() {
            [one] => Ok(Some(*one)),
            [] => Ok(None),
            _ => Err(StoreError::Invalid(format!("id prefix {id:?} is ambiguous"))),
        }
    }
}

/// The indexed text of an article's current revision.
struct DocText<'a> {
    headline: Option<&'a str>,
    body: &'a str,
    site: Option<&'a str>,
    lang: Option<&'a str>,
    published: Option<i64>,
}

/// The tantivy document of an article. One function for both paths, the
/// batch in memory ([`Store::apply`]) and the rows read back after a crash
/// (`index_doc`), so both index exactly the same terms.
fn doc_of<'a>(
    f: Fields,
    aid: i64,
    iseq: i64,
    t: &DocText<'_>,
    speakers: impl Iterator<Item = &'a str>,
    entities: impl Iterator<Item = &'a str>,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(f.id, aid as u64);
    doc.add_u64(f.iseq, iseq as u64);
    if let Some(h) = t.headline {
        doc.add_text(f.headline, h);
    }
    doc.add_text(f.body, t.body);
    if let Some(s) = t.site {
        doc.add_text(f.site, s.to_lowercase());
    }
    if let Some(l) = t.lang {
        doc.add_text(f.lang, l.to_lowercase());
    }
    if let Some(p) = t.published {
        doc.add_i64(f.published, p);
    }
    for (field, names) in [(f.speaker, speakers.collect::<Vec<_>>()), (f.entity, entities.collect())] {
        let mut terms: Vec<String> = names.into_iter().flat_map(name_terms).collect();
        terms.sort_unstable();
        terms.dedup();
        for n in terms {
            doc.add_text(field, n);
        }
    }
    doc
}

/// Adds `column` to `table` if a store written by an earlier version lacks it.
fn add_column(db: &Connection, table: &str, column: &str, decl: &str) -> Result<()> {
    let mut st = db.prepare(&format!("SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"))?;
    if !st.exists([column])? {
        db.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl}"))?;
    }
    Ok(())
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// The index terms of a name: the whole name and each word of it,
/// lower-cased, so `--speaker "Ana Ruiz"` and `--speaker ruiz` both match.
pub fn name_terms(name: &str) -> Vec<String> {
    let lc = name.trim().to_lowercase();
    let mut out = vec![lc.clone()];
    for w in lc.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2) {
        if w != lc {
            out.push(w.to_string());
        }
    }
    out
}

pub fn spec_from(kind: &str, value: String) -> FollowSpec {
    match kind {
        "speaker" => FollowSpec::Speaker(value),
        "entity" => FollowSpec::Entity(value),
        _ => FollowSpec::Query(value),
    }
}

pub fn spec_parts(spec: &FollowSpec) -> (&'static str, &str) {
    match spec {
        FollowSpec::Query(v) => ("query", v),
        FollowSpec::Speaker(v) => ("speaker", v),
        FollowSpec::Entity(v) => ("entity", v),
    }
}

pub fn kind_str(k: EntityKind) -> &'static str {
    match k {
        EntityKind::Person => "person",
        EntityKind::Organization => "organization",
        EntityKind::Place => "place",
    }
}

pub fn kind_from(s: &str) -> EntityKind {
    match s {
        "person" => EntityKind::Person,
        "place" => EntityKind::Place,
        _ => EntityKind::Organization,
    }
}

fn hash_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the quotes and entity mentions of an article's current revision,
/// with their offsets in the body so a page can mark them up without
/// re-running the analysis. `fresh`: the article is new, nothing to replace.
fn put_analysis(tx: &Transaction<'_>, aid: i64, analysis: &Analysis, fresh: bool) -> Result<()> {
    if !fresh {
        tx.prepare_cached("DELETE FROM quotes WHERE article_id = ?1")?.execute([aid])?;
        tx.prepare_cached("DELETE FROM mentions WHERE article_id = ?1")?.execute([aid])?;
    }
    let mut q = tx.prepare_cached(
        "INSERT INTO quotes(article_id, idx, speaker, speaker_lc, role, kind, text, cue, start_cp, end_cp)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?;
    for (i, quote) in analysis.quotes.iter().enumerate() {
        let speaker = quote.speaker.resolved.clone().or_else(|| quote.speaker.written.clone());
        let kind = serde_json::to_value(quote.kind)?.as_str().unwrap_or("direct").to_string();
        q.execute(params![
            aid,
            i as i64,
            speaker,
            speaker.as_ref().map(|s| s.to_lowercase()),
            quote.speaker.role,
            kind,
            quote.text,
            quote.cue,
            quote.start as i64,
            quote.end as i64
        ])?;
    }
    let mut e = tx.prepare_cached("INSERT OR IGNORE INTO entities(id, name, kind) VALUES (?1, ?2, ?3)")?;
    let mut m = tx.prepare_cached(
        "INSERT INTO mentions(article_id, entity_id, count, spans) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(article_id, entity_id) DO UPDATE SET count = count + excluded.count,
           spans = COALESCE(spans || ' ', '') || excluded.spans",
    )?;
    for ent in &analysis.entities {
        let kind = kind_str(ent.kind);
        let eid = Id::of(&[b"entity", kind.as_bytes(), ent.name.as_bytes()]).as_i64();
        e.execute(params![eid, ent.name, kind])?;
        m.execute(params![aid, eid, ent.mentions.len().max(1) as i64, spans_text(&ent.mentions)])?;
    }
    Ok(())
}

/// Mention offsets as stored: `start-end` pairs (code points) separated by
/// spaces.
fn spans_text(mentions: &[Mention]) -> String {
    let mut out = String::new();
    for m in mentions {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{}-{}", m.start, m.end);
    }
    out
}

/// The mentions of `spans_text`, with their text cut from the body
/// (`chars`: the body's code-point boundaries, plus its length); pairs that
/// do not parse or fall outside the body are dropped.
fn parse_spans(spans: &str, body: &str, chars: &[usize]) -> Vec<Mention> {
    spans
        .split_whitespace()
        .filter_map(|p| {
            let (a, b) = p.split_once('-')?;
            let (start, end): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
            let text = body.get(*chars.get(start)?..*chars.get(end)?)?.to_string();
            (start < end).then_some(Mention { start, end, text })
        })
        .collect()
}

fn ts_value(t: &Option<newsdesk_model::Timestamp>) -> Option<String> {
    t.as_ref().map(|t| t.value.clone())
}

fn article_json(a: &Article) -> Result<String> {
    // The body lives in `revisions`; storing it twice would double the
    // database for nothing.
    let mut a = a.clone();
    a.body.clear();
    Ok(serde_json::to_string(&a)?)
}

impl Store for EmbeddedStore {
    fn seen_docs(&self) -> Result<HashSet<Id>> {
        let mut st = self.db.prepare("SELECT key FROM docs")?;
        let rows = st.query_map([], |r| r.get::<_, i64>(0))?;
        let mut out = HashSet::new();
        for r in rows {
            out.insert(Id::from_i64(r?));
        }
        Ok(out)
    }

    fn signatures(&self) -> Result<Vec<(Id, Id, Vec<u8>)>> {
        let mut st = self.db.prepare("SELECT id, group_id, signature FROM articles ORDER BY seq")?;
        let rows = st.query_map([], |r| Ok((Id::from_i64(r.get(0)?), Id::from_i64(r.get(1)?), r.get(2)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn story_log(&self) -> Result<Vec<StoryLogEntry>> {
        let mut st = self.db.prepare("SELECT article_id, story_id, features FROM story_log ORDER BY seq")?;
        let rows = st.query_map([], |r| {
            Ok(StoryLogEntry { article: Id::from_i64(r.get(0)?), story: Id::from_i64(r.get(1)?), features: r.get(2)? })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn current_body(&self, article: Id) -> Result<Option<(u32, String)>> {
        Ok(self
            .db
            .prepare_cached(
                "SELECT a.rev, r.body FROM articles a JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev WHERE a.id = ?1",
            )?
            .query_row([article.as_i64()], |r| Ok((r.get::<_, i64>(0)? as u32, r.get(1)?)))
            .optional()?)
    }

    fn apply(&mut self, batch: &Batch) -> Result<()> {
        let mut next_seq = self.next_seq;
        let indexing = self.writer.is_some();
        let f = self.fields;
        // Queued articles with their index documents, built from the batch
        // in memory; `None` for revisions, whose document is read back
        // after the commit (its site and language may come from earlier
        // rows).
        let mut to_index: Vec<(i64, i64, Option<TantivyDocument>)> = Vec::new();
        let tx = self.db.transaction()?;
        {
            let mut doc = tx.prepare_cached("INSERT OR IGNORE INTO docs(key) VALUES (?1)")?;
            for d in &batch.docs {
                doc.execute([d.as_i64()])?;
            }
            let mut queue = tx.prepare_cached("INSERT INTO index_queue(article_id) VALUES (?1)")?;
            for a in &batch.articles {
                let aid = a.id.as_i64();
                let exists: bool =
                    tx.prepare_cached("SELECT 1 FROM articles WHERE id = ?1")?.query_row([aid], |_| Ok(())).optional()?.is_some();
                if exists {
                    continue;
                }
                let seq = next_seq;
                next_seq += 1;
                let art = &a.article;
                let published = ts_value(&art.published);
                tx.prepare_cached(
                    "INSERT INTO articles(id, seq, url, site, location, headline, language, published, published_unix, updated,
                       group_id, story_id, rev, body_len, article_json, signature)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,1,?13,?14,?15)",
                )?
                .execute(params![
                    aid,
                    seq,
                    art.url.clone().or_else(|| art.canonical_url.clone()),
                    a.site,
                    a.location,
                    art.headline,
                    art.language,
                    published,
                    a.published_unix,
                    ts_value(&art.updated),
                    a.group.as_i64(),
                    a.story.as_i64(),
                    art.body.len() as i64,
                    article_json(art)?,
                    a.signature
                ])?;
                tx.prepare_cached(
                    "INSERT INTO revisions(article_id, rev, location, fetched_unix, updated, headline, body, diff_json)
                     VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, '[]')",
                )?
                .execute(params![aid, a.location, a.fetched_unix, ts_value(&art.updated), art.headline, art.body])?;
                put_analysis(&tx, aid, &a.analysis, true)?;
                // Syndication group: the representative is the earliest
                // copy, then the most complete, then the first seen.
                let gid = a.group.as_i64();
                let rep: Option<(i64, Option<i64>, i64, i64)> = tx
                    .prepare_cached(
                        "SELECT g.representative, a.published_unix, a.body_len, a.seq FROM groups g
                         JOIN articles a ON a.id = g.representative WHERE g.id = ?1",
                    )?
                    .query_row([gid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()?;
                match rep {
                    None => {
                        tx.prepare_cached("INSERT INTO groups(id, representative, size) VALUES (?1, ?2, 1)")?
                            .execute(params![gid, aid])?;
                    }
                    Some((_, rp, rlen, rseq)) => {
                        let key = |p: Option<i64>, len: i64, s: i64| (p.unwrap_or(i64::MAX), -len, s);
                        let better = key(a.published_unix, art.body.len() as i64, seq) < key(rp, rlen, rseq);
                        tx.prepare_cached(
                            "UPDATE groups SET size = size + 1, representative = CASE WHEN ?2 THEN ?3 ELSE representative END WHERE id = ?1",
                        )?
                        .execute(params![gid, better, aid])?;
                    }
                }
                // Story.
                let sid = a.story.as_i64();
                let n = tx
                    .prepare_cached(
                        "UPDATE stories SET size = size + 1,
                           first_unix = CASE WHEN ?2 IS NOT NULL AND (first_unix IS NULL OR ?2 < first_unix) THEN ?2 ELSE first_unix END,
                           first_published = CASE WHEN ?2 IS NOT NULL AND (first_unix IS NULL OR ?2 < first_unix) THEN ?3 ELSE first_published END,
                           last_published = CASE WHEN ?2 IS NOT NULL AND (last_unix IS NULL OR ?2 > last_unix) THEN ?3 ELSE last_published END,
                           last_unix = CASE WHEN ?2 IS NOT NULL AND (last_unix IS NULL OR ?2 > last_unix) THEN ?2 ELSE last_unix END
                         WHERE id = ?1",
                    )?
                    .execute(params![sid, a.published_unix, published])?;
                if n == 0 {
                    tx.prepare_cached(
                        "INSERT INTO stories(id, seq, headline, first_unix, last_unix, first_published, last_published, size)
                         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?5, 1)",
                    )?
                    .execute(params![sid, seq, art.headline, a.published_unix, published])?;
                }
                if !a.story_features.is_empty() {
                    tx.prepare_cached("INSERT INTO story_log(seq, article_id, story_id, features) VALUES (?1, ?2, ?3, ?4)")?
                        .execute(params![seq, aid, sid, a.story_features])?;
                }
                queue.execute([aid])?;
                if indexing {
                    let text = DocText {
                        headline: art.headline.as_deref(),
                        body: &art.body,
                        site: a.site.as_deref(),
                        lang: art.language.as_deref(),
                        published: a.published_unix,
                    };
                    let speakers = a.analysis.quotes.iter().filter_map(|q| q.speaker.resolved.as_deref().or(q.speaker.written.as_deref()));
                    let entities = a.analysis.entities.iter().map(|e| e.name.as_str());
                    to_index.push((aid, tx.last_insert_rowid(), Some(doc_of(f, aid, tx.last_insert_rowid(), &text, speakers, entities))));
                }
            }
            for r in &batch.revisions {
                let aid = r.article.as_i64();
                let cur: Option<i64> =
                    tx.prepare_cached("SELECT rev FROM articles WHERE id = ?1")?.query_row([aid], |row| row.get(0)).optional()?;
                let Some(cur) = cur else { continue };
                let rev = cur + 1;
                let art = &r.new;
                tx.prepare_cached(
                    "INSERT INTO revisions(article_id, rev, location, fetched_unix, updated, headline, body, diff_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    aid,
                    rev,
                    r.location,
                    r.fetched_unix,
                    ts_value(&art.updated),
                    art.headline,
                    art.body,
                    serde_json::to_string(&r.diff)?
                ])?;
                tx.prepare_cached(
                    "UPDATE articles SET rev = ?2, headline = ?3, updated = ?4, body_len = ?5, article_json = ?6,
                       language = COALESCE(?7, language), published = COALESCE(?8, published),
                       published_unix = COALESCE(?9, published_unix) WHERE id = ?1",
                )?
                .execute(params![
                    aid,
                    rev,
                    art.headline,
                    ts_value(&art.updated),
                    art.body.len() as i64,
                    article_json(art)?,
                    art.language,
                    ts_value(&art.published),
                    r.published_unix
                ])?;
                put_analysis(&tx, aid, &r.analysis, false)?;
                queue.execute([aid])?;
                if indexing {
                    to_index.push((aid, tx.last_insert_rowid(), None));
                }
            }
            let mut err = tx.prepare_cached("INSERT OR IGNORE INTO ingest_errors(id, location, message) VALUES (?1, ?2, ?3)")?;
            for e in &batch.errors {
                let id = Id::of(&[e.location.as_bytes(), e.message.as_bytes()]);
                err.execute(params![id.as_i64(), e.location, e.message])?;
            }
        }
        tx.commit()?;
        if let Some(c) = &self.checkpointer {
            c.poke();
        }
        self.next_seq = next_seq;
        self.add_to_index(to_index)
    }

    fn sync_index(&mut self) -> Result<usize> {
        if self.writer.is_none() {
            return Ok(0);
        }
        let indexed = self.indexed_upto()?;
        // Queued after the last commit and not yet handed to the writer by
        // `apply`: after a crash, everything since the commit.
        let from = indexed.max(self.added_upto);
        let pending: Vec<(i64, i64)> = {
            let mut st = self.db.prepare(
                "SELECT article_id, MAX(seq) FROM index_queue WHERE seq > ?1 GROUP BY article_id ORDER BY MAX(seq)",
            )?;
            let rows = st.query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        let rebuilt = pending.len();
        self.add_to_index(pending.into_iter().map(|(aid, seq)| (aid, seq, None)).collect())?;
        let upto = self.added_upto.max(indexed);
        if upto > indexed {
            let Some(writer) = self.writer.as_mut() else { return Ok(0) };
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&upto.to_string());
            commit.commit()?;
            self.db.execute("DELETE FROM index_queue WHERE seq <= ?1", [upto])?;
        }
        self.reader.reload()?;
        self.match_follows(upto)?;
        Ok(rebuilt)
    }

    fn finish_ingest(&mut self) -> Result<()> {
        use tantivy::merge_policy::{LogMergePolicy, MergePolicy};
        let Some(writer) = self.writer.as_mut() else { return Ok(()) };
        // The merges the default policy would have run in the background,
        // run now and waited for; a merge may enable another. Unlike the
        // default, two segments of one size class are enough to merge: an
        // ingest commits a segment per `SYNC_ARTICLES`-odd articles, and a
        // query pays per segment (term lookups, scorer setup) — five 20k
        // segments searched 10 % slower than one. Segments of different
        // size classes stay apart, so a small ingest into a big store does
        // not rewrite the big segment.
        let mut policy = LogMergePolicy::default();
        policy.set_min_num_segments(2);
        let mut merged = false;
        for _ in 0..64 {
            let metas = self.index.searchable_segment_metas()?;
            let Some(candidate) = policy.compute_merge_candidates(&metas).into_iter().next() else { break };
            writer.merge(&candidate.0).wait()?;
            merged = true;
        }
        if merged {
            writer.garbage_collect_files().wait()?;
            self.reader.reload()?;
        }
        Ok(())
    }

    fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        let f = self.fields;
        let text_query = self.parse_text_query(&q.text)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
        if q.since.is_some() || q.until.is_some() {
            let lo = q.since.map_or(Bound::Unbounded, |s| Bound::Included(Term::from_field_i64(f.published, s)));
            let hi = q.until.map_or(Bound::Unbounded, |u| Bound::Excluded(Term::from_field_i64(f.published, u)));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        for (field, value) in [(f.site, &q.site), (f.lang, &q.lang), (f.speaker, &q.speaker), (f.entity, &q.entity)] {
            if let Some(v) = value {
                clauses.push((Occur::Must, term_query(field, v.trim().to_lowercase().as_str())));
            }
        }
        let query = BooleanQuery::new(clauses);
        let limit = q.limit.max(1);
        let searcher = self.reader.searcher();
        // Over-fetch: several hits may be copies of one syndicated text.
        let top = searcher.search(&query, &TopDocs::with_limit(limit * 4).order_by_score())?;
        let mut snippets = SnippetGenerator::create(&searcher, &*text_query, f.body)?;
        snippets.set_max_num_chars(200);
        let mut body_terms = Vec::new();
        text_query.query_terms(&mut |term, _| {
            if term.field() == f.body {
                if let Some(t) = term.value().as_str() {
                    body_terms.push(t.to_string());
                }
            }
        });
        // Article ids from the fast field, one column per segment: no
        // stored-document decompression per hit.
        let id_columns =
            searcher.segment_readers().iter().map(|r| r.fast_fields().u64("id")).collect::<tantivy::Result<Vec<_>>>()?;
        let mut seen_groups = HashSet::new();
        let mut hits = Vec::new();
        for (score, addr) in top {
            let Some(aid) = id_columns.get(addr.segment_ord as usize).and_then(|c| c.first(addr.doc_id)) else { continue };
            let row = self
                .db
                .prepare_cached(
                    "SELECT a.headline, a.url, a.site, a.published, a.group_id, g.size, r.body, a.language FROM articles a
                     JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev
                     LEFT JOIN groups g ON g.id = a.group_id WHERE a.id = ?1",
                )?
                .query_row([aid as i64], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, Option<String>>(7)?,
                    ))
                })
                .optional()?;
            let Some((headline, url, site, published, gid, size, body, language)) = row else { continue };
            if !seen_groups.insert(gid) {
                continue;
            }
            let snip = snippets.snippet(snippet_source(&body, &body_terms));
            let snippet = if snip.fragment().is_empty() { lead(&body, 200) } else { mark(snip.fragment(), snip.highlighted()) };
            hits.push(SearchHit {
                id: Id(aid),
                score,
                headline,
                url,
                site,
                language,
                published,
                snippet,
                group: Id::from_i64(gid),
                copies: size.unwrap_or(1).max(1) as usize,
            });
            if hits.len() >= limit {
                break;
            }
        }
        Ok(hits)
    }

    fn quotes(&self, q: &QuoteQuery) -> Result<Vec<QuoteRow>> {
        // Quotes of group representatives only: a wire story's quotes once,
        // not once per copy.
        let mut sql = String::from(
            "SELECT q.article_id, q.speaker, q.role, q.kind, q.text, q.cue, a.headline, a.published, a.url
             FROM quotes q JOIN articles a ON a.id = q.article_id JOIN groups g ON g.id = a.group_id AND g.representative = a.id
             WHERE 1 = 1",
        );
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = &q.speaker {
            args.push(s.trim().to_lowercase());
            let n = args.len();
            let _ = write!(sql, " AND (q.speaker_lc = ?{n} OR q.speaker_lc LIKE '%' || ?{n} || '%')");
        }
        if let Some(t) = &q.text {
            for w in t.split_whitespace() {
                args.push(w.to_string());
                let _ = write!(sql, " AND q.text LIKE '%' || ?{} || '%'", args.len());
            }
        }
        let _ = write!(sql, " ORDER BY a.published_unix IS NULL, a.published_unix DESC, a.seq DESC, q.idx LIMIT {}", q.limit.max(1));
        let mut st = self.db.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(QuoteRow {
                article: Id::from_i64(r.get(0)?),
                speaker: r.get(1)?,
                role: r.get(2)?,
                kind: r.get(3)?,
                text: r.get(4)?,
                cue: r.get(5)?,
                headline: r.get(6)?,
                published: r.get(7)?,
                url: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn entities(&self, kind: Option<EntityKind>, limit: usize) -> Result<Vec<EntityRow>> {
        let mut st = self.db.prepare(
            "SELECT e.name, e.kind, COUNT(*), SUM(m.count) FROM mentions m JOIN entities e ON e.id = m.entity_id
             WHERE ?1 IS NULL OR e.kind = ?1 GROUP BY m.entity_id ORDER BY 3 DESC, 4 DESC, e.name LIMIT ?2",
        )?;
        let rows = st.query_map(params![kind.map(kind_str), limit.max(1) as i64], |r| {
            Ok(EntityRow {
                name: r.get(0)?,
                kind: kind_from(&r.get::<_, String>(1)?),
                articles: r.get::<_, i64>(2)? as u64,
                mentions: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn stories(&self, limit: usize) -> Result<Vec<StoryRow>> {
        let mut st = self.db.prepare(
            "SELECT id, headline, first_published, last_published FROM stories
             ORDER BY last_unix IS NULL, last_unix DESC, seq DESC LIMIT ?1",
        )?;
        let rows: Vec<(i64, Option<String>, Option<String>, Option<String>)> = st
            .query_map([limit.max(1) as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::new();
        let mut arts = self
            .db
            .prepare("SELECT id, headline, site, url, published FROM articles WHERE story_id = ?1 ORDER BY seq LIMIT 50")?;
        for (id, headline, first_published, last_published) in rows {
            let articles = arts.query_map([id], article_brief)?.collect::<std::result::Result<_, _>>()?;
            out.push(StoryRow { id: Id::from_i64(id), headline, first_published, last_published, articles });
        }
        Ok(out)
    }

    fn show(&self, id: &str) -> Result<Option<ArticleView>> {
        let Some(aid) = self.resolve_id(id)? else { return Ok(None) };
        // Cached statements: an article page runs these on every request,
        // and parsing the SQL cost more than running it.
        let row = self
            .db
            .prepare_cached(
                "SELECT a.site, a.location, a.story_id, a.group_id, a.article_json, r.body, g.representative
                 FROM articles a JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev
                 LEFT JOIN groups g ON g.id = a.group_id WHERE a.id = ?1",
            )?
            .query_row(
                [aid],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((site, location, story, gid, json, body, rep)) = row else { return Ok(None) };
        let mut article: Article = serde_json::from_str(&json)?;
        article.body = body;
        let mut st = self
            .db
            .prepare_cached("SELECT rev, fetched_unix, updated, headline, diff_json FROM revisions WHERE article_id = ?1 ORDER BY rev")?;
        let mut revisions = Vec::new();
        let rows = st.query_map([aid], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?))
        })?;
        for row in rows {
            let (number, fetched_unix, updated, headline, diff) = row?;
            revisions.push(RevisionView { number: number as u32, fetched_unix, updated, headline, diff: serde_json::from_str(&diff)? });
        }
        let mut st = self.db.prepare_cached("SELECT id FROM articles WHERE group_id = ?1 ORDER BY seq")?;
        let ids: Vec<i64> = st.query_map([gid], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        let mut copies = Vec::new();
        for cid in ids {
            if let Some(b) = self.brief(cid)? {
                copies.push(b);
            }
        }
        Ok(Some(ArticleView {
            id: Id::from_i64(aid),
            site,
            location,
            story: Id::from_i64(story),
            article,
            revisions,
            group: GroupView { id: Id::from_i64(gid), representative: Id::from_i64(rep.unwrap_or(aid)), copies },
        }))
    }

    fn stats(&self) -> Result<Stats> {
        let count = |sql: &str| -> Result<u64> { Ok(self.db.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(Stats {
            articles: count("SELECT COUNT(*) FROM articles")?,
            revisions: count("SELECT COUNT(*) FROM revisions")?,
            syndication_groups: count("SELECT COUNT(*) FROM groups")?,
            stories: count("SELECT COUNT(*) FROM stories")?,
            quotes: count("SELECT COUNT(*) FROM quotes")?,
            entities: count("SELECT COUNT(DISTINCT entity_id) FROM mentions")?,
            follows: count("SELECT COUNT(*) FROM follows")?,
            follow_matches: count("SELECT COUNT(*) FROM follow_matches")?,
            ingest_errors: count("SELECT COUNT(*) FROM ingest_errors")?,
            indexed: self.reader.searcher().num_docs(),
        })
    }

    fn assignments(&self) -> Result<Vec<Assignment>> {
        let mut st = self.db.prepare("SELECT id, url, headline, published_unix, group_id, story_id FROM articles ORDER BY seq")?;
        let rows = st.query_map([], |r| {
            Ok(Assignment {
                id: Id::from_i64(r.get(0)?),
                url: r.get(1)?,
                headline: r.get(2)?,
                published_unix: r.get(3)?,
                group: Id::from_i64(r.get(4)?),
                story: Id::from_i64(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn follow_add(&mut self, name: &str, spec: &FollowSpec) -> Result<Follow> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a follow needs a name".into()));
        }
        let (kind, value) = spec_parts(spec);
        if value.trim().is_empty() {
            return Err(StoreError::Invalid(format!("follow {name:?} needs a {kind}")));
        }
        // Reject a bad query now rather than at every ingest.
        self.follow_query(spec)?;
        // A follow sees what is indexed after it was added: everything
        // queued so far counts as before.
        let start: i64 = self.db.query_row(
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'index_queue'), 0)",
            [],
            |r| r.get(0),
        )?;
        let n = self.db.execute(
            "INSERT OR IGNORE INTO follows(name, kind, value, start_seq) VALUES (?1, ?2, ?3, ?4)",
            params![name, kind, value, start],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("a follow named {name:?} exists")));
        }
        Ok(Follow { name: name.to_string(), spec: spec.clone(), pending: 0 })
    }

    fn follow_list(&self) -> Result<Vec<Follow>> {
        let mut st = self.db.prepare(
            "SELECT f.name, f.kind, f.value, (SELECT COUNT(*) FROM follow_matches m WHERE m.follow_id = f.id AND m.delivered = 0)
             FROM follows f ORDER BY f.name",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Follow {
                name: r.get(0)?,
                spec: spec_from(&r.get::<_, String>(1)?, r.get(2)?),
                pending: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn follow_remove(&mut self, name: &str) -> Result<bool> {
        let tx = self.db.transaction()?;
        let id: Option<i64> = tx.query_row("SELECT id FROM follows WHERE name = ?1", [name], |r| r.get(0)).optional()?;
        let Some(id) = id else { return Ok(false) };
        tx.execute("DELETE FROM follow_matches WHERE follow_id = ?1", [id])?;
        tx.execute("DELETE FROM follows WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(true)
    }

    fn follow_check(&mut self, name: Option<&str>) -> Result<Vec<FollowMatch>> {
        let tx = self.db.transaction()?;
        let rows: Vec<(String, i64, i64)> = {
            let mut st = tx.prepare(
                "SELECT f.name, m.follow_id, m.article_id FROM follow_matches m JOIN follows f ON f.id = m.follow_id
                 JOIN articles a ON a.id = m.article_id
                 WHERE m.delivered = 0 AND (?1 IS NULL OR f.name = ?1) ORDER BY f.name, a.seq",
            )?;
            let rows = st.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        let mut out = Vec::new();
        {
            let mut mark = tx.prepare("UPDATE follow_matches SET delivered = 1 WHERE follow_id = ?1 AND article_id = ?2")?;
            let mut brief = tx.prepare("SELECT headline, site, url, published FROM articles WHERE id = ?1")?;
            for (fname, fid, aid) in rows {
                mark.execute([fid, aid])?;
                let article = brief.query_row([aid], |r| {
                    Ok(ArticleBrief { id: Id::from_i64(aid), headline: r.get(0)?, site: r.get(1)?, url: r.get(2)?, published: r.get(3)? })
                })?;
                out.push(FollowMatch { follow: fname, article });
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn dump(&self) -> Result<String> {
        let mut out = String::new();
        let tables: [(&str, &str); 11] = [
            ("docs", "SELECT printf('%016x', key) FROM docs ORDER BY key"),
            (
                "articles",
                "SELECT printf('%016x', id), seq, url, site, location, headline, language, published, published_unix, updated,
                   printf('%016x', group_id), printf('%016x', story_id), rev, body_len, hex(signature) FROM articles ORDER BY id",
            ),
            ("revisions", "SELECT printf('%016x', article_id), rev, location, fetched_unix, updated, headline, body, diff_json FROM revisions ORDER BY article_id, rev"),
            ("groups", "SELECT printf('%016x', id), printf('%016x', representative), size FROM groups ORDER BY id"),
            ("stories", "SELECT printf('%016x', id), seq, headline, first_unix, last_unix, size FROM stories ORDER BY id"),
            ("story_log", "SELECT seq, printf('%016x', article_id), printf('%016x', story_id), hex(features) FROM story_log ORDER BY seq"),
            ("quotes", "SELECT printf('%016x', article_id), idx, speaker, role, kind, text, cue FROM quotes ORDER BY article_id, idx"),
            ("mentions", "SELECT printf('%016x', m.article_id), e.name, e.kind, m.count FROM mentions m JOIN entities e ON e.id = m.entity_id ORDER BY m.article_id, e.id"),
            ("follows", "SELECT name, kind, value FROM follows ORDER BY name"),
            ("follow_matches", "SELECT f.name, printf('%016x', m.article_id), m.delivered FROM follow_matches m JOIN follows f ON f.id = m.follow_id ORDER BY f.name, m.article_id"),
            ("ingest_errors", "SELECT location, message FROM ingest_errors ORDER BY location, message"),
        ];
        for (name, sql) in tables {
            let _ = writeln!(out, "## {name}");
            let mut st = self.db.prepare(sql)?;
            let n = st.column_count();
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let mut line = String::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    let cell = match v {
                        rusqlite::types::Value::Null => "∅".to_string(),
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Real(f) => f.to_string(),
                        rusqlite::types::Value::Text(t) if t.len() > 80 => format!("#{}", hash_hex(t.as_bytes())),
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Blob(b) => format!("#{}", hash_hex(&b)),
                    };
                    if i > 0 {
                        line.push('\t');
                    }
                    line.push_str(&cell);
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
        // The index: which articles it holds. Pending (unindexed) changes
        // are synced first by whoever writes; here we just report.
        let searcher = self.reader.searcher();
        let mut ids: Vec<u64> = Vec::new();
        for addr in searcher.search(&AllQuery, &DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_u64()) {
                ids.push(id);
            }
        }
        ids.sort_unstable();
        let _ = writeln!(out, "## index");
        for id in ids {
            let _ = writeln!(out, "{id:016x}");
        }
        Ok(out)
    }

    fn story(&self, id: Id) -> Result<Option<StoryRow>> {
        let row: Option<(Option<String>, Option<String>, Option<String>)> = self
            .db
            .query_row("SELECT headline, first_published, last_published FROM stories WHERE id = ?1", [id.as_i64()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((headline, first_published, last_published)) = row else { return Ok(None) };
        let mut st = self.db.prepare_cached(
            "SELECT id, headline, site, url, published FROM articles WHERE story_id = ?1
             ORDER BY published_unix IS NULL, published_unix, seq LIMIT 500",
        )?;
        let articles = st.query_map([id.as_i64()], article_brief)?.collect::<std::result::Result<_, _>>()?;
        Ok(Some(StoryRow { id, headline, first_published, last_published, articles }))
    }

    fn follow_matches(&self, name: &str, limit: usize) -> Result<Option<Vec<FollowMatch>>> {
        let fid: Option<(i64, String)> =
            self.db.query_row("SELECT id, name FROM follows WHERE name = ?1", [name], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((fid, fname)) = fid else { return Ok(None) };
        let mut st = self.db.prepare_cached(
            "SELECT a.id, a.headline, a.site, a.url, a.published FROM follow_matches m JOIN articles a ON a.id = m.article_id
             WHERE m.follow_id = ?1 ORDER BY m.iseq DESC, a.seq DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![fid, limit.max(1) as i64], |r| {
            Ok(FollowMatch {
                follow: fname.clone(),
                article: ArticleBrief {
                    id: Id::from_i64(r.get(0)?),
                    headline: r.get(1)?,
                    site: r.get(2)?,
                    url: r.get(3)?,
                    published: r.get(4)?,
                },
            })
        })?;
        Ok(Some(rows.collect::<std::result::Result<_, _>>()?))
    }

    fn stored_analysis(&self, article: Id, body: &str) -> Result<Option<Analysis>> {
        EmbeddedStore::stored_analysis(self, article, body)
    }
}

/// Where in `body` the snippet of a hit is looked for: the paragraph with
/// most of the query's (lowercased) `terms` as whole words, cut to a few
/// hundred bytes around the first of them within that paragraph. The
/// snippet generator tokenises and scores every word it is given, and over
/// whole bodies that was a fifth of a search's time; the paragraph where
/// the terms meet is where its best fragment lies anyway. All-ASCII terms are found exactly (an
/// ASCII-lowercased copy keeps byte offsets); with other terms, or none in
/// the body (a headline-only match), the generator gets what the scan
/// cannot rule out: the whole body, or nothing.
fn snippet_source<'b>(body: &'b str, terms: &[String]) -> &'b str {
    const BEFORE: usize = 200;
    const AFTER: usize = 400;
    if terms.is_empty() || !terms.iter().all(|t| t.is_ascii()) {
        return body;
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut best: Option<(usize, usize, usize, usize)> = None; // (distinct terms, first hit, paragraph)
    let mut start = 0;
    for para in body.split("\n\n") {
        let lower = para.to_ascii_lowercase();
        let mut found = 0;
        let mut first = usize::MAX;
        for t in terms {
            let hit = lower.match_indices(t.as_str()).map(|(i, _)| i).find(|&i| {
                !is_word(para[..i].chars().next_back()) && !is_word(para[i + t.len()..].chars().next())
            });
            if let Some(i) = hit {
                found += 1;
                first = first.min(i);
            }
        }
        if found > 0 && best.is_none_or(|(n, ..)| found > n) {
            best = Some((found, start + first, start, start + para.len()));
        }
        start += para.len() + 2;
    }
    let Some((_, at, para_start, para_end)) = best else { return "" };
    let mut lo = at.saturating_sub(BEFORE).max(para_start);
    while !body.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = (at + AFTER).min(para_end);
    while !body.is_char_boundary(hi) {
        hi += 1;
    }
    &body[lo..hi]
}

/// The first `max` characters of a body, at a word boundary.
pub fn lead(body: &str, max: usize) -> String {
    let mut end = 0;
    for (n, (i, c)) in body.char_indices().enumerate() {
        if n >= max {
            break;
        }
        end = i + c.len_utf8();
    }
    let cut = if end < body.len() { body[..end].rfind(' ').unwrap_or(end) } else { end };
    let mut s = body[..cut].replace('\n', " ");
    if cut < body.len() {
        s.push('…');
    }
    s
}

/// Marks the highlighted ranges of a snippet fragment with `**`.
fn mark(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(fragment.len() + ranges.len() * 4);
    let mut at = 0;
    for r in ranges {
        if r.start < at || r.end > fragment.len() || !fragment.is_char_boundary(r.start) || !fragment.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&fragment[at..r.start]);
        out.push_str("**");
        out.push_str(&fragment[r.start..r.end]);
        out.push_str("**");
        at = r.end;
    }
    out.push_str(&fragment[at..]);
    out.replace('\n', " ")
}

/// A story's article row (`id, headline, site, url, published`).
fn article_brief(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleBrief> {
    Ok(ArticleBrief { id: Id::from_i64(r.get(0)?), headline: r.get(1)?, site: r.get(2)?, url: r.get(3)?, published: r.get(4)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_hits() {
        assert_eq!(mark("the dam opens", &[4..7]), "the **dam** opens");
        assert_eq!(lead("one two three", 7), "one…");
    }

    #[test]
    fn snippets_are_looked_for_where_the_terms_meet() {
        let body = "The council met on Monday.\n\nThe Reservoir at Dunmere reopened; the dam held.\n\nA dam report follows.";
        let terms = vec!["dam".to_string(), "reservoir".to_string()];
        // The paragraph with both terms, not the first with one of them.
        let src = snippet_source(body, &terms);
        assert!(src.contains("Reservoir at Dunmere"), "{src:?}");
        assert!(!src.contains("council"), "{src:?}");
        // Whole words only: "damage" is not "dam".
        assert_eq!(snippet_source("Storm damage everywhere.", &["dam".to_string()]), "");
        // Terms the ASCII scan cannot judge get the whole body.
        assert_eq!(snippet_source("Ünion talks", &["ünion".to_string()]), "Ünion talks");
        // A long paragraph is cut around the hit, on character boundaries.
        let long = format!("{} dam {}", "é".repeat(400), "ß".repeat(400));
        let src = snippet_source(&long, &["dam".to_string()]);
        assert!(src.contains("dam") && src.len() < 700, "{}", src.len());
    }

    #[test]
    fn names_index_whole_and_words() {
        assert_eq!(name_terms("Ana Ruiz"), vec!["ana ruiz", "ana", "ruiz"]);
    }

    #[test]
    fn lagging_index_is_replayed_on_open() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let mut s = EmbeddedStore::open(dir.path()).expect("open");
            s.apply(&crate::conformance::batch_one()).expect("apply");
            // Dropped without sync_index: as if killed after the SQLite commit.
        }
        let s = EmbeddedStore::open(dir.path()).expect("reopen");
        assert_eq!(s.stats().expect("stats").indexed, 3);
        let second = EmbeddedStore::open(dir.path()).expect("a second handle opens read-only");
        assert!(!second.can_write_index());
        assert_eq!(second.stats().expect("stats").articles, 3);
    }

    /// One article whose body has non-ASCII text before the quote, so
    /// code-point and byte offsets differ.
    fn article_with_quote() -> NewArticle {
        let body = "Éva Kovács spoke. “We will rebuild,” said Éva Kovács in Pécs.";
        let cps = |s: &str| body.find(s).map(|b| body[..b].chars().count()).unwrap_or(0);
        let q0 = cps("“We");
        let q1 = cps(" said");
        let id = Id::of(&[b"test-article"]);
        NewArticle {
            id,
            site: Some("Example".into()),
            location: "test".into(),
            fetched_unix: None,
            published_unix: None,
            article: Article { headline: Some("Rebuilding".into()), language: Some("en".into()), body: body.into(), ..Article::default() },
            analysis: Analysis {
                quotes: vec![Quote {
                    start: q0,
                    end: q1,
                    text: "We will rebuild,".into(),
                    kind: QuoteKind::Direct,
                    fragments: vec![],
                    speaker: Speaker { written: Some("Éva Kovács".into()), resolved: Some("Éva Kovács".into()), ..Speaker::default() },
                    cue: Some("said".into()),
                    addressee: None,
                }],
                entities: vec![
                    Entity {
                        name: "Pécs".into(),
                        kind: EntityKind::Place,
                        roles: vec![],
                        mentions: vec![Mention { start: cps("Pécs"), end: cps("Pécs") + 4, text: "Pécs".into() }],
                    },
                    Entity {
                        name: "Éva Kovács".into(),
                        kind: EntityKind::Person,
                        roles: vec![],
                        mentions: vec![
                            Mention { start: 0, end: 10, text: "Éva Kovács".into() },
                            Mention { start: cps("Éva Kovács in"), end: cps("Éva Kovács in") + 10, text: "Éva Kovács".into() },
                        ],
                    },
                ],
                dates: vec![],
            },
            signature: vec![0; 8],
            group: id,
            story: id,
            story_features: vec![],
        }
    }

    /// The bounds leave a wide margin: the worst query they let through
    /// parses on a thread with a quarter of the writer's 2 MiB stack.
    #[test]
    fn queries_at_the_bounds_parse_on_a_small_stack() {
        use crate::query_bounds::*;
        let dir = tempfile::tempdir().expect("temp dir");
        // The deepest group holds the longest run of NOTs; the outer levels
        // spend what is left of the operator budget on NOT runs of their own.
        let nots = "NOT ".repeat(MAX_QUERY_UNARY_RUN);
        let mut q = format!("{nots}a OR b");
        let mut operators = MAX_QUERY_UNARY_RUN + 1;
        for level in 0..MAX_QUERY_DEPTH {
            // Each level needs its own OR; the levels still to come keep theirs.
            let later = MAX_QUERY_DEPTH - level - 1;
            let run = MAX_QUERY_UNARY_RUN.min(MAX_QUERY_OPERATORS.saturating_sub(operators + 1 + later));
            operators += run + 1;
            q = format!("({q} OR {}c)", "NOT ".repeat(run));
        }
        assert!(crate::check_query_text(&q).is_ok(), "the test query must be within the bounds: {q}");
        let path = dir.path().to_path_buf();
        let h = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || {
                let s = EmbeddedStore::open(&path).expect("open");
                s.parse_text_query(&q).map(|_| ())
            })
            .expect("spawn");
        assert!(h.join().expect("no stack overflow").is_ok());
    }

    #[test]
    fn analysis_offsets_are_stored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut s = EmbeddedStore::open(dir.path()).expect("open");
        let a = article_with_quote();
        s.apply(&Batch { docs: vec![Id::of(&[b"doc"])], articles: vec![a.clone()], ..Batch::default() }).expect("apply");
        let got = s.stored_analysis(a.id, &a.article.body).expect("read").expect("offsets are kept");
        assert_eq!(got.quotes.len(), 1);
        assert_eq!((got.quotes[0].start, got.quotes[0].end), (a.analysis.quotes[0].start, a.analysis.quotes[0].end));
        assert_eq!(got.quotes[0].speaker.resolved.as_deref(), Some("Éva Kovács"));
        // Entities come back in order of first mention, texts cut from the body.
        let names: Vec<&str> = got.entities.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Éva Kovács", "Pécs"]);
        assert_eq!(got.entities[0].mentions, a.analysis.entities[1].mentions);
        assert_eq!(got.entities[1].mentions, a.analysis.entities[0].mentions);
        // Rows from a version that kept no offsets: the caller must analyze.
        s.db.execute("UPDATE quotes SET start_cp = NULL", []).expect("update");
        assert!(s.stored_analysis(a.id, &a.article.body).expect("read").is_none());
    }

    #[test]
    fn index_from_the_batch_matches_the_rebuilt_index() {
        let a = article_with_quote();
        let batch = Batch { docs: vec![Id::of(&[b"doc"])], articles: vec![a], ..Batch::default() };
        let direct = tempfile::tempdir().expect("temp dir");
        let rebuilt = tempfile::tempdir().expect("temp dir");
        {
            let mut s = EmbeddedStore::open(direct.path()).expect("open");
            s.apply(&batch).expect("apply");
            s.sync_index().expect("sync");
        }
        {
            let mut s = EmbeddedStore::open(rebuilt.path()).expect("open");
            s.apply(&batch).expect("apply");
            // Dropped before sync_index: the next open rebuilds from SQLite.
        }
        for dir in [direct.path(), rebuilt.path()] {
            let s = EmbeddedStore::open(dir).expect("reopen");
            for q in [
                SearchQuery { text: "rebuild".into(), limit: 5, ..SearchQuery::default() },
                SearchQuery { speaker: Some("kovács".into()), limit: 5, ..SearchQuery::default() },
                SearchQuery { entity: Some("pécs".into()), site: Some("example".into()), lang: Some("EN".into()), limit: 5, ..SearchQuery::default() },
            ] {
                assert_eq!(s.search(&q).expect("search").len(), 1, "{q:?} in {}", dir.display());
            }
        }
    }

    #[test]
    fn conformance_embedded() {
        let root = tempfile::tempdir().expect("temp dir");
        let n = std::cell::Cell::new(0);
        crate::conformance::conformance(|| {
            n.set(n.get() + 1);
            EmbeddedStore::open(&root.path().join(n.get().to_string())).expect("open store")
        });
    }
}
