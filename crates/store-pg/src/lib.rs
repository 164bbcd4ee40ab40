//! The PostgreSQL backend of the newsdesk [`Store`]: the same contract as
//! the embedded store (checked by the same conformance suite), on a server
//! that many ingest workers and query servers share.
//!
//! - **Records**: one table per record kind, as in the embedded store; ids
//!   are the 64-bit content ids as `BIGINT`.
//! - **Full-text search**: a `tsvector` per article (headline weight A,
//!   body weight B, `simple` configuration: lower-cased words, no
//!   stemming) under a GIN index, written in the same transaction as the
//!   article, so the index never lags the records. Queries in the embedded
//!   syntax (all words required, `"phrases"`, `OR`, `AND`, `NOT`/`-word`,
//!   `headline:`/`body:`) become a `tsquery`; hits are ranked by `ts_rank`
//!   and carry a `ts_headline` snippet.
//! - **Concurrency**: every [`Store::apply`] takes one transaction-scoped
//!   advisory lock, so batches from several processes are serialised and
//!   arrival numbers (`seq`) stay dense and ordered. Cluster ingest
//!   ([`PgStore::apply_item`]) additionally commits work items in job order,
//!   which makes a cluster run reach exactly the state of a single-process
//!   run, and a redelivered item a no-op.
//! - **Migrations** are embedded ([`MIGRATIONS`]) and run on connect, under
//!   their own advisory lock.
//!
//! The trait is synchronous; a small current-thread tokio runtime inside
//! [`PgStore`] drives the connection. Do not call it from inside another
//! tokio runtime's async task (use `spawn_blocking`).

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::time::Duration;

use newsdesk_model::{Analysis, Article, EntityKind};
use newsdesk_store::backend::{kind_from, kind_str, lead, name_terms, spec_from, spec_parts};
use newsdesk_store::*;
use tokio_postgres::types::ToSql;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Config, NoTls, Row, Transaction};

/// The schema migrations, in order; each runs once, in one transaction.
pub const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("schema.sql"))];

/// Advisory lock key of store writes ("newsdesk" in ASCII, truncated).
const APPLY_LOCK: i64 = 0x6e65_7773_6465_736b;
/// Advisory lock key of migrations and follow matching.
const SCHEMA_LOCK: i64 = APPLY_LOCK + 1;
const FOLLOW_LOCK: i64 = APPLY_LOCK + 2;

/// Errors inside this crate, turned into [`StoreError`] at the trait.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The server or the connection failed.
    #[error("{0}")]
    Pg(#[from] tokio_postgres::Error),
    /// A stored JSON value did not decode.
    #[error("stored record: {0}")]
    Json(#[from] serde_json::Error),
    /// A store-level error (bad query, bad argument).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The connection string is not a PostgreSQL URL or key=value string.
    #[error("invalid PostgreSQL connection string {url:?}: {message}")]
    Url { url: String, message: String },
    /// The runtime could not start.
    #[error("runtime: {0}")]
    Io(#[from] std::io::Error),
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> StoreError {
        match e {
            PgError::Store(s) => s,
            PgError::Json(j) => StoreError::Json(j),
            PgError::Io(io) => StoreError::Io(io),
            other => StoreError::Backend(Box::new(other)),
        }
    }
}

type PgResult<T> = std::result::Result<T, PgError>;

/// True when `e` says the connection is gone or being closed by the server
/// (a restart, an administrator's `pg_terminate_backend`, a network
/// failure): worth reconnecting and retrying, and not the data's fault. A
/// server that closes a session sends its FATAL error before the socket
/// closes, so this looks at the SQLSTATE as well (classes 08 and 57P).
pub fn is_connection_lost(e: &StoreError) -> bool {
    let StoreError::Backend(b) = e else { return false };
    let Some(PgError::Pg(pg)) = b.downcast_ref::<PgError>() else { return false };
    pg.is_closed() || pg.code().is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"))
}

/// Where one cluster ingest job stands.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct JobStatus {
    pub id: String,
    pub created_unix: i64,
    /// Work items in the job; `None` while the splitter is still publishing.
    pub items: Option<i64>,
    /// Items committed (including dead-lettered ones).
    pub done: i64,
    pub records: i64,
    pub articles: i64,
    pub errors: i64,
    /// Items sent to the dead letters.
    pub dead: i64,
    /// Seconds from the first to the last committed item.
    pub seconds: Option<f64>,
}

/// What a cluster worker needs to bring its in-memory clustering state up to
/// the records: everything stored after a given arrival number.
pub struct CatchUp {
    /// (article, group, signature) in arrival order.
    pub signatures: Vec<(Id, Id, Vec<u8>)>,
    pub story_log: Vec<StoryLogEntry>,
    /// The highest arrival number stored.
    pub upto: i64,
}

/// Outcome of [`PgStore::apply_item`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemCommit {
    /// The item's batch is stored; the job moved on.
    Committed,
    /// The item was committed before (a redelivery): nothing was written.
    AlreadyDone,
    /// An earlier item is not committed yet: nothing was written.
    NotYet,
}

/// The PostgreSQL store. See the crate docs.
pub struct PgStore {
    rt: tokio::runtime::Runtime,
    client: Client,
    config: Config,
    schema: Option<String>,
    /// Current bodies read ahead by [`PgStore::prefetch_bodies`] (`None`:
    /// no such article), answered by `current_body` until the next write.
    bodies: std::collections::HashMap<i64, Option<(u32, String)>>,
}

fn parse_config(url: &str) -> PgResult<Config> {
    let config: Config = url.parse().map_err(|e: tokio_postgres::Error| PgError::Url { url: redact(url), message: e.to_string() })?;
    if config.get_hosts().is_empty() {
        return Err(PgError::Url { url: redact(url), message: "no host".into() });
    }
    Ok(config)
}

/// The URL with any password replaced, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn connect_client(config: &Config, schema: Option<&str>) -> PgResult<Client> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped or the server goes away; a lost
        // connection shows up as an error on the next statement.
        let _ = connection.await;
    });
    if let Some(s) = schema {
        let ident = quote_ident(s);
        // Under the schema lock: two sessions running `CREATE SCHEMA IF NOT
        // EXISTS` for one new name at once can both try to create it, and
        // one fails on the catalogue's unique index (seen when two tests,
        // or two workers, started together).
        client
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({SCHEMA_LOCK}); CREATE SCHEMA IF NOT EXISTS {ident}; COMMIT; SET search_path TO {ident}"
            ))
            .await?;
    }
    Ok(client)
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

