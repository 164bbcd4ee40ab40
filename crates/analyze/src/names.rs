//! Names in the body: runs of capitalised words split into a role prefix
//! ("Deputy Foreign Minister") and a name ("Sergei Ryabkov"), classified as
//! person, organisation or place, and grouped into per-article entities so
//! that "Ryabkov" and "Mr. Ryabkov" land on "Sergei Ryabkov".

use std::collections::HashMap;

use crate::doc::Doc;
use crate::lexicon::{Gender, PlaceKind};

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EKind {
    Person,
    Org,
    Place,
}

/// One recognised name in the text.
#[derive(Debug, Clone)]
pub struct NameMention {
    /// Token range of the name itself (no role, no possessive split).
    pub a: usize,
    pub b: usize,
    /// Token range of the role words before the name, when any.
    pub role: Option<(usize, usize)>,
    pub ent: usize,
}

/// A per-article entity.
#[derive(Debug, Clone)]
pub struct Ent {
    pub name: String,
    pub kind: EKind,
    pub gender: Option<Gender>,
    pub roles: Vec<String>,
    pub mentions: Vec<usize>,
    /// Lower-cased last word, for short-name look-ups.
    pub surname: String,
    pub first: String,
    /// Number of words in the fullest name.
    pub words: usize,
}

/// Names found in one document.
#[derive(Default)]
pub struct Names {
    pub mentions: Vec<NameMention>,
    pub ents: Vec<Ent>,
    /// Token index → mention index + 1 (0: none), for every token of a
    /// name or its role.
    pub by_tok: Vec<u32>,
}

impl Names {
    pub fn mention_at(&self, tok: usize) -> Option<&NameMention> {
        match self.by_tok.get(tok) {
            Some(&m) if m > 0 => self.mentions.get(m as usize - 1),
            _ => None,
        }
    }
}

const CONNECTORS: &[&str] = &["de", "van", "von", "der", "den", "al", "bin", "da", "del", "la", "le", "du", "di", "dos", "das", "ibn", "y"];

fn strip_poss(s: &str) -> &str {
    s.strip_suffix("'s").or_else(|| s.strip_suffix("’s")).or_else(|| s.strip_suffix("’")).unwrap_or(s)
}

