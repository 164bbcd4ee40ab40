//! The server end to end, in process: every documented route answers as
//! documented, the OpenAPI document lists exactly the routes, errors have
//! one JSON shape, follows feed Atom, and hostile corpus text renders inert.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use newsdesk_model::Article;
use newsdesk_server::{App, Config, IngestReport};
use newsdesk_sources::{DocKind, DocStream};
use newsdesk_store::conformance::batch_one;
use newsdesk_store::{Batch, EmbeddedStore, Id, NewArticle, Store};
use tower::ServiceExt;

/// Article fields full of XSS attempts.
const BAIT: &str = r#"<script>alert('x1')</script><img src=x onerror=alert('x2')><svg onload=alert('x3')><a href="javascript:alert('x4')">x</a><style>body{background:url(javascript:alert('x5'))}</style>"#;

fn hostile() -> NewArticle {
    let id = Id::of(&[b"hostile"]);
    let url = "javascript:alert('url')".to_string();
    let body = format!("Mara Quist said: \"{BAIT}\" in Lindholm.\n\nThe second paragraph {BAIT} mentions Orla.");
    let article = Article {
        url: Some(url.clone()),
        headline: Some(format!("Headline {BAIT}")),
        standfirst: Some(BAIT.to_string()),
        authors: vec![BAIT.to_string()],
        site_name: Some(BAIT.to_string()),
        section: Some(BAIT.to_string()),
        tags: vec![BAIT.to_string()],
        images: vec![newsdesk_model::Image {
            url: Some("javascript:alert('img')".into()),
            caption: Some(BAIT.into()),
            credit: Some(BAIT.into()),
        }],
        language: Some("en".into()),
        body: body.clone(),
        ..Article::default()
    };
    let analysis = newsdesk_analyze::analyze(&body, None);
    NewArticle {
        id,
        site: Some(BAIT.to_string()),
        location: url,
        fetched_unix: None,
        published_unix: None,
        article,
        analysis,
        signature: vec![1, 2, 3],
        group: id,
        story: id,
        story_features: vec![],
    }
}

/// A minimal pipeline for the tests: extract each HTML page, analyze it,
/// file it as its own group and story.
fn test_ingest(store: &mut newsdesk_server::DynStore, docs: DocStream) -> Result<IngestReport, String> {
    let mut batch = Batch::default();
    let mut report = IngestReport::default();
    for d in docs {
        let d = d.map_err(|e| e.to_string())?;
        report.records += 1;
        if d.kind != DocKind::Html {
            continue;
        }
        let article = newsdesk_extract::extract(&d.bytes, &newsdesk_extract::Options { url: d.url.clone(), ..Default::default() });
        let analysis = newsdesk_analyze::analyze(&article.body, None);
        let id = Id::of(&[d.location.as_bytes(), &d.bytes]);
        batch.docs.push(id);
        batch.articles.push(NewArticle {
            id,
            site: Some("test".into()),
            location: d.location.clone(),
            fetched_unix: None,
            published_unix: None,
            article,
            analysis,
            signature: vec![0],
            group: id,
            story: id,
            story_features: vec![],
        });
        report.new_articles += 1;
    }
    store.apply(&batch).map_err(|e| e.to_string())?;
    store.sync_index().map_err(|e| e.to_string())?;
    Ok(report)
}

struct Fixture {
    _dir: tempfile::TempDir,
    router: Router,
}

fn fixture() -> Fixture {
    fixture_with(false)
}

/// The fixture, with private addresses allowed or not (`serve --allow-private`).
fn fixture_with(allow_private: bool) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = EmbeddedStore::open(dir.path()).expect("open store");
    store.apply(&batch_one()).expect("apply");
    store.apply(&Batch { docs: vec![Id(99)], articles: vec![hostile()], ..Batch::default() }).expect("apply hostile");
    store.sync_index().expect("sync");
    let config = Config { data_dir: dir.path().to_path_buf(), allow_fetch: false, allow_private };
    let app = App::new(store, Box::new(test_ingest), config);
    Fixture { router: newsdesk_server::router(app), _dir: dir }
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Res {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// Asserts the error shape and returns the code.
    fn error_code(&self) -> String {
        let v = self.json();
        assert!(v["error"]["message"].is_string(), "error body without message: {}", self.body);
        v["error"]["code"].as_str().unwrap_or_else(|| panic!("error body without code: {}", self.body)).to_string()
    }
}

