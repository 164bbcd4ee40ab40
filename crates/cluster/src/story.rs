//! Incremental story clustering.

use std::collections::HashMap;

/// What the clusterer needs to know about one article.
#[derive(Clone, Debug, Default)]
pub struct StoryFeatures {
    /// The article's id; a story founded by this article gets it as its id.
    pub id: u64,
    /// Publication time (Unix seconds); `None` puts the article at the
    /// latest time seen so far.
    pub published_unix: Option<i64>,
    /// Named entities (people, organisations, places) mentioned; compared
    /// case-insensitively.
    pub entities: Vec<String>,
    /// Weighted key terms, as from [`crate::story_terms`].
    pub terms: Vec<(String, f32)>,
}

/// Thresholds of [`StoryClusterer`]. The defaults were tuned on the
/// synthetic corpus of `newsdesk-sources` (see its `synth` module).
#[derive(Clone, Debug)]
pub struct StoryParams {
    /// An article joins a story only if published within this many seconds
    /// of the story's first or last article: events are reported over days,
    /// and the same place names recur in unrelated stories months apart.
    pub window_secs: i64,
    /// An article joins a story only if the story, with it, would span at
    /// most this many seconds from first to last article. Without a cap,
    /// events of one kind (a bridge failure here, another one there a few
    /// days later) chain through the window into one story that never
    /// ends: over 300k generated articles one such story took in 1,200
    /// articles of 700 events over 166 days. An ongoing story longer than
    /// this continues as a new one.
    pub max_span_secs: i64,
    /// Term cosine (idf-weighted) that joins a story on its own.
    pub min_cosine: f32,
    /// Lower term cosine that joins when enough entities are shared too.
    pub min_cosine_with_entities: f32,
    /// Shared entities needed for the lower cosine.
    pub min_shared_entities: usize,
    /// Terms kept in a story's centroid.
    pub centroid_terms: usize,
}

impl Default for StoryParams {
    fn default() -> Self {
        StoryParams {
            window_secs: 3 * 24 * 3600,
            max_span_secs: 7 * 24 * 3600,
            min_cosine: 0.35,
            min_cosine_with_entities: 0.12,
            min_shared_entities: 2,
            centroid_terms: 64,
        }
    }
}

struct Story {
    id: u64,
    /// Sum of the member articles' idf-weighted unit vectors, trimmed to
    /// the heaviest terms, sorted by term id (a story is looked up by
    /// binary search; a sorted vector of ids is a tenth of the memory of a
    /// map of strings, and a store of a million articles holds ~200k
    /// stories).
    centroid: Vec<(u32, f32)>,
    /// Member mentions per entity, sorted by entity id.
    entities: Vec<(u32, u32)>,
    first: i64,
    last: i64,
}

/// Strings (terms or entity names) numbered in order of first sight, so
/// the clusterer's many per-story tables hold 4-byte ids, each string
/// kept once.
#[derive(Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), i);
        i
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |n| n)
    }
}

/// Assigns articles to stories one at a time, as they arrive.
///
/// Why incremental single-pass: ingest is a stream that never ends, so
/// re-clustering everything per batch is not an option; each article is
/// compared only with stories that share one of its top terms or entities
/// and lie inside the time window, found through inverted indexes.
/// Results depend on arrival order, so the same input order always gives
/// the same story ids (the id of each story's first article).
pub struct StoryClusterer {
    params: StoryParams,
    stories: Vec<Story>,
    terms: Interner,
    entity_names: Interner,
    /// Per term id: the stories whose centroid holds it.
    term_postings: Vec<Vec<u32>>,
    /// Per entity id: the stories that mention it.
    entity_postings: Vec<Vec<u32>>,
    /// Per term id: articles with the term.
    term_df: Vec<u32>,
    docs: u32,
    latest: i64,
}

