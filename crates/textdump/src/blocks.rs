//! Finding runs of running text ("blocks") and grouping them into articles.
//!
//! A browser copy of a page is chrome (menus, buttons, related links,
//! footers) around one run of prose. Several pages pasted together repeat
//! that pattern, and a page ends with its legal footer and the next one
//! starts with a long navigation menu. So: blocks are seeded by long
//! sentence-like lines and grown over short gaps; a block big enough to be
//! a body is a candidate article; two candidates are different articles
//! when the lines between them look like the end of one page and the start
//! of another.

use crate::lines::{Kind, Line};

/// Up to this many non-blank chrome lines may interrupt one body (an
/// "Advertisement" line, a caption and its credit, a sub-heading).
const MAX_GAP: usize = 4;

/// A run of body lines, `start..end` in line indices.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub start: usize,
    pub end: usize,
    /// Characters of body lines in the block.
    pub mass: usize,
    /// Words and boilerplate words of the body lines.
    pub units: usize,
    pub boiler: usize,
    /// Short lines inside the block that are part of a list (body text).
    pub list: Vec<usize>,
    /// Short lines inside the block that look like comment headers
    /// ("jane says:", a lone date): many of them make a comment thread.
    pub posts: usize,
    /// A block of one or two lines that the page prints again elsewhere: a
    /// news ticker or teaser, not a body.
    pub echoed: bool,
}

impl Block {
    /// Big enough and free enough of chrome vocabulary to be an article
    /// body (a cookie notice or a newsletter pitch is prose too).
    pub(crate) fn is_main(&self) -> bool {
        self.mass >= MIN_ARTICLE_CHARS && self.boiler * 25 <= self.units && self.posts < 3 && !self.echoed
    }
}

/// How far the body that a seed line starts runs: the last body line taken and the short lines taken as a list
/// (ascending).
struct Reach {
    last: usize,
    list: Vec<usize>,
}

/// Grows a body forward from the seed line `i` (running text, short gaps, lists).
///
/// The walk depends only on where it is and on the gap since the last body line, and that gap is zero right
/// after every body line it takes; so the walk from a later seed that this one took ends where this one does
/// and takes the same list lines after it. [`find_blocks`] reuses one walk for all the seeds inside it, which
/// keeps the work linear when blocks are cut short of their walk (a list of teaser cards): walking again from
/// every seed to the end made dumps cost quadratic time and memory.
fn reach(lines: &[Line], i: usize) -> Reach {
    let mut last = i;
    let mut gap = 0;
    let mut list = Vec::new();
    let mut j = i + 1;
    while j < lines.len() {
        let l = &lines[j];
        if l.kind == Kind::Short && gap == 0 {
            if let Some(e) = list_run(lines, j) {
                list.extend((j..e).filter(|&k| lines[k].kind == Kind::Short));
                last = e.saturating_sub(1).max(last);
                j = e;
                continue;
            }
        }
        match l.kind {
            Kind::Blank => {}
            Kind::Prose | Kind::Sentence => {
                let ok = gap == 0 || l.kind == Kind::Prose && gap <= MAX_GAP || l.units >= 8 && gap <= 2;
                if !ok {
                    break;
                }
                last = j;
                gap = 0;
            }
            Kind::Short => {
                if l.footer {
                    break;
                }
                gap += 1;
                if gap > MAX_GAP {
                    break;
                }
            }
        }
        j += 1;
    }
    Reach { last, list }
}

