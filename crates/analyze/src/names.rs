//! Names in the body: runs of capitalised words split into a role prefix
//! ("Deputy Foreign Minister") and a name ("Sergei Ryabkov"), classified as
//! person, organisation or place, and grouped into per-article entities so
//! that "Ryabkov" and "Mr. Ryabkov" land on "Sergei Ryabkov".

use std::collections::HashMap;

use crate::doc::Doc;
use crate::lexicon::{Gender, PlaceKind};
use crate::tagger::{Label, Model};

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
    /// The kind this mention was found as, when known.
    pub kind: Option<EKind>,
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
    /// Whether a trained tagger found the names; provisional names are then
    /// only the rules' guesses the tagger rejected, never a pronoun's referent.
    pub tagged: bool,
}

impl Names {
    pub fn mention_at(&self, tok: usize) -> Option<&NameMention> {
        match self.by_tok.get(tok) {
            Some(&m) if m > 0 => self.mentions.get(m as usize - 1),
            _ => None,
        }
    }
}

const CONNECTORS: &[&str] =
    &["de", "van", "von", "der", "den", "al", "bin", "da", "del", "la", "le", "du", "di", "dos", "das", "ibn", "y"];

fn strip_poss(s: &str) -> &str {
    s.strip_suffix("'s").or_else(|| s.strip_suffix("’s")).or_else(|| s.strip_suffix("’")).unwrap_or(s)
}

/// Finds name runs and builds entities.
///
/// With a `model` (the language's trained tagger) the tagger decides where
/// names are and of what kind; without one, the hand-written rules do.
/// Either way the same grouping into entities follows.
pub fn find(doc: &Doc, model: Option<&Model>) -> Names {
    let runs = match model {
        Some(m) => with_fallbacks(doc, tagged_runs(doc, m)),
        None => rule_runs(doc),
    };
    let mut names = group(doc, runs);
    names.tagged = model.is_some();
    if names.tagged {
        vote_kinds(&mut names);
        doubt_lone_openers(doc, &mut names);
    }
    names
}

/// A capitalised word that opens a sentence, is named nowhere else in the
/// article and is in none of the word lists ("Engineers say …", "“Half of
/// the problems …”") is as likely a common noun as a name: it stays a
/// provisional name (the quote rules still see it), not a listed entity.
fn doubt_lone_openers(doc: &Doc, names: &mut Names) {
    let lex = doc.lex;
    for e in names.ents.iter_mut() {
        let [mi] = e.mentions[..] else { continue };
        let Some(m) = names.mentions.get(mi) else { continue };
        if m.b != m.a + 1 || m.role.is_some() || e.provisional() {
            continue;
        }
        let s = doc.sent(m.a);
        // In running text: a lower-case word follows (not a results table
        // line, "Forfar 3 Dundee 1", nor a headline).
        let opener = (s.start..m.a).all(|t| !doc.is_wordish(t)) && doc.is_word(m.b) && !doc.cap(m.b);
        let w = strip_poss(doc.s(m.a));
        let known = lex.first_names.contains_key(w) || lex.places.contains_key(w) || lex.orgs.contains_key(w);
        let acronym = w.chars().filter(|c| c.is_alphabetic()).all(|c| c.is_uppercase());
        if opener && !known && !acronym {
            e.roles.insert(0, String::from("\u{0}provisional"));
        }
    }
}

/// One kind per entity, by the majority of its mentions: the tagger may
/// read "Obama" in a title-case headline as an organisation and as a person
/// in every sentence after it, and the article means one thing throughout.
/// A mention with a role ("Mr. Obama") counts twice. Ties keep the kind of
/// the first mention.
fn vote_kinds(names: &mut Names) {
    let mut votes = vec![[0u32; 3]; names.ents.len()];
    for m in &names.mentions {
        let k = match m.kind {
            Some(EKind::Person) => 0,
            Some(EKind::Org) => 1,
            Some(EKind::Place) => 2,
            None => continue,
        };
        if let Some(v) = votes.get_mut(m.ent) {
            v[k] += if m.role.is_some() { 2 } else { 1 };
        }
    }
    for (e, v) in names.ents.iter_mut().zip(&votes) {
        let best = *v.iter().max().unwrap_or(&0);
        // A full name tagged as a person is a person, whatever its short
        // forms were read as ("MaliVai Washington" … "Washington").
        if best == 0 || e.kind == EKind::Person && e.words > 1 && v[0] > 0 {
            continue;
        }
        let cur = match e.kind {
            EKind::Person => 0,
            EKind::Org => 1,
            EKind::Place => 2,
        };
        if e.provisional() {
            e.roles.retain(|r| !r.starts_with('\u{0}'));
        } else if v[cur] == best {
            continue;
        }
        let k = if v[cur] == best { cur } else { v.iter().position(|&x| x == best).unwrap_or(cur) };
        e.kind = [EKind::Person, EKind::Org, EKind::Place][k];
    }
}

