//! Boilerplate vocabulary: the words page chrome is made of (share, follow,
//! subscribe, cookies, copyright...) in the languages the extractor meets
//! most. These are generic words of web pages, not phrases of any one site;
//! a line is judged by how many of them it holds relative to its length.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Lower-case fragments that mark navigation, sharing, account, legal and
/// advertising chrome. Matched without regard to ASCII case.
pub(crate) const BOILER: &[&str] = &[
    "share", "follow", "subscri*", "sign up", "sign in", "signup", "log in",
    "login", "log out", "newsletter*", "cookie*", "privacy", "terms of", "terms and conditions",
    "copyright", "all rights reserved", "advertis*", "sponsored", "read more", "read next",
    "related", "recommend*", "most read", "most popular", "trending", "comment", "comments",
    "click here", "download", "our app", "javascript", "browser", "facebook", "twitter",
    "instagram", "whatsapp", "linkedin", "pinterest", "youtube", "reddit", "telegram",
    "e-mail", "email", "print", "skip to", "menu", "search", "home page", "homepage",
    "contact us", "about us", "careers", "sitemap", "site map", "rss", "podcast", "watch live",
    "load more", "show more", "see more", "see all", "view all", "more from", "you may also",
    "you might also", "don't miss", "continue reading", "next article", "previous article",
    "back to top", "accept", "consent", "notification*", "feedback", "report an error",
    "premium", "paywall", "free trial", "unlimited access", "already a subscriber",
    "create an account", "register", "password", "username", "loading", "video player",
    "play video", "gallery", "slideshow", "short url", "copy link", "permalink", 
    "opt-out", "opt out", "personali*", "tracking", "browsing", "third-party",
    "third party", "website", "our site", "this site", "policy", "notice", "preferences",
    "sign-up", "inbox", "unsubscribe", "alerts",
    // author boxes under the article
    "contributor", "contributing writer", "staff writer", "senior writer", "is a reporter",
    "is a writer", "is a freelance", "is the author of", "is the editor", "follow him", "follow her",
    // de / fr / es / it / pt / nl
    "teilen", "anmelden", "abonnieren", "datenschutz", "impressum", "werbung", "weiterlesen",
    "partager", "abonner", "connexion", "mentions légales", "publicité", "lire aussi",
    "compartir", "suscríbete", "suscribir", "iniciar sesión", "publicidad", "leer más",
    "condividi", "iscriviti", "accedi", "pubblicità", "leggi anche", "compartilhar",
    "assine", "publicidade", "leia mais", "delen", "abonneren", "inloggen", "lees ook",
];

/// Fragments of a copyright / legal footer line: where a page ends.
pub(crate) const FOOTER: &[&str] = &[
    "©", "copyright", "all rights reserved", "todos los derechos", "tous droits",
    "alle rechte", "tutti i diritti", "todos os direitos", "alle rechten",
];

/// Wire agencies and photo agencies: credited sources, never authors.
pub(crate) const AGENCIES: &[&str] = &[
    "Reuters", "Associated Press", "AP", "AFP", "Agence France-Presse", "Bloomberg", "dpa",
    "EFE", "ANSA", "PTI", "IANS", "ANI", "Xinhua", "Kyodo", "Yonhap", "UPI", "Canadian Press",
    "PA", "Press Association", "AAP", "Getty Images", "Shutterstock", "EPA", "Anadolu", "TASS",
    "RIA", "Interfax", "NTB", "TT", "APA", "Belga", "ANP", "Europa Press", "Lusa",
];

/// Words that open a photo caption's credit ("Photo: Jane Roe/AP").
pub(crate) const CREDIT_CUES: &[&str] = &[
    "photo:", "photo by", "photograph:", "photograph by", "image:", "image credit", "image by",
    "credit:", "credit…", "credit...", "picture:", "pictured:", "source:", "foto:", "bild:",
    "crédit", "crédito", "courtesy", "getty images", "ap photo", "afp photo", "reuters/",
    "/reuters", "/ap", "/afp", "/getty", "file photo", "shutterstock", "illustration:",
];

/// Whether a line names a photo credit: it starts with a credit cue, ends
/// with one, or (when `short`) holds one anywhere.
pub(crate) fn credit_cue(text: &str, short: bool) -> bool {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    let ac = AC.get_or_init(|| automaton(CREDIT_CUES));
    // A credit closes a long caption ("... Photograph by Jane Roe/AFP").
    ac.find_iter(text).any(|m| short || m.start() == 0 || text.len() - m.start() <= 60)
}