/// Postings walked per term or entity, newest first: old stories fall out
/// of the time window anyway, and the cap bounds a lookup for common words.
const MAX_POSTINGS_WALK: usize = 256;
/// Lookup terms a story must share (when it shares no entity) to be scored.
const MIN_TERM_HITS: u32 = 2;
/// Query terms used to find candidate stories.
const LOOKUP_TERMS: usize = 10;

impl Default for StoryClusterer {
    fn default() -> Self {
        Self::new()
    }
}

impl StoryClusterer {
    /// A clusterer with the default [`StoryParams`].
    pub fn new() -> Self {
        Self::with_params(StoryParams::default())
    }

    /// A clusterer with explicit thresholds.
    pub fn with_params(params: StoryParams) -> Self {
        StoryClusterer {
            params,
            stories: Vec::new(),
            terms: Interner::default(),
            entity_names: Interner::default(),
            term_postings: Vec::new(),
            entity_postings: Vec::new(),
            term_df: Vec::new(),
            docs: 0,
            latest: i64::MIN,
        }
    }

    /// Number of stories so far.
    pub fn story_count(&self) -> usize {
        self.stories.len()
    }

    /// Assigns `f` to an existing story or founds a new one; returns the
    /// story id.
    pub fn assign(&mut self, f: &StoryFeatures) -> u64 {
        self.docs = self.docs.saturating_add(1);
        for (t, _) in &f.terms {
            let i = self.terms.id(t) as usize;
            if self.term_df.len() <= i {
                self.term_df.resize(i + 1, 0);
                self.term_postings.resize_with(i + 1, Vec::new);
            }
            self.term_df[i] += 1;
        }
        let t = match f.published_unix {
            Some(t) => t,
            None if self.latest == i64::MIN => 0,
            None => self.latest,
        };
        self.latest = self.latest.max(t);

        let vector = self.weighted(&f.terms);
        let mut names: Vec<String> =
            f.entities.iter().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).collect();
        names.sort();
        names.dedup();
        let mut entities: Vec<u32> = names.iter().map(|e| self.entity_names.id(e)).collect();
        entities.sort_unstable();
        if let Some(&max) = entities.last() {
            if self.entity_postings.len() <= max as usize {
                self.entity_postings.resize_with(max as usize + 1, Vec::new);
            }
        }

