//! The hand-written word lists the rules consult: cue verbs, titles, given
//! names, organisation words and the places gazetteer, parsed once from the
//! text files in `data/` that are compiled into the binary.
//!
//! Keeping them as data files (not code) lets a reviewer read and extend
//! them without touching the rules; parsing is strict so a typo in a file is
//! caught by the unit tests, not silently ignored at run time.

// The lexicons are looked up for every token: a fast hasher (the keys are
// fixed lists, not input, so hash flooding has nothing to insert).
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// A data file that did not parse.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{file}:{line}: {message}")]
    Bad { file: &'static str, line: usize, message: String },
}

/// How a cue verb takes its complement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CueClass {
    /// Verb of saying: introduces a clause or a quote, or follows one.
    pub speech: bool,
    /// Verb of thinking: introduces a clause only with "that".
    pub belief: bool,
    /// What documents do ("a poll shows").
    pub show: bool,
    /// Takes an addressee before the clause ("told X that").
    pub tell: bool,
    /// Verb of taking a position ("criticized", "called for"): its object
    /// is the attributed content, when a named or pronoun subject holds it.
    pub stance: bool,
    /// The form is a bare present participle ("saying"), which can attach
    /// to the previous clause's subject.
    pub ing: bool,
}

/// Grammatical gender a word implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

/// Kind of gazetteer place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    Country,
    State,
    City,
    Region,
}

/// One gazetteer entry an alias points to.
#[derive(Debug, Clone)]
pub struct Place {
    pub name: String,
    pub kind: PlaceKind,
    /// The alias is a demonym or adjective ("Russian"), not the name.
    #[allow(dead_code)]
    pub demonym: bool,
}

/// All lexicons.
pub struct Lexicon {
    pub cues: HashMap<String, CueClass>,
    /// Lower-cased title word → implied gender, if any.
    pub titles: HashMap<String, Option<Gender>>,
    pub first_names: HashMap<String, Option<Gender>>,
    pub org_words: HashMap<String, ()>,
    /// Lower-cased word → where it stands in place names ("Mill Lane",
    /// "River Tamsin"): (may start one, may end one).
    pub place_words: HashMap<String, (bool, bool)>,
    /// Known organisation names (as written) → canonical name.
    pub orgs: HashMap<String, String>,
    /// Place alias (as written, case-sensitive) → place.
    pub places: HashMap<String, Place>,
    /// Longest place alias in words, to bound look-ups.
    #[allow(dead_code)]
    pub max_place_words: usize,
}

const CUES: &str = include_str!("../data/cues.txt");
const TITLES: &str = include_str!("../data/titles.txt");
const FIRST_NAMES: &str = include_str!("../data/first_names.txt");
const ORG_WORDS: &str = include_str!("../data/org_words.txt");
const PLACE_WORDS: &str = include_str!("../data/place_words.txt");
const ORGS: &str = include_str!("../data/orgs.txt");
const PLACES: &str = include_str!("../data/places.tsv");

fn lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    src.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

/// Regular inflections of a verb lemma: -s, -ed, -ing.
fn inflect(lemma: &str) -> Vec<String> {
    let mut v = vec![lemma.to_string()];
    let b = lemma.as_bytes();
    let last = b.last().copied().unwrap_or(b'x');
    let prev = if b.len() >= 2 { b[b.len() - 2] } else { b'a' };
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    if last == b'y' && !vowel(prev) {
        let stem = &lemma[..lemma.len() - 1];
        v.push(format!("{stem}ies"));
        v.push(format!("{stem}ied"));
        v.push(format!("{lemma}ing"));
    } else if last == b'e' {
        v.push(format!("{lemma}s"));
        v.push(format!("{lemma}d"));
        v.push(format!("{}ing", &lemma[..lemma.len() - 1]));
    } else if lemma.ends_with("sh") || lemma.ends_with("ch") || last == b's' || last == b'x' || last == b'z' {
        v.push(format!("{lemma}es"));
        v.push(format!("{lemma}ed"));
        v.push(format!("{lemma}ing"));
    } else {
        v.push(format!("{lemma}s"));
        v.push(format!("{lemma}ed"));
        v.push(format!("{lemma}ing"));
    }
    v
}

