//! What the analyze stage finds in an article's body: who said what
//! ([`Quote`]), who and what is mentioned ([`Entity`]) and which dates the
//! text refers to ([`TextDate`]).
//!
//! Every offset here is a Unicode code-point offset into the body text,
//! end-exclusive, because that is what non-Rust consumers (Python, JS
//! evaluation scripts) index strings by; byte offsets would silently break
//! on the first non-ASCII character.

use serde::{Deserialize, Serialize};

use crate::Precision;

/// Everything the analyze stage found in one body text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    #[serde(default)]
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub dates: Vec<TextDate>,
}

/// A code-point range `[start, end)` in the body.
pub type Span = [usize; 2];

/// One attributed statement: a direct quotation, reported speech, or a mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// Start of the whole statement (first fragment), code points.
    pub start: usize,
    /// End of the whole statement (last fragment), code points, exclusive.
    pub end: usize,
    /// The body text between `start` and `end`, attribution included when
    /// the statement is split around it.
    pub text: String,
    pub kind: QuoteKind,
    /// The parts of `start..end` that are the statement itself: a quote split
    /// by its attribution ("…," he said, "…") has two. Consumers scoring
    /// character overlap should use these rather than `start..end`.
    #[serde(default)]
    pub fragments: Vec<Span>,
    /// Who said it: as written, resolved, and their role.
    #[serde(flatten)]
    pub speaker: Speaker,
    /// The verb or phrase that marks the attribution ("said", "according to").
    #[serde(default)]
    pub cue: Option<String>,
    /// Whom it was said to ("told ITV News" → "ITV News").
    #[serde(default)]
    pub addressee: Option<String>,
}

/// How a statement is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// Every fragment sits inside quotation marks.
    Direct,
    /// Reported speech without quotation marks.
    Indirect,
    /// Reported speech that quotes some words verbatim.
    Mixed,
}

/// The source of a [`Quote`]. Serialized flat into the quote, so the JSON
/// keeps the field names evaluation scripts rely on (`speaker`,
/// `speaker_resolved`, `role`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The speaker as the text names it at the attribution: "he", "the
    /// diplomat", "Ryabkov", "Russian officials". `None` when the text names
    /// no one ("it was reported that…").
    #[serde(rename = "speaker", default)]
    pub written: Option<String>,
    /// The named person or organisation `written` refers to, in its fullest
    /// form in the article ("Sergei Ryabkov"); `None` when unresolved.
    #[serde(rename = "speaker_resolved", default)]
    pub resolved: Option<String>,
    /// Title or function given for the speaker ("Deputy Foreign Minister").
    #[serde(default)]
    pub role: Option<String>,
    /// Where `written` is in the body.
    #[serde(rename = "speaker_span", default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Index into [`Analysis::entities`] of the resolved speaker.
    #[serde(rename = "speaker_entity", default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<usize>,
}

/// A person, organisation or place mentioned in the body, with every
/// mention that was recognised as referring to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// The fullest form of the name seen in the article ("Vladimir Putin"),
    /// or the gazetteer's name for a place ("Russia" for "Russian").
    pub name: String,
    pub kind: EntityKind,
    /// Titles and functions seen with the name ("Ukrainian President").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default)]
    pub mentions: Vec<Mention>,
}

/// What sort of thing an [`Entity`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Place,
}

/// One place in the body that refers to an [`Entity`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A date or period the text refers to ("on Wednesday", "last month", "in
/// 2022"), resolved against the article's publication time where possible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextDate {
    pub start: usize,
    pub end: usize,
    /// The phrase as written.
    pub text: String,
    /// ISO 8601 calendar value at the phrase's precision: `2022`, `2022-03`,
    /// `2022-03-09`. `None` when the phrase is relative and no publication
    /// time was given, or it cannot be pinned down.
    #[serde(default)]
    pub value: Option<String>,
    /// How much of `value` the phrase states. For periods such as "last
    /// week" this is `Day` and `value` is the period's first day.
    #[serde(default)]
    pub precision: Option<Precision>,
    /// True when the phrase is relative to the publication time ("last
    /// month", "on Wednesday") rather than absolute ("March 9, 2022").
    #[serde(default)]
    pub relative: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_json_has_the_field_names_scripts_rely_on() {
        let q = Quote {
            start: 3,
            end: 10,
            text: "“Yes,”".into(),
            kind: QuoteKind::Direct,
            fragments: vec![[3, 10]],
            speaker: Speaker {
                written: Some("he".into()),
                resolved: Some("Sergei Ryabkov".into()),
                role: Some("Deputy Foreign Minister".into()),
                span: Some([11, 13]),
                entity: Some(0),
            },
            cue: Some("said".into()),
            addressee: None,
        };
        let v: serde_json::Value = serde_json::to_value(&q).unwrap();
        for k in ["start", "end", "text", "kind", "speaker", "speaker_resolved", "role", "cue", "addressee"] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["kind"], "direct");
        assert_eq!(v["speaker"], "he");
        let back: Quote = serde_json::from_value(v).unwrap();
        assert_eq!(back, q);
    }
}
