//! Bytes to text: the page's declared charset when it has one, detection
//! when it does not.
//!
//! Order, as browsers do it: a byte-order mark, then a charset the caller
//! knows from the transport (HTTP `Content-Type`), then `<meta charset>` /
//! `http-equiv` in the first bytes, then UTF-8 if the bytes are valid UTF-8,
//! then statistical detection (chardetng).

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How the charset was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    Bom,
    Transport,
    Meta,
    ValidUtf8,
    Detected,
}

/// The decoded text and how it was decoded.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
    /// Some bytes were malformed in the chosen encoding and were replaced.
    pub had_errors: bool,
}

/// How far into the page a `<meta charset>` is looked for. Browsers use
/// 1024 bytes; real pages put long `<script>` blocks first, so look further.
const PRESCAN: usize = 8192;

/// Decodes `bytes` as HTML text. `transport` is a charset label from the
/// HTTP headers, if any.
pub fn decode(bytes: &[u8], transport: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..], CharsetSource::Bom);
    }
    if let Some(enc) = transport.and_then(|l| Encoding::for_label(l.trim().as_bytes())) {
        return finish(enc, bytes, CharsetSource::Transport);
    }
    if let Some(enc) = meta_charset(&bytes[..bytes.len().min(PRESCAN)]) {
        // A page declaring a legacy charset while being valid UTF-8 is common
        // (templates copied across sites); valid UTF-8 is the safer reading.
        if enc != UTF_8 && std::str::from_utf8(bytes).is_ok() && !bytes.is_ascii() {
            return finish(UTF_8, bytes, CharsetSource::ValidUtf8);
        }
        return finish(enc, bytes, CharsetSource::Meta);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Decoded { text: s.to_string(), encoding: UTF_8, source: CharsetSource::ValidUtf8, had_errors: false };
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    finish(enc, bytes, CharsetSource::Detected)
}

fn finish(enc: &'static Encoding, bytes: &[u8], source: CharsetSource) -> Decoded {
    // UTF-16 declared in a meta tag is a lie: the tag itself was readable as
    // ASCII. Browsers read such pages as UTF-8.
    let enc = if source == CharsetSource::Meta && (enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE) {
        UTF_8
    } else {
        enc
    };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding: enc, source, had_errors }
}

/// Finds `charset=` in a `<meta>` tag of the prescan window.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(off) = memchr::memmem::find(&lower[pos..], b"<meta") {
        let start = pos + off + 5;
        let end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |e| start + e);
        if let Some(enc) = charset_in(&lower[start..end]) {
            return Some(enc);
        }
        pos = end;
    }
    None
}

/// The encoding named by `charset=` in the (lower-cased) inside of a tag.
fn charset_in(tag: &[u8]) -> Option<&'static Encoding> {
    let at = memchr::memmem::find(tag, b"charset")? + 7;
    let mut rest = &tag[at..];
    while let [b' ' | b'"' | b'\'' | b'=', tail @ ..] = rest {
        rest = tail;
    }
    let len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
        .count();
    let enc = Encoding::for_label(&rest[..len])?;
    Some(if enc == encoding_rs::X_USER_DEFINED { WINDOWS_1252 } else { enc })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("<meta charset=iso-8859-1>é".as_bytes());
        let d = decode(&b, None);
        assert_eq!(d.source, CharsetSource::Bom);
        assert!(d.text.ends_with('é'));
    }

    #[test]
    fn meta_charset_legacy() {
        let mut b = b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'></head><p>caf".to_vec();
        b.push(0xE9);
        b.extend_from_slice(b" \x93quoted\x94");
        let d = decode(&b, None);
        assert_eq!(d.source, CharsetSource::Meta);
        assert!(d.text.contains("café “quoted”"), "{}", d.text);
    }

    #[test]
    fn declared_legacy_but_valid_utf8_reads_utf8() {
        let b = "<meta charset=\"iso-8859-1\"><p>naïve — ok".as_bytes();
        let d = decode(b, None);
        assert_eq!(d.source, CharsetSource::ValidUtf8);
        assert!(d.text.contains("naïve — ok"));
    }

    #[test]
    fn undeclared_latin1_is_detected() {
        let text = "<p>Le gouvernement a annoncé mercredi une réforme très contestée des retraites, jugée injuste par les syndicats élus.</p>";
        let (bytes, _, _) = WINDOWS_1252.encode(text);
        let d = decode(&bytes, None);
        assert_eq!(d.source, CharsetSource::Detected);
        assert!(d.text.contains("annoncé mercredi une réforme très"));
    }

    #[test]
    fn transport_label_is_used() {
        let d = decode(b"<p>\xE9t\xE9</p>", Some("ISO-8859-1"));
        assert_eq!(d.source, CharsetSource::Transport);
        assert!(d.text.contains("été"));
    }
}
