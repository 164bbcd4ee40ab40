//! The synthetic corpus scored with newsdesk-cluster: duplicate folding
//! (pairwise precision/recall against the known syndication groups) and
//! story clustering (purity), plus WARC read speed. Small by default; set
//! `NEWSDESK_SYNTH_N` (and run with `--release -- --nocapture`) for the
//! figures in the report.

use std::collections::HashMap;
use std::time::Instant;

use newsdesk_cluster::{minhash, story_terms, LshIndex, Signature, StoryClusterer, StoryFeatures, SYNDICATION_THRESHOLD};
use newsdesk_sources::synth::{generate, write_corpus};
use newsdesk_sources::{open, SourceOptions};

fn n() -> usize {
    std::env::var("NEWSDESK_SYNTH_N").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Pairwise precision and recall of predicted groups against true groups,
/// over items with labels (`None` = a singleton).
fn pairwise(pred: &[usize], truth: &[Option<usize>]) -> (f64, f64) {
    let mut pairs_pred: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &p) in pred.iter().enumerate() {
        pairs_pred.entry(p).or_default().push(i);
    }
    let (mut tp, mut pp) = (0u64, 0u64);
    for members in pairs_pred.values() {
        for a in 0..members.len() {
            for b in a + 1..members.len() {
                pp += 1;
                let (x, y) = (truth[members[a]], truth[members[b]]);
                if x.is_some() && x == y {
                    tp += 1;
                }
            }
        }
    }
    let mut by_truth: HashMap<usize, u64> = HashMap::new();
    for t in truth.iter().flatten() {
        *by_truth.entry(*t).or_default() += 1;
    }
    let tpairs: u64 = by_truth.values().map(|&c| c * (c - 1) / 2).sum();
    let precision = if pp == 0 { 1.0 } else { tp as f64 / pp as f64 };
    let recall = if tpairs == 0 { 1.0 } else { tp as f64 / tpairs as f64 };
    (precision, recall)
}

#[test]
fn folding_and_story_quality_on_synthetic_corpus() {
    let n = n();
    let (truth, pages) = generate(n, 2024);
    let group_of: HashMap<&str, usize> =
        truth.articles.iter().filter_map(|a| a.syndication_group.map(|g| (a.url.as_str(), g))).collect();
    // First fetch of each URL only: revisions are folded by URL, not here.
    let pages: Vec<_> = pages.filter(|p| p.revision == 0).collect();

    let start = Instant::now();
    let mut index = LshIndex::new();
    let mut sigs: Vec<Signature> = Vec::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut clusterer = StoryClusterer::new();
    let mut story_pred = Vec::new();
    let (mut t_minhash, mut t_terms, mut t_assign) = (0f64, 0f64, 0f64);
    for (i, p) in pages.iter().enumerate() {
        let body = p.paragraphs.join("\n\n");
        let t = Instant::now();
        let sig = minhash(&body);
        t_minhash += t.elapsed().as_secs_f64();
        parent.push(i);
        let best = index
            .candidates(&sig)
            .into_iter()
            .map(|c| (sigs[c as usize].jaccard(&sig), c as usize))
            .filter(|(j, _)| *j >= SYNDICATION_THRESHOLD)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, c)) = best {
            let root = find(&mut parent, c);
            parent[i] = root;
        }
        index.insert(i as u64, &sig);
        sigs.push(sig);
        let t = Instant::now();
        let terms = story_terms(&p.headline, &body);
        t_terms += t.elapsed().as_secs_f64();
        let f = StoryFeatures { id: i as u64, published_unix: Some(p.published.timestamp()), entities: p.entities.clone(), terms };
        let t = Instant::now();
        story_pred.push(clusterer.assign(&f) as usize);
        t_assign += t.elapsed().as_secs_f64();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let fold_pred: Vec<usize> = (0..pages.len()).map(|i| find(&mut parent, i)).collect();
    let fold_truth: Vec<Option<usize>> = pages.iter().map(|p| group_of.get(p.url.as_str()).copied()).collect();
    let (fp, fr) = pairwise(&fold_pred, &fold_truth);

    // Story purity: share of articles whose predicted story's majority true
    // story is theirs; and pairwise figures over story pairs.
    let story_truth: Vec<Option<usize>> = pages.iter().map(|p| Some(p.story)).collect();
    let mut clusters: HashMap<usize, HashMap<usize, usize>> = HashMap::new();
    for (i, &s) in story_pred.iter().enumerate() {
        *clusters.entry(s).or_default().entry(pages[i].story).or_default() += 1;
    }
    let majority: usize = clusters.values().map(|c| c.values().copied().max().unwrap_or(0)).sum();
    let purity = majority as f64 / pages.len() as f64;
    let (sp, sr) = pairwise(&story_pred, &story_truth);
    eprintln!(
        "synthetic corpus: {} fetches, {} URLs, {} syndication groups, {} stories",
        truth.records,
        pages.len(),
        truth.syndication_groups.len(),
        truth.stories.len()
    );
    eprintln!("folding: pairwise precision {fp:.4} recall {fr:.4}");
    eprintln!("stories: purity {purity:.4}, pairwise precision {sp:.4} recall {sr:.4}, {} predicted for {} true", clusters.len(), truth.stories.len());
    eprintln!("minhash + lsh + story assignment: {:.0} articles/s", pages.len() as f64 / elapsed);
    let per = |t: f64| t * 1e6 / pages.len() as f64;
    eprintln!("per article: minhash {:.0} µs, story_terms {:.0} µs, assign {:.0} µs", per(t_minhash), per(t_terms), per(t_assign));
    assert!(fp >= 0.98 && fr >= 0.95, "folding precision {fp} recall {fr}");
    assert!(purity >= 0.90, "story purity {purity}");
}

#[test]
fn warc_read_speed() {
    let n = n().min(20_000);
    let dir = std::env::temp_dir().join(format!("newsdesk-synth-speed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let t0 = Instant::now();
    let truth = write_corpus(&dir, n, 5).unwrap();
    let write_s = t0.elapsed().as_secs_f64();
    let compressed: u64 = truth.files.iter().map(|f| std::fs::metadata(dir.join(f)).map(|m| m.len()).unwrap_or(0)).sum();
    let t1 = Instant::now();
    let mut bytes = 0usize;
    let mut docs = 0usize;
    for d in open(&[dir.display().to_string()], &SourceOptions::default()) {
        let d = d.unwrap();
        bytes += d.bytes.len();
        docs += 1;
    }
    let read_s = t1.elapsed().as_secs_f64();
    assert_eq!(docs, n);
    eprintln!(
        "wrote {n} records in {write_s:.2}s; read {docs} docs, {:.1} MB compressed / {:.1} MB of HTML in {read_s:.2}s: {:.0} MB/s compressed, {:.0} MB/s HTML, {:.0} docs/s",
        compressed as f64 / 1e6,
        bytes as f64 / 1e6,
        compressed as f64 / 1e6 / read_s,
        bytes as f64 / 1e6 / read_s,
        docs as f64 / read_s
    );
    let _ = std::fs::remove_dir_all(&dir);
}
