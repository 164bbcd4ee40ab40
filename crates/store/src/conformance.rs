//! The behaviour every [`Store`] backend must show, as one test function.
//!
//! A backend's tests call [`conformance`] with a closure that makes a fresh,
//! empty store; it panics with a message naming the broken rule. The
//! fixtures are tiny fictional articles built in code, so the suite needs no
//! files and runs in well under a second on the embedded backend.

use newsdesk_model::{Analysis, Article, Entity, EntityKind, Mention, Quote, QuoteKind, Speaker, Timestamp, Precision};

use crate::*;

/// Runs every check against stores made by `make` (each call must return a
/// new, empty store).
pub fn conformance<S: Store>(make: impl Fn() -> S) {
    ingest_and_query(&mut make());
    idempotent_and_deterministic(&make);
    revisions(&mut make());
    follows(&mut make());
    hostile_queries(&mut make());
}

/// Query text over the bounds of [`crate::query_bounds`] is refused as a
/// query error by search and by follow_add alike, and never reaches a
/// parser that could overflow its stack; the store stays usable after.
fn hostile_queries<S: Store>(s: &mut S) {
    let deep = format!("{}a{}", "(".repeat(3000), ")".repeat(3000));
    let nots = format!("{}a", "NOT ".repeat(1500));
    let chain = format!("{}a", "(a OR ".repeat(1000));
    for text in [&deep, &nots, &chain] {
        let q = SearchQuery { text: text.clone(), limit: 10, ..SearchQuery::default() };
        assert!(
            matches!(s.search(&q), Err(StoreError::Query { .. })),
            "rule: a search nested past the bounds is a query error"
        );
        assert!(
            matches!(s.follow_add("deep", &FollowSpec::Query(text.clone())), Err(StoreError::Query { .. })),
            "rule: a follow nested past the bounds is refused when added"
        );
    }
    assert!(s.follow_list().expect("follow list").is_empty(), "rule: a refused follow is not stored");
    let q = SearchQuery { text: "dam".into(), limit: 10, ..SearchQuery::default() };
    assert!(s.search(&q).is_ok(), "rule: the store answers after refusing a hostile query");
}

fn article(url: &str, site: &str, headline: &str, body: &str, published: &str) -> Article {
    Article {
        url: Some(url.to_string()),
        headline: Some(headline.to_string()),
        site_name: Some(site.to_string()),
        language: Some("en".to_string()),
        published: Some(Timestamp { value: published.to_string(), precision: Precision::Second, assumed_utc: false }),
        body: body.to_string(),
        ..Article::default()
    }
}

fn analysis(speaker: Option<&str>, quote: &str, entities: &[(&str, EntityKind)]) -> Analysis {
    let mut a = Analysis::default();
    if let Some(s) = speaker {
        a.quotes.push(Quote {
            start: 0,
            end: quote.chars().count(),
            text: quote.to_string(),
            kind: QuoteKind::Direct,
            fragments: vec![],
            speaker: Speaker { written: Some(s.to_string()), resolved: Some(s.to_string()), ..Speaker::default() },
            cue: Some("said".into()),
            addressee: None,
        });
    }
    for (name, kind) in entities {
        a.entities.push(Entity {
            name: name.to_string(),
            kind: *kind,
            roles: vec![],
            mentions: vec![Mention { start: 0, end: 1, text: name.to_string() }],
        });
    }
    a
}

/// Unix seconds of an RFC 3339 time (fixtures only).
fn unix(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).map(|t| t.timestamp()).unwrap_or(0)
}

fn new_article(url: &str, site: &str, headline: &str, body: &str, published: &str, group: Option<Id>, an: Analysis) -> NewArticle {
    let id = Id::of(&[url.as_bytes()]);
    NewArticle {
        id,
        site: Some(site.to_string()),
        location: url.to_string(),
        fetched_unix: None,
        published_unix: Some(unix(published)),
        article: article(url, site, headline, body, published),
        analysis: an,
        signature: id.0.to_le_bytes().to_vec(),
        group: group.unwrap_or(id),
        story: Id::of(&[b"story", headline.as_bytes()]),
        story_features: headline.as_bytes().to_vec(),
    }
}