/// All blocks of the dump, in order.
pub(crate) fn find_blocks(lines: &[Line]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    // How often each body line occurs in the dump, to spot echoed blocks.
    let mut counts: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for l in lines.iter().filter(|l| l.is_body()) {
        *counts.entry(l.text.as_str()).or_default() += 1;
    }
    let mut walk: Option<Reach> = None;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].kind != Kind::Prose || lines[i].bullet {
            i += 1;
            continue;
        }
        // Short sentences just above the seed belong to it.
        let mut start = i;
        let mut k = i;
        while k > 0 {
            let l = &lines[k - 1];
            if l.kind == Kind::Blank {
                k -= 1;
            } else if l.kind == Kind::Sentence && !l.bullet && out.last().is_none_or(|b| b.end < k) {
                k -= 1;
                start = k;
            } else {
                break;
            }
        }
        // Seeds are taken in order, so a seed inside the previous walk lies after that walk's seed.
        let walk = match walk.take() {
            Some(w) if i <= w.last => walk.insert(w),
            _ => walk.insert(reach(lines, i)),
        };
        let end = cut_card_list(lines, start, walk.last + 1);
        let start = trim_head(lines, start, end);
        let from = walk.list.partition_point(|&k| k <= i);
        let to = walk.list.partition_point(|&k| k < end);
        let list = walk.list.get(from..to).unwrap_or_default().to_vec();
        let (mut mass, mut units, mut boiler, mut posts) = (0, 0, 0, 0);
        for l in &lines[start..end] {
            if l.is_body() {
                mass += l.chars;
                units += l.units;
                boiler += l.boiler;
            } else if l.kind == Kind::Short && post_header(l) {
                posts += 1;
            }
        }
        let body_lines: Vec<&Line> = lines[start..end].iter().filter(|l| l.is_body()).collect();
        let echoed =
            body_lines.len() <= 2 && body_lines.iter().all(|b| counts.get(b.text.as_str()).is_some_and(|&n| n > 1));
        out.push(Block { start, end, mass, units, boiler, list, posts, echoed });
        i = end;
    }
    out
}

/// Starts a block after a lone line of chrome prose (an affiliate notice,
/// a promo) that sits above the headline: when the first body line is
/// followed by two or more short lines of which one is title-like, and
/// then the body proper, the block starts at the body proper.
fn trim_head(lines: &[Line], start: usize, end: usize) -> usize {
    let Some(first) = (start..end).find(|&k| lines[k].is_body()) else { return start };
    let Some(next) = (first + 1..end).find(|&k| lines[k].is_body()) else { return start };
    let gap = &lines[first + 1..next];
    let short = gap.iter().filter(|l| l.kind == Kind::Short).count();
    if short >= 2 && gap.iter().any(title_like) {
        next
    } else {
        start
    }
}

/// Ends a block before a list of teaser cards: single paragraphs each
/// under a few lines of kicker, title and meta. A body is interrupted by
/// such lines now and then; two single paragraphs in a row that way are
/// a list of other stories. (Lines taken as a list count as chrome here:
/// a card's kicker, title and meta read like a short list.)
fn cut_card_list(lines: &[Line], start: usize, end: usize) -> usize {
    // (first, last, body lines) of each run of body lines split by 2+ chrome lines. The answer depends only on
    // the runs up to the first pair of single-line runs, so the scan stops there: a block cut short is read
    // only up to its cut, not to the end of its walk.
    let mut runs: Vec<(usize, usize, usize)> = Vec::new();
    let cut = |runs: &[(usize, usize, usize)]| match runs {
        [.., before, (_, _, 1), (_, _, 1)] => Some(before.1 + 1),
        _ => None,
    };
    let mut gap = 0;
    for (k, l) in lines.iter().enumerate().take(end).skip(start) {
        if l.is_body() {
            match runs.last_mut() {
                Some(r) if gap < 2 => {
                    r.1 = k;
                    r.2 += 1;
                }
                _ => {
                    // The runs before this new one are complete.
                    if let Some(e) = cut(&runs) {
                        return e;
                    }
                    runs.push((k, k, 1));
                }
            }
            gap = 0;
        } else if l.kind == Kind::Short {
            gap += 1;
        }
    }
    cut(&runs).unwrap_or(end)
}

/// A run of short lines inside a body that reads as a list (several words
/// per item, no chrome vocabulary) and is followed by more running text:
/// the index just past the run.
fn list_run(lines: &[Line], k: usize) -> Option<usize> {
    let mut n = 0;
    let mut units = 0;
    let mut j = k;
    while j < lines.len() {
        let l = &lines[j];
        match l.kind {
            Kind::Blank => {}
            Kind::Prose | Kind::Sentence => break,
            Kind::Short => {
                if l.boiler > 0 || l.footer || l.chars > 200 || post_header(l) || l.text.ends_with(':') && n > 0 {
                    return None;
                }
                n += 1;
                units += l.units.max(l.cjk / 2);
                if n > 20 {
                    return None;
                }
            }
        }
        j += 1;
    }
    (j < lines.len() && n >= 2 && units >= 3 * n).then_some(j)
}

/// "jane says:", "Reply", a lone time stamp: the header of a comment.
fn post_header(l: &Line) -> bool {
    let t = l.lower().trim_end();
    l.units <= 8
        && (t.ends_with("says:")
            || t.ends_with("said:")
            || t.ends_with("wrote:")
            || t == "reply"
            || l.chars <= 40
                && t.bytes().filter(u8::is_ascii_digit).count() >= 4
                && (t.contains(':') || t.contains(" at ")))
}

