//! The analyze stage of newsdesk: from an article's body text, every
//! quotation and piece of reported speech with its speaker resolved to a
//! named person or organisation, the people, organisations and places
//! mentioned, and the dates the text refers to.
//!
//! [`analyze`] is a pure function: no I/O, no mutable global state,
//! deterministic, linear in the body's length, and it never panics on any
//! UTF-8 input. Quotes, speakers and dates come from hand-written rules and
//! word lists (the files in `data/`), so every decision can be traced to a
//! rule and every list can be read and extended by a person. Names (who and
//! what the article mentions) come from a trained tagger ([`tagger`]) for
//! the languages that have one (English, Spanish, Dutch), because no rule
//! set tells an unknown company from an unknown person; its model is
//! compiled in, so analysis still reads no files.
//!
//! ```
//! let a = newsdesk_analyze::analyze("Sergei Ryabkov spoke on Monday. “We are ready,” he said.", None);
//! assert_eq!(a.quotes[0].speaker.resolved.as_deref(), Some("Sergei Ryabkov"));
//! ```

mod dates;
mod doc;
mod lexicon;
mod names;
mod quotes;
pub mod tagger;
mod text;

use chrono::{DateTime, FixedOffset};
use newsdesk_model::{Analysis, Article, Entity, EntityKind, Mention, Quote, Speaker, TextDate};

pub use lexicon::DataError;

use crate::doc::Doc;
use crate::lexicon::Gender;
use crate::names::{EKind, Names};
use crate::quotes::RawQuote;
use crate::text::CharMap;

/// Bodies longer than this are analysed only up to it (at a char
/// boundary), to bound time and memory on hostile input. Real articles are
/// far shorter (the longest in our evaluation sets is 34 kB).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Checks that the compiled-in word lists parse. They are tested at build
/// time; this lets a binary report a broken build instead of analysing with
/// empty lists.
pub fn check_data() -> Result<(), DataError> {
    lexicon::Lexicon::parse().map(|_| ())
}

/// Analyses an extracted article's body, relative dates resolved against
/// its `published` time when that parses, names found with the model of the
/// article's language.
pub fn analyze_article(a: &Article) -> Analysis {
    let published = a.published.as_ref().and_then(|t| DateTime::parse_from_rfc3339(&t.value).ok());
    match a.language.as_deref() {
        Some(lang) => analyze_in(&a.body, published, lang),
        None => analyze(&a.body, published),
    }
}

/// Analyses one article body, its language detected from the text.
/// `published` resolves relative dates ("last month"); without it they are
/// reported with no value.
pub fn analyze(body: &str, published: Option<DateTime<FixedOffset>>) -> Analysis {
    let lang = newsdesk_lang::detect(body).unwrap_or(DEFAULT_LANGUAGE);
    analyze_in(body, published, lang)
}

/// The language assumed when detection has too little text to go on
/// (results tables, lists of names): English, the language the
/// hand-written rules were also written for.
pub const DEFAULT_LANGUAGE: &str = "en";

/// Which trained name tagger reads a language: its own where a train part
/// existed (English, Spanish, Dutch); for Portuguese, which has none, the
/// Spanish one (on the Portuguese dev set exact F1 .43 against .27 for the
/// rules); none, so the hand-written rules, elsewhere.
fn tagger_for(lang: &str) -> Option<&'static tagger::Model> {
    let base = lang.split(['-', '_']).next().unwrap_or(lang).to_ascii_lowercase();
    let model = match base.as_str() {
        "pt" => "es",
        other => other,
    };
    tagger::for_language(model)
}

/// Analyses one article body written in `lang` (ISO 639-1, "en", "pt-BR").
pub fn analyze_in(body: &str, published: Option<DateTime<FixedOffset>>, lang: &str) -> Analysis {
    analyze_with(body, published, tagger_for(lang))
}

