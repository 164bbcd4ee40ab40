//! Files, folders, feeds and robots.txt (fixtures written by the test).

use std::io::Write;
use std::path::PathBuf;

use newsdesk_sources::robots::Robots;
use newsdesk_sources::{open, DocKind, SourceOptions};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("newsdesk-sources-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Desk</title><link>https://news.example/</link><description>d</description>
<item><title>First story</title><link>https://news.example/1</link><pubDate>Tue, 05 Mar 2024 10:00:00 +0100</pubDate>
<description>&lt;p&gt;Summary one&lt;/p&gt;</description></item>
<item><title>No content</title><link>https://news.example/2</link></item>
<item><title>Third</title><link>https://news.example/3</link><description>Plain summary three</description></item>
</channel></rss>"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:x</id><updated>2024-03-05T10:00:00Z</updated>
<entry><title>Atom entry</title><id>urn:1</id><link href="https://news.example/a1"/><updated>2024-03-06T08:00:00Z</updated>
<content type="html">&lt;p&gt;Atom body&lt;/p&gt;</content></entry></feed>"#;

#[test]
fn folders_files_and_sniffing() {
    let d = tmp("walk");
    std::fs::create_dir_all(d.join("sub/deeper")).unwrap();
    std::fs::create_dir_all(d.join(".hidden")).unwrap();
    std::fs::write(d.join("a.html"), "<html><p>a</p></html>").unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b"<html><p>b</p></html>").unwrap();
    std::fs::write(d.join("sub/b.html.gz"), e.finish().unwrap()).unwrap();
    std::fs::write(d.join("sub/deeper/c.txt"), "Headline\n\nSome dumped text.").unwrap();
    std::fs::write(d.join("sub/image.png"), b"\x89PNG").unwrap();
    std::fs::write(d.join(".hidden/x.html"), "<p>no</p>").unwrap();
    std::fs::write(d.join("feed.rss"), RSS).unwrap();
    let docs: Vec<_> = open(&[d.display().to_string()], &SourceOptions::default()).collect();
    let locs: Vec<String> = docs.iter().map(|r| match r {
        Ok(d) => d.location.clone(),
        Err(e) => e.location.clone(),
    }).collect();
    let names: Vec<String> = locs.iter().map(|l| l.rsplit('/').next().unwrap().to_string()).collect();
    assert_eq!(names, vec!["a.html", "feed.rss#item=0", "feed.rss#item=1", "feed.rss#item=2", "b.html.gz", "c.txt"], "{docs:?}");
    let ok: Vec<_> = docs.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok[0].kind, DocKind::Html);
    assert_eq!(ok.last().unwrap().kind, DocKind::Text);
    assert_eq!(ok[3].bytes, b"<html><p>b</p></html>");

    // Explicit files of unknown type are sniffed; a missing path is an error item.
    std::fs::write(d.join("page"), "  <!doctype html><p>x</p>").unwrap();
    std::fs::write(d.join("dump"), "Title line\nbody").unwrap();
    let inputs = vec![d.join("page").display().to_string(), d.join("dump").display().to_string(), d.join("missing.html").display().to_string()];
    let items: Vec<_> = open(&inputs, &SourceOptions::default()).collect();
    assert_eq!(items[0].as_ref().unwrap().kind, DocKind::Html);
    assert_eq!(items[1].as_ref().unwrap().kind, DocKind::Text);
    let err = items[2].as_ref().unwrap_err();
    assert!(err.location.ends_with("missing.html") && err.message.contains("cannot open"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn size_limits_and_bad_gzip() {
    let d = tmp("limits");
    std::fs::write(d.join("big.html"), vec![b'<'; 2000]).unwrap();
    std::fs::write(d.join("bad.html.gz"), b"\x1f\x8b\x08\x00garbage").unwrap();
    std::fs::write(d.join("ok.html"), "<p>ok</p>").unwrap();
    let opts = SourceOptions { max_doc_bytes: 1000, ..Default::default() };
    let items: Vec<_> = open(&[d.display().to_string()], &opts).collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].as_ref().unwrap_err().message.contains("gzip"));
    assert!(items[1].as_ref().unwrap_err().message.contains("max_doc_bytes"));
    assert!(items[2].is_ok());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn feeds_items_and_invalid_xml() {
    let d = tmp("feeds");
    std::fs::write(d.join("a.xml"), RSS).unwrap();
    std::fs::write(d.join("b.atom"), ATOM).unwrap();
    std::fs::write(d.join("c.xml"), "<rss version=\"2.0\"><channel><item><title>x</ti").unwrap();
    std::fs::write(d.join("d.xml"), "{ not xml at all").unwrap();
    let items: Vec<_> = open(&[d.display().to_string()], &SourceOptions::default()).collect();
    let first = items[0].as_ref().unwrap();
    assert!(first.location.ends_with("a.xml#item=0"));
    assert_eq!(first.url.as_deref(), Some("https://news.example/1"));
    assert_eq!(first.bytes, b"<p>Summary one</p>");
    match &first.kind {
        DocKind::FeedItem { title, published } => {
            assert_eq!(title.as_deref(), Some("First story"));
            assert_eq!(published.map(|p| p.timestamp()), Some(1_709_629_200));
        }
        k => panic!("{k:?}"),
    }
    assert!(items[1].as_ref().unwrap_err().is_skip());
    assert_eq!(items[2].as_ref().unwrap().bytes, b"Plain summary three");
    let atom = items[3].as_ref().unwrap();
    assert_eq!(atom.url.as_deref(), Some("https://news.example/a1"));
    assert_eq!(atom.bytes, b"<p>Atom body</p>");
    let errs: Vec<_> = items[4..].iter().map(|r| r.as_ref().unwrap_err()).collect();
    assert_eq!(errs.len(), 2, "{items:?}");
    assert!(errs.iter().all(|e| e.message.starts_with("invalid feed")), "{errs:?}");
    assert!(errs[0].location.ends_with("c.xml"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn urls_need_fetch() {
    let items: Vec<_> = open(&["https://news.example/a".to_string()], &SourceOptions::default()).collect();
    let e = items[0].as_ref().unwrap_err();
    assert_eq!(e.to_string(), "https://news.example/a: fetching is off; pass --fetch");
}

#[test]
fn robots_rules() {
    let r = Robots::parse(
        "# comment\nUser-agent: *\nDisallow: /private\nAllow: /private/open\nDisallow: /*.pdf$\n\nUser-agent: BadBot\nUser-agent: newsdesk\nDisallow: /news/\nAllow: /news/public\nDisallow:\n\nUser-agent: other\nDisallow: /\n",
    );
    // Our own group applies, not '*'.
    assert!(!r.allows("newsdesk", "/news/story"));
    assert!(r.allows("newsdesk", "/news/public/story"));
    assert!(r.allows("newsdesk", "/private/x"));
    // Others fall back to '*': longest match wins, Allow wins ties.
    assert!(!r.allows("someone", "/private/x"));
    assert!(r.allows("someone", "/private/open/x"));
    assert!(!r.allows("someone", "/doc/a.pdf"));
    assert!(r.allows("someone", "/doc/a.pdf?x"));
    assert!(!r.allows("other", "/anything"));
    assert!(r.allows("other", "/robots.txt"));
    // Equal-length Allow and Disallow: Allow wins.
    let tie = Robots::parse("User-agent: *\nDisallow: /a\nAllow: /a\n");
    assert!(tie.allows("x", "/a/b"));
    // Empty, garbage, and rules before any group allow everything.
    assert!(Robots::parse("").allows("x", "/"));
    assert!(Robots::parse("Disallow: /\n\u{0}\u{ffff} garbage").allows("x", "/a"));
    assert!(!Robots::disallow_all().allows("x", "/a"));
}

/// A FIFO with a page's name in a folder is reported and passed over; the
/// files after it are still read. Opening it would block until a writer
/// came, so the walk runs on its own thread and the test fails (instead of
/// hanging) if it does not finish.
#[cfg(unix)]
#[test]
fn a_fifo_in_a_folder_is_skipped_not_opened() {
    let d = tmp("fifo");
    let made = std::process::Command::new("mkfifo").arg(d.join("a.html")).status().expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    std::fs::write(d.join("b.html"), "<html><p>after the fifo</p></html>").unwrap();
    std::os::unix::fs::symlink(d.join("a.html"), d.join("c.html")).unwrap();
    std::fs::write(d.join("d.html"), "<html><p>after the link</p></html>").unwrap();
    let input = d.display().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let items: Vec<_> = open(&[input], &SourceOptions::default()).collect();
        let _ = tx.send(items);
    });
    let items = rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the walk must not block on a FIFO");
    let fifo = items[0].as_ref().expect_err("the FIFO is a diagnostic");
    assert!(fifo.location.ends_with("a.html") && fifo.is_skip() && fifo.message.contains("not a regular file"), "{fifo:?}");
    assert_eq!(items[1].as_ref().expect("b.html is read").bytes, b"<html><p>after the fifo</p></html>");
    assert!(items[2].as_ref().is_err_and(|e| e.location.ends_with("c.html")), "a link to a FIFO is skipped too: {:?}", items[2]);
    assert!(items[3].as_ref().is_ok_and(|doc| doc.location.ends_with("d.html")));
    assert_eq!(items.len(), 4);
}
