//! A synthetic news corpus with known answers, for benchmarks of the whole
//! ingest pipeline (`newsdesk bench corpus`).
//!
//! Real archives have no ground truth for "these are copies of one wire
//! story" or "these articles are about one event", and a benchmark must not
//! depend on data it cannot ship. So this module invents it: fictional
//! outlets (on `.example` domains), towns, people and organisations; events
//! that several outlets write about in their own words (known *stories*);
//! wire stories published on two to four sites with each site's own page
//! chrome, sometimes trimmed or with a credit line (known *syndication
//! groups*); and pages fetched again later with changed paragraphs (known
//! *revisions*). Everything comes from one seed, so a run is reproducible.
//!
//! [`write_corpus`] writes `corpus-NNNNN.warc.gz` files of about 10,000
//! records each (one gzip member per record, like CC-NEWS) and
//! `truth.json` ([`SynthTruth`]).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Records per WARC file.
pub const RECORDS_PER_FILE: usize = 10_000;

/// The known answers of a generated corpus (`truth.json`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SynthTruth {
    pub seed: u64,
    /// Response records written (every fetch of every page).
    pub records: usize,
    /// WARC file names, in order.
    pub files: Vec<String>,
    /// One entry per URL.
    pub articles: Vec<TruthArticle>,
    /// URLs whose bodies are the same story text (syndicated copies and
    /// near-duplicates); only groups of two or more.
    pub syndication_groups: Vec<Vec<String>>,
    /// URLs about one event; every URL is in exactly one story.
    pub stories: Vec<Vec<String>>,
    /// URLs fetched more than once with changed text.
    pub revisions: Vec<TruthRevision>,
}

/// One URL of the corpus.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TruthArticle {
    pub url: String,
    pub site: String,
    pub headline: String,
    /// RFC 3339.
    pub published: String,
    /// Index into [`SynthTruth::stories`].
    pub story: usize,
    /// Index into [`SynthTruth::syndication_groups`], for copies.
    pub syndication_group: Option<usize>,
    /// Times the URL was fetched (1 + revisions).
    pub fetches: usize,
}

/// A URL fetched again with changed paragraphs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TruthRevision {
    pub url: String,
    /// Fetch times (RFC 3339), oldest first.
    pub fetched: Vec<String>,
    /// Paragraphs changed or added by the last revision.
    pub changed_paragraphs: usize,
}

/// One generated page fetch.
#[derive(Clone, Debug)]
pub struct SynthPage {
    pub url: String,
    pub site: String,
    pub fetched: DateTime<Utc>,
    pub published: DateTime<Utc>,
    pub headline: String,
    pub paragraphs: Vec<String>,
    /// The entities the text mentions (place, people, organisation), as a
    /// named-entity recogniser would ideally find them.
    pub entities: Vec<String>,
    /// The whole HTML page.
    pub html: String,
    /// Index into [`SynthTruth::stories`].
    pub story: usize,
    /// 0 for the first fetch of the URL, then 1, 2...
    pub revision: usize,
}

/// Writes a corpus of `articles` page fetches (response records) into
/// `dir` (created if missing) as `.warc.gz` files plus `truth.json`.
pub fn write_corpus(dir: &Path, articles: usize, seed: u64) -> io::Result<SynthTruth> {
    std::fs::create_dir_all(dir)?;
    let (mut truth, pages) = generate(articles, seed);
    let mut files = Vec::new();
    let mut writer: Option<WarcWriter> = None;
    let mut rng = Rng::new(seed ^ 0x5741_5243);
    for (i, page) in pages.enumerate() {
        if i % RECORDS_PER_FILE == 0 {
            if let Some(w) = writer.take() {
                w.finish()?;
            }
            let name = format!("corpus-{:05}.warc.gz", files.len());
            let mut w = WarcWriter::create(&dir.join(&name))?;
            w.warcinfo(&name, &page.fetched, &mut rng)?;
            files.push(name);
            writer = Some(w);
        }
        if let Some(w) = writer.as_mut() {
            w.response(&page, &mut rng)?;
        }
    }
    if let Some(w) = writer.take() {
        w.finish()?;
    }
    truth.files = files;
    let json = serde_json::to_vec_pretty(&truth).map_err(io::Error::other)?;
    std::fs::write(dir.join("truth.json"), json)?;
    Ok(truth)
}