const DAM: &str = "The new dam on the Orla river opened on Monday after nine years of building work.\n\nOfficials said the reservoir would supply forty villages.";
const BRIDGE: &str = "The council voted to close the old Verna bridge after inspectors found cracks.\n\nA ferry will carry cyclists until the new bridge opens.";

/// Three articles: a dam story and its syndicated copy, and a bridge story
/// (public so backends can test their own recovery paths with it).
pub fn batch_one() -> Batch {
    let dam = new_article(
        "https://orla.example/dam",
        "Orla Post",
        "Dam opens on the Orla",
        DAM,
        "2026-03-02T09:00:00Z",
        None,
        analysis(Some("Ana Ruiz"), "We kept our promise", &[("Ana Ruiz", EntityKind::Person), ("Orla", EntityKind::Place)]),
    );
    let copy = new_article(
        "https://wire.example/dam-copy",
        "Wire Daily",
        "Dam opens on the Orla",
        DAM,
        "2026-03-02T10:00:00Z",
        Some(dam.id),
        analysis(Some("Ana Ruiz"), "We kept our promise", &[("Ana Ruiz", EntityKind::Person), ("Orla", EntityKind::Place)]),
    );
    let bridge = new_article(
        "https://verna.example/bridge",
        "Verna Times",
        "Verna bridge closes",
        BRIDGE,
        "2026-03-05T08:00:00Z",
        None,
        analysis(Some("Tomas Eck"), "Safety comes first", &[("Tomas Eck", EntityKind::Person), ("Verna Council", EntityKind::Organization)]),
    );
    Batch {
        docs: vec![Id(1), Id(2), Id(3), Id(4)],
        articles: vec![dam, copy, bridge],
        revisions: vec![],
        errors: vec![IngestError { location: "bad.warc.gz#7".into(), message: "truncated record".into() }],
    }
}

fn search<S: Store>(s: &S, text: &str, f: impl FnOnce(&mut SearchQuery)) -> Vec<SearchHit> {
    let mut q = SearchQuery { text: text.to_string(), limit: 10, ..SearchQuery::default() };
    f(&mut q);
    s.search(&q).unwrap_or_else(|e| panic!("search {text:?} failed: {e}"))
}

