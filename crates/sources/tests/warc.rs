//! WARC reading: well-formed archives, and every kind of damage the reader
//! must survive (fixtures are built in the test).

use std::io::Write;

use newsdesk_sources::{open, DocKind, SourceOptions, WarcRecords};

fn record(warc_type: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Date: 2024-03-05T10:20:30Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\nWARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype={warc_type}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn http(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!("HTTP/1.1 200 OK\r\n{headers}\r\n").into_bytes();
    v.extend_from_slice(body);
    v
}

fn page(n: usize) -> Vec<u8> {
    record("response", &format!("https://news.example/{n}.html"), &http("Content-Type: text/html; charset=utf-8\r\n", format!("<html><body><h1>Story {n}</h1></body></html>").as_bytes()))
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn read_all(bytes: Vec<u8>, gz: bool, opts: &SourceOptions) -> Vec<Result<newsdesk_sources::RawDoc, newsdesk_sources::SourceError>> {
    WarcRecords::new(std::io::Cursor::new(bytes), gz, "t.warc.gz".into(), opts).collect()
}

fn ok_urls(items: &[Result<newsdesk_sources::RawDoc, newsdesk_sources::SourceError>]) -> Vec<String> {
    items.iter().filter_map(|r| r.as_ref().ok()).map(|d| d.url.clone().unwrap_or_default()).collect()
}

#[test]
fn multi_member_archive_with_http_features() {
    let mut chunked = http("Content-Type: text/html; charset=ISO-8859-1\r\nTransfer-Encoding: chunked\r\n", b"");
    chunked.extend_from_slice(b"6\r\n<html>\r\n7\r\n</html>\r\n0\r\n\r\n");
    let gz_body = gz(b"<html><p>compressed</p></html>");
    let members = [
        record("warcinfo", "", b"software: test\r\n"),
        record("request", "https://news.example/a", b"GET /a HTTP/1.1\r\n\r\n"),
        record("response", "https://news.example/a", &chunked),
        record("response", "https://news.example/b", &http("Content-Type: text/html\r\nContent-Encoding: gzip\r\n", &gz_body)),
        record("response", "https://news.example/logo.png", &http("Content-Type: image/png\r\n", b"\x89PNG....")),
        record("response", "https://news.example/moved", b"HTTP/1.1 301 Moved Permanently\r\nLocation: /a\r\n\r\n"),
        page(3),
    ];
    let mut file = Vec::new();
    let mut offsets = Vec::new();
    for m in &members {
        offsets.push(file.len());
        file.extend_from_slice(&gz(m));
    }
    let items = read_all(file, true, &SourceOptions::default());
    let docs: Vec<_> = items.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(docs.len(), 3, "{items:?}");
    assert_eq!(docs[0].bytes, b"<html></html>");
    assert_eq!(docs[0].charset.as_deref(), Some("ISO-8859-1"));
    assert_eq!(docs[0].url.as_deref(), Some("https://news.example/a"));
    assert_eq!(docs[0].kind, DocKind::Html);
    assert_eq!(docs[0].fetched_at.map(|d| d.to_rfc3339()), Some("2024-03-05T10:20:30+00:00".into()));
    assert_eq!(docs[0].location, format!("t.warc.gz#record=2@offset={}", offsets[2]));
    assert_eq!(docs[1].bytes, b"<html><p>compressed</p></html>");
    assert_eq!(docs[2].location, format!("t.warc.gz#record=6@offset={}", offsets[6]));
    let skips: Vec<_> = items.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(skips.len(), 2);
    assert!(skips.iter().all(|e| e.is_skip()));
    assert!(skips[0].message.contains("image/png"), "{}", skips[0]);
    assert!(skips[1].message.contains("301"), "{}", skips[1]);
}

#[test]
fn plain_warc_and_single_gzip_stream() {
    let mut plain = Vec::new();
    for i in 0..5 {
        plain.extend_from_slice(&page(i));
    }
    let items = read_all(plain.clone(), false, &SourceOptions::default());
    assert_eq!(ok_urls(&items).len(), 5);
    assert!(items[1].as_ref().unwrap().location.ends_with(&format!("@offset={}", page(0).len())));
    // The whole archive as one gzip member also reads.
    let items = read_all(gz(&plain), true, &SourceOptions::default());
    assert_eq!(ok_urls(&items).len(), 5);
}

#[test]
fn corrupt_member_is_reported_and_skipped() {
    let mut file = Vec::new();
    let mut bad_at = 0;
    for i in 0..5 {
        let mut m = gz(&page(i));
        if i == 2 {
            bad_at = file.len();
            let mid = m.len() / 2;
            for b in &mut m[mid - 4..mid + 4] {
                *b ^= 0x5a;
            }
        }
        file.extend_from_slice(&m);
    }
    let items = read_all(file, true, &SourceOptions::default());
    let urls = ok_urls(&items);
    assert!(urls.contains(&"https://news.example/0.html".to_string()));
    assert!(urls.contains(&"https://news.example/1.html".to_string()));
    assert!(urls.contains(&"https://news.example/3.html".to_string()), "{items:?}");
    assert!(urls.contains(&"https://news.example/4.html".to_string()));
    let errs: Vec<_> = items.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(!errs.is_empty());
    assert!(errs.iter().any(|e| e.message.contains(&format!("offset {bad_at}"))), "{errs:?}");
}

#[test]
fn truncated_archive_keeps_what_came_before() {
    let mut file = Vec::new();
    for i in 0..4 {
        file.extend_from_slice(&gz(&page(i)));
    }
    let last = gz(&page(4));
    file.extend_from_slice(&last[..last.len() / 2]);
    let items = read_all(file, true, &SourceOptions::default());
    assert_eq!(ok_urls(&items).len(), 4);
    let err = items.last().unwrap().as_ref().unwrap_err();
    assert!(err.message.contains("truncated") || err.message.contains("cut short"), "{err}");
    assert!(err.location.contains("#record=4@offset="), "{err}");

    // Uncompressed, cut inside a record body.
    let mut plain = Vec::new();
    for i in 0..3 {
        plain.extend_from_slice(&page(i));
    }
    plain.truncate(plain.len() - 20);
    let items = read_all(plain, false, &SourceOptions::default());
    assert_eq!(ok_urls(&items).len(), 2);
    assert!(items[2].as_ref().unwrap_err().message.contains("truncated record"));
}

#[test]
fn bad_content_lengths() {
    // Too long: the block swallows the next record's start, which is handed back.
    let mut long = page(0);
    let s = String::from_utf8(long.clone()).unwrap();
    let cl = s.split("Content-Length: ").nth(1).unwrap().split("\r\n").next().unwrap().to_string();
    let fixed = s.replacen(&format!("Content-Length: {cl}"), &format!("Content-Length: {}", cl.parse::<usize>().unwrap() + 40), 1);
    long = fixed.into_bytes();
    let mut file = long;
    file.extend_from_slice(&page(1));
    file.extend_from_slice(&page(2));
    let items = read_all(file, false, &SourceOptions::default());
    assert_eq!(ok_urls(&items), vec!["https://news.example/1.html", "https://news.example/2.html"], "{items:?}");
    assert!(items[0].as_ref().unwrap_err().message.contains("runs into the next record"));

    // Too short: the reader finds the next record.
    let s = String::from_utf8(page(0)).unwrap();
    let short = s.replacen(&format!("Content-Length: {cl}"), "Content-Length: 30", 1);
    let mut file = short.into_bytes();
    file.extend_from_slice(&page(1));
    let items = read_all(file, false, &SourceOptions::default());
    assert_eq!(ok_urls(&items), vec!["https://news.example/1.html"]);

    // Not a number, and missing.
    let s = String::from_utf8(page(0)).unwrap();
    let mut file = s.replacen(&format!("Content-Length: {cl}"), "Content-Length: lots", 1).into_bytes();
    file.extend_from_slice(&s.replacen(&format!("Content-Length: {cl}\r\n"), "", 1).into_bytes());
    file.extend_from_slice(&page(7));
    let items = read_all(file, false, &SourceOptions::default());
    assert_eq!(ok_urls(&items), vec!["https://news.example/7.html"]);
    assert!(items.iter().any(|r| r.as_ref().is_err_and(|e| e.message.contains("invalid Content-Length"))));
}

#[test]
fn oversized_record_skipped_next_read() {
    let big = record("response", "https://news.example/big", &http("Content-Type: text/html\r\n", &vec![b'x'; 600_000]));
    let mut file = gz(&big);
    file.extend_from_slice(&gz(&page(1)));
    let opts = SourceOptions { max_doc_bytes: 100_000, ..Default::default() };
    let items = read_all(file, true, &opts);
    assert!(items[0].as_ref().unwrap_err().message.contains("larger than max_doc_bytes"));
    assert_eq!(ok_urls(&items), vec!["https://news.example/1.html"]);
}

#[test]
fn decompression_bomb_stops_at_limit() {
    // 64 MiB of zeros compresses to about 64 KiB.
    let mut file = gz(&page(0));
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        e.write_all(&zeros).unwrap();
    }
    file.extend_from_slice(&e.finish().unwrap());
    assert!(file.len() < 200_000);
    let opts = SourceOptions { max_decompressed: 8 << 20, ..Default::default() };
    let items = read_all(file, true, &opts);
    assert_eq!(ok_urls(&items).len(), 1);
    assert!(items.iter().any(|r| r.as_ref().is_err_and(|e| e.message.contains("max_decompressed"))), "{items:?}");
}

#[test]
fn hostile_bytes_never_panic() {
    let mut file = Vec::new();
    for i in 0..6 {
        file.extend_from_slice(&gz(&page(i)));
    }
    let mut plain = Vec::new();
    for i in 0..6 {
        plain.extend_from_slice(&page(i));
    }
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut rnd = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..300 {
        let (src, is_gz) = if round % 2 == 0 { (&file, true) } else { (&plain, false) };
        let mut bytes = src.clone();
        for _ in 0..(1 + rnd() % 6) {
            let i = (rnd() as usize) % bytes.len();
            bytes[i] = rnd() as u8;
        }
        if round % 5 == 0 {
            let cut = (rnd() as usize) % bytes.len();
            bytes.truncate(cut);
        }
        let n = read_all(bytes, is_gz, &SourceOptions::default()).len();
        assert!(n <= 200);
    }
    assert!(read_all(b"not a warc at all\n\n\n".to_vec(), false, &SourceOptions::default()).iter().all(|r| r.is_err()));
    assert!(read_all(vec![0x1f, 0x8b, 0x08, 0, 0], true, &SourceOptions::default()).iter().all(|r| r.is_err()));
    assert!(read_all(Vec::new(), true, &SourceOptions::default()).is_empty());
}

#[test]
fn open_reads_warc_files_and_synthetic_corpus() {
    let dir = std::env::temp_dir().join(format!("newsdesk-sources-warc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let truth = newsdesk_sources::synth::write_corpus(&dir, 400, 11).unwrap();
    assert_eq!(truth.records, 400);
    let inputs = vec![dir.display().to_string()];
    let items: Vec<_> = open(&inputs, &SourceOptions::default()).collect();
    assert_eq!(items.len(), 400, "{:?}", items.iter().filter(|r| r.is_err()).take(3).collect::<Vec<_>>());
    assert!(items.iter().all(|r| r.as_ref().is_ok_and(|d| d.kind == DocKind::Html && d.url.is_some() && d.fetched_at.is_some())));
    let truth_file: newsdesk_sources::synth::SynthTruth = serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    assert_eq!(truth_file, truth);
    let _ = std::fs::remove_dir_all(&dir);
}

