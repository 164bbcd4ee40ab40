//! Key terms of an article for story clustering.

use std::collections::HashMap;

/// Most terms [`story_terms`] returns. Two dozen carry an article's topic;
/// more only add noise words and cost in the clusterer's indexes.
pub const MAX_TERMS: usize = 24;

/// Weight multiplier for words of the headline: the headline names the
/// event, the body pads it.
const HEADLINE_BOOST: f32 = 3.0;

/// English function words and words every news article uses ("said",
/// weekdays, months, "reported"): they say nothing about which story an
/// article belongs to. Written by hand, sorted for binary search.
const STOPWORDS: &[&str] = &[
    "about", "above", "according", "across", "added", "after", "afternoon", "again", "against", "ago", "all",
    "almost", "along", "already", "also", "although", "always", "among", "and", "announced", "another", "any",
    "anyone", "anything", "april", "are", "area", "around", "article", "asked", "august", "away", "back", "because",
    "been", "before", "began", "behind", "being", "believe", "below", "best", "better", "between", "both", "but",
    "called", "came", "can", "cannot", "could", "day", "days", "december", "did", "does", "doing", "done", "down",
    "during", "each", "earlier", "early", "either", "else", "end", "enough", "even", "evening", "ever", "every",
    "expected", "far", "february", "few", "first", "five", "following", "for", "four", "friday", "from", "further",
    "get", "gets", "getting", "give", "given", "going", "good", "got", "great", "had", "has", "have", "having",
    "her", "here", "hers", "herself", "high", "him", "himself", "his", "how", "however", "including", "into", "its",
    "itself", "january", "july", "june", "just", "know", "known", "last", "late", "later", "least", "less", "like",
    "likely", "little", "long", "made", "make", "making", "many", "march", "may", "maybe", "means", "might",
    "monday", "month", "months", "more", "morning", "most", "much", "must", "near", "nearly", "need", "never",
    "new", "news", "next", "night", "nine", "none", "nor", "not", "nothing", "november", "now", "october", "off",
    "often", "old", "once", "one", "only", "onto", "other", "others", "our", "ours", "out", "over", "own", "part",
    "people", "per", "percent", "perhaps", "place", "put", "rather", "read", "really", "recent", "recently",
    "report", "reported", "reports", "right", "said", "same", "saturday", "say", "saying", "says", "second", "see",
    "seen", "september", "seven", "several", "she", "should", "show", "side", "since", "six", "small", "some",
    "something", "soon", "still", "such", "sunday", "take", "taken", "ten", "than", "that", "the", "their",
    "theirs", "them", "themselves", "then", "there", "these", "they", "thing", "things", "think", "third", "this",
    "those", "though", "three", "through", "thursday", "time", "times", "today", "told", "tomorrow", "too", "took",
    "toward", "towards", "tuesday", "two", "under", "until", "upon", "use", "used", "very", "want", "was", "way",
    "wednesday", "week", "weeks", "well", "went", "were", "what", "when", "where", "whether", "which", "while",
    "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "year", "years", "yes",
    "yesterday", "yet", "you", "your", "yours",
];

/// True for a word on the built-in stopword list (lower-case input).
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// The article's top weighted terms: lower-cased words of three or more
/// letters that are not stopwords or numbers, a trailing plural `s` folded
/// ("floods" → "flood"), weighted by `1 + ln(count)` with headline words
/// counted [`HEADLINE_BOOST`] times, at most [`MAX_TERMS`], heaviest first,
/// scaled to unit length.
///
/// "tf-idf-ish": the idf half needs collection statistics, which this pure
/// function does not have; [`crate::StoryClusterer`] applies document
/// frequencies it counts as articles arrive.
pub fn story_terms(headline: &str, body: &str) -> Vec<(String, f32)> {
    let mut counts: HashMap<String, f32> = HashMap::new();
    for_each_term(body, |t| *counts.entry(t).or_insert(0.0) += 1.0);
    for_each_term(headline, |t| *counts.entry(t).or_insert(0.0) += HEADLINE_BOOST);
    let mut terms: Vec<(String, f32)> = counts.into_iter().map(|(t, c)| (t, 1.0 + c.ln())).collect();
    // Heaviest first; ties by the term so the result is deterministic.
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(MAX_TERMS);
    let norm = terms.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for t in &mut terms {
            t.1 /= norm;
        }
    }
    terms
}

fn for_each_term(text: &str, mut f: impl FnMut(String)) {
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        if raw.chars().count() < 3 || raw.chars().any(|c| c.is_numeric()) {
            continue;
        }
        let mut w = raw.to_lowercase();
        if is_stopword(&w) {
            continue;
        }
        if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
            w.pop();
        }
        f(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_sorted() {
        for w in STOPWORDS.windows(2) {
            assert!(w[0] < w[1], "{} !< {}", w[0], w[1]);
        }
    }

    #[test]
    fn headline_terms_lead() {
        let t = story_terms("Floods hit Varnholt", "Officials said the river rose overnight. The floods closed roads.");
        assert_eq!(t[0].0, "flood");
        assert!(t.iter().any(|(w, _)| w == "varnholt"));
        assert!(!t.iter().any(|(w, _)| w == "said" || w == "the"));
        let norm: f32 = t.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-4);
    }

    #[test]
    fn empty_input() {
        assert!(story_terms("", "").is_empty());
        assert!(story_terms("2024 12", "a an of").is_empty());
    }
}