fn ingest_and_query<S: Store>(s: &mut S) {
    let b = batch_one();
    s.apply(&b).expect("apply");
    s.sync_index().expect("sync");
    let st = s.stats().expect("stats");
    assert_eq!((st.articles, st.revisions, st.syndication_groups, st.stories), (3, 3, 2, 2), "counts after one batch: {st:?}");
    assert_eq!((st.quotes, st.entities, st.ingest_errors, st.indexed), (3, 4, 1, 3), "counts after one batch: {st:?}");

    // Search: one hit per syndication group, snippets marked, filters.
    let hits = search(s, "reservoir", |_| {});
    assert_eq!(hits.len(), 1, "a syndicated text is one hit: {hits:?}");
    assert_eq!(hits[0].copies, 2, "the hit counts its copies");
    assert!(hits[0].snippet.contains("**reservoir**"), "snippet marks the hit: {}", hits[0].snippet);
    assert_eq!(hits[0].language.as_deref(), Some("en"), "the hit carries its language (for facet counts)");
    assert_eq!(search(s, "\"old Verna bridge\"", |_| {}).len(), 1, "phrase query");
    assert_eq!(search(s, "\"bridge old\"", |_| {}).len(), 0, "phrase order matters");
    assert_eq!(search(s, "dam OR ferry", |_| {}).len(), 2, "OR");
    assert_eq!(search(s, "dam AND ferry", |_| {}).len(), 0, "AND");
    assert_eq!(search(s, "dam ferry", |_| {}).len(), 0, "words are all required by default");
    assert_eq!(search(s, "opens -ferry", |_| {}).len(), 1, "exclusion");
    assert_eq!(search(s, "", |q| q.site = Some("verna times".into())).len(), 1, "site filter");
    assert_eq!(search(s, "", |q| q.lang = Some("de".into())).len(), 0, "language filter");
    assert_eq!(search(s, "", |q| q.speaker = Some("Ruiz".into())).len(), 1, "speaker filter by surname");
    assert_eq!(search(s, "", |q| q.entity = Some("verna council".into())).len(), 1, "entity filter");
    assert_eq!(search(s, "", |q| q.since = Some(unix("2026-03-04T00:00:00Z"))).len(), 1, "since");
    assert_eq!(search(s, "", |q| q.until = Some(unix("2026-03-04T00:00:00Z"))).len(), 1, "until");

    // Quotes: once per syndication group.
    let quotes = s.quotes(&QuoteQuery { speaker: Some("ana ruiz".into()), text: None, limit: 10 }).expect("quotes");
    assert_eq!(quotes.len(), 1, "a syndicated quote is listed once: {quotes:?}");
    assert_eq!(quotes[0].text, "We kept our promise");
    assert_eq!(s.quotes(&QuoteQuery { speaker: None, text: Some("safety first".into()), limit: 10 }).expect("quotes").len(), 1);

    let people = s.entities(Some(EntityKind::Person), 10).expect("entities");
    assert_eq!(people[0].name, "Ana Ruiz", "most-mentioned first: {people:?}");
    assert_eq!(people[0].articles, 2);
    assert!(people.iter().all(|e| e.kind == EntityKind::Person));

    let stories = s.stories(10).expect("stories");
    assert_eq!(stories.len(), 2);
    assert_eq!(stories[0].headline.as_deref(), Some("Verna bridge closes"), "latest story first");
    assert_eq!(stories[1].articles.len(), 2);

    let dam = Id::of(&[b"https://orla.example/dam"]);
    let view = s.show(&dam.to_string()).expect("show").expect("article exists");
    assert_eq!(view.group.copies.len(), 2);
    assert_eq!(view.group.representative, dam, "the earliest copy represents the group");
    assert_eq!(view.article.body, DAM);
    assert_eq!(view.revisions.len(), 1);
    let prefix = &dam.to_string()[..6];
    assert_eq!(s.show(prefix).expect("show by prefix").map(|v| v.id), Some(dam));
    assert!(s.show("0000000000000001").expect("show").is_none());

    let assigned = s.assignments().expect("assignments");
    assert_eq!(assigned.len(), 3);
    assert_eq!(assigned[0].group, assigned[1].group, "the copy is filed with its original");
    assert_eq!(assigned[1].url.as_deref(), Some("https://wire.example/dam-copy"));
    assert!(s.seen_docs().expect("seen").contains(&Id(3)));
    assert_eq!(s.signatures().expect("signatures").len(), 3);
    let log = s.story_log().expect("story log");
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].features, b"Dam opens on the Orla");
    assert_eq!(s.current_body(dam).expect("body").map(|(r, _)| r), Some(1));
}

fn idempotent_and_deterministic<S: Store>(make: &impl Fn() -> S) {
    let mut a = make();
    a.apply(&batch_one()).expect("apply");
    a.sync_index().expect("sync");
    let first = a.dump().expect("dump");
    a.apply(&batch_one()).expect("apply again");
    a.sync_index().expect("sync");
    assert_eq!(first, a.dump().expect("dump"), "applying a batch twice changes nothing");

    let mut b = make();
    b.apply(&batch_one()).expect("apply");
    // A store whose index lags must still agree once synced.
    b.sync_index().expect("sync");
    assert_eq!(first, b.dump().expect("dump"), "same batches, same state");
    assert!(first.contains("## index\n"), "the dump lists the index");
}

