//! The read-only store commands: `search`, `quotes`, `entities`, `stories`,
//! `show`, `stats`, each printing a table (for people) or JSON / JSON Lines
//! (for scripts).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate};
use newsdesk_store::{EmbeddedStore, EntityKind, QuoteQuery, SearchQuery, Store};
use serde::Serialize;

/// The data directory used when `--data-dir` is not given.
pub const DEFAULT_DATA_DIR: &str = "newsdesk-data";

/// Output formats of the store commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// Aligned columns for reading
    Table,
    /// One JSON document
    Json,
    /// One JSON object per line
    Jsonl,
}

/// Options every store command takes.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// Where the store lives (created by `ingest`)
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
}

/// Opens an existing store for reading, read-only (it changes nothing on
/// disk, so it works on a read-only mount or a full disk); a missing
/// directory is a usage error rather than a silently created empty store.
pub fn open_existing(dir: &Path) -> Result<EmbeddedStore> {
    check_exists(dir)?;
    EmbeddedStore::open_read_only(dir).with_context(|| format!("opening the store in {}", dir.display()))
}

/// Opens an existing store for a command that writes to it (`follow check`
/// marks matches taken, `follow remove` deletes).
pub fn open_existing_for_writing(dir: &Path) -> Result<EmbeddedStore> {
    check_exists(dir)?;
    EmbeddedStore::open(dir).with_context(|| format!("opening the store in {}", dir.display()))
}

fn check_exists(dir: &Path) -> Result<()> {
    if !dir.join("newsdesk.sqlite").exists() {
        bail!("no store in {} (run `newsdesk ingest --data-dir {} PATH...` first)", dir.display(), dir.display());
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct SearchArgs {
    #[command(flatten)]
    common: Common,
    /// Published on or after (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_parser = parse_time)]
    since: Option<i64>,
    /// Published before (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_parser = parse_time)]
    until: Option<i64>,
    /// Outlet name or host
    #[arg(long)]
    site: Option<String>,
    /// ISO 639-1 language code
    #[arg(long)]
    lang: Option<String>,
    /// Only articles quoting this person (full name or one word of it)
    #[arg(long)]
    speaker: Option<String>,
    /// Only articles mentioning this entity (full name or one word of it)
    #[arg(long)]
    entity: Option<String>,
    /// Results at most
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Words, "phrases", AND / OR / NOT, -word (all words required by default)
    #[arg(default_value = "")]
    query: Vec<String>,
}

/// `YYYY-MM-DD` (midnight UTC) or RFC 3339, as Unix seconds.
pub fn parse_time(s: &str) -> Result<i64, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
        .ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD or RFC 3339)"))
}

fn print_rows<T: Serialize>(format: OutFormat, rows: &[T], table: impl FnOnce(&[T]) -> Table) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        OutFormat::Json => {
            serde_json::to_writer_pretty(&mut out, rows)?;
            writeln!(out)?;
        }
        OutFormat::Jsonl => {
            for r in rows {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        OutFormat::Table => table(rows).write(&mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// A plain text table: a header and rows, columns padded to the widest
/// cell (cells cut at a width limit so one long headline does not push the
/// rest off the screen).
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

const MAX_CELL: usize = 70;

impl Table {
    pub fn new(header: Vec<&'static str>) -> Table {
        Table { header, rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| cut(&c.replace('\n', " "), MAX_CELL)).collect());
    }

    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(c.chars().count());
                }
            }
        }
        let line = |cells: Vec<&str>| -> String {
            let last = cells.len().saturating_sub(1);
            let mut s = String::new();
            for (i, c) in cells.into_iter().enumerate() {
                s.push_str(c);
                if i < last {
                    s.push_str(&" ".repeat(widths[i].saturating_sub(c.chars().count()) + 2));
                }
            }
            s
        };
        writeln!(out, "{}", line(self.header.clone()))?;
        for r in &self.rows {
            writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
        }
        if self.rows.is_empty() {
            writeln!(out, "(none)")?;
        }
        Ok(())
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// The date part of an RFC 3339 value.
fn day(s: &Option<String>) -> String {
    s.as_deref().map(|v| v.get(..10).unwrap_or(v).to_string()).unwrap_or_default()
}

pub fn search(args: SearchArgs) -> Result<bool> {
    let store = open_existing(&args.common.data_dir)?;
    let q = SearchQuery {
        text: args.query.join(" "),
        since: args.since,
        until: args.until,
        site: args.site,
        lang: args.lang,
        speaker: args.speaker,
        entity: args.entity,
        limit: args.limit,
    };
    let hits = store.search(&q)?;
    print_rows(args.common.format, &hits, |hits| {
        let mut t = Table::new(vec!["id", "date", "site", "headline / snippet"]);
        for h in hits {
            let copies = if h.copies > 1 { format!(" (+{} copies)", h.copies - 1) } else { String::new() };
            t.row(vec![h.id.to_string(), day(&h.published), opt(&h.site), format!("{}{copies}", opt(&h.headline))]);
            t.rows.push(vec![String::new(), String::new(), String::new(), cut(&h.snippet, 160)]);
        }
        t
    })?;
    Ok(true)
}