/// Analyses one article body with the given name tagger (`None`: the
/// hand-written rules). For measuring a model before it is embedded.
pub fn analyze_with(body: &str, published: Option<DateTime<FixedOffset>>, model: Option<&tagger::Model>) -> Analysis {
    let mut cut = body.len().min(MAX_BODY_BYTES);
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    let body = &body[..cut];
    let doc = Doc::new(body);
    let names = names::find(&doc, model);
    let (raws, inq) = quotes::find(&doc, &names);
    let cmap = CharMap::new(body);
    let speakers = resolve_speakers(&doc, &names, &raws, &inq);

    // Entities: people, organisations, places, with speaker evidence
    // turning provisional single names into people.
    let mut is_speaker = vec![false; names.ents.len()];
    for s in &speakers {
        if let Some(e) = s.ent {
            is_speaker[e] = true;
        }
    }
    let mut ent_index = vec![None; names.ents.len()];
    let mut entities = Vec::new();
    for (ei, e) in names.ents.iter().enumerate() {
        // Every mention folded into another entity: nothing to list.
        if e.mentions.is_empty() {
            continue;
        }
        let kind = if e.provisional() {
            // With a tagger, a provisional name is a capitalised word the
            // tagger did not take for a name ("Police said"): it may speak,
            // but it is not listed as a person.
            if is_speaker[ei] && !names.tagged {
                EntityKind::Person
            } else {
                continue;
            }
        } else {
            match e.kind {
                EKind::Person => EntityKind::Person,
                EKind::Org => EntityKind::Organization,
                EKind::Place => EntityKind::Place,
            }
        };
        let mentions = e
            .mentions
            .iter()
            .filter_map(|&mi| names.mentions.get(mi))
            .map(|m| {
                let (s, en) = doc.bytes(m.a, m.b);
                let t = &body[s..en];
                let t2 = t.strip_suffix("’s").or_else(|| t.strip_suffix("'s")).unwrap_or(t);
                let en2 = s + t2.len();
                Mention { start: cmap.chars(s), end: cmap.chars(en2), text: t2.to_string() }
            })
            .collect();
        ent_index[ei] = Some(entities.len());
        entities.push(Entity {
            name: e.name.clone(),
            kind,
            roles: e.roles.iter().filter(|r| !r.starts_with('\u{0}')).cloned().collect(),
            mentions,
        });
    }

    let mut quotes = Vec::with_capacity(raws.len());
    for (q, sp) in raws.iter().zip(speakers) {
        let (Some(first), Some(last)) = (q.frags.first(), q.frags.last()) else { continue };
        let (s, e) = (first.0, last.1);
        if e <= s {
            continue;
        }
        let fragments = q.frags.iter().map(|&(a, b)| [cmap.chars(a), cmap.chars(b)]).collect();
        quotes.push(Quote {
            start: cmap.chars(s),
            end: cmap.chars(e),
            text: body[s..e].to_string(),
            kind: q.kind,
            fragments,
            speaker: Speaker {
                written: sp.written,
                resolved: sp.resolved,
                role: sp.role,
                span: sp.span.map(|(a, b)| {
                    let (x, y) = doc.bytes(a, b);
                    [cmap.chars(x), cmap.chars(y)]
                }),
                entity: sp.ent.and_then(|e| ent_index.get(e).copied().flatten()),
            },
            cue: q.cue_text.clone().or_else(|| q.cue.map(|(a, b)| doc.span_text(a, b).to_string())),
            addressee: q.addressee.map(|(a, b)| trim_np(doc.span_text(a, b)).to_string()),
        });
    }

    let today = published.map(|p| p.date_naive());
    let dates = dates::find(&doc, today)
        .into_iter()
        .map(|d| {
            let (s, e) = doc.bytes(d.a, d.b);
            TextDate {
                start: cmap.chars(s),
                end: cmap.chars(e),
                text: body[s..e].to_string(),
                value: d.value,
                precision: d.precision,
                relative: d.relative,
            }
        })
        .collect();
    Analysis { quotes, entities, dates }
}

/// Whether a comma or "of"/"for" separates a name from the words after it
/// ("Clinton, the candidate"), which then describe the name, not a head.
fn in_list_comma(doc: &Doc, from: usize, to: usize) -> bool {
    (from..to).any(|t| doc.is_p(t, ",") || matches!(doc.lw(t), "of" | "for" | "at" | "from" | "who"))
}

fn trim_np(s: &str) -> &str {
    s.trim_matches(|c: char| c == ',' || c == '.' || c.is_whitespace())
}

