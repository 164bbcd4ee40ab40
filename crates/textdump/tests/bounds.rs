//! Memory of the dump reader, counted by the allocator: linear in the input with a small constant. (Time is
//! measured by `newsdesk eval dumps` and the figures in the README, not asserted here.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use newsdesk_textdump::{extract_dump, DumpOptions};

/// The system allocator, counting the bytes live now and the most live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak bytes allocated while reading `text`, beyond what was live before.
fn peak_of(text: &str) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let r = extract_dump(text, &DumpOptions::default());
    drop(r);
    PEAK.load(Ordering::Relaxed) - base
}

/// A list of teaser cards: one paragraph, then two short list-like lines, again and again. Every paragraph is
/// cut off as a card, so every block's walk used to run to the end of the dump (and keep the list lines of
/// all of it): 250 KB took about 60 MB.
fn cards(bytes: usize) -> String {
    let mut s = String::new();
    let mut n = 0;
    while s.len() < bytes {
        s.push_str(&format!(
            "Story {n}: the council voted on Tuesday to close the old bridge, citing cracks found by inspectors.\n\
             Council members met at noon {n}\nInspectors found new cracks {n}\n"
        ));
        n += 1;
    }
    s
}

#[test]
fn a_card_list_costs_memory_linear_in_its_size() {
    // Word lists and automata are built on first use, once per process: not part of any one dump's cost.
    peak_of(&cards(5_000));
    for size in [50_000, 250_000] {
        eprintln!("{size} {}", peak_of(&cards(size)) as f64 / size as f64);
        let text = cards(size);
        let peak = peak_of(&text);
        assert!(peak <= 10 * text.len(), "{} bytes of dump took {peak} bytes at peak", text.len());
    }
}
