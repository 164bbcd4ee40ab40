//! The HTTP response inside a WARC record (or a fetched body): status,
//! headers, chunked transfer coding, gzip/deflate content coding, and the
//! decision whether it is a page.


use crate::files::{looks_like_markup, read_bounded};
use crate::DocKind;

pub(crate) struct Response {
    pub(crate) charset: Option<String>,
    pub(crate) kind: DocKind,
    pub(crate) body: Vec<u8>,
}

pub(crate) enum HttpError {
    /// Well-formed but not a page (status, content type).
    Skip(String),
    /// Damaged.
    Bad(String),
}

/// The charset parameter of a `Content-Type` value.
pub(crate) fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!v.is_empty()).then(|| v.to_string())
        } else {
            None
        }
    })
}

/// Whether a body with this `Content-Type` is a page: HTML and XHTML are;
/// a missing or generic type is sniffed; anything else is skipped with the
/// type as the reason.
pub(crate) fn classify(content_type: Option<&str>, body: &[u8]) -> Result<DocKind, String> {
    let mime = content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase()).unwrap_or_default();
    match mime.as_str() {
        "text/html" | "application/xhtml+xml" | "text/xhtml" => Ok(DocKind::Html),
        "" | "application/octet-stream" | "unknown/unknown" | "text/plain" if looks_like_markup(body) => Ok(DocKind::Html),
        "" => Err("non-HTML response (no Content-Type and the body is not markup)".into()),
        other => Err(format!("non-HTML response (Content-Type {other})")),
    }
}

fn find_header_end(block: &[u8]) -> Option<(usize, usize)> {
    let crlf = memchr::memmem::find(block, b"\r\n\r\n").map(|i| (i, i + 4));
    let lf = memchr::memmem::find(block, b"\n\n").map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Parses an HTTP/1.x response block (status line, headers, body).
pub(crate) fn parse_response(block: &[u8], max_doc: usize) -> Result<Response, HttpError> {
    let (head_end, body_start) = find_header_end(&block[..block.len().min(256 * 1024)])
        .ok_or_else(|| HttpError::Bad("HTTP response without end of headers".into()))?;
    let head = String::from_utf8_lossy(&block[..head_end]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    if !status_line.starts_with("HTTP/") {
        return Err(HttpError::Bad(format!("not an HTTP response (status line {:?})", truncate(status_line, 60))));
    }
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpError::Bad(format!("bad HTTP status line {:?}", truncate(status_line, 60))))?;
    let mut content_type = None;
    let mut chunked = false;
    let mut encoding = String::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value.to_string()),
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "content-encoding" => encoding = value.to_ascii_lowercase(),
            _ => {}
        }
    }
    if !(200..300).contains(&status) {
        return Err(HttpError::Skip(format!("HTTP status {status}")));
    }
    let mut body = block[body_start..].to_vec();
    if chunked {
        // Crawlers often store the decoded body but keep the header; only
        // use the dechunked form when the chunk framing is valid.
        if let Some(b) = dechunk(&body, max_doc) {
            body = b;
        }
    }
    body = decode_content(body, &encoding, max_doc)?;
    let kind = classify(content_type.as_deref(), &body).map_err(HttpError::Skip)?;
    Ok(Response { charset: content_type.as_deref().and_then(charset_of), kind, body })
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Undoes gzip or deflate content coding when the body really is coded
/// (crawlers like Common Crawl store decoded bodies under the original
/// header). Bounded by `max_doc` after decoding.
pub(crate) fn decode_content(body: Vec<u8>, encoding: &str, max_doc: usize) -> Result<Vec<u8>, HttpError> {
    let enc = encoding.trim();
    let decoded = if (enc.contains("gzip") || enc.is_empty()) && body.starts_with(&[0x1f, 0x8b]) {
        read_bounded(flate2::read::MultiGzDecoder::new(&body[..]), max_doc)
    } else if enc.contains("deflate") && !looks_like_markup(&body) {
        let zlib = read_bounded(flate2::read::ZlibDecoder::new(&body[..]), max_doc);
        match zlib {
            Ok(x) => Ok(x),
            Err(_) => read_bounded(flate2::read::DeflateDecoder::new(&body[..]), max_doc),
        }
    } else if enc.contains("br") && !looks_like_markup(&body) {
        return Err(HttpError::Skip("unsupported Content-Encoding br".into()));
    } else {
        return Ok(body);
    };
    match decoded {
        Ok((b, false)) => Ok(b),
        Ok((_, true)) => Err(HttpError::Bad(format!("body larger than max_doc_bytes ({max_doc}) after decompression; skipped"))),
        Err(e) => Err(HttpError::Bad(format!("corrupt {} body: {e}", if enc.is_empty() { "gzip" } else { enc }))),
    }
}

/// Decodes `Transfer-Encoding: chunked`; `None` when the framing is invalid.
pub(crate) fn dechunk(mut data: &[u8], max_doc: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let nl = memchr::memchr(b'\n', data)?;
        let line = std::str::from_utf8(&data[..nl]).ok()?.trim();
        let size_str = line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_str, 16).ok()?;
        data = &data[nl + 1..];
        if size == 0 {
            return Some(out);
        }
        if size > data.len() || out.len() + size > max_doc {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size..];
        if data.starts_with(b"\r\n") {
            data = &data[2..];
        } else if data.starts_with(b"\n") {
            data = &data[1..];
        } else if !data.is_empty() {
            return None;
        }
        if data.is_empty() {
            return Some(out);
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_param() {
        assert_eq!(charset_of("text/html; charset=\"ISO-8859-1\""), Some("ISO-8859-1".into()));
        assert_eq!(charset_of("text/html;CHARSET=utf-8"), Some("utf-8".into()));
        assert_eq!(charset_of("text/html"), None);
    }

    #[test]
    fn chunked() {
        assert_eq!(dechunk(b"4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n", 100).unwrap(), b"Wikipedia");
        assert!(dechunk(b"zz\r\nabc", 100).is_none());
        assert!(dechunk(b"ffffffffff\r\nabc", 100).is_none());
    }

    #[test]
    fn statuses_and_types() {
        let ok = parse_response(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1252\r\n\r\n<html>", 100).ok().unwrap();
        assert_eq!(ok.charset.as_deref(), Some("windows-1252"));
        assert_eq!(ok.body, b"<html>");
        assert!(matches!(parse_response(b"HTTP/1.1 301 Moved\r\nLocation: x\r\n\r\n", 100), Err(HttpError::Skip(_))));
        assert!(matches!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG", 100), Err(HttpError::Skip(_))));
        assert!(matches!(parse_response(b"garbage", 100), Err(HttpError::Bad(_))));
        assert!(matches!(parse_response(b"HTTP/1.1 2x0 OK\r\n\r\n", 100), Err(HttpError::Bad(_))));
    }

    #[test]
    fn gzip_body() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"<html>hello</html>").unwrap();
        let gz = e.finish().unwrap();
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend_from_slice(&gz);
        let r = parse_response(&block, 1000).ok().unwrap();
        assert_eq!(r.body, b"<html>hello</html>");
        assert!(matches!(parse_response(&block, 5), Err(HttpError::Bad(_))));
    }
}