/// Adds to the tagger's names the capitalised runs the rules find where the
/// tagger found nothing, as provisional names of unknown kind. The quote
/// rules read the sentence structure through name mentions ("Two Norvish
/// speechwriters, arguing that …"); a provisional name is listed as an
/// entity only if it turns out to be a speaker, as before.
fn with_fallbacks(doc: &Doc, tagged: Vec<Run>) -> Vec<Run> {
    let mut covered = vec![false; doc.len()];
    for r in &tagged {
        let from = r.role.map(|x| x.0).unwrap_or(r.a);
        for c in covered.iter_mut().take(r.b).skip(from) {
            *c = true;
        }
    }
    let mut out = tagged;
    for r in rule_runs(doc) {
        let from = r.role.map(|x| x.0).unwrap_or(r.a);
        if (from..r.b).any(|t| covered.get(t).copied().unwrap_or(true)) {
            continue;
        }
        // Places from the gazetteer keep their kind, so that a demonym
        // ("Norwegian officials") never becomes a speaker.
        let kind = r.kind.filter(|&k| k == EKind::Place);
        let key = strip_poss(doc.span_text(from, r.b)).to_string();
        out.push(Run { a: from, b: r.b, role: None, kind, gender: None, key, fallback: true });
    }
    out.sort_by_key(|r| r.role.map(|x| x.0).unwrap_or(r.a));
    out
}

/// A title-case verb ("Obama Says", "Poll Shows") ends a name: headlines
/// and title-case lines would otherwise run verb and object into it.
fn headline_verb(doc: &Doc, t: usize) -> bool {
    let lex = doc.lex;
    let l = doc.lw(t);
    // In running text a lower-case word follows ("the United States
    // does"); in a title-case line the next word is capitalised too.
    let next_lower = doc.is_word(t + 1) && !doc.cap(t + 1);
    l.len() > 3
        && l.ends_with('s')
        && !l.ends_with("ss")
        && !next_lower
        && lex.cue(l).is_some()
        && !lex.first_names.contains_key(doc.s(t))
}

/// Auxiliary verbs that never sit inside a name ("Clinton Plan Is Expansive").
const NOT_IN_NAMES: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can", "could", "should", "must",
    "does", "did",
];

/// Sentence adverbs and conjunctions a capitalised sentence start puts
/// before a name ("Meanwhile Trump"); never the start of one.
const LEADING_NOT_NAMES: &[&str] = &[
    "meanwhile",
    "but",
    "and",
    "or",
    "however",
    "although",
    "though",
    "because",
    "so",
    "yet",
    "still",
    "then",
    "also",
    "if",
    "when",
    "while",
    "after",
    "before",
    "since",
    "despite",
    "during",
    "without",
    "unlike",
    "like",
    "asked",
    "in",
    "on",
    "at",
    "of",
    "for",
    "from",
    "by",
    "to",
    "with",
    "a",
    "an",
    "as",
    "near",
    "across",
    "into",
];

/// Cuts a tagged span where the text shows it cannot go on: after a
/// possessive ("Trump's RT": the tagger learned from text that writes
/// "Trump 's"), before a title-case verb or an auxiliary, and without
/// sentence adverbs at its start ("Meanwhile Trump").
fn trim_span(doc: &Doc, a: usize, b: usize, title_line: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = a;
    let mut t = a;
    while t < b {
        // In a title-case headline every verb is capitalised: any cue verb
        // ends the name ("Lindsey Graham Says", "Retired General Reveals").
        let title_case_verb =
            headline_verb(doc, t) && doc.cap(t + 1) || title_line && doc.cap(t) && doc.lex.cue(doc.lw(t)).is_some();
        if t > s && (title_case_verb || NOT_IN_NAMES.contains(&doc.lw(t))) {
            out.push((s, t));
            s = t + 1;
        } else if t + 1 < b && doc.is_word(t) && doc.lw(t).ends_with("'s") {
            out.push((s, t + 1));
            s = t + 1;
        }
        t += 1;
    }
    out.push((s, b));
    out.into_iter()
        .filter_map(|(mut x, y)| {
            while x < y && (LEADING_NOT_NAMES.contains(&doc.lw(x)) || !doc.is_wordish(x)) {
                x += 1;
            }
            // Never a name on its own: "He", "The", "Yesterday".
            let closed = (x..y).all(|t| crate::doc::STOP_CAPS.contains(&doc.lw(t)));
            (x < y && !closed).then_some((x, y))
        })
        .collect()
}