async fn migrate(client: &mut Client) -> PgResult<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations(version INT PRIMARY KEY)").await?;
    let done: Vec<i32> = tx.query("SELECT version FROM schema_migrations", &[]).await?.iter().map(|r| r.get(0)).collect();
    for (version, sql) in MIGRATIONS {
        if !done.contains(version) {
            tx.batch_execute(sql).await?;
            tx.execute("INSERT INTO schema_migrations(version) VALUES ($1)", &[version]).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`, or the key=value
    /// form), creating or migrating the schema.
    pub fn connect(url: &str) -> Result<PgStore> {
        Ok(Self::open(url, None)?)
    }

    /// Like [`PgStore::connect`], in the named schema (created if missing):
    /// a fresh, isolated store per test run on a shared database.
    pub fn connect_in_schema(url: &str, schema: &str) -> Result<PgStore> {
        Ok(Self::open(url, Some(schema.to_string()))?)
    }

    fn open(url: &str, schema: Option<String>) -> PgResult<PgStore> {
        let mut config = parse_config(url)?;
        config.connect_timeout(Duration::from_secs(10));
        config.application_name("newsdesk");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let mut client = rt.block_on(connect_client(&config, schema.as_deref()))?;
        rt.block_on(migrate(&mut client))?;
        Ok(PgStore { rt, client, config, schema, bodies: Default::default() })
    }

    /// Whether the connection is gone (the server restarted or the network
    /// dropped); [`PgStore::reconnect`] makes a new one.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Reconnects, retrying with exponential backoff (0.2 s doubling to 5 s)
    /// for up to `patience`.
    pub fn reconnect(&mut self, patience: Duration) -> Result<()> {
        let start = std::time::Instant::now();
        let mut wait = Duration::from_millis(200);
        loop {
            match self.rt.block_on(connect_client(&self.config, self.schema.as_deref())) {
                Ok(c) => {
                    self.client = c;
                    self.bodies.clear();
                    return Ok(());
                }
                Err(e) if start.elapsed() >= patience => return Err(e.into()),
                Err(_) => {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    fn run<T>(&self, f: impl std::future::Future<Output = PgResult<T>>) -> Result<T> {
        Ok(self.rt.block_on(f)?)
    }

    /// Reads the current bodies of `articles` in one query, so that the
    /// decisions about a batch (new article, revision or unchanged) do not
    /// cost a round trip per article. Forgotten at the next write.
    pub fn prefetch_bodies(&mut self, articles: &[Id]) -> Result<()> {
        let ids: Vec<i64> = articles.iter().map(|a| a.as_i64()).collect();
        let rows = self.run(async {
            Ok(self
                .client
                .query(
                    "SELECT a.id, a.rev, r.body FROM articles a JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev WHERE a.id = ANY($1)",
                    &[&ids],
                )
                .await?)
        })?;
        self.bodies = ids.iter().map(|&id| (id, None)).collect();
        for r in rows {
            self.bodies.insert(r.get(0), Some((r.get::<_, i32>(1) as u32, r.get(2))));
        }
        Ok(())
    }

    /// Which of `keys` are stored documents (a worker's check before work).
    pub fn seen_among(&self, keys: &[Id]) -> Result<HashSet<Id>> {
        let ks: Vec<i64> = keys.iter().map(|k| k.as_i64()).collect();
        self.run(async {
            let rows = self.client.query("SELECT key FROM docs WHERE key = ANY($1)", &[&ks]).await?;
            Ok(rows.iter().map(|r| Id::from_i64(r.get(0))).collect())
        })
    }

    /// Signatures and story assignments stored after arrival number `after`.
    pub fn catch_up(&self, after: i64) -> Result<CatchUp> {
        self.run(async {
            let upto: i64 = self.client.query_one("SELECT COALESCE(MAX(seq), 0) FROM articles", &[]).await?.get(0);
            let rows = self
                .client
                .query("SELECT id, group_id, signature FROM articles WHERE seq > $1 AND seq <= $2 ORDER BY seq", &[&after, &upto])
                .await?;
            let signatures = rows.iter().map(|r| (Id::from_i64(r.get(0)), Id::from_i64(r.get(1)), r.get(2))).collect();
            let rows = self
                .client
                .query("SELECT article_id, story_id, features FROM story_log WHERE seq > $1 AND seq <= $2 ORDER BY seq", &[&after, &upto])
                .await?;
            let story_log =
                rows.iter().map(|r| StoryLogEntry { article: Id::from_i64(r.get(0)), story: Id::from_i64(r.get(1)), features: r.get(2) }).collect();
            Ok(CatchUp { signatures, story_log, upto })
        })
    }

    /// Registers a cluster ingest job (nothing if it exists).
    pub fn job_create(&self, job: &str) -> Result<()> {
        self.run(async {
            self.client
                .execute(
                    "INSERT INTO cluster_jobs(id, created_unix) VALUES ($1, EXTRACT(EPOCH FROM now())::BIGINT) ON CONFLICT (id) DO NOTHING",
                    &[&job],
                )
                .await?;
            Ok(())
        })
    }

    /// Records how many items a job has, once the splitter is done.
    pub fn job_set_items(&self, job: &str, items: i64) -> Result<()> {
        self.run(async {
            self.client.execute("UPDATE cluster_jobs SET items = $2 WHERE id = $1", &[&job, &items]).await?;
            Ok(())
        })
    }

    /// The first item of `job` not yet committed (`None`: no such job).
    pub fn job_next_item(&self, job: &str) -> Result<Option<i64>> {
        self.run(async { Ok(self.client.query_opt("SELECT next_item FROM cluster_jobs WHERE id = $1", &[&job]).await?.map(|r| r.get(0))) })
    }

    /// Notes why an attempt at an item failed (shown when it is dead-lettered).
    pub fn job_record_failure(&self, job: &str, item: i64, attempt: i32, reason: &str) -> Result<()> {
        self.run(async {
            self.client
                .execute(
                    "INSERT INTO cluster_failures(job, item, attempt, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&job, &item, &attempt, &reason],
                )
                .await?;
            Ok(())
        })
    }

    /// The failure reasons recorded for an item, by attempt.
    pub fn job_failures(&self, job: &str, item: i64) -> Result<Vec<String>> {
        self.run(async {
            let rows = self.client.query("SELECT reason FROM cluster_failures WHERE job = $1 AND item = $2 ORDER BY attempt", &[&job, &item]).await?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    /// Every job, newest first.
    pub fn jobs(&self) -> Result<Vec<JobStatus>> {
        self.run(async {
            let rows = self
                .client
                .query(
                    "SELECT id, created_unix, items, next_item, records, articles, errors, dead, finished_unix - started_unix
                     FROM cluster_jobs ORDER BY created_unix DESC, id",
                    &[],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|r| JobStatus {
                    id: r.get(0),
                    created_unix: r.get(1),
                    items: r.get(2),
                    done: r.get(3),
                    records: r.get(4),
                    articles: r.get(5),
                    errors: r.get(6),
                    dead: r.get(7),
                    seconds: r.get(8),
                })
                .collect())
        })
    }

    /// The dead-lettered items of a job: (item, what it was, why).
    pub fn job_dead(&self, job: &str) -> Result<Vec<(i64, String, String)>> {
        self.run(async {
            let rows = self.client.query("SELECT item, what, reason FROM cluster_dead WHERE job = $1 ORDER BY item", &[&job]).await?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
        })
    }

    /// Commits work item `item` of `job` (its `batch`, covering `records`
    /// raw records) in one transaction, if and only if it is the job's next
    /// item. `dead` marks an item given up on: (what it was, why), recorded
    /// with the dead letters. Returns the arrival number of the last stored
    /// article with the outcome.
    pub fn apply_item(&mut self, job: &str, item: i64, batch: &Batch, records: i64, dead: Option<(&str, &str)>) -> Result<(ItemCommit, i64)> {
        self.bodies.clear();
        let client = &mut self.client;
        Ok(self.rt.block_on(async move {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPLY_LOCK]).await?;
            let next: Option<i64> = tx.query_opt("SELECT next_item FROM cluster_jobs WHERE id = $1 FOR UPDATE", &[&job]).await?.map(|r| r.get(0));
            let Some(next) = next else {
                return Err(PgError::Store(StoreError::Invalid(format!("no cluster job {job:?}"))));
            };
            if next != item {
                let outcome = if next > item { ItemCommit::AlreadyDone } else { ItemCommit::NotYet };
                return Ok((outcome, 0));
            }
            let upto = apply_tx(&tx, batch).await?;
            if let Some((what, reason)) = dead {
                tx.execute(
                    "INSERT INTO cluster_dead(job, item, what, reason) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&job, &item, &what, &reason],
                )
                .await?;
            }
            let (articles, errors, dead_n) = (batch.articles.len() as i64, batch.errors.len() as i64, i64::from(dead.is_some()));
            tx.execute(
                "UPDATE cluster_jobs SET next_item = next_item + 1, records = records + $2, articles = articles + $3,
                   errors = errors + $4, dead = dead + $5,
                   started_unix = COALESCE(started_unix, EXTRACT(EPOCH FROM clock_timestamp())),
                   finished_unix = EXTRACT(EPOCH FROM clock_timestamp())
                 WHERE id = $1",
                &[&job, &records, &articles, &errors, &dead_n],
            )
            .await?;
            tx.commit().await?;
            Ok::<_, PgError>((ItemCommit::Committed, upto))
        })?)
    }
}

fn ts_value(t: &Option<newsdesk_model::Timestamp>) -> Option<String> {
    t.as_ref().map(|t| t.value.clone())
}

fn article_json(a: &Article) -> PgResult<String> {
    // The body lives in `revisions`, as in the embedded store.
    let mut a = a.clone();
    a.body.clear();
    Ok(serde_json::to_string(&a)?)
}

/// Name terms of an analysis: (speaker terms, entity terms), sorted.
fn analysis_terms(analysis: &Analysis) -> (Vec<String>, Vec<String>) {
    let mut speakers: Vec<String> = analysis
        .quotes
        .iter()
        .filter_map(|q| q.speaker.resolved.clone().or_else(|| q.speaker.written.clone()))
        .flat_map(|s| name_terms(&s))
        .collect();
    speakers.sort();
    speakers.dedup();
    let mut entities: Vec<String> = analysis.entities.iter().flat_map(|e| name_terms(&e.name)).collect();
    entities.sort();
    entities.dedup();
    (speakers, entities)
}

const TSV: &str = "setweight(to_tsvector('simple', COALESCE($1::TEXT, '')), 'A') || setweight(to_tsvector('simple', $2::TEXT), 'B')";

/// The rows of an article's analysis as statement parameters: quotes as
/// column arrays (inserted with one `unnest`), entities one row each with
/// repeated entities' mentions added up.
struct AnalysisRows {
    idx: Vec<i32>,
    speaker: Vec<Option<String>>,
    speaker_lc: Vec<Option<String>>,
    role: Vec<Option<String>>,
    kind: Vec<String>,
    text: Vec<String>,
    cue: Vec<Option<String>>,
    entity_ids: Vec<i64>,
    entity_names: Vec<String>,
    entity_kinds: Vec<&'static str>,
    entity_counts: Vec<i32>,
}

impl AnalysisRows {
    fn of(analysis: &Analysis) -> PgResult<AnalysisRows> {
        let n = analysis.quotes.len();
        let mut r = AnalysisRows {
            idx: Vec::with_capacity(n),
            speaker: Vec::with_capacity(n),
            speaker_lc: Vec::with_capacity(n),
            role: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            text: Vec::with_capacity(n),
            cue: Vec::with_capacity(n),
            entity_ids: Vec::new(),
            entity_names: Vec::new(),
            entity_kinds: Vec::new(),
            entity_counts: Vec::new(),
        };
        for (i, q) in analysis.quotes.iter().enumerate() {
            let s = q.speaker.resolved.clone().or_else(|| q.speaker.written.clone());
            r.idx.push(i as i32);
            r.speaker_lc.push(s.as_ref().map(|s| s.to_lowercase()));
            r.speaker.push(s);
            r.role.push(q.speaker.role.clone());
            r.kind.push(serde_json::to_value(q.kind)?.as_str().unwrap_or("direct").to_string());
            r.text.push(q.text.clone());
            r.cue.push(q.cue.clone());
        }
        let mut ents: BTreeMap<i64, (String, &'static str, i32)> = BTreeMap::new();
        for ent in &analysis.entities {
            let kind = kind_str(ent.kind);
            let eid = Id::of(&[b"entity", kind.as_bytes(), ent.name.as_bytes()]).as_i64();
            let e = ents.entry(eid).or_insert_with(|| (ent.name.clone(), kind, 0));
            e.2 += ent.mentions.len().max(1) as i32;
        }
        for (id, (name, kind, count)) in ents {
            r.entity_ids.push(id);
            r.entity_names.push(name);
            r.entity_kinds.push(kind);
            r.entity_counts.push(count);
        }
        Ok(r)
    }
}

const DELETE_QUOTES: &str = "DELETE FROM quotes WHERE article_id = $1";
const DELETE_MENTIONS: &str = "DELETE FROM mentions WHERE article_id = $1";
const INSERT_QUOTES: &str = "INSERT INTO quotes(article_id, idx, speaker, speaker_lc, role, kind, text, cue)
     SELECT $1, * FROM unnest($2::INT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])";
const INSERT_ENTITIES: &str =
    "INSERT INTO entities(id, name, kind) SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::TEXT[]) ON CONFLICT (id) DO NOTHING";
const INSERT_MENTIONS: &str = "INSERT INTO mentions(article_id, entity_id, count) SELECT $1, * FROM unnest($2::BIGINT[], $3::INT[])";

/// Writes the quotes and entity mentions of an article's current revision.
async fn put_analysis(tx: &Transaction<'_>, aid: i64, analysis: &Analysis) -> PgResult<()> {
    let r = AnalysisRows::of(analysis)?;
    tx.execute(DELETE_QUOTES, &[&aid]).await?;
    tx.execute(DELETE_MENTIONS, &[&aid]).await?;
    if !r.idx.is_empty() {
        tx.execute(INSERT_QUOTES, &[&aid, &r.idx, &r.speaker, &r.speaker_lc, &r.role, &r.kind, &r.text, &r.cue]).await?;
    }
    if !r.entity_ids.is_empty() {
        tx.execute(INSERT_ENTITIES, &[&r.entity_ids, &r.entity_names, &r.entity_kinds]).await?;
        tx.execute(INSERT_MENTIONS, &[&aid, &r.entity_ids, &r.entity_counts]).await?;
    }
    Ok(())
}

/// The parameters of one new article's statements, owned so that every
/// statement of a batch can be in flight at once.
struct NewRow<'b> {
    a: &'b NewArticle,
    aid: i64,
    seq: i64,
    url: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    gid: i64,
    sid: i64,
    body_len: i64,
    json: String,
    speakers: Vec<String>,
    entities: Vec<String>,
    analysis: AnalysisRows,
}

// New articles and their first revisions, one statement per batch: column
// arrays, `unnest`ed in arrival order. Speaker and entity terms travel as
// JSON arrays (a two-dimensional SQL array would be flattened by `unnest`).
const INSERT_ARTICLES: &str = "INSERT INTO articles(tsv, id, seq, url, site, location, headline, language, published, published_unix,
       updated, group_id, story_id, rev, body_len, article_json, signature, speaker_terms, entity_terms, iseq)
     SELECT setweight(to_tsvector('simple', COALESCE(u.h, '')), 'A') || setweight(to_tsvector('simple', u.b), 'B'),
       u.id, u.seq, u.url, u.site, u.loc, u.h, u.lang, u.pub, u.pubu, u.upd, u.g, u.s, 1, u.blen, u.js, u.sig,
       ARRAY(SELECT jsonb_array_elements_text(u.sp::JSONB)), ARRAY(SELECT jsonb_array_elements_text(u.en::JSONB)), nextval('index_seq')
     FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::BIGINT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[],
       $10::BIGINT[], $11::TEXT[], $12::BIGINT[], $13::BIGINT[], $14::BIGINT[], $15::TEXT[], $16::BYTEA[], $17::TEXT[], $18::TEXT[])
       AS u(h, b, id, seq, url, site, loc, lang, pub, pubu, upd, g, s, blen, js, sig, sp, en)
     ORDER BY u.seq";
const INSERT_FIRST_REVISIONS: &str = "INSERT INTO revisions(article_id, rev, location, fetched_unix, updated, headline, body, diff_json)
     SELECT u.id, 1, u.loc, u.f, u.upd, u.h, u.b, '[]'
     FROM unnest($1::BIGINT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[]) AS u(id, loc, f, upd, h, b)";
const INSERT_ALL_QUOTES: &str = "INSERT INTO quotes(article_id, idx, speaker, speaker_lc, role, kind, text, cue)
     SELECT * FROM unnest($1::BIGINT[], $2::INT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])";
const INSERT_ALL_MENTIONS: &str = "INSERT INTO mentions(article_id, entity_id, count) SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::INT[])";
const INSERT_STORY_LOGS: &str =
    "INSERT INTO story_log(seq, article_id, story_id, features) SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BYTEA[])";
// Syndication group: the representative is the earliest copy, then the most
// complete, then the first seen (as in the embedded store).
const UPSERT_GROUP: &str = "INSERT INTO groups(id, representative, size) VALUES ($1, $2, 1)
     ON CONFLICT (id) DO UPDATE SET size = groups.size + 1,
       representative = CASE WHEN (COALESCE($3::BIGINT, 9223372036854775807), -$4::BIGINT, $5::BIGINT) <
         (SELECT COALESCE(r.published_unix, 9223372036854775807), -r.body_len, r.seq FROM articles r WHERE r.id = groups.representative)
         THEN $2 ELSE groups.representative END";
const UPSERT_STORY: &str = "INSERT INTO stories(id, seq, headline, first_unix, last_unix, first_published, last_published, size)
     VALUES ($1, $2, $3, $4, $4, $5, $5, 1)
     ON CONFLICT (id) DO UPDATE SET size = stories.size + 1,
       first_unix = CASE WHEN $4 IS NOT NULL AND (stories.first_unix IS NULL OR $4 < stories.first_unix) THEN $4 ELSE stories.first_unix END,
       first_published = CASE WHEN $4 IS NOT NULL AND (stories.first_unix IS NULL OR $4 < stories.first_unix) THEN $5 ELSE stories.first_published END,
       last_published = CASE WHEN $4 IS NOT NULL AND (stories.last_unix IS NULL OR $4 > stories.last_unix) THEN $5 ELSE stories.last_published END,
       last_unix = CASE WHEN $4 IS NOT NULL AND (stories.last_unix IS NULL OR $4 > stories.last_unix) THEN $4 ELSE stories.last_unix END";

/// Statement parameters as an owned list (a future that outlives the
/// statement expression can hold it).
macro_rules! sql_params {
    ($($p:expr),* $(,)?) => {{
        let v: Vec<&(dyn ToSql + Sync)> = vec![$($p),*];
        v
    }};
}

type Pending<'f> = std::pin::Pin<Box<dyn std::future::Future<Output = std::result::Result<u64, tokio_postgres::Error>> + Send + 'f>>;

/// Writes new articles: rows, first revisions, quotes, entities, mentions
/// and story-log entries with one statement per table for the whole batch;
/// then the group and story upserts, one per article in arrival order
/// (each depends on the ones before), pipelined: prepared once and sent
/// without waiting for each answer. The server still runs them one after
/// another in the order sent (tokio-postgres sends requests in the order
/// they are first polled, and `try_join_all` polls in order), so the effect
/// is that of running them one by one, without a network round trip each.
/// Per-article statements were most of the time of a batch.
async fn put_new_articles(tx: &Transaction<'_>, rows: &[NewRow<'_>]) -> PgResult<()> {
    let n = rows.len();
    let col = |f: &dyn Fn(&NewRow<'_>) -> Option<String>| rows.iter().map(f).collect::<Vec<Option<String>>>();
    let int = |f: &dyn Fn(&NewRow<'_>) -> Option<i64>| rows.iter().map(f).collect::<Vec<Option<i64>>>();
    let headline = col(&|r| r.a.article.headline.clone());
    let body: Vec<&str> = rows.iter().map(|r| r.a.article.body.as_str()).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.aid).collect();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    let json_terms = |t: &[String]| serde_json::to_string(t);
    let mut speakers = Vec::with_capacity(n);
    let mut entities = Vec::with_capacity(n);
    for r in rows {
        speakers.push(json_terms(&r.speakers)?);
        entities.push(json_terms(&r.entities)?);
    }
    let signatures: Vec<&[u8]> = rows.iter().map(|r| r.a.signature.as_slice()).collect();
    let locations: Vec<&str> = rows.iter().map(|r| r.a.location.as_str()).collect();
    let updated = col(&|r| r.updated.clone());
    tx.execute(
        INSERT_ARTICLES,
        &[
            &headline,
            &body,
            &ids,
            &seqs,
            &col(&|r| r.url.clone()),
            &col(&|r| r.a.site.clone()),
            &locations,
            &col(&|r| r.a.article.language.clone()),
            &col(&|r| r.published.clone()),
            &int(&|r| r.a.published_unix),
            &updated,
            &int(&|r| Some(r.gid)),
            &int(&|r| Some(r.sid)),
            &int(&|r| Some(r.body_len)),
            &rows.iter().map(|r| r.json.as_str()).collect::<Vec<&str>>(),
            &signatures,
            &speakers,
            &entities,
        ],
    )
    .await?;
    tx.execute(INSERT_FIRST_REVISIONS, &[&ids, &locations, &int(&|r| r.a.fetched_unix), &updated, &headline, &body]).await?;
    // A new article has no quotes or mentions yet: nothing to delete.
    // Quotes and mentions of every article, flattened with their article.
    let (mut q_aid, mut m_aid) = (Vec::new(), Vec::new());
    let mut q = AnalysisRows::of(&Analysis::default())?;
    let mut ents: BTreeMap<i64, (&str, &'static str)> = BTreeMap::new();
    let (mut m_ent, mut m_count) = (Vec::new(), Vec::new());
    for r in rows {
        let a = &r.analysis;
        q_aid.extend(std::iter::repeat_n(r.aid, a.idx.len()));
        q.idx.extend_from_slice(&a.idx);
        q.speaker.extend_from_slice(&a.speaker);
        q.speaker_lc.extend_from_slice(&a.speaker_lc);
        q.role.extend_from_slice(&a.role);
        q.kind.extend_from_slice(&a.kind);
        q.text.extend_from_slice(&a.text);
        q.cue.extend_from_slice(&a.cue);
        for (i, id) in a.entity_ids.iter().enumerate() {
            ents.entry(*id).or_insert((a.entity_names[i].as_str(), a.entity_kinds[i]));
            m_aid.push(r.aid);
            m_ent.push(*id);
            m_count.push(a.entity_counts[i]);
        }
    }
    if !q_aid.is_empty() {
        tx.execute(INSERT_ALL_QUOTES, &[&q_aid, &q.idx, &q.speaker, &q.speaker_lc, &q.role, &q.kind, &q.text, &q.cue]).await?;
    }
    if !ents.is_empty() {
        let e_ids: Vec<i64> = ents.keys().copied().collect();
        let e_names: Vec<&str> = ents.values().map(|v| v.0).collect();
        let e_kinds: Vec<&str> = ents.values().map(|v| v.1).collect();
        tx.execute(INSERT_ENTITIES, &[&e_ids, &e_names, &e_kinds]).await?;
        tx.execute(INSERT_ALL_MENTIONS, &[&m_aid, &m_ent, &m_count]).await?;
    }
    let logged: Vec<&NewRow<'_>> = rows.iter().filter(|r| !r.a.story_features.is_empty()).collect();
    if !logged.is_empty() {
        let seq: Vec<i64> = logged.iter().map(|r| r.seq).collect();
        let aid: Vec<i64> = logged.iter().map(|r| r.aid).collect();
        let sid: Vec<i64> = logged.iter().map(|r| r.sid).collect();
        let features: Vec<&[u8]> = logged.iter().map(|r| r.a.story_features.as_slice()).collect();
        tx.execute(INSERT_STORY_LOGS, &[&seq, &aid, &sid, &features]).await?;
    }
    let (group_st, story_st) = futures_util::future::try_join(tx.prepare(UPSERT_GROUP), tx.prepare(UPSERT_STORY)).await?;
    let mut pending: Vec<Pending<'_>> = Vec::with_capacity(2 * n);
    for r in rows {
        let a = r.a;
        pending.push(Box::pin(tx.execute_raw(&group_st, sql_params![&r.gid, &r.aid, &a.published_unix, &r.body_len, &r.seq])));
        pending.push(Box::pin(tx.execute_raw(&story_st, sql_params![&r.sid, &r.seq, &a.article.headline, &a.published_unix, &r.published])));
    }
    futures_util::future::try_join_all(pending).await?;
    Ok(())
}

/// Writes one batch inside `tx` (which holds the apply lock); returns the
/// highest arrival number stored. New articles go in together
/// ([`put_new_articles`]).
async fn apply_tx(tx: &Transaction<'_>, batch: &Batch) -> PgResult<i64> {
    if !batch.docs.is_empty() {
        let keys: Vec<i64> = batch.docs.iter().map(|d| d.as_i64()).collect();
        tx.execute("INSERT INTO docs(key) SELECT unnest($1::BIGINT[]) ON CONFLICT DO NOTHING", &[&keys]).await?;
    }
    let mut next_seq: i64 = tx.query_one("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles", &[]).await?.get(0);
    let ids: Vec<i64> = batch.articles.iter().map(|a| a.id.as_i64()).collect();
    let mut stored: HashSet<i64> =
        if ids.is_empty() { HashSet::new() } else { tx.query("SELECT id FROM articles WHERE id = ANY($1)", &[&ids]).await?.iter().map(|r| r.get(0)).collect() };
    let mut rows = Vec::new();
    for a in &batch.articles {
        let aid = a.id.as_i64();
        if !stored.insert(aid) {
            continue;
        }
        let art = &a.article;
        let (speakers, entities) = analysis_terms(&a.analysis);
        rows.push(NewRow {
            a,
            aid,
            seq: next_seq,
            url: art.url.clone().or_else(|| art.canonical_url.clone()),
            published: ts_value(&art.published),
            updated: ts_value(&art.updated),
            gid: a.group.as_i64(),
            sid: a.story.as_i64(),
            body_len: art.body.len() as i64,
            json: article_json(art)?,
            speakers,
            entities,
            analysis: AnalysisRows::of(&a.analysis)?,
        });
        next_seq += 1;
    }
    if !rows.is_empty() {
        put_new_articles(tx, &rows).await?;
    }
    for r in &batch.revisions {
        let aid = r.article.as_i64();
        let Some(cur) = tx.query_opt("SELECT rev FROM articles WHERE id = $1", &[&aid]).await? else { continue };
        let rev: i32 = cur.get::<_, i32>(0) + 1;
        let art = &r.new;
        tx.execute(
            "INSERT INTO revisions(article_id, rev, location, fetched_unix, updated, headline, body, diff_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&aid, &rev, &r.location, &r.fetched_unix, &ts_value(&art.updated), &art.headline, &art.body, &serde_json::to_string(&r.diff)?],
        )
        .await?;
        let (speakers, entities) = analysis_terms(&r.analysis);
        tx.execute(
            &format!(
                "UPDATE articles SET tsv = {TSV}, rev = $4, headline = $1, updated = $5, body_len = $6, article_json = $7,
                   language = COALESCE($8, language), published = COALESCE($9, published),
                   published_unix = COALESCE($10, published_unix), speaker_terms = $11, entity_terms = $12,
                   iseq = nextval('index_seq') WHERE id = $3"
            ),
            &[
                &art.headline,
                &art.body,
                &aid,
                &rev,
                &ts_value(&art.updated),
                &(art.body.len() as i64),
                &article_json(art)?,
                &art.language,
                &ts_value(&art.published),
                &r.published_unix,
                &speakers,
                &entities,
            ],
        )
        .await?;
        put_analysis(tx, aid, &r.analysis).await?;
    }
    if !batch.errors.is_empty() {
        let ids: Vec<i64> = batch.errors.iter().map(|e| Id::of(&[e.location.as_bytes(), e.message.as_bytes()]).as_i64()).collect();
        let locs: Vec<&str> = batch.errors.iter().map(|e| e.location.as_str()).collect();
        let msgs: Vec<&str> = batch.errors.iter().map(|e| e.message.as_str()).collect();
        tx.execute(
            "INSERT INTO ingest_errors(id, location, message) SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::TEXT[]) ON CONFLICT DO NOTHING",
            &[&ids, &locs, &msgs],
        )
        .await?;
    }
    Ok(next_seq - 1)
}

/// A search query turned into SQL: a `tsquery` expression over `params`
/// (numbered from `first`), or `None` for "everything".
struct TsQuery {
    sql: Option<String>,
    params: Vec<String>,
}

/// Words of a query term as the `simple` parser would split them.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

/// Translates the embedded query syntax into a `tsquery` expression: groups
/// split by `OR`; inside a group every term is required (`AND` is the
/// default), `NOT term`/`-term` excludes; `"a phrase"` keeps word order;
/// `headline:`/`body:` restrict a term to one field (weights A/B).
fn ts_query(text: &str, first: usize) -> TsQuery {
    #[derive(Debug)]
    enum Tok {
        Term { words: Vec<String>, weight: Option<char>, neg: bool },
        Or,
    }
    let mut toks = Vec::new();
    let mut neg_next = false;
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == '(' || c == ')' {
            chars.next();
            continue;
        }
        let mut neg = std::mem::take(&mut neg_next);
        if c == '-' || c == '+' {
            neg |= c == '-';
            chars.next();
        }
        let mut raw = String::new();
        let mut weight = None;
        loop {
            match chars.peek() {
                Some('"') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                        raw.push(c);
                    }
                    break;
                }
                Some(c) if c.is_whitespace() || *c == '(' || *c == ')' => break,
                Some(_) => {
                    let c = chars.next().unwrap_or(' ');
                    raw.push(c);
                    if c == ':' && weight.is_none() {
                        let field = raw.trim_end_matches(':').to_ascii_lowercase();
                        weight = match field.as_str() {
                            "headline" => Some('A'),
                            "body" => Some('B'),
                            _ => None,
                        };
                        if weight.is_some() {
                            raw.clear();
                        }
                    }
                }
                None => break,
            }
        }
        match raw.as_str() {
            "OR" if weight.is_none() => toks.push(Tok::Or),
            "AND" if weight.is_none() => {}
            "NOT" if weight.is_none() => neg_next = true,
            _ => {
                let words = words(&raw);
                if !words.is_empty() {
                    toks.push(Tok::Term { words, weight, neg });
                }
            }
        }
    }
    let mut params = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let close = |cur: &mut Vec<String>, groups: &mut Vec<String>| {
        if !cur.is_empty() {
            groups.push(format!("({})", cur.join(" && ")));
            cur.clear();
        }
    };
    for t in toks {
        match t {
            Tok::Or => close(&mut cur, &mut groups),
            Tok::Term { words, weight, neg } => {
                let w = weight.map(|w| format!(":{w}")).unwrap_or_default();
                let q: Vec<String> = words.iter().map(|x| format!("'{x}'{w}")).collect();
                params.push(q.join(" <-> "));
                let e = format!("to_tsquery('simple', ${})", first + params.len() - 1);
                cur.push(if neg { format!("!!{e}") } else { e });
            }
        }
    }
    close(&mut cur, &mut groups);
    TsQuery { sql: (!groups.is_empty()).then(|| groups.join(" || ")), params }
}

fn brief(r: &Row, at: usize) -> ArticleBrief {
    ArticleBrief {
        id: Id::from_i64(r.get(at)),
        headline: r.get(at + 1),
        site: r.get(at + 2),
        url: r.get(at + 3),
        published: r.get(at + 4),
    }
}

type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn refs(p: &Params) -> Vec<&(dyn ToSql + Sync)> {
    p.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// The SQL condition of a follow over `articles a`, with its parameter.
fn follow_condition(spec: &FollowSpec, at: usize) -> Result<(String, Vec<String>)> {
    Ok(match spec {
        FollowSpec::Query(q) => {
            newsdesk_store::check_query_text(q)?;
            let t = ts_query(q, at);
            match t.sql {
                Some(sql) => (format!("a.tsv @@ ({sql})"), t.params),
                None => return Err(StoreError::Query { query: q.clone(), message: "no words to follow".into() }),
            }
        }
        FollowSpec::Speaker(n) => (format!("${at} = ANY(a.speaker_terms)"), vec![n.trim().to_lowercase()]),
        FollowSpec::Entity(n) => (format!("${at} = ANY(a.entity_terms)"), vec![n.trim().to_lowercase()]),
    })
}

async fn resolve_id(c: &Client, id: &str) -> PgResult<Option<i64>> {
    let id = id.trim().to_ascii_lowercase();
    if let Some(i) = Id::parse(&id) {
        return Ok(Some(i.as_i64()));
    }
    if id.len() < 4 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Invalid(format!("not an article id: {id:?} (16 hex digits, or a prefix of at least 4)")).into());
    }
    let rows = c.query("SELECT id FROM articles WHERE lpad(to_hex(id), 16, '0') LIKE $1 || '%' LIMIT 2", &[&id]).await?;
    match rows.as_slice() {
        [one] => Ok(Some(one.get(0))),
        [] => Ok(None),
        _ => Err(StoreError::Invalid(format!("id prefix {id:?} is ambiguous")).into()),
    }
}

const BRIEF: &str = "a.id, a.headline, a.site, a.url, a.published";

impl Store for PgStore {
    fn seen_docs(&self) -> Result<HashSet<Id>> {
        self.run(async { Ok(self.client.query("SELECT key FROM docs", &[]).await?.iter().map(|r| Id::from_i64(r.get(0))).collect()) })
    }

    fn signatures(&self) -> Result<Vec<(Id, Id, Vec<u8>)>> {
        Ok(self.catch_up(0)?.signatures)
    }

    fn story_log(&self) -> Result<Vec<StoryLogEntry>> {
        Ok(self.catch_up(0)?.story_log)
    }

    fn current_body(&self, article: Id) -> Result<Option<(u32, String)>> {
        if let Some(known) = self.bodies.get(&article.as_i64()) {
            return Ok(known.clone());
        }
        self.run(async {
            let row = self
                .client
                .query_opt(
                    "SELECT a.rev, r.body FROM articles a JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev WHERE a.id = $1",
                    &[&article.as_i64()],
                )
                .await?;
            Ok(row.map(|r| (r.get::<_, i32>(0) as u32, r.get(1))))
        })
    }

    fn apply(&mut self, batch: &Batch) -> Result<()> {
        self.bodies.clear();
        let client = &mut self.client;
        Ok(self.rt.block_on(async move {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPLY_LOCK]).await?;
            apply_tx(&tx, batch).await?;
            tx.commit().await?;
            Ok::<_, PgError>(())
        })?)
    }

    fn sync_index(&mut self) -> Result<usize> {
        // The index is written with the records; what remains is matching
        // follows against what changed since the watermark.
        let client = &mut self.client;
        Ok(self.rt.block_on(async move {
            let tx = client.build_transaction().isolation_level(tokio_postgres::IsolationLevel::RepeatableRead).start().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&FOLLOW_LOCK]).await?;
            let from: i64 = tx
                .query_opt("SELECT value FROM meta WHERE key = 'follows_upto'", &[])
                .await?
                .and_then(|r| r.get::<_, String>(0).parse().ok())
                .unwrap_or(0);
            let upto: i64 = tx.query_one("SELECT COALESCE(MAX(iseq), 0) FROM articles", &[]).await?.get(0);
            if from >= upto {
                return Ok(0);
            }
            let changed: i64 = tx.query_one("SELECT COUNT(*) FROM articles WHERE iseq > $1 AND iseq <= $2", &[&from, &upto]).await?.get(0);
            let follows = tx.query("SELECT id, kind, value, start_seq FROM follows ORDER BY id", &[]).await?;
            for f in follows {
                let (fid, kind, value, start): (i64, String, String, i64) = (f.get(0), f.get(1), f.get(2), f.get(3));
                let lo = from.max(start);
                if lo >= upto {
                    continue;
                }
                let spec = spec_from(&kind, value);
                // As in the embedded backend: a stored follow over the query
                // bounds matches nothing instead of failing every commit.
                let (cond, ps) = match follow_condition(&spec, 4) {
                    Ok(c) => c,
                    Err(StoreError::Query { query, message }) => {
                        eprintln!("newsdesk: follow {fid} is skipped: query {query:?} {message}");
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                let mut params: Params = vec![Box::new(fid), Box::new(lo), Box::new(upto)];
                params.extend(ps.into_iter().map(|p| Box::new(p) as Box<dyn ToSql + Sync + Send>));
                tx.execute(
                    &format!(
                        "INSERT INTO follow_matches(follow_id, article_id, iseq)
                         SELECT $1, a.id, a.seq FROM articles a WHERE a.iseq > $2 AND a.iseq <= $3 AND {cond}
                         ON CONFLICT DO NOTHING"
                    ),
                    &refs(&params),
                )
                .await?;
            }
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('follows_upto', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&upto.to_string()],
            )
            .await?;
            tx.commit().await?;
            Ok::<_, PgError>(changed as usize)
        })?)
    }

    fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        // The same bounds as the embedded backend, so a query is accepted
        // or refused alike on both.
        newsdesk_store::check_query_text(&q.text)?;
        let t = ts_query(&q.text, 1);
        let mut params: Params = Vec::new();
        params.extend(t.params.iter().map(|p| Box::new(p.clone()) as Box<dyn ToSql + Sync + Send>));
        let mut conds: Vec<String> = Vec::new();
        let (rank, snippet) = match &t.sql {
            Some(sql) => {
                conds.push(format!("a.tsv @@ ({sql})"));
                (
                    format!("ts_rank(a.tsv, {sql})"),
                    format!(
                        "ts_headline('simple', r.body, {sql}, 'StartSel=**, StopSel=**, MaxFragments=1, MaxWords=35, MinWords=15, ShortWord=2')"
                    ),
                )
            }
            None => ("1.0::REAL".to_string(), "NULL::TEXT".to_string()),
        };
        let mut push = |cond: &str, v: Box<dyn ToSql + Sync + Send>, params: &mut Params| {
            params.push(v);
            conds.push(cond.replace('?', &format!("${}", params.len())));
        };
        if let Some(s) = q.since {
            push("a.published_unix >= ?", Box::new(s), &mut params);
        }
        if let Some(u) = q.until {
            push("a.published_unix < ?", Box::new(u), &mut params);
        }
        if let Some(s) = &q.site {
            push("lower(a.site) = ?", Box::new(s.trim().to_lowercase()), &mut params);
        }
        if let Some(l) = &q.lang {
            push("lower(a.language) = ?", Box::new(l.trim().to_lowercase()), &mut params);
        }
        if let Some(s) = &q.speaker {
            push("? = ANY(a.speaker_terms)", Box::new(s.trim().to_lowercase()), &mut params);
        }
        if let Some(e) = &q.entity {
            push("? = ANY(a.entity_terms)", Box::new(e.trim().to_lowercase()), &mut params);
        }
        let filter = if conds.is_empty() { "TRUE".to_string() } else { conds.join(" AND ") };
        params.push(Box::new(q.limit.max(1) as i64));
        let limit = params.len();
        // One hit per syndication group: its best-ranked copy.
        let sql = format!(
            "WITH hits AS (
               SELECT a.id, a.seq, a.group_id, {rank} AS score,
                 row_number() OVER (PARTITION BY a.group_id ORDER BY {rank} DESC, a.seq) AS n
               FROM articles a WHERE {filter}),
             top AS (SELECT * FROM hits WHERE n = 1 ORDER BY score DESC, seq LIMIT ${limit})
             SELECT top.id, top.score, a.headline, a.url, a.site, a.published, top.group_id, g.size, r.body, {snippet}, a.language
             FROM top JOIN articles a ON a.id = top.id JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev
             LEFT JOIN groups g ON g.id = top.group_id ORDER BY top.score DESC, top.seq"
        );
        self.run(async {
            let rows = self.client.query(&sql, &refs(&params)).await.map_err(|e| query_error(&q.text, e))?;
            Ok(rows
                .iter()
                .map(|r| {
                    let body: String = r.get(8);
                    let snip: Option<String> = r.get(9);
                    let snippet = match snip {
                        Some(s) if s.contains("**") => s.replace('\n', " "),
                        _ => lead(&body, 200),
                    };
                    SearchHit {
                        id: Id::from_i64(r.get(0)),
                        score: r.get(1),
                        headline: r.get(2),
                        url: r.get(3),
                        site: r.get(4),
                        language: r.get(10),
                        published: r.get(5),
                        snippet,
                        group: Id::from_i64(r.get(6)),
                        copies: r.get::<_, Option<i64>>(7).unwrap_or(1).max(1) as usize,
                    }
                })
                .collect())
        })
    }

    fn quotes(&self, q: &QuoteQuery) -> Result<Vec<QuoteRow>> {
        // Quotes of group representatives only, as in the embedded store.
        let mut sql = String::from(
            "SELECT q.article_id, q.speaker, q.role, q.kind, q.text, q.cue, a.headline, a.published, a.url
             FROM quotes q JOIN articles a ON a.id = q.article_id JOIN groups g ON g.id = a.group_id AND g.representative = a.id
             WHERE TRUE",
        );
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = &q.speaker {
            args.push(s.trim().to_lowercase());
            let n = args.len();
            let _ = write!(sql, " AND (q.speaker_lc = ${n} OR strpos(q.speaker_lc, ${n}) > 0)");
        }
        if let Some(t) = &q.text {
            for w in t.split_whitespace() {
                args.push(w.to_lowercase());
                let _ = write!(sql, " AND strpos(lower(q.text), ${}) > 0", args.len());
            }
        }
        let _ = write!(sql, " ORDER BY a.published_unix IS NULL, a.published_unix DESC, a.seq DESC, q.idx LIMIT {}", q.limit.max(1));
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
        self.run(async {
            let rows = self.client.query(&sql, &params).await?;
            Ok(rows
                .iter()
                .map(|r| QuoteRow {
                    article: Id::from_i64(r.get(0)),
                    speaker: r.get(1),
                    role: r.get(2),
                    kind: r.get(3),
                    text: r.get(4),
                    cue: r.get(5),
                    headline: r.get(6),
                    published: r.get(7),
                    url: r.get(8),
                })
                .collect())
        })
    }

    fn entities(&self, kind: Option<EntityKind>, limit: usize) -> Result<Vec<EntityRow>> {
        let kind = kind.map(kind_str);
        let limit = limit.max(1) as i64;
        self.run(async {
            let rows = self
                .client
                .query(
                    "SELECT e.name, e.kind, COUNT(*), SUM(m.count) FROM mentions m JOIN entities e ON e.id = m.entity_id
                     WHERE $1::TEXT IS NULL OR e.kind = $1 GROUP BY m.entity_id, e.name, e.kind ORDER BY 3 DESC, 4 DESC, e.name LIMIT $2",
                    &[&kind, &limit],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|r| EntityRow {
                    name: r.get(0),
                    kind: kind_from(&r.get::<_, String>(1)),
                    articles: r.get::<_, i64>(2) as u64,
                    mentions: r.get::<_, i64>(3) as u64,
                })
                .collect())
        })
    }

    fn stories(&self, limit: usize) -> Result<Vec<StoryRow>> {
        let limit = limit.max(1) as i64;
        self.run(async {
            let rows = self
                .client
                .query(
                    "SELECT id, headline, first_published, last_published FROM stories
                     ORDER BY last_unix IS NULL, last_unix DESC, seq DESC LIMIT $1",
                    &[&limit],
                )
                .await?;
            let mut out = Vec::new();
            for row in rows {
                let id: i64 = row.get(0);
                let arts = self
                    .client
                    .query(&format!("SELECT {BRIEF} FROM articles a WHERE a.story_id = $1 ORDER BY a.seq LIMIT 50"), &[&id])
                    .await?;
                out.push(StoryRow {
                    id: Id::from_i64(id),
                    headline: row.get(1),
                    first_published: row.get(2),
                    last_published: row.get(3),
                    articles: arts.iter().map(|r| brief(r, 0)).collect(),
                });
            }
            Ok(out)
        })
    }

    fn show(&self, id: &str) -> Result<Option<ArticleView>> {
        self.run(async {
            let Some(aid) = resolve_id(&self.client, id).await? else { return Ok(None) };
            let row = self
                .client
                .query_opt(
                    "SELECT a.site, a.location, a.story_id, a.group_id, a.article_json, r.body, g.representative
                     FROM articles a JOIN revisions r ON r.article_id = a.id AND r.rev = a.rev
                     LEFT JOIN groups g ON g.id = a.group_id WHERE a.id = $1",
                    &[&aid],
                )
                .await?;
            let Some(row) = row else { return Ok(None) };
            let gid: i64 = row.get(3);
            let mut article: Article = serde_json::from_str(row.get(4))?;
            article.body = row.get(5);
            let mut revisions = Vec::new();
            for r in self
                .client
                .query("SELECT rev, fetched_unix, updated, headline, diff_json FROM revisions WHERE article_id = $1 ORDER BY rev", &[&aid])
                .await?
            {
                revisions.push(RevisionView {
                    number: r.get::<_, i32>(0) as u32,
                    fetched_unix: r.get(1),
                    updated: r.get(2),
                    headline: r.get(3),
                    diff: serde_json::from_str(r.get(4))?,
                });
            }
            let copies =
                self.client.query(&format!("SELECT {BRIEF} FROM articles a WHERE a.group_id = $1 ORDER BY a.seq"), &[&gid]).await?;
            Ok(Some(ArticleView {
                id: Id::from_i64(aid),
                site: row.get(0),
                location: row.get(1),
                story: Id::from_i64(row.get(2)),
                article,
                revisions,
                group: GroupView {
                    id: Id::from_i64(gid),
                    representative: Id::from_i64(row.get::<_, Option<i64>>(6).unwrap_or(aid)),
                    copies: copies.iter().map(|r| brief(r, 0)).collect(),
                },
            }))
        })
    }

    fn stats(&self) -> Result<Stats> {
        self.run(async {
            let r = self
                .client
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM revisions), (SELECT COUNT(*) FROM groups),
                       (SELECT COUNT(*) FROM stories), (SELECT COUNT(*) FROM quotes), (SELECT COUNT(DISTINCT entity_id) FROM mentions),
                       (SELECT COUNT(*) FROM follows), (SELECT COUNT(*) FROM follow_matches), (SELECT COUNT(*) FROM ingest_errors)",
                    &[],
                )
                .await?;
            let n = |i: usize| r.get::<_, i64>(i) as u64;
            Ok(Stats {
                articles: n(0),
                revisions: n(1),
                syndication_groups: n(2),
                stories: n(3),
                quotes: n(4),
                entities: n(5),
                follows: n(6),
                follow_matches: n(7),
                ingest_errors: n(8),
                // The index is written with the records.
                indexed: n(0),
            })
        })
    }

    fn assignments(&self) -> Result<Vec<Assignment>> {
        self.run(async {
            let rows = self.client.query("SELECT id, url, headline, published_unix, group_id, story_id FROM articles ORDER BY seq", &[]).await?;
            Ok(rows
                .iter()
                .map(|r| Assignment {
                    id: Id::from_i64(r.get(0)),
                    url: r.get(1),
                    headline: r.get(2),
                    published_unix: r.get(3),
                    group: Id::from_i64(r.get(4)),
                    story: Id::from_i64(r.get(5)),
                })
                .collect())
        })
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
        follow_condition(spec, 1)?;
        let n = self.run(async {
            // A follow sees what changes after it was added.
            Ok(self
                .client
                .execute(
                    "INSERT INTO follows(name, kind, value, start_seq) SELECT $1, $2, $3, COALESCE(MAX(iseq), 0) FROM articles
                     ON CONFLICT (name) DO NOTHING",
                    &[&name, &kind, &value],
                )
                .await?)
        })?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("a follow named {name:?} exists")));
        }
        Ok(Follow { name: name.to_string(), spec: spec.clone(), pending: 0 })
    }

    fn follow_list(&self) -> Result<Vec<Follow>> {
        self.run(async {
            let rows = self
                .client
                .query(
                    "SELECT f.name, f.kind, f.value, (SELECT COUNT(*) FROM follow_matches m WHERE m.follow_id = f.id AND NOT m.delivered)
                     FROM follows f ORDER BY f.name",
                    &[],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|r| Follow { name: r.get(0), spec: spec_from(&r.get::<_, String>(1), r.get(2)), pending: r.get::<_, i64>(3) as u64 })
                .collect())
        })
    }

    fn follow_remove(&mut self, name: &str) -> Result<bool> {
        let client = &mut self.client;
        Ok(self.rt.block_on(async move {
            let tx = client.transaction().await?;
            let Some(row) = tx.query_opt("SELECT id FROM follows WHERE name = $1", &[&name]).await? else { return Ok(false) };
            let id: i64 = row.get(0);
            tx.execute("DELETE FROM follow_matches WHERE follow_id = $1", &[&id]).await?;
            tx.execute("DELETE FROM follows WHERE id = $1", &[&id]).await?;
            tx.commit().await?;
            Ok::<_, PgError>(true)
        })?)
    }

    fn follow_check(&mut self, name: Option<&str>) -> Result<Vec<FollowMatch>> {
        let client = &mut self.client;
        Ok(self.rt.block_on(async move {
            let tx = client.transaction().await?;
            let rows = tx
                .query(
                    &format!(
                        "UPDATE follow_matches m SET delivered = TRUE FROM follows f, articles a
                         WHERE f.id = m.follow_id AND a.id = m.article_id AND NOT m.delivered AND ($1::TEXT IS NULL OR f.name = $1)
                         RETURNING f.name, a.seq, {BRIEF}"
                    ),
                    &[&name],
                )
                .await?;
            let mut out: Vec<(String, i64, FollowMatch)> =
                rows.iter().map(|r| (r.get(0), r.get(1), FollowMatch { follow: r.get(0), article: brief(r, 2) })).collect();
            out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            tx.commit().await?;
            Ok::<_, PgError>(out.into_iter().map(|(_, _, m)| m).collect())
        })?)
    }

    fn dump(&self) -> Result<String> {
        let hex = |c: &str| format!("lpad(to_hex({c}), 16, '0')");
        let blob = |c: &str| format!("'#' || left(encode(sha256({c}), 'hex'), 16)");
        let tables: Vec<(&str, String)> = vec![
            ("docs", format!("SELECT {} FROM docs ORDER BY key", hex("key"))),
            (
                "articles",
                format!(
                    "SELECT {}, seq, url, site, location, headline, language, published, published_unix, updated, {}, {}, rev, body_len, {}
                     FROM articles ORDER BY id",
                    hex("id"),
                    hex("group_id"),
                    hex("story_id"),
                    blob("signature")
                ),
            ),
            (
                "revisions",
                format!(
                    "SELECT {}, rev, location, fetched_unix, updated, headline, body, diff_json FROM revisions ORDER BY article_id, rev",
                    hex("article_id")
                ),
            ),
            ("groups", format!("SELECT {}, {}, size FROM groups ORDER BY id", hex("id"), hex("representative"))),
            ("stories", format!("SELECT {}, seq, headline, first_unix, last_unix, size FROM stories ORDER BY id", hex("id"))),
            (
                "story_log",
                format!("SELECT seq, {}, {}, {} FROM story_log ORDER BY seq", hex("article_id"), hex("story_id"), blob("features")),
            ),
            (
                "quotes",
                format!("SELECT {}, idx, speaker, role, kind, text, cue FROM quotes ORDER BY article_id, idx", hex("article_id")),
            ),
            (
                "mentions",
                format!(
                    "SELECT {}, e.name, e.kind, m.count FROM mentions m JOIN entities e ON e.id = m.entity_id ORDER BY m.article_id, e.id",
                    hex("m.article_id")
                ),
            ),
            ("follows", "SELECT name, kind, value FROM follows ORDER BY name".to_string()),
            (
                "follow_matches",
                format!(
                    "SELECT f.name, {}, CASE WHEN m.delivered THEN 1 ELSE 0 END FROM follow_matches m JOIN follows f ON f.id = m.follow_id
                     ORDER BY f.name, m.article_id",
                    hex("m.article_id")
                ),
            ),
            ("ingest_errors", "SELECT location, message FROM ingest_errors ORDER BY location COLLATE \"C\", message COLLATE \"C\"".to_string()),
            ("index", format!("SELECT {} FROM articles ORDER BY id::NUMERIC + CASE WHEN id < 0 THEN 18446744073709551616 ELSE 0 END", hex("id"))),
        ];
        self.run(async {
            let mut out = String::new();
            for (name, sql) in tables {
                let _ = writeln!(out, "## {name}");
                for row in self.client.query(&sql, &[]).await? {
                    let line: Vec<String> = (0..row.len()).map(|i| dump_cell(&row, i)).collect();
                    out.push_str(&line.join("\t"));
                    out.push('\n');
                }
            }
            Ok(out)
        })
    }

    fn story(&self, id: Id) -> Result<Option<StoryRow>> {
        self.run(async {
            let Some(row) = self
                .client
                .query_opt("SELECT headline, first_published, last_published FROM stories WHERE id = $1", &[&id.as_i64()])
                .await?
            else {
                return Ok(None);
            };
            let arts = self
                .client
                .query(
                    &format!(
                        "SELECT {BRIEF} FROM articles a WHERE a.story_id = $1
                         ORDER BY a.published_unix IS NULL, a.published_unix, a.seq LIMIT 500"
                    ),
                    &[&id.as_i64()],
                )
                .await?;
            Ok(Some(StoryRow {
                id,
                headline: row.get(0),
                first_published: row.get(1),
                last_published: row.get(2),
                articles: arts.iter().map(|r| brief(r, 0)).collect(),
            }))
        })
    }

    fn follow_matches(&self, name: &str, limit: usize) -> Result<Option<Vec<FollowMatch>>> {
        let limit = limit.max(1) as i64;
        self.run(async {
            let Some(f) = self.client.query_opt("SELECT id, name FROM follows WHERE name = $1", &[&name]).await? else { return Ok(None) };
            let (fid, fname): (i64, String) = (f.get(0), f.get(1));
            let rows = self
                .client
                .query(
                    &format!(
                        "SELECT {BRIEF} FROM follow_matches m JOIN articles a ON a.id = m.article_id
                         WHERE m.follow_id = $1 ORDER BY m.iseq DESC, a.seq DESC LIMIT $2"
                    ),
                    &[&fid, &limit],
                )
                .await?;
            Ok(Some(rows.iter().map(|r| FollowMatch { follow: fname.clone(), article: brief(r, 0) }).collect()))
        })
    }
}

/// One dump cell in the embedded store's notation: `∅` for NULL, long
/// text by its hash.
fn dump_cell(row: &Row, i: usize) -> String {
    let text: Option<String> = match *row.columns()[i].type_() {
        Type::INT2 => row.get::<_, Option<i16>>(i).map(|v| v.to_string()),
        Type::INT4 => row.get::<_, Option<i32>>(i).map(|v| v.to_string()),
        Type::INT8 => row.get::<_, Option<i64>>(i).map(|v| v.to_string()),
        Type::FLOAT8 => row.get::<_, Option<f64>>(i).map(|v| v.to_string()),
        Type::BOOL => row.get::<_, Option<bool>>(i).map(|v| i32::from(v).to_string()),
        _ => row.try_get::<_, Option<String>>(i).unwrap_or_else(|e| Some(format!("?{e}"))),
    };
    match text {
        None => "∅".to_string(),
        Some(t) if t.len() > 80 => format!("#{}", short_hash(&t)),
        Some(t) => t,
    }
}

/// A short hash of long dump text. 64-bit FNV-1a: dumps are compared
/// within one backend only (the embedded dump uses SHA-256).
fn short_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn query_error(text: &str, e: tokio_postgres::Error) -> PgError {
    match e.as_db_error() {
        Some(db) if db.code().code().starts_with("42") || db.code().code().starts_with("22") => {
            PgError::Store(StoreError::Query { query: text.to_string(), message: db.message().to_string() })
        }
        _ => PgError::Pg(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_queries() {
        let t = ts_query("dam OR ferry", 1);
        assert_eq!(t.sql.as_deref(), Some("(to_tsquery('simple', $1)) || (to_tsquery('simple', $2))"));
        let t = ts_query("opens -ferry \"old Verna bridge\"", 1);
        assert_eq!(t.params, vec!["'opens'", "'ferry'", "'old' <-> 'verna' <-> 'bridge'"]);
        assert!(t.sql.as_deref().is_some_and(|s| s.contains("!!to_tsquery('simple', $2)")));
        let t = ts_query("headline:Dam NOT x AND y", 3);
        assert_eq!(t.params, vec!["'dam':A", "'x'", "'y'"]);
        assert!(ts_query("  ", 1).sql.is_none());
        assert!(ts_query("' ; drop", 1).params.iter().all(|p| !p.contains(';')));
    }

    #[test]
    fn bad_urls_are_clear() {
        let e = PgStore::connect("mysql://x").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("invalid PostgreSQL connection string"), "{e}");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }
}

/// The database the tests use: `NEWSDESK_TEST_DATABASE_URL`, by default the
/// local server's `test` database with trust authentication. `None` (after
/// a visible message on stderr) when no server answers, so a plain
/// `cargo test` on a machine without PostgreSQL skips those tests; with
/// `NEWSDESK_REQUIRE_SERVICES=1` (set by `.ci/run`) it panics instead.
pub fn test_database_url(test: &str) -> Option<String> {
    let url = std::env::var("NEWSDESK_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    match PgStore::connect_in_schema(&url, "newsdesk_probe") {
        Ok(_) => Some(url),
        Err(e) if std::env::var("NEWSDESK_REQUIRE_SERVICES").is_ok_and(|v| v == "1") => {
            panic!("{test}: PostgreSQL is required (NEWSDESK_REQUIRE_SERVICES=1) but {url} cannot be used: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED {test}: no PostgreSQL at {url} ({e}); set NEWSDESK_TEST_DATABASE_URL or start the server");
            None
        }
    }
}

/// A schema name unique to this process and call, for an isolated store.
pub fn fresh_schema(prefix: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    format!("{prefix}_{}_{t}_{n}", std::process::id())
}

/// Drops a schema made for a test (errors ignored: it is only clean-up).
pub fn drop_schema(url: &str, schema: &str) {
    if let Ok(s) = PgStore::connect(url) {
        let _ = s.run(async { Ok(s.client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(schema))).await?) });
    }
}