        let best = self.best_story(&vector, &entities, t);
        let idx = match best {
            Some(i) => i,
            None => {
                self.stories.push(Story { id: f.id, centroid: Vec::new(), entities: Vec::new(), first: t, last: t });
                self.stories.len() - 1
            }
        };
        self.add_to_story(idx, &vector, &entities, t);
        self.stories[idx].id
    }

    /// The article's terms as (term id, idf-weighted unit weight), heaviest
    /// first (ties by term). Every term is interned by `assign` first.
    fn weighted(&self, terms: &[(String, f32)]) -> Vec<(u32, f32)> {
        let n = self.docs.max(1) as f32;
        let mut v: Vec<(u32, f32)> = terms
            .iter()
            .filter(|(_, w)| w.is_finite() && *w > 0.0)
            .filter_map(|(t, w)| {
                let i = self.terms.get(t)?;
                let df = self.term_df.get(i as usize).copied().unwrap_or(1).max(1) as f32;
                Some((i, w * (1.0 + n / df).ln()))
            })
            .collect();
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                x.1 /= norm;
            }
        }
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| self.terms.name(a.0).cmp(self.terms.name(b.0))));
        v
    }

    fn best_story(&self, vector: &[(u32, f32)], entities: &[u32], t: i64) -> Option<usize> {
        let (w, span) = (self.params.window_secs, self.params.max_span_secs);
        // Count how many of the article's lookup terms and entities each
        // story shares; a story sharing a single common word is not worth
        // scoring (most of the cost of `assign` is scoring).
        // Stories outside the time window are dropped before counting: most
        // postings of a common word are, and counting is a hash insert.
        let in_window = |s: u32| {
            let st = &self.stories[s as usize];
            t >= st.first.saturating_sub(w)
                && t <= st.last.saturating_add(w)
                && st.last.max(t).saturating_sub(st.first.min(t)) <= span
        };
        let mut hits: HashMap<u32, (u32, u32)> = HashMap::new();
        for (term, _) in vector.iter().take(LOOKUP_TERMS) {
            if let Some(p) = self.term_postings.get(*term as usize) {
                for &s in p.iter().rev().take(MAX_POSTINGS_WALK).filter(|&&s| in_window(s)) {
                    hits.entry(s).or_default().0 += 1;
                }
            }
        }
        for e in entities {
            if let Some(p) = self.entity_postings.get(*e as usize) {
                for &s in p.iter().rev().take(MAX_POSTINGS_WALK).filter(|&&s| in_window(s)) {
                    hits.entry(s).or_default().1 += 1;
                }
            }
        }
        let mut cands: Vec<u32> =
            hits.into_iter().filter(|(_, (t, e))| *t >= MIN_TERM_HITS || *e >= 1).map(|(s, _)| s).collect();
        cands.sort_unstable();
        let mut best: Option<(f32, usize)> = None;
        for c in cands {
            let i = c as usize;
            let s = &self.stories[i];
            let cos = cosine(vector, &s.centroid);
            let shared = entities.iter().filter(|e| s.entities.binary_search_by_key(*e, |x| x.0).is_ok()).count();
            let joins = cos >= self.params.min_cosine
                || (cos >= self.params.min_cosine_with_entities && shared >= self.params.min_shared_entities);
            if !joins {
                continue;
            }
            let score = cos + 0.05 * shared.min(4) as f32;
            // Ties go to the older story (lower index): deterministic.
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, i));
            }
        }
        best.map(|(_, i)| i)
    }

    fn add_to_story(&mut self, idx: usize, vector: &[(u32, f32)], entities: &[u32], t: i64) {
        let keep = self.params.centroid_terms;
        let terms = &self.terms;
        let s = &mut self.stories[idx];
        s.first = s.first.min(t);
        s.last = s.last.max(t);
        // Terms new to the centroid get a posting; noted while adding.
        let mut added: Vec<u32> = Vec::new();
        for &(term, w) in vector {
            match s.centroid.binary_search_by_key(&term, |x| x.0) {
                Ok(at) => s.centroid[at].1 += w,
                Err(at) => {
                    s.centroid.insert(at, (term, w));
                    added.push(term);
                }
            }
        }
        if s.centroid.len() > keep {
            s.centroid.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| terms.name(a.0).cmp(terms.name(b.0))));
            s.centroid.truncate(keep);
            s.centroid.sort_unstable_by_key(|x| x.0);
        }
        s.centroid.shrink_to_fit();
        let mut new_entities = Vec::new();
        for &e in entities {
            match s.entities.binary_search_by_key(&e, |x| x.0) {
                Ok(at) => s.entities[at].1 += 1,
                Err(at) => {
                    s.entities.insert(at, (e, 1));
                    new_entities.push(e);
                }
            }
        }
        s.entities.shrink_to_fit();
        let new_terms: Vec<u32> =
            added.into_iter().filter(|t| s.centroid.binary_search_by_key(t, |x| x.0).is_ok()).collect();
        let i = idx as u32;
        for term in new_terms {
            if let Some(list) = self.term_postings.get_mut(term as usize) {
                push_posting(list, i);
            }
        }
        for e in new_entities {
            if let Some(list) = self.entity_postings.get_mut(e as usize) {
                push_posting(list, i);
            }
        }
    }
}

fn push_posting(list: &mut Vec<u32>, i: u32) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