impl Lexicon {
    /// Parses every data file.
    pub fn parse() -> Result<Lexicon, DataError> {
        let mut cues: HashMap<String, CueClass> = HashMap::default();
        for (n, l) in lines(CUES) {
            let mut parts = l.split_whitespace();
            let class = parts.next().unwrap_or("");
            let forms: Vec<String> = parts.map(str::to_string).collect();
            if forms.is_empty() {
                return Err(DataError::Bad { file: "cues.txt", line: n, message: "no forms".into() });
            }
            let forms = if forms.len() == 1 { inflect(&forms[0]) } else { forms };
            for f in forms {
                let e = cues.entry(f.trim_end_matches(':').to_string()).or_default();
                match class {
                    "speech" => e.speech = true,
                    "belief" => e.belief = true,
                    "show" => e.show = true,
                    "tell" => e.tell = true,
                    "stance" => e.stance = true,
                    other => {
                        return Err(DataError::Bad {
                            file: "cues.txt",
                            line: n,
                            message: format!("unknown class {other}"),
                        })
                    }
                }
                if f.ends_with("ing") {
                    e.ing = true;
                }
            }
        }
        let mut titles = HashMap::default();
        for (n, l) in lines(TITLES) {
            let mut parts = l.split_whitespace();
            let w = parts.next().unwrap_or("").to_lowercase();
            let g = match parts.next() {
                None => None,
                Some("m") => Some(Gender::Male),
                Some("f") => Some(Gender::Female),
                Some(x) => {
                    return Err(DataError::Bad { file: "titles.txt", line: n, message: format!("bad gender {x}") })
                }
            };
            titles.insert(w, g);
        }
        let mut first_names: HashMap<String, Option<Gender>> = HashMap::default();
        for (n, l) in lines(FIRST_NAMES) {
            let mut parts = l.split_whitespace();
            let g = match parts.next() {
                Some("m") => Gender::Male,
                Some("f") => Gender::Female,
                x => {
                    return Err(DataError::Bad {
                        file: "first_names.txt",
                        line: n,
                        message: format!("bad gender {x:?}"),
                    })
                }
            };
            for name in parts {
                let e = first_names.entry(name.to_string()).or_insert(Some(g));
                if *e != Some(g) {
                    // Listed under both: the name says nothing about gender.
                    *e = None;
                }
            }
        }
        let org_words = lines(ORG_WORDS).map(|(_, l)| (l.trim().to_lowercase(), ())).collect();
        let mut place_words = HashMap::default();
        for (n, l) in lines(PLACE_WORDS) {
            let mut it = l.split_whitespace();
            let w = it.next().unwrap_or("").to_lowercase();
            let pos = match it.next() {
                None => (true, true),
                Some("start") => (true, false),
                Some("end") => (false, true),
                Some(other) => {
                    return Err(DataError::Bad {
                        file: "place_words.txt",
                        line: n,
                        message: format!("bad position {other:?}"),
                    })
                }
            };
            place_words.insert(w, pos);
        }
        let mut orgs = HashMap::default();
        for (_, l) in lines(ORGS) {
            let mut parts = l.split('\t');
            let name = parts.next().unwrap_or("").trim().to_string();
            let canon = parts.next().map(|s| s.trim().to_string()).unwrap_or_else(|| name.clone());
            orgs.insert(name, canon);
        }
        let mut places = HashMap::default();
        let mut max_place_words = 1;
        for (n, l) in lines(PLACES) {
            let cols: Vec<&str> = l.split('\t').collect();
            if cols.len() < 2 {
                return Err(DataError::Bad { file: "places.tsv", line: n, message: "fewer than 2 columns".into() });
            }
            let kind = match cols[0] {
                "country" => PlaceKind::Country,
                "state" => PlaceKind::State,
                "city" => PlaceKind::City,
                "region" => PlaceKind::Region,
                x => return Err(DataError::Bad { file: "places.tsv", line: n, message: format!("bad kind {x}") }),
            };
            let name = cols[1].trim().to_string();
            let mut add = |alias: &str, place: Place| {
                let alias = alias.trim();
                if alias.is_empty() || alias.contains('(') {
                    return;
                }
                max_place_words = max_place_words.max(alias.split_whitespace().count());
                places.entry(alias.to_string()).or_insert(place);
            };
            add(&name, Place { name: name.clone(), kind, demonym: false });
            if let Some(aliases) = cols.get(2) {
                for a in aliases.split(';') {
                    let demonym = a.trim().chars().next().map(char::is_uppercase).unwrap_or(false)
                        && (a.ends_with("an")
                            || a.ends_with("ans")
                            || a.ends_with("ese")
                            || a.ends_with("ish")
                            || a.ends_with('i')
                            || a.ends_with("is"));
                    add(a, Place { name: name.clone(), kind, demonym });
                }
            }
            if let Some(cap) = cols.get(3) {
                if !cap.trim().is_empty() {
                    add(cap, Place { name: cap.trim().to_string(), kind: PlaceKind::City, demonym: false });
                }
            }
        }
        Ok(Lexicon { cues, titles, first_names, org_words, place_words, orgs, places, max_place_words })
    }

    /// The lexicon compiled into this binary. The data files are tested to
    /// parse, so a failure here is a build defect; it degrades to empty
    /// lists rather than panicking in a library.
    pub fn get() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| {
            Lexicon::parse().unwrap_or_else(|_| Lexicon {
                cues: HashMap::default(),
                titles: HashMap::default(),
                first_names: HashMap::default(),
                org_words: HashMap::default(),
                place_words: HashMap::default(),
                orgs: HashMap::default(),
                places: HashMap::default(),
                max_place_words: 1,
            })
        })
    }

    pub fn cue(&self, lower: &str) -> Option<CueClass> {
        self.cues.get(lower).copied()
    }

    pub fn is_title(&self, lower: &str) -> bool {
        self.titles.contains_key(lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_parse() {
        let l = Lexicon::parse().expect("data files parse");
        assert!(l.cue("said").map(|c| c.speech).unwrap_or(false));
        assert!(l.cue("told").map(|c| c.tell).unwrap_or(false));
        assert!(l.cue("believes").map(|c| c.belief).unwrap_or(false));
        assert!(l.cue("warning").map(|c| c.ing).unwrap_or(false));
        assert_eq!(l.places.get("Russian").map(|p| p.name.as_str()), Some("Russia"));
        assert_eq!(l.places.get("Kyiv").map(|p| p.kind), Some(PlaceKind::City));
        assert_eq!(l.first_names.get("Sergei"), Some(&Some(Gender::Male)));
        assert_eq!(l.first_names.get("Delcy"), Some(&Some(Gender::Female)));
        assert_eq!(l.titles.get("spokeswoman"), Some(&Some(Gender::Female)));
        assert!(l.places.len() > 400);
    }

    #[test]
    fn inflections() {
        assert_eq!(inflect("deny"), vec!["deny", "denies", "denied", "denying"]);
        assert_eq!(inflect("note"), vec!["note", "notes", "noted", "noting"]);
        assert_eq!(inflect("stress"), vec!["stress", "stresses", "stressed", "stressing"]);
    }
}