struct Resolved {
    written: Option<String>,
    resolved: Option<String>,
    role: Option<String>,
    span: Option<(usize, usize)>,
    ent: Option<usize>,
}

/// Resolves each quote's speaker phrase to an entity: names directly,
/// pronouns to the nearest agreeing person outside quotations (subjects
/// first), descriptions ("the diplomat") to the latest person with that
/// role, and unattributed quotes to the speaker they continue.
fn resolve_speakers(doc: &Doc, names: &Names, raws: &[RawQuote], inq: &[bool]) -> Vec<Resolved> {
    let mut out: Vec<Resolved> = Vec::with_capacity(raws.len());
    for q in raws {
        let Some((a, b)) = q.speaker else {
            let r = match q.continues.and_then(|c| out.get(c)) {
                Some(prev) => Resolved {
                    written: None,
                    resolved: prev.resolved.clone().or(prev.written.clone()),
                    role: prev.role.clone(),
                    span: None,
                    ent: prev.ent,
                },
                None => Resolved { written: None, resolved: None, role: None, span: None, ent: None },
            };
            out.push(r);
            continue;
        };
        let written = trim_np(doc.span_text(a, b)).to_string();
        let mut role = q.role.map(|(x, y)| trim_np(doc.span_text(x, y)).to_string());
        // A name inside the phrase.
        let mut best: Option<(usize, usize)> = None; // (ent, mention idx)
        let mut t = a;
        while t < b {
            if let Some(m) = names.mention_at(t) {
                let mi = names.by_tok[t] as usize - 1;
                let e = &names.ents[m.ent];
                let better = match best {
                    None => true,
                    Some((be, _)) => e.kind == EKind::Person || names.ents[be].kind != EKind::Person,
                };
                if better {
                    best = Some((m.ent, mi));
                }
                t = m.b.max(t + 1);
            } else {
                t += 1;
            }
        }
        // A name that only modifies the phrase's head ("Local officials",
        // "the Clinton campaign") is not the speaker.
        if let Some((_, mi)) = best {
            let m = &names.mentions[mi];
            let possessive = m.b > m.a && (doc.lw(m.b - 1).ends_with("'s") || doc.is_p(m.b, "'") || doc.is_p(m.b, "’"));
            let lower_head = m.b < b && (m.b..b).all(|t| !doc.cap(t)) && doc.is_word(b - 1);
            if lower_head
                && (possessive || m.a > a || !doc.lex.is_title(doc.lw(b - 1)) || b == m.b + 1)
                && !in_list_comma(doc, m.b, b)
            {
                best = None;
            }
        }
        let lw = doc.lw(a);
        let ent = if let Some((e, mi)) = best {
            if role.is_none() {
                if let Some((ra, rb)) = names.mentions[mi].role {
                    role = Some(doc.span_text(ra, rb).to_string());
                } else if names.mentions[mi].a > a {
                    let r = trim_np(doc.span_text(a, names.mentions[mi].a));
                    if !r.is_empty() && doc.lex.is_title(doc.lw(names.mentions[mi].a - 1)) {
                        role = Some(r.to_string());
                    }
                }
            }
            Some(e)
        } else if b == a + 1 && matches!(lw, "he" | "she") {
            let g = if lw == "he" { Gender::Male } else { Gender::Female };
            let near = antecedent(doc, names, a, g, inq);
            salient_speaker(doc, names, &out, a, g, near).or(near)
        } else if b == a + 1 && matches!(lw, "who") && a >= 1 {
            let p = if doc.is_p(a - 1, ",") { a.saturating_sub(2) } else { a - 1 };
            names.mention_at(p).map(|m| m.ent)
        } else {
            describe(doc, names, a, b, &out)
        };
        // "Two Russian sources", "Ukrainian officials": a place only
        // speaks for itself ("Russia said"), never for people described by it.
        // Nor for "a woman in Worcester": a place after a preposition
        // only says where the speaker is.
        let after_prep = (a + 1..b).any(|t| {
            matches!(doc.lw(t), "in" | "from" | "of" | "at")
                && names.mention_at(t + 1).is_some_and(|m| names.ents[m.ent].kind == EKind::Place)
                && !names.mention_at(a).is_some_and(|m| names.ents[m.ent].kind == EKind::Place)
        });
        let ent = ent.filter(|&e| names.ents[e].kind != EKind::Place || (doc.cap(b - 1) && !after_prep));
        let resolved = ent.map(|e| names.ents[e].name.clone());
        out.push(Resolved { written: Some(written), resolved, role, span: Some((a, b)), ent });
    }
    out
}