struct WarcWriter {
    out: BufWriter<File>,
}

impl WarcWriter {
    fn create(path: &Path) -> io::Result<Self> {
        Ok(WarcWriter { out: BufWriter::new(File::create(path)?) })
    }

    fn record(&mut self, headers: &str, block: &[u8]) -> io::Result<()> {
        let mut gz = flate2::write::GzEncoder::new(&mut self.out, flate2::Compression::new(6));
        gz.write_all(b"WARC/1.1\r\n")?;
        gz.write_all(headers.as_bytes())?;
        write!(gz, "Content-Length: {}\r\n\r\n", block.len())?;
        gz.write_all(block)?;
        gz.write_all(b"\r\n\r\n")?;
        gz.finish()?;
        Ok(())
    }

    fn warcinfo(&mut self, name: &str, date: &DateTime<Utc>, rng: &mut Rng) -> io::Result<()> {
        let block = b"software: newsdesk synth\r\nformat: WARC File Format 1.1\r\n";
        let h = format!(
            "WARC-Type: warcinfo\r\nWARC-Date: {}\r\nWARC-Filename: {name}\r\nWARC-Record-ID: <urn:uuid:{}>\r\nContent-Type: application/warc-fields\r\n",
            date.format("%Y-%m-%dT%H:%M:%SZ"),
            rng.uuid()
        );
        self.record(&h, block)
    }

    fn response(&mut self, page: &SynthPage, rng: &mut Rng) -> io::Result<()> {
        let mut block = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nServer: synth\r\n\r\n",
            page.html.len()
        )
        .into_bytes();
        block.extend_from_slice(page.html.as_bytes());
        let h = format!(
            "WARC-Type: response\r\nWARC-Date: {}\r\nWARC-Record-ID: <urn:uuid:{}>\r\nWARC-Target-URI: {}\r\nContent-Type: application/http; msgtype=response\r\n",
            page.fetched.format("%Y-%m-%dT%H:%M:%SZ"),
            rng.uuid(),
            page.url
        );
        self.record(&h, &block)
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A small deterministic PRNG (xorshift64*), so the corpus depends on the
/// seed alone and not on a dependency's algorithm.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

const SYL_A: &[&str] = &[
    "var", "ques", "mar", "tol", "bren", "cal", "dor", "fen", "gal", "hal", "is", "jor", "kel", "lun", "mor", "nes",
    "or", "pel", "quin", "ros", "sel", "tav", "ul", "ven", "wes", "yar", "zan", "ast", "bel", "cor", "del", "el",
];
const SYL_B: &[&str] = &[
    "n", "sa", "ra", "le", "ho", "mi", "do", "ve", "ka", "ti", "ne", "lo", "ru", "ga", "be", "wi", "so", "da", "ri",
];
const SYL_C: &[&str] = &[
    "holt", "ford", "vik", "mere", "wick", "stead", "bury", "ton", "gard", "dale", "moor", "haven", "port", "ley",
    "by", "field", "brook", "well", "ridge", "cross",
];
const FIRST: &[&str] = &[
    "Ilse", "Tomas", "Marta", "Oren", "Selah", "Piet", "Anouk", "Dario", "Lenka", "Rafe", "Yuna", "Corin", "Beatrix",
    "Joaquim", "Nadia", "Emil", "Priya", "Kasimir", "Odile", "Teodor", "Wren", "Ayla", "Bastian", "Celine", "Dmitri",
    "Esme", "Florin", "Greta", "Hollis", "Ines", "Jarek", "Kaia", "Lorcan", "Mireille", "Nils", "Olamide", "Petra",
];
const ORG_KIND: &[&str] = &[
    "Council", "Authority", "Institute", "Union", "Federation", "Agency", "Trust", "Commission", "Cooperative",
    "Foundation", "Bank", "Party",
];
const ROLES: &[&str] = &[
    "mayor", "spokesperson", "director", "minister", "chief engineer", "union leader", "professor", "police chief",
    "chair", "councillor", "analyst", "economist",
];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// One kind of event with its vocabulary.
struct EventKind {
    noun: &'static str,
    headline: &'static [&'static str],
    words: &'static [&'static str],
    section: &'static str,
}