/// Finds name runs and builds entities.
pub fn find(doc: &Doc) -> Names {
    let lex = doc.lex;
    let n = doc.len();
    let mut names = Names { by_tok: vec![0; n], ..Names::default() };
    // Pass 1: runs.
    struct Run {
        a: usize,
        b: usize,
        role: Option<(usize, usize)>,
        kind: Option<EKind>,
        gender: Option<Gender>,
        key: String,
    }
    let mut runs: Vec<Run> = Vec::new();
    // A title-case verb ("Obama Says", "Poll Shows") ends a name: headlines
    // and title-case lines would otherwise run verb and object into it.
    let headline_verb = |t: usize| {
        let l = doc.lw(t);
        // In running text a lower-case word follows ("the United States
        // does"); in a title-case line the next word is capitalised too.
        let next_lower = doc.is_word(t + 1) && !doc.cap(t + 1);
        l.len() > 3 && l.ends_with('s') && !l.ends_with("ss") && !next_lower && lex.cue(l).is_some() && !lex.first_names.contains_key(doc.s(t))
    };
    let mut i = 0;
    while i < n {
        if !doc.namey(i) || headline_verb(i) {
            i += 1;
            continue;
        }
        let a = i;
        let mut b = i + 1;
        let mut poss = doc.lw(i).ends_with("'s");
        while b < n && !poss {
            if headline_verb(b) {
                break;
            }
            // "Theresa May said": a month name as a surname, right after a
            // given name (never after "in" or a weekday, which are not namey).
            if doc.is_w(b, "may") && doc.cap(b) && lex.first_names.contains_key(doc.s(b - 1)) {
                b += 1;
                continue;
            }
            if doc.namey(b) || (doc.cap(b) && lex.is_title(doc.lw(b))) {
                poss = doc.lw(b).ends_with("'s");
                b += 1;
                continue;
            }
            // Inner connectors: "Bank of America", "Charles de Gaulle".
            let l = doc.lw(b);
            if (l == "of" || l == "&" || l == "for" || CONNECTORS.contains(&l)) && doc.namey(b + 1) && doc.toks[b].para == doc.toks[a].para {
                b += 1;
                continue;
            }
            // "Commission on Presidential Debates", "Committee for a
            // Responsible Budget": after an organisation word, "on" and a
            // connector with an article carry the name on.
            if lex.org_words.contains_key(doc.lw(b - 1)) && matches!(l, "on" | "of" | "for") {
                let skip = if matches!(doc.lw(b + 1), "a" | "the") { 2 } else { 1 };
                if doc.namey(b + skip) && doc.toks[b + skip - 1].para == doc.toks[a].para {
                    b += skip;
                    continue;
                }
            }
            break;
        }
        i = b;
        // Drop a sentence-initial title-case word that is not a name start
        // ("Asked about it, Smith said" is handled by STOP_CAPS).
        let text_run = doc.span_text(a, b);
        let run_clean = strip_poss(text_run);
        // Whole-run look-ups first.
        if let Some(_) = lex.orgs.get(run_clean) {
            runs.push(Run { a, b, role: None, kind: Some(EKind::Org), gender: None, key: run_clean.to_string() });
            continue;
        }
        if lex.places.contains_key(run_clean) {
            runs.push(Run { a, b, role: None, kind: Some(EKind::Place), gender: None, key: run_clean.to_string() });
            continue;
        }
        let last = strip_poss(doc.lw(b - 1));
        let last_raw = strip_poss(doc.s(b - 1));
        let acronym = last_raw.len() >= 2 && last_raw.chars().all(|c| c.is_ascii_uppercase() || c == '.' || c == '&') && b - a == 1;
        if lex.org_words.contains_key(last) || acronym {
            runs.push(Run { a, b, role: None, kind: Some(EKind::Org), gender: None, key: run_clean.to_string() });
            continue;
        }
        // Role prefix.
        let mut k = a;
        let mut saw_title = false;
        let mut gender = None;
        while k + 1 < b {
            let l = doc.lw(k);
            if let Some(g) = lex.titles.get(l) {
                saw_title = true;
                if g.is_some() {
                    gender = *g;
                }
                k += 1;
            } else if lex.places.contains_key(strip_poss(doc.s(k))) || l == "of" {
                k += 1;
            } else {
                break;
            }
        }
        if !saw_title {
            k = a;
        }
        let role = if k > a { Some((a, k)) } else { None };
        let core = strip_poss(doc.span_text(k, b));
        let words = b - k;
        let first = doc.s(k);
        let fname = lex.first_names.get(first).copied();
        if gender.is_none() {
            if let Some(g) = fname {
                gender = g;
            }
        }
        let kind = if lex.places.contains_key(core) {
            Some(EKind::Place)
        } else if role.is_some() || fname.is_some() {
            Some(EKind::Person)
        } else if (2..=4).contains(&words) && (k..b).all(|t| !lex.org_words.contains_key(strip_poss(doc.lw(t))) && !lex.titles.contains_key(doc.lw(t))) {
            Some(EKind::Person)
        } else {
            None
        };
        runs.push(Run { a: k, b, role, kind, gender, key: core.to_string() });
    }

    // Pass 2: entities. Multi-word persons first define surnames.
    /// Whether `short` is an initial ("d.") of the given name `full` ("donald").
    fn initial_of(short: &str, full: &str) -> bool {
        let mut sc = short.chars();
        match (sc.next(), sc.next(), sc.next(), full.chars().next()) {
            (Some(a), Some('.'), None, Some(f)) => full.chars().count() > 2 && a == f,
            _ => false,
        }
    }
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut by_surname: HashMap<String, Vec<usize>> = HashMap::new();
    let new_ent = |ents: &mut Vec<Ent>, name: String, kind: EKind, gender: Option<Gender>| -> usize {
        let words: Vec<&str> = name.split_whitespace().collect();
        let surname = words.iter().rev().find(|w| !matches!(w.to_ascii_lowercase().as_str(), "jr." | "jr" | "sr." | "ii" | "iii")).map(|w| w.to_lowercase()).unwrap_or_default();
        let first = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
        ents.push(Ent { name: name.clone(), kind, gender, roles: Vec::new(), mentions: Vec::new(), surname, first, words: words.len() });
        ents.len() - 1
    };
    for r in &runs {
        let ent;
        match r.kind {
            Some(EKind::Person) if r.b - r.a >= 2 => {
                let key = r.key.clone();
                // Same first and last name → same person ("Hillary Rodham Clinton").
                let words: Vec<&str> = key.split_whitespace().collect();
                let sur = words.last().map(|w| w.to_lowercase()).unwrap_or_default();
                let fst = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
                let existing = by_key.get(&key).copied().or_else(|| {
                    by_surname.get(&sur).and_then(|v| v.iter().rev().copied().find(|&e| names.ents[e].first == fst || names.ents[e].words == 1 || initial_of(&fst, &names.ents[e].first) || initial_of(&names.ents[e].first, &fst)))
                });
                ent = match existing {
                    Some(e) => {
                        let en = &mut names.ents[e];
                        // "D. Trump" after "Donald Trump" keeps the full name.
                        let weaker = initial_of(&fst, &en.first);
                        if (words.len() > en.words && !weaker) || initial_of(&en.first, &fst) && words.len() >= en.words {
                            en.name = key.clone();
                            en.words = words.len();
                            en.first = fst.clone();
                        }
                        if en.gender.is_none() {
                            en.gender = r.gender;
                        }
                        en.kind = EKind::Person;
                        e
                    }
                    None => {
                        let e = new_ent(&mut names.ents, key.clone(), EKind::Person, r.gender);
                        by_surname.entry(sur).or_default().push(e);
                        e
                    }
                };
                by_key.insert(key, ent);
            }
            Some(EKind::Place) => {
                let place = lex.places.get(r.key.as_str()).or_else(|| lex.places.get(strip_poss(doc.s(r.a))));
                let canon = place.map(|p| p.name.clone()).unwrap_or_else(|| r.key.clone());
                ent = match by_key.get(&canon) {
                    Some(&e) => e,
                    None => {
                        let e = new_ent(&mut names.ents, canon.clone(), EKind::Place, None);
                        by_key.insert(canon, e);
                        e
                    }
                };
                let _ = place.map(|p| p.kind == PlaceKind::Country);
            }
            Some(EKind::Org) => {
                let canon = lex.orgs.get(r.key.as_str()).cloned().unwrap_or_else(|| r.key.clone());
                ent = match by_key.get(&canon) {
                    Some(&e) => e,
                    None => {
                        let e = new_ent(&mut names.ents, canon.clone(), EKind::Org, None);
                        by_key.insert(canon, e);
                        e
                    }
                };
            }
            _ => {
                // A single word (or unknown): a known person's surname, or a
                // new single-name entity of unknown kind (person by default
                // when it has a title).
                let sur = r.key.to_lowercase();
                // Of several people with this surname ("Bill Clinton",
                // "Hillary Clinton"), the one named most recently.
                let found = by_surname.get(&sur).and_then(|v| v.iter().copied().max_by_key(|&e| names.ents[e].mentions.last().map(|&mi| names.mentions[mi].a)));
                ent = match found.or_else(|| by_key.get(&r.key).copied()) {
                    Some(e) => {
                        if names.ents[e].gender.is_none() {
                            names.ents[e].gender = r.gender;
                        }
                        e
                    }
                    None => {
                        let kind = if r.kind == Some(EKind::Person) { EKind::Person } else { EKind::Org };
                        let e = new_ent(&mut names.ents, r.key.clone(), kind, r.gender);
                        // Unknown single words are provisional: kind Org
                        // until a title or a cue makes them a person.
                        if r.kind.is_none() {
                            names.ents[e].kind = EKind::Org;
                            names.ents[e].roles.push(String::from("\u{0}provisional"));
                        }
                        by_key.insert(r.key.clone(), e);
                        by_surname.entry(sur).or_default().push(e);
                        e
                    }
                };
            }
        }
        let mi = names.mentions.len();
        names.mentions.push(NameMention { a: r.a, b: r.b, role: r.role, ent });
        names.ents[ent].mentions.push(mi);
        if let Some((ra, rb)) = r.role {
            let role = doc.span_text(ra, rb).to_string();
            if !names.ents[ent].roles.contains(&role) {
                names.ents[ent].roles.push(role);
            }
        }
        let from = r.role.map(|x| x.0).unwrap_or(r.a);
        for t in from..r.b {
            if let Some(x) = names.by_tok.get_mut(t) {
                *x = mi as u32 + 1;
            }
        }
    }
    // Later full names may define a surname first used alone ("Obama" …
    // "Barack Obama"): fold single-word entities into the full one.
    let mut remap: Vec<usize> = (0..names.ents.len()).collect();
    for e in 0..names.ents.len() {
        if names.ents[e].words == 1 {
            let sur = names.ents[e].surname.clone();
            if let Some(v) = by_surname.get(&sur) {
                if let Some(&full) = v.iter().find(|&&f| f != e && names.ents[f].words > 1 && names.ents[f].kind == EKind::Person) {
                    remap[e] = full;
                }
            }
        }
    }
    for m in names.mentions.iter_mut() {
        let to = remap[m.ent];
        if to != m.ent {
            let g = names.ents[m.ent].gender;
            m.ent = to;
            if names.ents[to].gender.is_none() {
                names.ents[to].gender = g;
            }
        }
    }
    for e in names.ents.iter_mut() {
        e.mentions.clear();
    }
    for (mi, m) in names.mentions.iter().enumerate() {
        names.ents[m.ent].mentions.push(mi);
    }
    names
}

impl Ent {
    /// Unknown single words found with no evidence of their kind.
    pub fn provisional(&self) -> bool {
        self.roles.first().map(|r| r.starts_with('\u{0}')).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_name_split_and_short_names() {
        let t = "Deputy Foreign Minister Sergei Ryabkov spoke. Later Ryabkov left Moscow.";
        let d = Doc::new(t);
        let n = find(&d);
        let ry: Vec<&Ent> = n.ents.iter().filter(|e| e.name == "Sergei Ryabkov").collect();
        assert_eq!(ry.len(), 1);
        assert_eq!(ry[0].mentions.len(), 2);
        assert_eq!(ry[0].roles, vec!["Deputy Foreign Minister".to_string()]);
        assert_eq!(ry[0].gender, Some(Gender::Male));
        assert!(n.ents.iter().any(|e| e.name == "Moscow" && e.kind == EKind::Place));
    }

    #[test]
    fn orgs_by_word_and_list() {
        let d = Doc::new("The Democratic National Committee and the FBI met Reuters.");
        let n = find(&d);
        assert!(n.ents.iter().any(|e| e.name == "DNC" && e.kind == EKind::Org));
        assert!(n.ents.iter().any(|e| e.name == "FBI" && e.kind == EKind::Org));
    }
}