fn revisions<S: Store>(s: &mut S) {
    s.apply(&batch_one()).expect("apply");
    s.sync_index().expect("sync");
    let bridge = Id::of(&[b"https://verna.example/bridge"]);
    let (rev, old) = s.current_body(bridge).expect("body").expect("exists");
    let new_body = format!("{old}\n\nThe mayor said repairs would cost four million crowns.");
    let mut new = article("https://verna.example/bridge", "Verna Times", "Verna bridge closes for repairs", &new_body, "2026-03-05T08:00:00Z");
    new.updated = Some(Timestamp { value: "2026-03-05T12:00:00Z".into(), precision: Precision::Second, assumed_utc: false });
    s.apply(&Batch {
        docs: vec![Id(9)],
        articles: vec![],
        revisions: vec![NewRevision {
            article: bridge,
            location: "https://verna.example/bridge".into(),
            fetched_unix: None,
            published_unix: Some(unix("2026-03-05T08:00:00Z")),
            new,
            analysis: analysis(Some("Tomas Eck"), "Safety comes first", &[]),
            diff: vec![
                DiffLine::Same("The council voted…".into()),
                DiffLine::Added("The mayor said repairs would cost four million crowns.".into()),
            ],
        }],
        errors: vec![],
    })
    .expect("apply revision");
    s.sync_index().expect("sync");
    assert_eq!(s.current_body(bridge).expect("body").map(|(r, _)| r), Some(rev + 1));
    let view = s.show(&bridge.to_string()).expect("show").expect("exists");
    assert_eq!(view.revisions.len(), 2);
    assert_eq!(view.revisions[1].diff.len(), 2);
    assert_eq!(view.article.headline.as_deref(), Some("Verna bridge closes for repairs"));
    assert_eq!(search(s, "crowns", |_| {}).len(), 1, "the index has the new revision");
    assert_eq!(s.stats().expect("stats").articles, 3, "a revision is not a new article");
    assert_eq!(s.stats().expect("stats").indexed, 3, "a revision replaces its article in the index");
}

fn follows<S: Store>(s: &mut S) {
    s.follow_add("dams", &FollowSpec::Query("dam".into())).expect("add");
    s.follow_add("eck", &FollowSpec::Speaker("Tomas Eck".into())).expect("add");
    s.follow_add("orla", &FollowSpec::Entity("Orla".into())).expect("add");
    assert!(s.follow_add("dams", &FollowSpec::Query("x".into())).is_err(), "names are unique");
    s.apply(&batch_one()).expect("apply");
    s.sync_index().expect("sync");
    let list = s.follow_list().expect("list");
    assert_eq!(list.len(), 3);
    let got = s.follow_check(None).expect("check");
    let count = |name: &str| got.iter().filter(|m| m.follow == name).count();
    assert_eq!((count("dams"), count("eck"), count("orla")), (2, 1, 2), "matches: {got:?}");
    assert!(s.follow_check(None).expect("check").is_empty(), "each match is delivered once");
    let history = s.follow_matches("dams", 10).expect("matches").expect("the follow exists");
    assert_eq!(history.len(), 2, "delivered matches stay in the history");
    assert!(history.iter().all(|m| m.follow == "dams"));
    assert_eq!(s.follow_matches("dams", 1).expect("matches").map(|m| m.len()), Some(1), "the limit holds");
    assert!(s.follow_matches("nobody", 10).expect("matches").is_none());
    let story = s.show(&history[0].article.id.to_string()).expect("show").expect("matched article").story;
    let row = s.story(story).expect("story").expect("the article's story exists");
    assert!(row.articles.iter().any(|a| a.id == history[0].article.id), "a story lists its articles");
    assert!(s.story(Id(1)).expect("story").is_none());
    // Re-applying and re-syncing does not deliver again.
    s.apply(&batch_one()).expect("apply");
    s.sync_index().expect("sync");
    assert!(s.follow_check(None).expect("check").is_empty(), "re-ingest delivers nothing new");
    // A follow added now does not match what came before.
    s.follow_add("bridge", &FollowSpec::Query("bridge".into())).expect("add");
    s.sync_index().expect("sync");
    assert!(s.follow_check(Some("bridge")).expect("check").is_empty());
    assert!(s.follow_remove("bridge").expect("remove"));
    assert!(!s.follow_remove("bridge").expect("remove"));
    assert_eq!(s.follow_list().expect("list").len(), 3);
}