/// The speaker the text is following, when a he/she at `pos` more likely
/// means them than `near`, the closest agreeing name: a person who spoke in
/// the last few sentences keeps the floor over someone only mentioned in
/// passing ("… loyalists to Joe Biden. 'This is …,' he said" — not Biden),
/// unless `near` is itself the subject of its sentence.
fn salient_speaker(
    doc: &Doc,
    names: &Names,
    prev: &[Resolved],
    pos: usize,
    g: Gender,
    near: Option<usize>,
) -> Option<usize> {
    let cur = doc.sent_of.get(pos).copied().unwrap_or(0) as usize;
    let last = prev.iter().rev().take(4).find_map(|r| {
        let (e, (sa, _)) = (r.ent?, r.span?);
        let ent = &names.ents[e];
        let close = cur.saturating_sub(doc.sent_of.get(sa).copied().unwrap_or(0) as usize) <= 2;
        (close && sa < pos && ent.kind == EKind::Person && ent.gender.is_none_or(|x| x == g)).then_some(e)
    })?;
    let Some(n) = near else { return Some(last) };
    if n == last {
        return None;
    }
    // Where `near` was last named before `pos`.
    let upto = names.mentions.partition_point(|m| m.a < pos);
    let m = names.mentions[..upto].iter().rev().find(|m| m.ent == n)?;
    let start = m.role.map(|r| r.0).unwrap_or(m.a);
    let s = doc.sent_of.get(start).copied().unwrap_or(0) as usize;
    let sent_start = doc.sents.get(s).map(|x| x.start).unwrap_or(0);
    let subject =
        (sent_start..start).all(|t| !doc.is_word(t) || matches!(doc.lw(t), "but" | "and" | "the" | "former" | "then"));
    (!subject).then_some(last)
}

/// The person a he/she at token `pos` most likely refers to.
fn antecedent(doc: &Doc, names: &Names, pos: usize, g: Gender, inq: &[bool]) -> Option<usize> {
    let cur = doc.sent_of.get(pos).copied().unwrap_or(0) as usize;
    let lo = cur.saturating_sub(10);
    let mut fallback = None;
    let floor = pos.saturating_sub(600);
    for si in (lo..=cur).rev() {
        let Some(&s) = doc.sents.get(si) else { continue };
        // A person of unknown gender in this or the previous sentence is a
        // closer candidate than an agreeing one named further back.
        if cur - si == 2 {
            if let Some(f) = fallback {
                return Some(f);
            }
        }
        let mut t = s.start.max(floor);
        while t < s.end.min(pos) {
            if inq.get(t).copied().unwrap_or(false) {
                t += 1;
                continue;
            }
            if let Some(m) = names.mention_at(t) {
                let e = &names.ents[m.ent];
                if e.kind == EKind::Person || e.provisional() && !names.tagged {
                    match e.gender {
                        Some(x) if x == g => return Some(m.ent),
                        None if fallback.is_none() && cur - si <= 3 => fallback = Some(m.ent),
                        _ => {}
                    }
                }
                t = m.b.max(t + 1);
                continue;
            }
            t += 1;
        }
    }
    fallback
}

/// "the diplomat", "the senator": the latest person whose role has the word.
fn describe(doc: &Doc, names: &Names, a: usize, b: usize, _prev: &[Resolved]) -> Option<usize> {
    if b < a + 2 || !matches!(doc.lw(a), "the" | "this") {
        return None;
    }
    let head = doc.lw(b - 1);
    if !doc.lex.is_title(head) && head != "diplomat" {
        return None;
    }
    let alts: &[&str] = match head {
        "diplomat" => &["diplomat", "minister", "ambassador", "envoy"],
        "senator" => &["senator", "sen."],
        "governor" => &["governor", "gov."],
        _ => &[],
    };
    let mut best = None;
    // Only the latest few hundred names: bounded work per quote.
    let upto = names.mentions.partition_point(|m| m.a < a);
    for m in &names.mentions[upto.saturating_sub(300)..upto] {
        let e = &names.ents[m.ent];
        if e.kind != EKind::Person {
            continue;
        }
        let hit = e.roles.iter().any(|r| {
            let r = r.to_lowercase();
            r.split_whitespace().any(|w| w == head || alts.contains(&w))
        });
        if hit {
            best = Some(m.ent);
        }
    }
    best
}