/// A name found in the text before grouping: token range, role prefix,
/// kind when known, gender evidence and the name as keyed.
struct Run {
    a: usize,
    b: usize,
    role: Option<(usize, usize)>,
    kind: Option<EKind>,
    gender: Option<Gender>,
    key: String,
    /// Found by the rules where the tagger found no name: provisional.
    fallback: bool,
}

impl Run {
    /// A name whose kind a word list settled: no role, no gender evidence.
    fn listed(a: usize, b: usize, kind: EKind, key: &str) -> Run {
        Run { a, b, role: None, kind: Some(kind), gender: None, key: key.to_string(), fallback: false }
    }
}

/// Names from the trained tagger. Misc names (events, nationalities,
/// works) are not listed. Titles and roles before a person's name go into
/// the role, not the name: "Fire Officer Neil Hartigan" is Neil Hartigan
/// with the role "Fire Officer".
fn tagged_runs(doc: &Doc, model: &Model) -> Vec<Run> {
    let lex = doc.lex;
    let mut runs: Vec<Run> = Vec::new();
    // Roles never reach back into the previous name ("Apple CEO Tim Cook").
    let mut prev_end = 0;
    let spans = model.tag(doc);
    // Paragraphs (lines) set in title case: most of their longer words
    // capitalised.
    let mut title_para: Vec<(u32, u32)> = Vec::new();
    for t in 0..doc.len() {
        if doc.is_word(t) && doc.s(t).chars().count() >= 4 {
            let p = doc.para(t) as usize;
            if title_para.len() <= p {
                title_para.resize(p + 1, (0, 0));
            }
            title_para[p].0 += 1;
            title_para[p].1 += doc.cap(t) as u32;
        }
    }
    let is_title_line =
        |t: usize| title_para.get(doc.para(t) as usize).is_some_and(|&(w, c)| w >= 3 && c * 10 >= w * 8);
    let pieces = spans
        .iter()
        .flat_map(|sp| trim_span(doc, sp.a, sp.b, is_title_line(sp.a)).into_iter().map(move |(a, b)| (a, b, sp.label)));
    for (sa, sb, label) in pieces {
        let sp = crate::tagger::Span { a: sa, b: sb, label };
        // A person's name never ends in "Lane" or starts with "River":
        // the tagger learned from news with few streets in it.
        let first = lex.place_words.get(doc.lw(sp.a)).is_some_and(|p| p.0);
        let last = lex.place_words.get(strip_poss(doc.lw(sp.b - 1))).is_some_and(|p| p.1);
        let street = sp.b > sp.a + 1 && (first || last);
        // Nor in "Therapeutics" or "Union": organisation words end
        // organisations.
        let org_end = sp.b > sp.a + 1 && lex.org_words.contains_key(strip_poss(doc.lw(sp.b - 1)));
        let kind = match sp.label {
            Label::Person if org_end => EKind::Org,
            Label::Person if street => EKind::Place,
            Label::Person => EKind::Person,
            Label::Org => EKind::Org,
            Label::Place => EKind::Place,
            Label::Misc => {
                prev_end = sp.b;
                continue;
            }
        };
        let (mut a, b) = (sp.a, sp.b);
        let mut gender = None;
        let mut role_a = a;
        if kind == EKind::Person {
            // Title words the tagger left inside the name.
            while a + 1 < b && lex.titles.contains_key(doc.lw(a)) {
                if let Some(Some(g)) = lex.titles.get(doc.lw(a)) {
                    gender = Some(*g);
                }
                a += 1;
            }
            role_a = a;
            // Title words right before it, and the capitalised words that
            // qualify them ("Deputy Foreign Minister", "Fire Officer").
            let mut k = a;
            let mut saw = false;
            while k > prev_end && a - k < 5 && doc.is_word(k - 1) && doc.para(k - 1) == doc.para(a) {
                let l = doc.lw(k - 1);
                // "under", "former": title-list words that are also
                // prepositions or closed-class words are not roles here.
                if let Some(g) = lex.titles.get(l).filter(|_| !crate::doc::STOP_CAPS.contains(&l)) {
                    if gender.is_none() {
                        gender = *g;
                    }
                    saw = true;
                    k -= 1;
                } else if saw && doc.cap(k - 1) && !crate::doc::STOP_CAPS.contains(&l) {
                    k -= 1;
                } else {
                    break;
                }
            }
            if saw {
                role_a = k;
            }
            if gender.is_none() {
                gender = lex.first_names.get(doc.s(a)).copied().flatten();
            }
        }
        let role = (role_a < a).then_some((role_a, a));
        let key = strip_poss(doc.span_text(a, b)).to_string();
        if key.is_empty() {
            continue;
        }
        prev_end = sp.b;
        // "Commission on Coastal Defence", "Committee for Fair Rents": an
        // organisation word, then "on"/"for"/"of", then a name, is one name.
        if let Some(last) = runs.last_mut() {
            let gap = last.b + 1 == a && matches!(doc.lw(last.b), "on" | "for" | "of");
            if gap && last.kind == Some(EKind::Org) && lex.org_words.contains_key(doc.lw(last.b - 1)) && role.is_none()
            {
                last.b = b;
                last.key = strip_poss(doc.span_text(last.a, b)).to_string();
                continue;
            }
        }
        runs.push(Run { a, b, role, kind: Some(kind), gender, key, fallback: false });
    }
    runs
}