#[derive(clap::Args)]
pub struct QuotesArgs {
    #[command(flatten)]
    common: Common,
    /// Only quotes by this speaker (full name or part of it)
    #[arg(long)]
    speaker: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Words the quote must contain
    query: Vec<String>,
}

pub fn quotes(args: QuotesArgs) -> Result<bool> {
    let store = open_existing(&args.common.data_dir)?;
    let text = (!args.query.is_empty()).then(|| args.query.join(" "));
    let rows = store.quotes(&QuoteQuery { speaker: args.speaker, text, limit: args.limit })?;
    print_rows(args.common.format, &rows, |rows| {
        let mut t = Table::new(vec!["date", "speaker", "quote", "article"]);
        for q in rows {
            t.row(vec![day(&q.published), opt(&q.speaker), q.text.clone(), format!("{} {}", q.article, opt(&q.url))]);
        }
        t
    })?;
    Ok(true)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    Person,
    Org,
    Place,
}

#[derive(clap::Args)]
pub struct EntitiesArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    #[arg(long, default_value_t = 30)]
    limit: usize,
}

pub fn entities(args: EntitiesArgs) -> Result<bool> {
    let store = open_existing(&args.common.data_dir)?;
    let kind = args.kind.map(|k| match k {
        KindArg::Person => EntityKind::Person,
        KindArg::Org => EntityKind::Organization,
        KindArg::Place => EntityKind::Place,
    });
    let rows = store.entities(kind, args.limit)?;
    print_rows(args.common.format, &rows, |rows| {
        let mut t = Table::new(vec!["name", "kind", "articles", "mentions"]);
        for e in rows {
            let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            t.row(vec![e.name.clone(), kind, e.articles.to_string(), e.mentions.to_string()]);
        }
        t
    })?;
    Ok(true)
}

#[derive(clap::Args)]
pub struct StoriesArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, default_value_t = 10)]
    limit: usize,
}

pub fn stories(args: StoriesArgs) -> Result<bool> {
    let store = open_existing(&args.common.data_dir)?;
    let rows = store.stories(args.limit)?;
    print_rows(args.common.format, &rows, |rows| {
        let mut t = Table::new(vec!["story / article", "dates", "site", "headline"]);
        for s in rows {
            let dates = format!("{}..{}", day(&s.first_published), day(&s.last_published));
            t.row(vec![s.id.to_string(), dates, format!("{} articles", s.articles.len()), opt(&s.headline)]);
            for a in &s.articles {
                t.row(vec![format!("  {}", a.id), day(&a.published), opt(&a.site), opt(&a.headline)]);
            }
        }
        t
    })?;
    Ok(true)
}

#[derive(clap::Args)]
pub struct ShowArgs {
    #[command(flatten)]
    common: Common,
    /// Article id (16 hex digits, or a unique prefix of at least 4)
    id: String,
}

pub fn show(args: ShowArgs) -> Result<bool> {
    let store = open_existing(&args.common.data_dir)?;
    let Some(v) = store.show(&args.id)? else {
        eprintln!("newsdesk: no article {}", args.id);
        return Ok(false);
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.common.format {
        OutFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        OutFormat::Jsonl => {
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        }
        OutFormat::Table => {
            let a = &v.article;
            writeln!(out, "{}  {}", v.id, opt(&a.headline))?;
            writeln!(
                out,
                "site: {}  published: {}  url: {}",
                opt(&v.site),
                a.published.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
                opt(&a.url)
            )?;
            writeln!(out, "story: {}  source: {}", v.story, v.location)?;
            writeln!(out, "\n{}\n", a.body)?;
            writeln!(out, "revisions: {}", v.revisions.len())?;
            for r in &v.revisions {
                writeln!(out, "  #{} updated {} — {}", r.number, opt(&r.updated), opt(&r.headline))?;
                for d in &r.diff {
                    match d {
                        newsdesk_store::DiffLine::Added(p) => writeln!(out, "    + {}", cut(p, 100))?,
                        newsdesk_store::DiffLine::Removed(p) => writeln!(out, "    - {}", cut(p, 100))?,
                        newsdesk_store::DiffLine::Same(_) => {}
                    }
                }
            }
            writeln!(
                out,
                "syndication group {} ({} copies, representative {}):",
                v.group.id,
                v.group.copies.len(),
                v.group.representative
            )?;
            for c in &v.group.copies {
                writeln!(out, "  {}  {}  {}", c.id, opt(&c.site), opt(&c.url))?;
            }
        }
    }
    out.flush()?;
    Ok(true)
}

pub fn stats(common: Common) -> Result<bool> {
    let store = open_existing(&common.data_dir)?;
    let s = store.stats()?;
    match common.format {
        OutFormat::Json => println!("{}", serde_json::to_string_pretty(&s)?),
        OutFormat::Jsonl => println!("{}", serde_json::to_string(&s)?),
        OutFormat::Table => {
            let v = serde_json::to_value(&s)?;
            let mut t = Table::new(vec!["what", "count"]);
            if let Some(m) = v.as_object() {
                for (k, n) in m {
                    t.row(vec![k.replace('_', " "), n.to_string()]);
                }
            }
            t.write(&mut std::io::stdout().lock())?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-02"), Ok(86400));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Ok(0));
        assert!(parse_time("yesterday").is_err());
    }
}