async fn call(r: &Router, method: Method, uri: &str, body: Option<(&str, String)>) -> Res {
    let mut b = Request::builder().method(method).uri(uri).header(header::HOST, "127.0.0.1:9");
    let body = match body {
        Some((ct, s)) => {
            b = b.header(header::CONTENT_TYPE, ct);
            Body::from(s)
        }
        None => Body::empty(),
    };
    let res = r.clone().oneshot(b.body(body).expect("request")).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024).await.expect("body");
    Res { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(r: &Router, uri: &str) -> Res {
    call(r, Method::GET, uri, None).await
}

fn dam_id() -> String {
    Id::of(&[b"https://orla.example/dam"]).to_string()
}

/// The routes the API documents, with their methods: the test fails when a
/// route is added without updating this list (and the README).
const ROUTES: &[(&str, &[&str])] = &[
    ("/api/articles", &["get"]),
    ("/api/articles/{id}", &["get"]),
    ("/api/search", &["get"]),
    ("/api/quotes", &["get"]),
    ("/api/entities", &["get"]),
    ("/api/stories", &["get"]),
    ("/api/stories/{id}", &["get"]),
    ("/api/follows", &["get", "post"]),
    ("/api/follows/{name}", &["delete", "get"]),
    ("/api/ingest", &["post"]),
    ("/api/stats", &["get"]),
];

#[tokio::test]
async fn openapi_lists_exactly_the_routes() {
    let f = fixture();
    let res = get(&f.router, "/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "not OpenAPI 3: {}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("paths");
    let mut got: Vec<(String, Vec<String>)> = paths
        .iter()
        .map(|(p, ops)| {
            let mut m: Vec<String> = ops.as_object().expect("operations").keys().filter(|k| *k != "parameters").cloned().collect();
            m.sort();
            (p.clone(), m)
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, Vec<String>)> =
        ROUTES.iter().map(|(p, m)| (p.to_string(), m.iter().map(|s| s.to_string()).collect())).collect();
    want.sort();
    assert_eq!(got, want);
    // Every documented operation answers (not 404/405) on the router.
    for (path, methods) in ROUTES {
        let uri = path.replace("{id}", &dam_id()).replace("{name}", "nobody");
        for m in *methods {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).expect("method");
            let body = (method == Method::POST).then(|| ("application/json", "{}".to_string()));
            let res = call(&f.router, method.clone(), &uri, body).await;
            assert_ne!(res.status, StatusCode::METHOD_NOT_ALLOWED, "{m} {uri}");
            if res.status == StatusCode::NOT_FOUND {
                // Only "no such thing" answers, never "no such route".
                assert_eq!(res.error_code(), "not_found", "{m} {uri}");
                assert!(!res.body.contains("no route"), "{m} {uri}: {}", res.body);
            }
        }
    }
}

#[tokio::test]
async fn routes_answer_as_documented() {
    let f = fixture();
    let r = &f.router;
    let v = get(r, "/api/articles?per_page=2").await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    let page = v.json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["has_more"], true, "3 groups, 2 per page");
    let p2 = get(r, "/api/articles?per_page=2&page=2").await.json();
    assert_eq!(p2["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(p2["has_more"], false);

    let s = get(r, "/api/search?q=dam").await.json();
    assert_eq!(s["items"][0]["id"], dam_id());
    assert!(s["items"][0]["snippet"].as_str().is_some_and(|t| t.contains("**dam**")), "{s}");
    let s = get(r, "/api/search?q=dam&site=Verna%20Times").await.json();
    assert_eq!(s["items"].as_array().map(Vec::len), Some(0));
    let s = get(r, "/api/search?q=&since=2026-03-04").await.json();
    assert_eq!(s["items"].as_array().map(Vec::len), Some(1), "{s}");

    let a = get(r, &format!("/api/articles/{}", dam_id())).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = a.json();
    assert_eq!(a["article"]["headline"], "Dam opens on the Orla");
    assert_eq!(a["group"]["copies"].as_array().map(Vec::len), Some(2));
    assert!(a["revisions"].is_array());

    let q = get(r, "/api/quotes?speaker=ruiz").await.json();
    assert_eq!(q["items"][0]["speaker"], "Ana Ruiz");
    let e = get(r, "/api/entities?kind=person").await;
    assert_eq!(e.status, StatusCode::OK);
    assert!(e.json().as_array().is_some_and(|l| l.iter().any(|x| x["name"] == "Tomas Eck")));
    let st = get(r, "/api/stories").await.json();
    let sid = st["items"][0]["id"].as_str().expect("story id").to_string();
    let one = get(r, &format!("/api/stories/{sid}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.json()["articles"].as_array().is_some_and(|a| !a.is_empty()));
    let stats = get(r, "/api/stats").await.json();
    assert_eq!(stats["articles"], 4);
}

#[tokio::test]
async fn bad_input_gets_json_errors() {
    let f = fixture();
    let r = &f.router;
    for (uri, status, code) in [
        ("/api/articles/ffffffffffffffff", StatusCode::NOT_FOUND, "not_found"),
        ("/api/articles/not-hex", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/articles?page=0", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/articles?page=18446744073709551615", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/articles?page=99999999999999999999999", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/search?per_page=abc", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/search?q=dam&per_page=1000", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/search?since=yesterday", StatusCode::BAD_REQUEST, "bad_request"),

        ("/api/entities?kind=robot", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/stories/xyz", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/stories/0000000000000001", StatusCode::NOT_FOUND, "not_found"),
        ("/api/follows/nobody", StatusCode::NOT_FOUND, "not_found"),
        ("/api/no-such-route", StatusCode::NOT_FOUND, "not_found"),
        // What the document's patterns and bounds refuse is refused.
        ("/api/articles?page=1001", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/articles/abc", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/stories/+fffffffffffffff", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/entities?kind=%20person", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/search?since=%202026-03-04", StatusCode::BAD_REQUEST, "bad_request"),
        ("/api/search?until=2023-02-29", StatusCode::BAD_REQUEST, "bad_request"),
    ] {
        let res = get(r, uri).await;
        if code.is_empty() {
            assert!(res.status == StatusCode::OK || res.status == StatusCode::BAD_REQUEST, "{uri}: {}", res.status);
            if res.status == StatusCode::BAD_REQUEST {
                res.error_code();
            }
            continue;
        }
        assert_eq!(res.status, status, "{uri}: {}", res.body);
        assert_eq!(res.error_code(), code, "{uri}");
    }
    let res = call(r, Method::PUT, "/api/search", None).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.error_code(), "method_not_allowed");
    let res = call(r, Method::POST, "/api/ingest", Some(("application/json", "{not json".into()))).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    res.error_code();
    let res = call(r, Method::POST, "/api/ingest", Some(("text/plain", "{}".into()))).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    res.error_code();
    let huge = format!("{{\"html\": \"{}\"}}", "a".repeat(newsdesk_server::MAX_BODY_BYTES + 10));
    let res = call(r, Method::POST, "/api/ingest", Some(("application/json", huge))).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.error_code(), "payload_too_large");
    let res = call(r, Method::POST, "/api/ingest", Some(("application/json", r#"{"url": "javascript:alert(1)"}"#.into()))).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = call(r, Method::POST, "/api/ingest", Some(("application/json", r#"{"url": "https://example.com/"}"#.into()))).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "fetching is off in this fixture");
    let res = call(r, Method::POST, "/api/follows", Some(("application/json", r#"{"name":"x","kind":"robot","value":"y"}"#.into()))).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = call(
        r,
        Method::POST,
        "/api/follows",
        Some(("application/json", r#"{"name":"x","kind":"query","value":"y","webhook":"javascript:x"}"#.into())),
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

/// The document sets a page cap per parameter; a page past the results
/// the server serves (the 1000th) is empty, not an error.
#[tokio::test]
async fn deep_pages_are_empty() {
    let f = fixture();
    let r = &f.router;
    for uri in ["/api/articles?page=1000&per_page=100", "/api/search?q=&page=11&per_page=100", "/api/quotes?page=1000", "/api/stories?page=500&per_page=3"] {
        let res = get(r, uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}: {}", res.body);
        let page = res.json();
        assert_eq!(page["items"].as_array().map(Vec::len), Some(0), "{uri}");
        assert_eq!(page["has_more"], false, "{uri}");
        assert_eq!(page["truncated"], false, "{uri}: the fixture has few results");
    }
    let ok = get(r, "/api/entities?kind=organisation").await;
    assert_eq!(ok.status, StatusCode::OK);
}

/// Any search text is a search: what the grammar cannot read is searched
/// for what it can, never a 400 (the document takes any text).
#[tokio::test]
async fn any_search_text_answers() {
    let f = fixture();
    let r = &f.router;
    let s = get(r, "/api/search?q=%22dam").await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.json()["items"][0]["id"], dam_id(), "an unclosed quote still finds the word");
    for q in ["nosuchfield%3Adam", "%E1%9A%9B%E1%9A%84%E1%9A%80%E1%9A%91%E1%9A%9C", "AND%20OR%20(", "N%C3%94-k%223", "dam%20AND"] {
        let res = get(r, &format!("/api/search?q={q}")).await;
        assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.body);
    }
    let body = r#"{"name": "odd", "kind": "query", "value": "N\u00d4-k\"3"}"#;
    let res = call(r, Method::POST, "/api/follows", Some(("application/json", body.to_string()))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
}

/// Request bodies are taken exactly as the document describes them:
/// one of the ingest forms, follow fields matching their patterns, no
/// `null` where a string is required, no unknown fields.
#[tokio::test]
async fn bodies_must_match_the_document() {
    let f = fixture();
    let r = &f.router;
    for (path, body) in [
        ("/api/ingest", r#"{}"#),
        ("/api/ingest", r#"{"html": "<p>x</p>", "text": "x"}"#),
        ("/api/ingest", r#"{"html": "<p>x</p>", "url": null}"#),
        ("/api/ingest", r#"{"html": "<p>x</p>", "url": ""}"#),
        ("/api/ingest", r#"{"html": "<p>x</p>", "fetched_at": ""}"#),
        ("/api/ingest", r#"{"html": "<p>x</p>", "fetched_at": "2023-02-29T00:00:00Z"}"#),
        ("/api/ingest", r#"{"html": "<p>x</p>", "source": "x"}"#),
        ("/api/ingest", r#"{"text": "x", "url": "http://[::1/"}"#),
        ("/api/follows", r#"{"name": "a", "kind": "query", "value": "b", "webhook": ""}"#),
        ("/api/follows", r#"{"name": "a", "kind": "query", "value": "b", "webhook": "http://:n"}"#),
        ("/api/follows", r#"{"name": "a", "kind": " query", "value": "b"}"#),
        ("/api/follows", r#"{"name": " ", "kind": "query", "value": "b"}"#),
        ("/api/follows", r#"{"name": "a", "kind": "query", "value": ""}"#),
        ("/api/follows", r#"{"name": "a", "kind": "query", "value": "b", "hook": "http://x.example/"}"#),
    ] {
        let res = call(r, Method::POST, path, Some(("application/json", body.to_string()))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{path} {body}: {}", res.body);
        res.error_code();
    }
    let ok = r#"{"html": "<p>x</p>", "url": "https://a.example/x", "fetched_at": "2024-02-29T12:00:00.5+01:00"}"#;
    let res = call(r, Method::POST, "/api/ingest", Some(("application/json", ok.to_string()))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let ok = r#"{"name": " a ", "kind": "query", "value": "b", "webhook": null}"#;
    let res = call(r, Method::POST, "/api/follows", Some(("application/json", ok.to_string()))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["name"], "a");
    // This server does not fetch, so its document offers only two forms.
    let doc = get(r, "/openapi.json").await.json();
    assert_eq!(doc["components"]["schemas"]["IngestRequest"]["oneOf"].as_array().map(Vec::len), Some(2));
    assert!(doc["components"]["schemas"]["FetchUrl"].is_null());
}

const NEW_PAGE: &str = r#"<!doctype html><html lang="en"><head><title>Harbour plan approved</title></head><body><article>
<h1>Harbour plan approved after long debate</h1>
<p>The harbour board in Lindholm approved the expansion plan on Tuesday after a debate that lasted most of the night and drew a large crowd to the town hall.</p>
<p>"This is the right plan for the next thirty years," said Mara Quist, the board's chair, after the vote was counted.</p>
<p>Opponents said the new quay would bring more lorries through the old town and promised to take the matter to the regional court before the summer.</p>
</article></body></html>"#;

#[tokio::test]
async fn follow_ingest_feed() {
    let f = fixture();
    let r = &f.router;
    let body = r#"{"name":"Mara Quist","kind":"entity","value":"Mara Quist"}"#.to_string();
    let res = call(r, Method::POST, "/api/follows", Some(("application/json", body.clone()))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.json()["feed"], "/follows/Mara%20Quist/feed.atom");
    let res = call(r, Method::POST, "/api/follows", Some(("application/json", body))).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.error_code(), "conflict");

    let req = serde_json::json!({"html": NEW_PAGE, "url": "https://lindholm.example/harbour"}).to_string();
    let res = call(r, Method::POST, "/api/ingest", Some(("application/json", req))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["new_articles"], 1);

    let feed = get(r, "/follows/Mara%20Quist/feed.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers[header::CONTENT_TYPE].to_str().is_ok_and(|c| c.starts_with("application/atom+xml")));
    assert!(feed.body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(feed.body.contains("Harbour plan approved"), "{}", feed.body);
    assert!(feed.body.contains("<id>urn:newsdesk:article:"));
    assert!(feed.body.contains("href=\"http://127.0.0.1:9/articles/"));
    let detail = get(r, "/api/follows/Mara%20Quist").await.json();
    assert_eq!(detail["matches"].as_array().map(Vec::len), Some(1));

    let res = call(r, Method::DELETE, "/api/follows/Mara%20Quist", None).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(get(r, "/follows/Mara%20Quist/feed.atom").await.status, StatusCode::NOT_FOUND);
}

/// No markup from the bait survives as markup, and no link is unsafe.
/// Escaped text has no literal `<`, so every `<…>` in the page is a real
/// tag: those are checked for script elements, event handlers and
/// `javascript:` URLs. Likewise escaped text has no literal `"`, so what
/// is outside double quotes in a tag is its attribute names: a handler
/// there would be a real one, while bait inside a quoted value (an
/// echoed search field) is text.
fn assert_inert(page: &str, what: &str) {
    let mut rest = page;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').map_or(rest.len(), |j| i + j + 1);
        let tag = rest[i..end].to_lowercase();
        rest = &rest[end..];
        for bad in ["<script", "<img", "<iframe", "<style", "<object", "<embed"] {
            assert!(!tag.starts_with(bad), "{what}: a {bad}> tag: {tag}");
        }
        assert!(!tag.contains("javascript:"), "{what}: javascript: in a tag: {tag}");
        let names: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        let handler = names.split_whitespace().skip(1).any(|attr| attr.starts_with("on") && attr.contains('='));
        assert!(!handler, "{what}: an event handler attribute: {tag}");
    }
}

#[tokio::test]
async fn hostile_corpus_renders_inert() {
    let f = fixture();
    let r = &f.router;
    let hid = Id::of(&[b"hostile"]).to_string();
    let pages = [
        format!("/articles/{hid}"),
        "/?q=alert".to_string(),
        "/?q=".to_string(),
        format!("/stories/{hid}"),
        "/entities".to_string(),
        "/entities/Mara%20Quist".to_string(),
        "/entities/%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "/stories".to_string(),
        "/follows".to_string(),
        "/?q=%3Cscript%3Ealert(1)%3C/script%3E&site=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E".to_string(),
    ];
    for p in &pages {
        let res = get(r, p).await;
        // A query that does not parse is a 400 page, escaped like any other.
        assert!(res.status == StatusCode::OK || res.status == StatusCode::BAD_REQUEST, "{p}: {}", res.body);
        assert_eq!(res.headers[header::CONTENT_SECURITY_POLICY], newsdesk_server::CSP, "{p}");
        assert!(!newsdesk_server::CSP.contains("script-src"), "no script source is allowed at all");
        assert_inert(&res.body, p);
    }
    let art = get(r, &format!("/articles/{hid}")).await.body;
    assert!(art.contains("&lt;script&gt;alert("), "the bait is shown as text");
    assert!(!art.contains("javascript:alert('url')\""), "no javascript: link");
    // Quotes are highlighted with their speaker.
    assert!(art.contains("<mark class=\"quote\""), "quote highlighted");
    // A form posted from another site is refused.
    let res = r
        .clone()
        .oneshot(
            Request::builder()
                .method(Method::POST)
                .uri("/follows")
                .header(header::HOST, "127.0.0.1:9")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("kind=query&value=x"))
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The feed escapes too.
    let res = call(r, Method::POST, "/api/follows", Some(("application/json", r#"{"name":"<b>","kind":"query","value":"alert"}"#.into()))).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let feed = get(r, "/follows/%3Cb%3E/feed.atom").await;
    assert!(feed.body.contains("newsdesk follow: &lt;b&gt;"));
}

#[tokio::test]
async fn ui_pages_render() {
    let f = fixture();
    let r = &f.router;
    // Facets count the results by site, language and month, each a link
    // that narrows the search.
    let res = get(r, "/?q=").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Languages") && res.body.contains("lang=en"), "language facet");
    assert!(res.body.contains("2026-03") && res.body.contains("since=2026-03-01") && res.body.contains("until=2026-04-01"), "month facet");
    let res = get(r, &format!("/articles/{}", dam_id())).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Syndicated copies") && res.body.contains("Wire Daily"));
    let res = get(r, "/entities/Tomas%20Eck").await;
    assert!(res.body.contains("<svg"), "timeline chart");
    assert!(res.body.contains("Safety comes first"));
    let res = get(r, "/static/style.css").await;
    assert_eq!(res.status, StatusCode::OK);
    let res = get(r, "/nope").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.body.contains("<!DOCTYPE html>"));
    let res = call(r, Method::POST, "/follows", Some(("application/x-www-form-urlencoded", "kind=speaker&value=Tomas+Eck".into()))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = get(r, "/follows").await;
    assert!(res.body.contains("Tomas Eck") && res.body.contains("feed.atom"));
}

/// What the test's webhook receiver saw: each request's body, in order.
#[derive(Default)]
struct Receiver {
    bodies: std::sync::Mutex<Vec<String>>,
}

/// A follow's webhook against a real HTTP receiver on loopback: the ingest
/// answers while the receiver is still holding the first delivery (ingest
/// never waits on a webhook), the receiver then fails it with a 500, and
/// the delivery task tries again after its backoff and gets the match
/// through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_retries_without_blocking_ingest() {
    use axum::extract::State;
    use std::sync::Arc;
    use tokio::sync::{mpsc, Semaphore};

    let seen = Arc::new(Receiver::default());
    // The first request waits for a permit the test adds after the ingest
    // has answered.
    let gate = Arc::new(Semaphore::new(0));
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel::<usize>();
    let hook = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |State((seen, gate, arrived)): State<(Arc<Receiver>, Arc<Semaphore>, mpsc::UnboundedSender<usize>)>, body: String| async move {
                    let n = {
                        let mut b = seen.bodies.lock().unwrap_or_else(|e| e.into_inner());
                        b.push(body);
                        b.len()
                    };
                    let _ = arrived.send(n);
                    if n == 1 {
                        let _permit = gate.acquire().await;
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state((Arc::clone(&seen), Arc::clone(&gate), arrived_tx));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a receiver");
    let addr = listener.local_addr().expect("receiver address");
    tokio::spawn(async move { axum::serve(listener, hook).await });

    // The receiver is on loopback, which only a server started with --allow-private may reach.
    let f = fixture_with(true);
    let r = &f.router;
    let body = serde_json::json!({"name": "Quist", "kind": "entity", "value": "Mara Quist", "webhook": format!("http://{addr}/hook")});
    let res = call(r, Method::POST, "/api/follows", Some(("application/json", body.to_string()))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);

    let req = serde_json::json!({"html": NEW_PAGE, "url": "https://lindholm.example/harbour"}).to_string();
    let res = call(r, Method::POST, "/api/ingest", Some(("application/json", req))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // The ingest has answered; the receiver has not answered anything yet
    // (its first request, if it came, is held at the gate).
    let wait = std::time::Duration::from_secs(20);
    let first = tokio::time::timeout(wait, arrived.recv()).await.expect("a first delivery");
    assert_eq!(first, Some(1));
    gate.add_permits(1);
    let second = tokio::time::timeout(wait, arrived.recv()).await.expect("a retry after the 500");
    assert_eq!(second, Some(2));

    let bodies = seen.bodies.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(bodies[0], bodies[1], "the retry sends the same payload");
    let payload: serde_json::Value = serde_json::from_str(&bodies[1]).expect("JSON payload");
    assert_eq!(payload["follow"], "Quist");
    let matches = payload["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), 1, "{payload}");
    assert_eq!(matches[0]["headline"], "Harbour plan approved after long debate");
    // Delivered by webhook means taken: nothing is left pending.
    let detail = get(r, "/api/follows/Quist").await.json();
    assert_eq!(detail["follow"]["pending"], 0, "{detail}");
}

/// A webhook is held to the address policy of page fetches when the follow is made: loopback, private and
/// link-local targets (by literal or by a name that resolves there) are a 400 naming the reason, through the API
/// and the UI's form, unless the server allows private addresses.
#[tokio::test]
async fn webhooks_to_private_addresses_are_refused() {
    let f = fixture();
    let r = &f.router;
    for hook in ["http://127.0.0.1:9/hook", "http://169.254.169.254/latest", "http://10.1.2.3/x", "http://localhost:9/"]
    {
        let body = serde_json::json!({"name": "n", "kind": "query", "value": "harbour", "webhook": hook}).to_string();
        let res = call(r, Method::POST, "/api/follows", Some(("application/json", body))).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{hook}: {}", res.body);
        assert!(res.body.contains("non-public"), "{hook}: {}", res.body);
    }
    let list = get(r, "/api/follows").await.json();
    assert!(!list.to_string().contains("harbour"), "no follow was made: {list}");
    let allowed = fixture_with(true);
    let body =
        serde_json::json!({"name": "n", "kind": "query", "value": "harbour", "webhook": "http://127.0.0.1:9/hook"});
    let res = call(&allowed.router, Method::POST, "/api/follows", Some(("application/json", body.to_string()))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
}

/// Slowloris: connections that send half a request line, or nothing, are cut after the header timeout, and no
/// more connections than the limit are open at once, so a flood of them cannot use up the descriptors; a
/// client waiting behind them is served once they are cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_cut_and_their_number_is_bounded() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open(dir.path()).expect("open store");
    let config = Config { data_dir: dir.path().to_path_buf(), allow_fetch: false, allow_private: false };
    let app = App::new(store, Box::new(test_ingest), config);
    let limits = newsdesk_server::Limits { header_timeout: std::time::Duration::from_millis(300), max_connections: 2 };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(newsdesk_server::serve_with(listener, app, limits, std::future::pending()));

    // Both slots taken: one client stops in the middle of its request line, one sends nothing.
    let mut half = TcpStream::connect(addr).await.expect("connect");
    half.write_all(b"GET /api/sta").await.expect("write");
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    let mut third = TcpStream::connect(addr).await.expect("connect");
    third.write_all(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    let wait = std::time::Duration::from_secs(20);
    let mut answer = Vec::new();
    tokio::time::timeout(wait, third.read_to_end(&mut answer))
        .await
        .expect("the third client is served")
        .expect("read");
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    for (what, conn) in [("half request", &mut half), ("idle", &mut idle)] {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(wait, conn.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "the {what} connection is still open");
    }
}