/// Names by the hand-written rules: runs of capitalised words, classified
/// by the word lists.
fn rule_runs(doc: &Doc) -> Vec<Run> {
    let lex = doc.lex;
    let n = doc.len();
    let mut runs: Vec<Run> = Vec::new();
    // A title-case verb ("Obama Says", "Poll Shows") ends a name: headlines
    // and title-case lines would otherwise run verb and object into it.
    let headline_verb = |t: usize| headline_verb(doc, t);
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
            if (l == "of" || l == "&" || l == "for" || CONNECTORS.contains(&l))
                && doc.namey(b + 1)
                && doc.toks[b].para == doc.toks[a].para
            {
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
            runs.push(Run::listed(a, b, EKind::Org, run_clean));
            continue;
        }
        if lex.places.contains_key(run_clean) {
            runs.push(Run::listed(a, b, EKind::Place, run_clean));
            continue;
        }
        let last = strip_poss(doc.lw(b - 1));
        let last_raw = strip_poss(doc.s(b - 1));
        let acronym = last_raw.len() >= 2
            && last_raw.chars().all(|c| c.is_ascii_uppercase() || c == '.' || c == '&')
            && b - a == 1;
        if lex.org_words.contains_key(last) || acronym {
            runs.push(Run::listed(a, b, EKind::Org, run_clean));
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
        } else if (2..=4).contains(&words)
            && (k..b).all(|t| !lex.org_words.contains_key(strip_poss(doc.lw(t))) && !lex.titles.contains_key(doc.lw(t)))
        {
            Some(EKind::Person)
        } else {
            None
        };
        runs.push(Run { a: k, b, role, kind, gender, key: core.to_string(), fallback: false });
    }

    runs
}