const KINDS: &[EventKind] = &[
    EventKind { noun: "flood", section: "weather", headline: &["Floods swamp {L} as river bursts banks", "{L} evacuates homes as floodwater rises", "Flood defences fail in {L}"], words: &["floodwater", "river", "levee", "evacuation", "rainfall", "sandbags", "embankment", "pumps", "shelter", "downstream"] },
    EventKind { noun: "bridge collapse", section: "news", headline: &["Bridge collapses in {L}", "{L} bridge failure: inquiry ordered", "Commuters stranded after {L} bridge gives way"], words: &["bridge", "girder", "corrosion", "inspection", "engineers", "span", "traffic", "cables", "detour", "collapse"] },
    EventKind { noun: "strike", section: "business", headline: &["Workers strike at {O}", "{O} strike enters second week", "Talks stall in {O} pay dispute"], words: &["strike", "wages", "picket", "negotiators", "pay", "walkout", "shifts", "contract", "ballot", "overtime"] },
    EventKind { noun: "election", section: "politics", headline: &["{P} wins {L} mayoral race", "Recount ordered in {L} election", "{L} voters head to the polls"], words: &["ballots", "turnout", "candidates", "campaign", "polls", "recount", "precinct", "votes", "coalition", "manifesto"] },
    EventKind { noun: "wildfire", section: "weather", headline: &["Wildfire forces evacuations near {L}", "Firefighters battle blaze outside {L}", "Smoke from {L} fire closes schools"], words: &["wildfire", "blaze", "firefighters", "hectares", "smoke", "containment", "embers", "evacuees", "aircraft", "drought"] },
    EventKind { noun: "merger", section: "business", headline: &["{O} agrees merger", "Regulators review {O} takeover", "Shareholders back {O} deal"], words: &["merger", "shareholders", "acquisition", "regulators", "valuation", "takeover", "board", "dividend", "synergies", "antitrust"] },
    EventKind { noun: "festival", section: "culture", headline: &["{L} festival draws record crowds", "Headliners announced for {L} festival", "{L} festival ends with fireworks"], words: &["festival", "stage", "musicians", "tickets", "crowds", "performers", "lineup", "audience", "orchestra", "parade"] },
    EventKind { noun: "outbreak", section: "health", headline: &["Outbreak reported in {L}", "Health officials trace {L} outbreak", "{L} hospital treats dozens after outbreak"], words: &["outbreak", "infections", "hospital", "vaccine", "patients", "clinics", "symptoms", "contagious", "testing", "quarantine"] },
    EventKind { noun: "trial", section: "news", headline: &["{P} goes on trial in {L}", "Jury hears closing arguments in {P} case", "Verdict due in {L} fraud trial"], words: &["trial", "jury", "verdict", "prosecutors", "defence", "testimony", "witness", "courtroom", "evidence", "sentencing"] },
    EventKind { noun: "discovery", section: "science", headline: &["Scientists in {L} report discovery", "{O} team unveils fossil find", "Rare species found near {L}"], words: &["researchers", "fossil", "specimen", "laboratory", "excavation", "species", "findings", "journal", "samples", "expedition"] },
    EventKind { noun: "match", section: "sport", headline: &["{L} clinch title in final", "Late goal lifts {L} to victory", "{P} stars as {L} win cup"], words: &["match", "goal", "striker", "coach", "supporters", "stadium", "championship", "penalty", "league", "trophy"] },
    EventKind { noun: "budget", section: "politics", headline: &["{L} budget cuts spark protest", "{O} unveils spending plan", "Tax rise approved in {L}"], words: &["budget", "spending", "taxes", "deficit", "revenue", "austerity", "schools", "services", "allocation", "treasury"] },
];

