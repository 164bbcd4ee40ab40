//! MinHash/LSH recall and precision on generated near-duplicates, story
//! assignment, and paragraph diffs.

use std::collections::HashSet;

use newsdesk_cluster::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_text(rng: &mut Rng, words: usize) -> Vec<String> {
    (0..words).map(|_| format!("w{}", rng.below(5000))).collect()
}

fn exact_jaccard(a: &str, b: &str) -> f32 {
    let sa: HashSet<u64> = Shingles::hashes(a).into_iter().collect();
    let sb: HashSet<u64> = Shingles::hashes(b).into_iter().collect();
    sa.intersection(&sb).count() as f32 / sa.union(&sb).count().max(1) as f32
}

/// Near-duplicates (a few words changed, a paragraph dropped, a credit
/// added) are found through the LSH and pass the threshold; unrelated texts
/// never do.
#[test]
fn lsh_recall_and_precision_on_near_duplicates() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut index = LshIndex::new();
    let mut sigs = Vec::new();
    let n = 400;
    for i in 0..n {
        let len = 300 + rng.below(400);
        let text = random_text(&mut rng, len).join(" ");
        let sig = minhash(&text);
        index.insert(i as u64, &sig);
        sigs.push((text, sig));
    }
    let (mut found, mut dup_total, mut false_pos, mut queries) = (0, 0, 0, 0);
    for i in 0..n {
        let words: Vec<String> = sigs[i].0.split(' ').map(str::to_string).collect();
        let mut variant = words.clone();
        match i % 3 {
            0 => {
                // Change 1 word in 60.
                for j in (0..variant.len()).step_by(60) {
                    variant[j] = format!("changed{j}");
                }
            }
            1 => variant.truncate(words.len() * 85 / 100),
            _ => variant.insert(0, "VARNHOLT (Northwire) —".into()),
        }
        let vtext = variant.join(" ");
        let truth = exact_jaccard(&sigs[i].0, &vtext);
        let vsig = minhash(&vtext);
        let hits: Vec<u64> = index
            .candidates(&vsig)
            .into_iter()
            .filter(|&c| sigs[c as usize].1.jaccard(&vsig) >= SYNDICATION_THRESHOLD)
            .collect();
        if truth >= 0.7 {
            dup_total += 1;
            if hits.contains(&(i as u64)) {
                found += 1;
            }
        }
        false_pos += hits.iter().filter(|&&h| h != i as u64).count();
        queries += 1;
    }
    let recall = found as f32 / dup_total as f32;
    eprintln!("near-duplicate recall {recall:.4} ({found}/{dup_total}), false positives {false_pos} in {queries} queries");
    assert!(dup_total > 300);
    assert!(recall >= 0.99, "recall {recall}");
    assert_eq!(false_pos, 0);
}

#[test]
fn signature_estimate_error_is_small() {
    let mut rng = Rng(42);
    let mut worst: f32 = 0.0;
    for k in 1..30 {
        let a = random_text(&mut rng, 500);
        let mut b = a.clone();
        for j in (0..b.len()).step_by(k * 3) {
            b[j] = "x".into();
        }
        let (a, b) = (a.join(" "), b.join(" "));
        let err = (exact_jaccard(&a, &b) - minhash(&a).jaccard(&minhash(&b))).abs();
        worst = worst.max(err);
    }
    assert!(worst < 0.15, "worst estimate error {worst}");
}

#[test]
fn stories_group_by_event() {
    let mut c = StoryClusterer::new();
    let day = 86_400;
    let f = |id: u64, t: i64, ents: &[&str], head: &str, body: &str| StoryFeatures {
        id,
        published_unix: Some(t),
        entities: ents.iter().map(|s| s.to_string()).collect(),
        terms: story_terms(head, body),
    };
    let a = c.assign(&f(10, day, &["Quessa", "Marta Velk", "Quessa Water Authority"], "Floods swamp Quessa", "Floodwater rose in Quessa overnight; Marta Velk of the Quessa Water Authority ordered evacuation and sandbags along the levee."));
    let b = c.assign(&f(11, 2 * day, &["Quessa", "Marta Velk"], "Quessa levee inquiry", "Marta Velk defended the evacuation as floodwater receded from the Quessa levee and pumps ran all night."));
    let other = c.assign(&f(12, 2 * day, &["Dorholt", "Anouk Bren"], "Dorholt wins cup final", "Anouk Bren scored a late goal as Dorholt won the championship trophy in front of supporters at the stadium."));
    let later = c.assign(&f(13, 60 * day, &["Quessa", "Marta Velk"], "Floods swamp Quessa", "Floodwater rose in Quessa; Marta Velk ordered evacuation and sandbags along the levee."));
    assert_eq!((a, b, other, later), (10, 10, 12, 13));
}

fn ops(old: &str, new: &str) -> Vec<String> {
    paragraph_diff(old, new)
        .into_iter()
        .map(|o| match o {
            DiffOp::Same(p) => format!("={p}"),
            DiffOp::Added(p) => format!("+{p}"),
            DiffOp::Removed(p) => format!("-{p}"),
        })
        .collect()
}

#[test]
fn diff_cases() {
    assert_eq!(ops("A\n\nB\n\nC", "A\n\nB2\n\nC\n\nD"), vec!["=A", "-B", "+B2", "=C", "+D"]);
    assert_eq!(ops("A\n\nB\n\nC", "B\n\nC"), vec!["-A", "=B", "=C"]);
    assert_eq!(ops("", "A"), vec!["+A"]);
    assert_eq!(ops("A", ""), vec!["-A"]);
    assert!(ops("", "").is_empty());
    // Whitespace inside a paragraph does not count as a change.
    assert_eq!(ops("one  two\nthree", "one two three"), vec!["=one two three"]);
    // Moved paragraph: one removal and one addition, the rest kept.
    assert_eq!(ops("A\n\nB\n\nC\n\nD", "A\n\nC\n\nD\n\nB"), vec!["=A", "-B", "=C", "=D", "+B"]);
    // CRLF line ends and blank lines made of spaces split paragraphs too.
    assert_eq!(ops("A\r\n \r\nB", "A\r\n\r\nB"), vec!["=A", "=B"]);
}

#[test]
fn diff_is_bounded_on_huge_input() {
    let old: String = (0..5000).map(|i| format!("para {i}\n\n")).collect();
    let new: String = (0..5000).map(|i| format!("other {i}\n\n")).collect();
    let start = std::time::Instant::now();
    let d = paragraph_diff(&old, &new);
    assert_eq!(d.len(), 10_000);
    assert!(start.elapsed().as_secs() < 5);
}
