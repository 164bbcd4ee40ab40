//! Character references (`&amp;`, `&#8217;`, `&#x2014;`).
//!
//! The table holds the named references that occur in news text (Latin-1,
//! typographic punctuation, common symbols). Unknown names are left as written,
//! which is also what browsers do for names outside the HTML table.

/// Appends `raw` to `out`, replacing character references.
pub fn decode_into(raw: &str, out: &mut String) {
    let bytes = raw.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'&', &bytes[i..]) {
        let amp = i + off;
        out.push_str(&raw[last..amp]);
        match decode_one(&raw[amp + 1..]) {
            Some((ch, used)) => {
                out.push(ch);
                i = amp + 1 + used;
            }
            None => {
                out.push('&');
                i = amp + 1;
            }
        }
        last = i;
    }
    out.push_str(&raw[last..]);
}

/// Decodes the reference at the start of `s` (just after the `&`). Returns
/// the character and the number of bytes consumed, `;` included.
fn decode_one(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let (radix, start) = match b.get(1) {
            Some(b'x') | Some(b'X') => (16, 2),
            _ => (10, 1),
        };
        let digits = b[start..]
            .iter()
            .take_while(|c| if radix == 16 { c.is_ascii_hexdigit() } else { c.is_ascii_digit() })
            .count();
        if digits == 0 || digits > 8 {
            return None;
        }
        let n = u32::from_str_radix(&s[start..start + digits], radix).ok()?;
        let used = start + digits + usize::from(b.get(start + digits) == Some(&b';'));
        let ch = match n {
            0 => '\u{FFFD}',
            // Windows-1252 code points that pages write as numeric references.
            0x80..=0x9F => cp1252(n as u8),
            _ => char::from_u32(n).unwrap_or('\u{FFFD}'),
        };
        return Some((ch, used));
    }
    let len = b.iter().take(10).take_while(|c| c.is_ascii_alphanumeric()).count();
    if len == 0 {
        return None;
    }
    let name = &s[..len];
    let ch = named(name)?;
    let used = len + usize::from(b.get(len) == Some(&b';'));
    Some((ch, used))
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ',
        '\u{9D}', 'ž', 'Ÿ',
    ];
    HIGH[(b - 0x80) as usize]
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "hairsp" => '\u{200A}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "shy" => '\u{AD}',
        "ndash" => '–',
        "mdash" => '—',
        "horbar" => '―',
        "lsquo" => '‘',
        "rsquo" | "rsquor" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" | "rdquor" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "lsaquo" => '‹',
        "rsaquo" => '›',
        "hellip" | "mldr" => '…',
        "bull" | "bullet" => '•',
        "middot" | "centerdot" => '·',
        "prime" => '′',
        "Prime" => '″',
        "dagger" => '†',
        "Dagger" => '‡',
        "permil" => '‰',
        "copy" | "COPY" => '©',
        "reg" | "REG" => '®',
        "trade" | "TRADE" => '™',
        "deg" => '°',
        "plusmn" => '±',
        "times" => '×',
        "divide" => '÷',
        "minus" => '−',
        "frac12" | "half" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "sup1" => '¹',
        "sup2" => '²',
        "sup3" => '³',
        "micro" => 'µ',
        "para" => '¶',
        "sect" => '§',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "curren" => '¤',
        "iexcl" => '¡',
        "iquest" => '¿',
        "ordf" => 'ª',
        "ordm" => 'º',
        "not" => '¬',
        "macr" => '¯',
        "acute" => '´',
        "cedil" => '¸',
        "uml" => '¨',
        "brvbar" => '¦',
        "larr" => '←',
        "rarr" => '→',
        "uarr" => '↑',
        "darr" => '↓',
        "harr" => '↔',
        "hearts" => '♥',
        "star" => '☆',
        "check" => '✓',
        "infin" => '∞',
        "ne" => '≠',
        "le" => '≤',
        "ge" => '≥',
        "asymp" => '≈',
        "Agrave" => 'À', "Aacute" => 'Á', "Acirc" => 'Â', "Atilde" => 'Ã', "Auml" => 'Ä',
        "Aring" => 'Å', "AElig" => 'Æ', "Ccedil" => 'Ç', "Egrave" => 'È', "Eacute" => 'É',
        "Ecirc" => 'Ê', "Euml" => 'Ë', "Igrave" => 'Ì', "Iacute" => 'Í', "Icirc" => 'Î',
        "Iuml" => 'Ï', "ETH" => 'Ð', "Ntilde" => 'Ñ', "Ograve" => 'Ò', "Oacute" => 'Ó',
        "Ocirc" => 'Ô', "Otilde" => 'Õ', "Ouml" => 'Ö', "Oslash" => 'Ø', "Ugrave" => 'Ù',
        "Uacute" => 'Ú', "Ucirc" => 'Û', "Uuml" => 'Ü', "Yacute" => 'Ý', "THORN" => 'Þ',
        "szlig" => 'ß', "agrave" => 'à', "aacute" => 'á', "acirc" => 'â', "atilde" => 'ã',
        "auml" => 'ä', "aring" => 'å', "aelig" => 'æ', "ccedil" => 'ç', "egrave" => 'è',
        "eacute" => 'é', "ecirc" => 'ê', "euml" => 'ë', "igrave" => 'ì', "iacute" => 'í',
        "icirc" => 'î', "iuml" => 'ï', "eth" => 'ð', "ntilde" => 'ñ', "ograve" => 'ò',
        "oacute" => 'ó', "ocirc" => 'ô', "otilde" => 'õ', "ouml" => 'ö', "oslash" => 'ø',
        "ugrave" => 'ù', "uacute" => 'ú', "ucirc" => 'û', "uuml" => 'ü', "yacute" => 'ý',
        "thorn" => 'þ', "yuml" => 'ÿ', "OElig" => 'Œ', "oelig" => 'œ', "Scaron" => 'Š',
        "scaron" => 'š', "Yuml" => 'Ÿ', "fnof" => 'ƒ', "circ" => 'ˆ', "tilde" => '˜',
        "Alpha" => 'Α', "Beta" => 'Β', "Gamma" => 'Γ', "Delta" => 'Δ', "Omega" => 'Ω',
        "alpha" => 'α', "beta" => 'β', "gamma" => 'γ', "delta" => 'δ', "epsilon" => 'ε',
        "lambda" => 'λ', "mu" => 'μ', "pi" => 'π', "sigma" => 'σ', "omega" => 'ω',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    fn dec(s: &str) -> String {
        let mut out = String::new();
        super::decode_into(s, &mut out);
        out
    }

    #[test]
    fn named_numeric_and_hex() {
        assert_eq!(dec("Tom &amp; Jerry"), "Tom & Jerry");
        assert_eq!(dec("it&#8217;s &#x2014; &#X41;"), "it’s — A");
        assert_eq!(dec("caf&eacute;&nbsp;noir"), "café\u{a0}noir");
        assert_eq!(dec("&#150;"), "–", "cp1252 range maps like browsers");
    }

    #[test]
    fn malformed_references_stay_literal() {
        assert_eq!(dec("AT&T & co &unknown; &#; &#xZZ; &"), "AT&T & co &unknown; &#; &#xZZ; &");
        assert_eq!(dec("&#99999999999;"), "&#99999999999;");
        assert_eq!(dec("&#1114112;"), "\u{FFFD}");
        assert_eq!(dec("&amp"), "&", "a missing semicolon is tolerated");
    }
}