/// Cosine of an article vector with a story centroid (both sorted as
/// above): the norm is summed in term-id order, so the same input always
/// gives the same bits.
fn cosine(v: &[(u32, f32)], centroid: &[(u32, f32)]) -> f32 {
    let norm = centroid.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm == 0.0 {
        return 0.0;
    }
    let dot: f32 =
        v.iter().filter_map(|(t, w)| centroid.binary_search_by_key(t, |x| x.0).ok().map(|at| centroid[at].1 * w)).sum();
    dot / norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::story_terms;

    fn feat(id: u64, day: i64, ents: &[&str], head: &str, body: &str) -> StoryFeatures {
        StoryFeatures {
            id,
            published_unix: Some(day * 86_400),
            entities: ents.iter().map(|s| s.to_string()).collect(),
            terms: story_terms(head, body),
        }
    }

    #[test]
    fn same_event_joins_other_event_does_not() {
        let mut c = StoryClusterer::new();
        let a = c.assign(&feat(
            1,
            10,
            &["Varnholt", "Ilse Marrow"],
            "Bridge collapses in Varnholt",
            "The Varnholt bridge collapsed into the river; engineer Ilse Marrow blamed corrosion of the bridge cables.",
        ));
        let b = c.assign(&feat(
            2,
            11,
            &["Varnholt", "Ilse Marrow"],
            "Varnholt bridge inquiry opens",
            "An inquiry into the bridge collapse in Varnholt heard from Ilse Marrow about corrosion and cables.",
        ));
        let d = c.assign(&feat(
            3,
            11,
            &["Quessa", "Tomas Ember"],
            "Quessa orchestra tours abroad",
            "The Quessa philharmonic orchestra under Tomas Ember begins a concert tour with violin soloists.",
        ));
        assert_eq!(a, 1);
        assert_eq!(b, 1);
        assert_eq!(d, 3);
        assert_eq!(c.story_count(), 2);
    }

    #[test]
    fn time_window_separates() {
        let mut c = StoryClusterer::new();
        let head = "Bridge collapses in Varnholt";
        let body = "The Varnholt bridge collapsed into the river after corrosion of cables.";
        assert_eq!(c.assign(&feat(1, 10, &["Varnholt"], head, body)), 1);
        assert_eq!(c.assign(&feat(2, 40, &["Varnholt"], head, body)), 2);
    }

    #[test]
    fn trimmed_centroid_terms_stop_matching() {
        let mut c = StoryClusterer::with_params(StoryParams { centroid_terms: 3, ..StoryParams::default() });
        let art = |id: u64, terms: &[(&str, f32)]| StoryFeatures {
            id,
            published_unix: Some(1_000_000),
            entities: Vec::new(),
            terms: terms.iter().map(|(t, w)| (t.to_string(), *w)).collect(),
        };
        let first = [("quay", 5.0), ("ferry", 4.0), ("strike", 3.0), ("weather", 2.9), ("monday", 2.9)];
        assert_eq!(c.assign(&art(1, &first)), 1);
        // Only the two lightest terms, which the centroid dropped (kept, they
        // would give a cosine of ~0.5): a new story.
        assert_eq!(c.assign(&art(2, &[("weather", 1.0), ("monday", 1.0)])), 2);
        // Two of the kept terms: the first story.
        assert_eq!(c.assign(&art(3, &[("quay", 1.0), ("ferry", 1.0)])), 1);
        assert_eq!(c.story_count(), 2);
    }

    #[test]
    fn a_story_stops_growing_after_its_span() {
        let mut c = StoryClusterer::new();
        let head = "Ferry strike at Osterlund quay";
        let body =
            "Ferry crews at the Osterlund quay walked out over pay; the harbour master said sailings were cancelled.";
        // Every other day the same event is reported again: each article is
        // within the window of the last, but the fifth would make the story
        // span eight days.
        for day in [10, 12, 14, 16] {
            assert_eq!(c.assign(&feat(day as u64, day, &["Osterlund"], head, body)), 10);
        }
        assert_eq!(c.assign(&feat(18, 18, &["Osterlund"], head, body)), 18);
        assert_eq!(c.story_count(), 2);
    }

    #[test]
    fn empty_features_found_own_story() {
        let mut c = StoryClusterer::new();
        assert_eq!(c.assign(&StoryFeatures { id: 5, ..Default::default() }), 5);
        assert_eq!(c.assign(&StoryFeatures { id: 6, ..Default::default() }), 6);
    }
}