/// Re-exported so callers can name the kinds without depending on the model crate.
pub use newsdesk_model::QuoteKind as Kind;

#[cfg(test)]
mod tests {
    use super::*;

    use newsdesk_model::QuoteKind;

    #[test]
    fn direct_quote_with_pronoun() {
        let a = analyze("Sergei Ryabkov spoke on Monday.\n\n“We are ready to talk,” he said.", None);
        assert_eq!(a.quotes.len(), 1);
        let q = &a.quotes[0];
        assert_eq!(q.kind, QuoteKind::Direct);
        assert_eq!(q.speaker.written.as_deref(), Some("he"));
        assert_eq!(q.speaker.resolved.as_deref(), Some("Sergei Ryabkov"));
        assert_eq!(q.cue.as_deref(), Some("said"));
    }

    fn kinds(a: &Analysis) -> Vec<(String, EntityKind)> {
        a.entities.iter().map(|e| (e.name.clone(), e.kind)).collect()
    }

    #[test]
    fn embedded_taggers_load() {
        for lang in ["en", "es", "nl"] {
            assert!(tagger::for_language(lang).is_some(), "{lang}");
        }
        assert!(tagger_for("pt-BR").is_some());
        assert!(tagger_for("de").is_none());
    }

    #[test]
    fn tagger_keeps_titles_out_and_streets_and_companies_apart() {
        let body = "Chief Fire Officer Neil Hartigan said the blaze on Mill Lane was out by midnight. \
                    Castellan Terminals, which runs the port, said its staff were safe.";
        let a = analyze_in(body, None, "en");
        let ks = kinds(&a);
        let neil = a.entities.iter().find(|e| e.name == "Neil Hartigan").expect("Neil Hartigan listed");
        assert_eq!(neil.kind, EntityKind::Person);
        assert_eq!(neil.roles, vec!["Chief Fire Officer".to_string()]);
        assert!(ks.contains(&("Mill Lane".into(), EntityKind::Place)), "{ks:?}");
        assert!(ks.contains(&("Castellan Terminals".into(), EntityKind::Organization)), "{ks:?}");
        let people: Vec<&String> = ks.iter().filter(|(_, k)| *k == EntityKind::Person).map(|(n, _)| n).collect();
        assert_eq!(people, vec!["Neil Hartigan"]);
    }

    #[test]
    fn tagger_reads_headlines_and_other_languages() {
        let a = analyze_in("FLOODS CLOSE BRIDGE IN KINGSTON\nKINGSTON 2024-03-02\nThe river rose again on Friday.", None, "en");
        assert!(!kinds(&a).iter().any(|(n, _)| n.contains("FLOODS") || n.contains("BRIDGE")), "{:?}", kinds(&a));
        let es = analyze_in("La alcaldesa de Valparaíso, Camila Ortega, visitó Santiago el lunes.", None, "es");
        let ks = kinds(&es);
        assert!(ks.contains(&("Camila Ortega".into(), EntityKind::Person)), "{ks:?}");
        assert!(ks.contains(&("Santiago".into(), EntityKind::Place)), "{ks:?}");
    }

    #[test]
    fn offsets_are_code_points() {
        let body = "Ünïcödé first. “Ça va très bien,” said Marie Curie.";
        let a = analyze(body, None);
        let q = &a.quotes[0];
        let chars: Vec<char> = body.chars().collect();
        let s: String = chars[q.start..q.end].iter().collect();
        assert_eq!(s, q.text);
    }

    #[test]
    fn empty_and_odd_inputs_do_not_panic() {
        for b in ["", "“", "”", "\"\"\"", "said", "he said that", "“a\n\n”b", "..., said.", "according to", "’s"]
        {
            let _ = analyze(b, None);
        }
    }
}