/// Labels that introduce an update time rather than the first publication.
pub(crate) const UPDATED: &[&str] = &[
    "updated", "update:", "modified", "last edit", "aktualisiert", "mis à jour", "actualizado",
    "actualización", "aggiornato", "atualizado", "bijgewerkt",
];

/// The automaton over [`BOILER`] (a trailing `*` marks a prefix entry,
/// the others must match whole words), built once.
fn boiler_automaton() -> &'static (AhoCorasick, Vec<bool>) {
    static AC: OnceLock<(AhoCorasick, Vec<bool>)> = OnceLock::new();
    AC.get_or_init(|| {
        let pats: Vec<&str> = BOILER.iter().map(|w| w.trim_end_matches('*')).collect();
        let prefix: Vec<bool> = BOILER.iter().map(|w| w.ends_with('*')).collect();
        (automaton(&pats), prefix)
    })
}

/// How many distinct boilerplate words occur in a line (ASCII letters
/// compared without case), on word boundaries ("share" counts,
/// "shareholders" does not).
pub(crate) fn boiler_hits(text: &str) -> usize {
    let (ac, prefix) = boiler_automaton();
    let b = text.as_bytes();
    let mut seen: u128 = 0;
    let mut extra = 0usize;
    for m in ac.find_iter(text) {
        let start_ok = m.start() == 0 || !is_word_byte(b, m.start() - 1);
        let end_ok = prefix[m.pattern().as_usize()] || m.end() >= b.len() || !is_word_byte(b, m.end());
        if start_ok && end_ok {
            let id = m.pattern().as_usize();
            if id < 128 {
                seen |= 1 << id;
            } else {
                extra += 1;
            }
        }
    }
    seen.count_ones() as usize + extra
}

/// Whether the byte at `i` belongs to a word (ASCII alphanumeric or any
/// byte of a multi-byte character).
fn is_word_byte(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c >= 0x80)
}

/// Whether a line reads as a copyright/legal footer: a
/// copyright mark with a year, or a rights-reserved notice. ("Image
/// copyright Jane Roe" under a photo is a credit, not a footer.)
pub(crate) fn is_footer(text: &str) -> bool {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    let ac = AC.get_or_init(|| automaton(FOOTER));
    if !ac.is_match(text) {
        return false;
    }
    let lower = text.to_lowercase();
    // A short line with a copyright mark is a footer even without a year
    // ("© The Daily Example Company"); a bare "© Name" is an attribution,
    // and photo credits are told apart by the caller.
    text.len() <= 100 && text.split(' ').count() >= 4
        || lower.contains("rights") || lower.contains("derechos") || lower.contains("droits")
        || lower.contains("rechte") || lower.contains("diritti") || has_year(&lower)
}

/// A DFA over `pats`: one pass over a line finds any of them.
fn automaton(pats: &[&str]) -> AhoCorasick {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(pats)
        .unwrap_or_else(|_| AhoCorasick::new(Vec::<&str>::new()).expect("empty automaton builds"))
}

/// Whether a four-digit number from 1990 to 2099 occurs in `s`.
fn has_year(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(4).enumerate().any(|(i, w)| {
        w.iter().all(u8::is_ascii_digit)
            && (w.starts_with(b"19") && w[2] >= b'9' || w.starts_with(b"20"))
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
    })
}

/// The agency named by a short text ("Reuters", "(AP)"), in its canonical
/// spelling.
pub(crate) fn agency(text: &str) -> Option<&'static str> {
    let t = text.trim_matches(|c: char| !c.is_alphanumeric());
    AGENCIES.iter().copied().find(|a| a.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_lookups() {
        assert!(boiler_hits("share this on facebook") >= 2);
        assert_eq!(boiler_hits("shareholders were following the unrelated sprint"), 0);
        assert_eq!(boiler_hits("advertisement"), 1);
        assert!(is_footer("© 2024 example media"));
        assert_eq!(agency("(Reuters)"), Some("Reuters"));
        assert_eq!(agency("ap"), Some("AP"));
        assert_eq!(agency("Jane Roe"), None);
    }
}