/// Groups runs into entities. Multi-word persons first define surnames.
fn group(doc: &Doc, runs: Vec<Run>) -> Names {
    let lex = doc.lex;
    let mut names = Names { by_tok: vec![0; doc.len()], ..Names::default() };
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
    // First word of a multi-word organisation → the organisation.
    let mut by_org_first: HashMap<String, usize> = HashMap::new();
    let new_ent = |ents: &mut Vec<Ent>, name: String, kind: EKind, gender: Option<Gender>| -> usize {
        let words: Vec<&str> = name.split_whitespace().collect();
        let surname = words
            .iter()
            .rev()
            .find(|w| !matches!(w.to_ascii_lowercase().as_str(), "jr." | "jr" | "sr." | "ii" | "iii"))
            .map(|w| w.to_lowercase())
            .unwrap_or_default();
        let first = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
        ents.push(Ent {
            name: name.clone(),
            kind,
            gender,
            roles: Vec::new(),
            mentions: Vec::new(),
            surname,
            first,
            words: words.len(),
        });
        ents.len() - 1
    };
    for r in &runs {
        let ent;
        let mut mkind = r.kind.filter(|_| !r.fallback);
        match r.kind {
            Some(EKind::Person) if r.b - r.a >= 2 => {
                let key = r.key.clone();
                // Same first and last name → same person ("Hillary Rodham Clinton").
                let words: Vec<&str> = key.split_whitespace().collect();
                let sur = words.last().map(|w| w.to_lowercase()).unwrap_or_default();
                let fst = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
                let existing = by_key.get(&key).copied().or_else(|| {
                    by_surname.get(&sur).and_then(|v| {
                        v.iter().rev().copied().find(|&e| {
                            names.ents[e].first == fst
                                || names.ents[e].words == 1
                                || initial_of(&fst, &names.ents[e].first)
                                || initial_of(&names.ents[e].first, &fst)
                        })
                    })
                });
                ent = match existing {
                    Some(e) => {
                        let en = &mut names.ents[e];
                        // "D. Trump" after "Donald Trump" keeps the full name.
                        let weaker = initial_of(&fst, &en.first);
                        if (words.len() > en.words && !weaker) || initial_of(&en.first, &fst) && words.len() >= en.words
                        {
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
                        if r.fallback {
                            names.ents[e].roles.push(String::from("\u{0}provisional"));
                        }
                        by_key.insert(canon, e);
                        e
                    }
                };
                let _ = place.map(|p| p.kind == PlaceKind::Country);
            }
            Some(EKind::Org) => {
                let canon = lex.orgs.get(r.key.as_str()).cloned().unwrap_or_else(|| r.key.clone());
                let short = if r.b == r.a + 1 { by_org_first.get(&r.key.to_lowercase()).copied() } else { None };
                ent = match by_key.get(&canon).copied().or(short) {
                    Some(e) => e,
                    None => {
                        let e = new_ent(&mut names.ents, canon.clone(), EKind::Org, None);
                        by_key.insert(canon, e);
                        if r.b - r.a >= 2 && doc.cap(r.a) && !crate::doc::STOP_CAPS.contains(&doc.lw(r.a)) {
                            by_org_first.entry(doc.lw(r.a).to_string()).or_insert(e);
                        }
                        // Two or three capitalised words with no organisation
                        // word may be a person the tagger misread ("run by
                        // Marta Voss"): a later "Voss" tagged as a person
                        // finds it by its last word and makes it one.
                        let plain =
                            (r.a..r.b).all(|t| doc.cap(t) && !lex.org_words.contains_key(strip_poss(doc.lw(t))));
                        if (2..=3).contains(&(r.b - r.a)) && plain && !lex.orgs.contains_key(r.key.as_str()) {
                            by_surname.entry(names.ents[e].surname.clone()).or_default().push(e);
                        }
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
                let found = by_surname.get(&sur).and_then(|v| {
                    v.iter().copied().max_by_key(|&e| names.ents[e].mentions.last().map(|&mi| names.mentions[mi].a))
                });
                // A company's short form: "Castellan" after "Castellan
                // Terminals" (tagged runs only; the rules never made these).
                let via_surname = found.is_some();
                let found = found.or_else(|| {
                    if r.fallback || !matches!(r.kind, Some(EKind::Person) | Some(EKind::Org)) {
                        return None;
                    }
                    by_org_first.get(&sur).copied()
                });
                if !via_surname && found.is_some() {
                    mkind = Some(EKind::Org);
                }
                ent = match found.or_else(|| by_key.get(&r.key).copied()) {
                    Some(e) => {
                        if names.ents[e].gender.is_none() {
                            names.ents[e].gender = r.gender;
                        }
                        if via_surname && r.kind == Some(EKind::Person) && names.ents[e].words > 1 {
                            names.ents[e].kind = EKind::Person;
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
        names.mentions.push(NameMention { a: r.a, b: r.b, role: r.role, ent, kind: mkind });
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
                if let Some(&full) =
                    v.iter().find(|&&f| f != e && names.ents[f].words > 1 && names.ents[f].kind == EKind::Person)
                {
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
        let n = find(&d, None);
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
        let n = find(&d, None);
        assert!(n.ents.iter().any(|e| e.name == "DNC" && e.kind == EKind::Org));
        assert!(n.ents.iter().any(|e| e.name == "FBI" && e.kind == EKind::Org));
    }
}