/// Smallest body that makes an article on its own.
const MIN_ARTICLE_CHARS: usize = 280;

/// Smallest body of an article when the dump holds several.
const MIN_PAGE_CHARS: usize = 300;

/// Most non-blank lines between two blocks of one body (a photo with
/// caption and credit, an advertisement, a pull quote).
const MAX_JOIN_GAP: usize = 8;

/// Groups blocks into articles: each group is the ordered list of block
/// indices of one article's body.
///
/// Main blocks are cut into pages at page breaks. In each page the biggest
/// main block anchors the body; neighbouring blocks join it when only a few
/// lines separate them, the rest (comments, teasers, author boxes) is left
/// out.
pub(crate) fn group(lines: &[Line], blocks: &[Block]) -> Vec<Vec<usize>> {
    let mains: Vec<usize> = (0..blocks.len()).filter(|&b| blocks[b].is_main()).collect();
    let mut pages: Vec<Vec<usize>> = Vec::new();
    for (n, &b) in mains.iter().enumerate() {
        match n.checked_sub(1).map(|p| mains[p]) {
            Some(prev) if !page_break(lines, blocks[prev].end, blocks[b].start) => {
                if let Some(p) = pages.last_mut() {
                    p.push(b);
                }
            }
            _ => pages.push(vec![b]),
        }
    }
    let mut out = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        let Some(&anchor) = page.iter().max_by_key(|&&b| blocks[b].mass) else { continue };
        // A second "page" with only a short text is a site blurb or contact
        // box under the article, not an article of its own.
        let m = &blocks[anchor];
        if pages.len() > 1 && (m.mass < MIN_PAGE_CHARS || m.boiler * 40 > m.units && m.mass < 2 * MIN_PAGE_CHARS) {
            continue;
        }
        // Candidate blocks: everything from the previous page's last main
        // block to the next page's first.
        // Never below the previous article's last block: a block between two pages may be close to both, and
        // articles must not share lines.
        let lo = n.checked_sub(1).and_then(|p| pages[p].last()).map_or(0, |&b| b + 1);
        let lo = out.last().and_then(|g: &Vec<usize>| g.last()).map_or(lo, |&b| lo.max(b + 1));
        let hi = pages.get(n + 1).and_then(|p| p.first()).copied().unwrap_or(blocks.len());
        let clean = |b: usize| blocks[b].boiler * 25 <= blocks[b].units.max(1);
        // Text above the anchor joins only when it is a paragraph or more
        // and close: a lone caption line above the headline is not body.
        let mut first = anchor;
        while first > lo
            && clean(first - 1)
            && blocks[first - 1].mass >= 150
            && nonblank(lines, blocks[first - 1].end, blocks[first].start) <= MAX_JOIN_GAP
        {
            first -= 1;
        }
        let mut last = anchor;
        while last + 1 < hi
            && clean(last + 1)
            && nonblank(lines, blocks[last].end, blocks[last + 1].start) <= MAX_JOIN_GAP
        {
            last += 1;
        }
        out.push((first..=last).collect());
    }
    out
}

fn nonblank(lines: &[Line], a: usize, b: usize) -> usize {
    lines.get(a..b).map_or(0, |g| g.iter().filter(|l| l.kind != Kind::Blank).count())
}

/// Words that open a page: skip links and navigation toggles.
fn page_start(l: &Line) -> bool {
    let t = l.lower();
    const SKIP: [&str; 12] = [
        "skip to",
        "jump to",
        "zum inhalt",
        "springe zum",
        "aller au contenu",
        "passer au contenu",
        "ir al contenido",
        "saltar al contenido",
        "vai al contenuto",
        "ir para o conte",
        "naar inhoud",
        "перейти к",
    ];
    l.units <= 6
        && (SKIP.iter().any(|s| t.starts_with(s))
            || t.contains("accessibility")
            || t.contains("navigation")
            || t == "menu"
            || t.contains("toggle")
            || t.starts_with("open menu")
            || t == "main menu")
}

