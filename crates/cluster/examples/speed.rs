//! Per-article cost of the clustering stages on generated text:
//! `cargo run --release -p newsdesk-cluster --example speed`.

use std::time::Instant;

use newsdesk_cluster::{minhash, story_terms};

fn main() {
    let words = ["flood", "river", "officials", "said", "the", "residents", "evacuation", "council", "Varnholt", "levee", "on", "Tuesday", "water", "pumps", "night"];
    let mut state = 7u64;
    let texts: Vec<String> = (0..2000)
        .map(|_| {
            (0..600)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    format!("{}{}", words[(state % 15) as usize], state % 97)
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let t = Instant::now();
    let mut x = 0u32;
    for s in &texts {
        x ^= minhash(s).0[0];
    }
    let mh = t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64;
    let t = Instant::now();
    for s in &texts {
        x ^= newsdesk_cluster::Shingles::hashes(s).len() as u32;
    }
    let sh = t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64;
    let t = Instant::now();
    for s in &texts {
        x ^= story_terms("Headline words here", s).len() as u32;
    }
    let st = t.elapsed().as_secs_f64() * 1e6 / texts.len() as f64;
    println!("600-word body: minhash {mh:.0} µs (shingling alone {sh:.0} µs), story_terms {st:.0} µs ({x})");
}