const FILLER_SUBJ: &[&str] = &["Residents", "Local businesses", "Several families", "Volunteers", "Community groups", "Shop owners", "Teachers", "Commuters", "Farmers", "Students"];
const FILLER_VERB: &[&str] = &["described", "welcomed", "questioned", "criticised", "followed", "discussed", "recalled", "documented", "watched", "debated"];
const FILLER_OBJ: &[&str] = &["the response", "the decision", "the timetable", "the early warnings", "the public meeting", "the cost estimates", "the plans", "the official figures", "the emergency measures", "the latest update"];
const FILLER_TAIL: &[&str] = &["over the past days", "with growing concern", "in interviews", "at a crowded town hall", "on local radio", "in open letters", "on social media", "during a vigil", "in written submissions", "at the weekly market"];

struct Event {
    kind: usize,
    place: String,
    people: Vec<String>,
    org: String,
    day: i64,
}

/// An invented proper name from syllables: a town or outlet (`surname`
/// false) or a family name.
fn coined(rng: &mut Rng, surname: bool) -> String {
    let mut s = String::from(rng.pick(SYL_A));
    if surname || rng.chance(0.5) {
        s.push_str(rng.pick(SYL_B));
    }
    let ends: &[&str] = if surname { &["n", "r", "s", "x", "lt", "nd", "ck", "m", "ll", "sz"] } else { SYL_C };
    s.push_str(rng.pick(ends));
    capitalise(&s)
}

fn name(rng: &mut Rng) -> String {
    coined(rng, false)
}