/// Whether the lines `a..b` (between two bodies) hold the end of one page
/// and the start of another. Pasted pages are set apart by blank lines; a
/// page ends with its legal footer and starts with skip links or a long
/// navigation menu.
pub(crate) fn page_break(lines: &[Line], a: usize, b: usize) -> bool {
    let gap = &lines[a..b];
    let footer = gap.iter().any(|l| l.footer);
    let start = gap.iter().any(page_start);
    let chrome = gap.iter().filter(|l| l.kind != Kind::Blank).count();
    let mut run = 0;
    let mut blank_run = false;
    for l in gap {
        run = if l.kind == Kind::Blank { run + 1 } else { 0 };
        blank_run |= run >= 2;
    }
    blank_run && (footer || start || chrome >= 100 || header(gap)) || footer && start && chrome >= 20
}

/// Whether the lines hold an article header: a title-like line printed
/// twice, or one with a date line right under it.
fn header(gap: &[Line]) -> bool {
    let titles: Vec<usize> = (0..gap.len()).filter(|&k| title_like(&gap[k])).collect();
    let mut seen = std::collections::HashSet::new();
    let twice = titles.iter().any(|&k| !seen.insert(gap[k].lower()));
    let dated = titles.iter().any(|&k| {
        gap[k + 1..].iter().find(|l| l.kind != Kind::Blank).is_some_and(|l| {
            l.chars <= 80
                && !newsdesk_dates::find_dates(&l.text, Some(chrono::DateTime::UNIX_EPOCH.fixed_offset())).is_empty()
        })
    });
    twice || dated
}

fn title_like(l: &Line) -> bool {
    l.kind == Kind::Short
        && (l.units >= 4 || l.cjk >= 6)
        && l.units <= 30
        && l.boiler == 0
        && !l.footer
        && !l.bullet
        // "— Jane Roe (@jroe) May 3, 2020" closes an embedded post.
        && !l.text.contains('@')
        && !l.text.starts_with(['—', '–', '-'])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lines::split;

    const P: &str =
        "The council voted on Tuesday to close the old bridge, citing cracks found by inspectors in the spring.";

    #[test]
    fn one_body_across_a_short_gap() {
        let text =
            format!("Home\nNews\n\n{P}\n\nAdvertisement\n\n{P}\n\nShe declined to comment.\n\nMore news\nSports");
        let lines = split(&text);
        let b = find_blocks(&lines);
        assert_eq!(b.len(), 1);
        assert_eq!((b[0].start, b[0].end), (3, 10));
    }

    #[test]
    fn footer_and_menu_split_pages() {
        let menu = "World\nBusiness\nSports\n".repeat(3);
        let body = format!("{P}\n").repeat(5);
        let text = format!("{body}© 2024 Example\n\n\n{menu}{body}");
        let lines = split(&text);
        let b = find_blocks(&lines);
        assert_eq!(group(&lines, &b).len(), 2);
        // Without the footer, the same layout is one page.
        let text = format!("{body}\n{menu}{body}");
        let lines = split(&text);
        assert_eq!(group(&lines, &find_blocks(&lines)).len(), 1);
    }

    /// A small block between two pages may join the page above (it follows that body closely) and the page
    /// below (it precedes that one closely); it must go to one of them only. Found by fuzzing: the second
    /// article's body started inside the first one's, and reading its fields sliced backwards and panicked.
    #[test]
    fn a_block_between_pages_joins_one_article_only() {
        let text = overlap_dump();
        let lines = split(&text);
        let blocks = find_blocks(&lines);
        let groups = group(&lines, &blocks);
        assert_eq!(groups.len(), 2, "{groups:?}");
        let flat: Vec<usize> = groups.iter().flatten().copied().collect();
        assert!(flat.windows(2).all(|w| w[0] < w[1]), "groups overlap: {groups:?}");
    }

    /// Two main blocks with a small, clean block right under the first and a footer and blank lines under the
    /// small one: a page break, with the small block close to both bodies.
    pub(crate) fn overlap_dump() -> String {
        let small = "Officials said the repairs would take at least two summers and cost far more than the council had planned for in its budget.";
        let q =
            "The match was played in heavy rain, and the home side defended with ten men for most of the second half";
        let (p1, p2, p3) = (format!("{P} One."), format!("{P} Two."), format!("{P} Three."));
        let (q1, q2, q3) = (format!("{q}, once."), format!("{q}, twice."), format!("{q}, thrice."));
        format!("{p1}\n{p2}\n{p3}\nN\nHe would not say any more.\n{small}\nAll rights reserved\n\n\n{q1}\n{q2}\n{q3}\n")
    }
}
