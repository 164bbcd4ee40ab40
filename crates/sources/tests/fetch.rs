//! Fetching against a server this test starts on 127.0.0.1 (nothing
//! external): pages, feeds, robots.txt, size and time limits, and refusal
//! of loopback addresses when private addresses are not allowed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use newsdesk_sources::{open, DocKind, SourceOptions};

/// Serves canned responses by path until the test process ends; counts
/// requests so tests can check that refused fetches never connect.
fn serve() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let b = base.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(200) {
            let Ok(conn) = conn else { continue };
            h.fetch_add(1, Ordering::SeqCst);
            let b = b.clone();
            std::thread::spawn(move || handle(conn, &b));
        }
    });
    (base, hits)
}

fn handle(mut conn: TcpStream, base: &str) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let req = String::from_utf8_lossy(&req);
    let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
    let ua_ok = req.to_ascii_lowercase().contains("user-agent: newsdesk/");
    let (status, ctype, body): (&str, &str, Vec<u8>) = match path.as_str() {
        "/robots.txt" => ("200 OK", "text/plain", b"User-agent: *\nDisallow: /private\n".to_vec()),
        "/page.html" if ua_ok => ("200 OK", "text/html; charset=windows-1252", b"<html><h1>Local page</h1></html>".to_vec()),
        "/page.html" => ("403 Forbidden", "text/plain", b"no agent".to_vec()),
        "/private/x.html" => ("200 OK", "text/html", b"<html>secret</html>".to_vec()),
        "/image.png" => ("200 OK", "image/png", b"\x89PNG".to_vec()),
        "/big.html" => ("200 OK", "text/html", vec![b'a'; 300_000]),
        "/gone.html" => ("404 Not Found", "text/html", b"<html>404</html>".to_vec()),
        "/slow.html" => {
            std::thread::sleep(Duration::from_secs(3));
            ("200 OK", "text/html", b"<html>late</html>".to_vec())
        }
        "/feed.xml" => (
            "200 OK",
            "application/rss+xml",
            format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>One</title><link>{base}/page.html</link><description>s</description></item><item><title>Two</title><link>{base}/private/x.html</link></item></channel></rss>").into_bytes(),
        ),
        _ => ("404 Not Found", "text/plain", b"nope".to_vec()),
    };
    let head = format!("HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&body);
}

fn opts() -> SourceOptions {
    SourceOptions { fetch: true, allow_private: true, max_doc_bytes: 100_000, timeout: Duration::from_secs(1), ..Default::default() }
}

#[test]
fn fetches_pages_and_feeds_with_limits() {
    let (base, _) = serve();
    let inputs: Vec<String> = ["page.html", "private/x.html", "image.png", "big.html", "gone.html", "slow.html", "feed.xml"]
        .iter()
        .map(|p| format!("{base}/{p}"))
        .collect();
    let items: Vec<_> = open(&inputs, &opts()).collect();
    let page = items[0].as_ref().unwrap();
    assert_eq!(page.kind, DocKind::Html);
    assert_eq!(page.charset.as_deref(), Some("windows-1252"));
    assert_eq!(page.url.as_deref(), Some(format!("{base}/page.html").as_str()));
    assert!(page.fetched_at.is_some());
    assert!(items[1].as_ref().unwrap_err().message.contains("robots.txt"));
    assert!(items[2].as_ref().unwrap_err().is_skip());
    assert!(items[3].as_ref().unwrap_err().message.contains("max_doc_bytes"));
    assert!(items[4].as_ref().unwrap_err().message.contains("404"));
    let slow = items[5].as_ref().unwrap_err();
    assert!(slow.message.contains("timed out") || slow.message.contains("timeout"), "{slow}");
    // The feed's items are fetched: one page, one refused by robots.txt.
    assert_eq!(items.len(), 8, "{items:?}");
    assert_eq!(items[6].as_ref().unwrap().bytes, b"<html><h1>Local page</h1></html>");
    assert!(items[7].as_ref().unwrap_err().message.contains("robots.txt"));
}

#[test]
fn loopback_refused_without_allow_private() {
    let (base, hits) = serve();
    let port = base.rsplit(':').next().unwrap();
    let o = SourceOptions { allow_private: false, ..opts() };
    let inputs = vec![format!("{base}/page.html"), format!("http://localhost:{port}/page.html"), format!("http://[::1]:{port}/page.html")];
    let items: Vec<_> = open(&inputs, &o).collect();
    assert_eq!(items.len(), 3);
    for it in &items {
        let e = it.as_ref().unwrap_err();
        assert!(e.message.contains("non-public address"), "{e}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a refused fetch connected");
}