fn surname(rng: &mut Rng) -> String {
    coined(rng, true)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

struct Site {
    name: String,
    domain: String,
    layout: usize,
}

fn sites(rng: &mut Rng) -> Vec<Site> {
    let kinds = ["Gazette", "Herald", "Courier", "Post", "Tribune", "Chronicle", "Observer", "Times", "Ledger", "Dispatch", "Bulletin", "Record"];
    (0..24)
        .map(|i| {
            let town = name(rng);
            let kind = kinds[i % kinds.len()];
            let name = format!("The {town} {kind}");
            let domain = format!("www.{}{}.example", town.to_lowercase(), kind.to_lowercase());
            Site { name, domain, layout: i % 3 }
        })
        .collect()
}

/// One article (URL) in the plan.
struct Planned {
    story: usize,
    /// Seed of the text: copies of a wire story share it.
    text_seed: u64,
    site: usize,
    published: i64,
    group: Option<usize>,
    /// Copy variations: drop the last paragraph, add a wire credit.
    trim: bool,
    credit: bool,
    /// Revision fetch times after the first.
    revisions: Vec<i64>,
    author: String,
}

const AGENCIES: &[&str] = &["Northwire", "Meridian Press", "Continental News Service"];
const BASE_TIME: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z

/// The corpus plan and a lazy iterator over its page fetches in fetch-time
/// order (what a crawl would record). `articles` counts fetches.
pub fn generate(articles: usize, seed: u64) -> (SynthTruth, impl Iterator<Item = SynthPage>) {
    let mut rng = Rng::new(seed);
    let sites = sites(&mut rng);
    let mut events: Vec<Event> = Vec::new();
    let mut plan: Vec<Planned> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut fetches = 0usize;
    // Spread events so that about 40 happen a day, like a regional desk.
    let days = (articles / 200).max(3) as i64;
    while fetches < articles {
        let kind = rng.below(KINDS.len());
        let people = (0..rng.range(2, 3)).map(|_| format!("{} {}", FIRST[rng.below(FIRST.len())], surname(&mut rng))).collect();
        let org = format!("{} {}", name(&mut rng), ORG_KIND[rng.below(ORG_KIND.len())]);
        let event = Event { kind, place: name(&mut rng), people, org, day: rng.below(days as usize) as i64 };
        let story = events.len();
        let n_articles = rng.range(1, 5);
        for _ in 0..n_articles {
            if fetches >= articles {
                break;
            }
            let published = BASE_TIME + event.day * 86_400 + rng.below(60 * 3600) as i64;
            let text_seed = rng.next();
            let wire = rng.chance(0.35);
            let copies = if wire { rng.range(2, 4) } else { 1 };
            let group = if copies > 1 {
                groups.push(Vec::new());
                Some(groups.len() - 1)
            } else {
                None
            };
            let mut used = Vec::new();
            let author = format!("{} {}", FIRST[rng.below(FIRST.len())], surname(&mut rng));
            for c in 0..copies {
                if fetches >= articles {
                    break;
                }
                let mut site = rng.below(sites.len());
                while used.contains(&site) {
                    site = (site + 1) % sites.len();
                }
                used.push(site);
                let mut revisions = Vec::new();
                fetches += 1;
                if rng.chance(0.08) && fetches < articles {
                    revisions.push(published + rng.range(3, 30) as i64 * 3600);
                    fetches += 1;
                }
                if let Some(g) = group {
                    groups[g].push(plan.len());
                }
                plan.push(Planned {
                    story,
                    text_seed,
                    site,
                    published: published + c as i64 * rng.below(5 * 3600) as i64,
                    group,
                    trim: c > 0 && rng.chance(0.3),
                    credit: wire && rng.chance(0.5),
                    revisions,
                    author: if wire { AGENCIES[(text_seed % 3) as usize].to_string() } else { author.clone() },
                });
            }
        }
        events.push(event);
    }
    // Groups cut short by the budget may hold one article: not a group.
    let mut group_ids = vec![None; groups.len()];
    let mut syndication_groups = Vec::new();
    let urls: Vec<String> = plan.iter().enumerate().map(|(i, p)| url_of(&sites, &events, p, i)).collect();
    for (g, members) in groups.iter().enumerate() {
        if members.len() >= 2 {
            group_ids[g] = Some(syndication_groups.len());
            syndication_groups.push(members.iter().map(|&i| urls[i].clone()).collect::<Vec<_>>());
        }
    }
    let mut stories: Vec<Vec<String>> = vec![Vec::new(); events.len()];
    let mut truth_articles = Vec::new();
    let mut revisions = Vec::new();
    for (i, p) in plan.iter_mut().enumerate() {
        p.group = p.group.and_then(|g| group_ids[g]);
        stories[p.story].push(urls[i].clone());
        let (headline, _, _) = text(&events[p.story], p.text_seed, 0, &sites[p.site].name);
        truth_articles.push(TruthArticle {
            url: urls[i].clone(),
            site: sites[p.site].domain.clone(),
            headline,
            published: rfc3339(p.published),
            story: p.story,
            syndication_group: p.group,
            fetches: 1 + p.revisions.len(),
        });
        if !p.revisions.is_empty() {
            let mut fetched = vec![rfc3339(p.published + 1800)];
            fetched.extend(p.revisions.iter().map(|&t| rfc3339(t)));
            revisions.push(TruthRevision { url: urls[i].clone(), fetched, changed_paragraphs: 3 });
        }
    }
    // Fetch order: first fetches half an hour after publication, revisions
    // at their own times.
    let mut order: Vec<(i64, usize, usize)> = Vec::with_capacity(fetches);
    for (i, p) in plan.iter().enumerate() {
        order.push((p.published + 1800, i, 0));
        for (r, &t) in p.revisions.iter().enumerate() {
            order.push((t, i, r + 1));
        }
    }
    order.sort();
    let truth = SynthTruth {
        seed,
        records: order.len(),
        files: Vec::new(),
        articles: truth_articles,
        syndication_groups,
        stories,
        revisions,
    };
    let pages = order.into_iter().map(move |(t, i, rev)| {
        let p = &plan[i];
        let e = &events[p.story];
        let site = &sites[p.site];
        let (headline, mut paragraphs, entities) = text(e, p.text_seed, rev, &site.name);
        if p.trim && paragraphs.len() > 4 {
            paragraphs.pop();
        }
        if p.credit {
            if let Some(first) = paragraphs.first_mut() {
                *first = format!("{} ({}) — {first}", e.place.to_uppercase(), AGENCIES[(p.text_seed % 3) as usize]);
            }
        }
        let fetched = Utc.timestamp_opt(t, 0).single().unwrap_or_default();
        let published = Utc.timestamp_opt(p.published, 0).single().unwrap_or_default();
        let html = page_html(site, &urls[i], &headline, &paragraphs, &p.author, published, (rev > 0).then_some(fetched), KINDS[e.kind].section, p.text_seed ^ rev as u64);
        SynthPage { url: urls[i].clone(), site: site.domain.clone(), fetched, published, headline, paragraphs, entities, html, story: p.story, revision: rev }
    });
    (truth, pages)
}

fn rfc3339(t: i64) -> String {
    Utc.timestamp_opt(t, 0).single().unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn url_of(sites: &[Site], events: &[Event], p: &Planned, i: usize) -> String {
    let e = &events[p.story];
    let d = Utc.timestamp_opt(p.published, 0).single().unwrap_or_default();
    let slug: String = format!("{} {}", e.place, KINDS[e.kind].noun).to_lowercase().replace(' ', "-");
    format!("https://{}/{}/{}/{}-{}.html", sites[p.site].domain, KINDS[e.kind].section, d.format("%Y/%m/%d"), slug, i)
}

fn fill(t: &str, e: &Event, rng: &mut Rng) -> String {
    let p = &e.people;
    t.replace("{L}", &e.place).replace("{O}", &e.org).replace("{P}", &p[rng.below(p.len())])
}

/// Headline, paragraphs and entities of one text; `rev` > 0 rewrites some
/// paragraphs and adds an update, as a newsroom revising a story would.
fn text(e: &Event, seed: u64, rev: usize, _site: &str) -> (String, Vec<String>, Vec<String>) {
    let mut rng = Rng::new(seed);
    let k = &KINDS[e.kind];
    let headline = fill(rng.pick(k.headline), e, &mut rng);
    let n = rng.range(6, 10);
    let mut paragraphs: Vec<String> = (0..n).map(|_| paragraph(e, &mut rng)).collect();
    if rev > 0 {
        let mut r = Rng::new(seed ^ (rev as u64).wrapping_mul(0x9e37_79b9));
        for _ in 0..2 {
            let i = r.below(paragraphs.len());
            paragraphs[i] = paragraph(e, &mut r);
        }
        paragraphs.push(format!("Update: {} {}", sentence(e, &mut r), sentence(e, &mut r)));
    }
    let mut entities = vec![e.place.clone(), e.org.clone()];
    entities.extend(e.people.iter().cloned());
    (headline, paragraphs, entities)
}

fn paragraph(e: &Event, rng: &mut Rng) -> String {
    let n = rng.range(2, 4);
    (0..n).map(|_| sentence(e, rng)).collect::<Vec<_>>().join(" ")
}

fn sentence(e: &Event, rng: &mut Rng) -> String {
    let k = &KINDS[e.kind];
    let w = |rng: &mut Rng| k.words[rng.below(k.words.len())];
    let person = e.people[rng.below(e.people.len())].clone();
    let role = ROLES[rng.below(ROLES.len())];
    let day = WEEKDAYS[rng.below(WEEKDAYS.len())];
    let num = rng.range(2, 900);
    match rng.below(14) {
        0 => format!("\"The {} is our first concern,\" said {person}, the {role} of {}.", w(rng), e.place),
        1 => format!("{person} told reporters on {day} that the {} and the {} would be reviewed by the {}.", w(rng), w(rng), e.org),
        2 => format!("According to the {}, at least {num} people were affected by the {} in {}.", e.org, k.noun, e.place),
        3 => format!("The {} said in a statement that {} {} had been arranged for {day}.", e.org, num, w(rng)),
        4 => format!("In {}, {} {} {} {}.", e.place, rng.pick(FILLER_SUBJ).to_lowercase(), rng.pick(FILLER_VERB), rng.pick(FILLER_OBJ), rng.pick(FILLER_TAIL)),
        5 => format!("{} {} {} {}, while the {} remained the main topic.", rng.pick(FILLER_SUBJ), rng.pick(FILLER_VERB), rng.pick(FILLER_OBJ), rng.pick(FILLER_TAIL), w(rng)),
        6 => format!("Critics of the {} argued that the {} had been ignored for {num} days before the {}.", e.org, w(rng), k.noun),
        7 => format!("\"We need answers about the {},\" {person} said, adding that the {} was {}.", w(rng), w(rng), rng.pick(&["unacceptable", "a warning", "only the beginning", "not over", "under control"])),
        8 => format!("By {day} evening, the {} near {} had {} {} and {} {}.", w(rng), e.place, rng.pick(&["drawn", "required", "prompted", "involved"]), num, rng.pick(&["officials", "volunteers", "specialists", "observers"]), rng.pick(&["on site", "from the region", "from abroad", "on standby"])),
        9 => format!("The {role}, {person}, has {} the {} since {day}.", rng.pick(&["overseen", "defended", "questioned", "coordinated"]), w(rng)),
        10 => format!("Figures released by the {} show {num} {} and {} {} across {}.", e.org, w(rng), rng.range(2, 90), w(rng), e.place),
        11 => format!("{} of {} {} that the {} would {}.", rng.pick(&["Many", "Some", "Most", "Few"]), rng.pick(FILLER_SUBJ).to_lowercase(), rng.pick(&["expect", "fear", "hope", "doubt"]), w(rng), rng.pick(&["continue", "end soon", "spread", "change things", "be remembered"])),
        12 => format!("{person} and {} met on {day} to discuss the {} and the {}.", e.people[0], w(rng), w(rng)),
        _ => format!("The {} in {} has {} the {} for {num} households.", k.noun, e.place, rng.pick(&["disrupted", "changed", "delayed", "complicated"]), w(rng)),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[allow(clippy::too_many_arguments)]
fn page_html(site: &Site, url: &str, headline: &str, paragraphs: &[String], author: &str, published: DateTime<Utc>, updated: Option<DateTime<Utc>>, section: &str, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0xc4_0e);
    let h = esc(headline);
    let pubs = published.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let upd = updated.map(|u| u.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let mut s = String::with_capacity(12_000);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str(&format!("<title>{h} | {}</title>", esc(&site.name)));
    s.push_str(&format!("<link rel=\"canonical\" href=\"{url}\"><meta property=\"og:title\" content=\"{h}\"><meta property=\"og:site_name\" content=\"{}\">", esc(&site.name)));
    s.push_str(&format!("<meta property=\"article:published_time\" content=\"{pubs}\">"));
    if let Some(u) = &upd {
        s.push_str(&format!("<meta property=\"article:modified_time\" content=\"{u}\">"));
    }
    s.push_str(&format!(
        "<script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":{},\"datePublished\":\"{pubs}\"{},\"author\":{{\"@type\":\"Person\",\"name\":{}}}}}</script>",
        serde_json::to_string(headline).unwrap_or_default(),
        upd.as_ref().map(|u| format!(",\"dateModified\":\"{u}\"")).unwrap_or_default(),
        serde_json::to_string(author).unwrap_or_default()
    ));
    s.push_str("<style>body{font-family:serif;margin:0}.nav a{padding:4px}.related li{font-size:90%}</style></head><body>");
    let nav: String = ["Home", "News", "Politics", "Business", "Sport", "Culture", "Science", "Weather", "Opinion", "Video"]
        .iter()
        .map(|n| format!("<li><a href=\"/{}/\">{n}</a></li>", n.to_lowercase()))
        .collect();
    let related: String = (0..rng.range(4, 8))
        .map(|i| format!("<li><a href=\"/{section}/item-{}.html\">{} {} {}</a></li>", rng.next() % 100_000 + i as u64, capitalise(rng.pick(FILLER_OBJ).trim_start_matches("the ")), rng.pick(FILLER_TAIL), rng.pick(WEEKDAYS)))
        .collect();
    let body: String = paragraphs.iter().map(|p| format!("<p>{}</p>\n", esc(p))).collect();
    let when = published.format("%-d %B %Y, %H:%M").to_string();
    match site.layout {
        0 => {
            s.push_str(&format!("<header class=\"masthead\"><a class=\"logo\" href=\"/\">{}</a><ul class=\"nav\">{nav}</ul></header>", esc(&site.name)));
            s.push_str(&format!("<main><article><h1>{h}</h1><p class=\"byline\">By {}</p><time datetime=\"{pubs}\">{when}</time>", esc(author)));
            if let Some(u) = &upd {
                s.push_str(&format!("<p class=\"updated\">Updated <time datetime=\"{u}\">{u}</time></p>"));
            }
            s.push_str(&format!("<div class=\"article-body\">\n{body}</div><div class=\"share\"><a href=\"#\">Share</a> <a href=\"#\">Tweet</a></div></article>"));
            s.push_str(&format!("<aside class=\"related\"><h2>Related stories</h2><ul>{related}</ul></aside></main>"));
        }
        1 => {
            s.push_str(&format!("<div id=\"top\"><div class=\"brand\">{}</div><nav><ul class=\"nav\">{nav}</ul></nav><div class=\"subscribe\">Subscribe for full access</div></div>", esc(&site.name)));
            s.push_str(&format!("<div class=\"content\"><div class=\"story\"><h1 class=\"headline\">{h}</h1><div class=\"meta\"><span class=\"author\">{}</span> · <span class=\"date\">{when}</span></div>", esc(author)));
            s.push_str(&format!("<div class=\"story-text\">\n{body}</div></div><div class=\"sidebar\"><h3>Most read</h3><ol class=\"related\">{related}</ol></div></div>"));
        }
        _ => {
            s.push_str(&format!("<table class=\"layout\"><tr><td class=\"top\"><b>{}</b> | {}</td></tr>", esc(&site.name), nav.replace("<li>", "").replace("</li>", " ")));
            s.push_str(&format!("<tr><td><h1>{h}</h1><div class=\"dateline\">{when} — {}</div>\n{body}</td></tr>", esc(author)));
            s.push_str(&format!("<tr><td class=\"more\"><h4>More from {section}</h4><ul>{related}</ul></td></tr></table>"));
        }
    }
    s.push_str(&format!("<footer><p>© 2024 {}. All rights reserved.</p><p><a href=\"/privacy\">Privacy</a> · <a href=\"/terms\">Terms</a> · <a href=\"/contact\">Contact us</a></p></footer></body></html>\n", esc(&site.name)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_counted() {
        let (t1, p1) = generate(300, 7);
        let (t2, p2) = generate(300, 7);
        assert_eq!(t1, t2);
        let a: Vec<String> = p1.map(|p| p.html).collect();
        let b: Vec<String> = p2.map(|p| p.html).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 300);
        assert_eq!(t1.records, 300);
        assert!(!t1.syndication_groups.is_empty());
        assert!(!t1.revisions.is_empty());
        assert!(t1.stories.iter().any(|s| s.len() >= 3));
    }

    #[test]
    fn copies_share_paragraphs() {
        let (t, pages) = generate(400, 3);
        let pages: Vec<SynthPage> = pages.filter(|p| p.revision == 0).collect();
        let g = &t.syndication_groups[0];
        let bodies: Vec<&SynthPage> = pages.iter().filter(|p| g.contains(&p.url)).collect();
        assert!(bodies.len() >= 2);
        assert_eq!(bodies[0].paragraphs[1], bodies[1].paragraphs[1]);
        assert_ne!(bodies[0].site, bodies[1].site);
    }
}
