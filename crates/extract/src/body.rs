//! Finding the article's running text among the page's chrome.
//!
//! The method, in three steps over the arena DOM (all linear in its size):
//!
//! 1. **Blocks.** The visible text is cut into blocks, one per run of inline
//!    content inside a block-level element, each with its length, the share
//!    of it inside links, and the element that holds it. Elements a reader
//!    never sees as article text (scripts, forms' controls, navigation,
//!    figures, hidden elements) contribute no blocks.
//! 2. **Container.** Each block gets a weight: long, sentence-like, unlinked
//!    text counts for its length; link lists, menus and short labels count
//!    against. Weights are summed bottom-up over the tree and the element
//!    with the highest total is the article's container: the smallest
//!    subtree holding the most running text and the least chrome. Blocks
//!    below class names that mean chrome ("share", "related", "comments")
//!    count against, unless that element holds most of the page's text (then
//!    the class name describes a wrapper, not a widget).
//! 3. **Cleaning.** Inside the container, blocks that are chrome after all
//!    are dropped: under a chrome class, link-dense, a byline or dateline
//!    line, the headline again, boilerplate phrases, and short non-sentences
//!    before the first or after the last paragraph.
//!
//! When the page carries its text in JSON-LD `articleBody`, blocks found in
//! it are counted as running text whatever their length, which settles the
//! container on pages whose paragraphs are short.

use std::sync::OnceLock;

use newsdesk_html::{Document, NodeId, NodeKind, Tag};

use crate::text::{char_len, is_space, push_squashed};

/// One run of visible text.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block-level element holding the text.
    pub elem: NodeId,
    pub tag: Tag,
    /// The first text node of the block, for document-order comparisons.
    pub first: NodeId,
    pub text: String,
    pub chars: usize,
    pub link_chars: usize,
    /// Inside `h1`–`h6` (the level, 0 otherwise).
    pub heading: u8,
    /// Inside a `li`.
    pub list_item: bool,
    /// Inside a `blockquote` (quoted text and embedded posts, whose lines
    /// are often mostly links yet part of the story).
    pub quoted: bool,
}

impl Block {
    fn link_density(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }

    /// Ends like a sentence (or a quotation closing one).
    pub fn sentence_like(&self) -> bool {
        let t = self.text.trim_end_matches(['"', '”', '’', '\'', ')', '»', ' ', '」', '』']);
        // Chinese and Japanese put no spaces between words: count characters.
        let long_enough =
            if self.text.chars().any(is_cjk) { self.chars >= 15 } else { self.text.split(' ').count() >= 4 };
        t.ends_with(['.', '!', '?', ':', ';', '…', '。', '！', '？']) && long_enough
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
}

impl Block {
    /// A photo caption set as a paragraph: it ends with the picture credit
    /// in brackets ("… (Image: Getty)").
    fn caption_like(&self) -> bool {
        let t = self.text.trim_end();
        if !t.ends_with(')') || self.chars > 300 {
            return false;
        }
        let Some(open) = t.rfind('(') else { return false };
        let inner = t[open + 1..].to_lowercase();
        ["image:", "photo:", "picture:", "pic:", "photograph:", "credit:", "source:", "foto:", "bild:"]
            .iter()
            .any(|p| inner.trim_start().starts_with(p))
    }
}

/// Per-node facts computed top-down.
struct Flags {
    /// Never article text (script, nav, figure, hidden …).
    skip: Vec<bool>,
    in_link: Vec<bool>,
    in_quote: Vec<bool>,
    /// The nearest block-level ancestor (itself for block elements).
    block: Vec<NodeId>,
    /// The class/id of the element itself says chrome.
    chrome: Vec<Chrome>,
    /// The class/id of the element itself says article text.
    content_hint: Vec<bool>,
}

/// What a class or id name says about an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chrome {
    None,
    /// Probably chrome ("sidebar", "meta", "byline").
    Weak,
    /// Chrome whatever else the name says ("comments", "share", "related").
    Strong,
}

/// The outcome of body extraction.
#[derive(Debug, Default)]
pub struct BodyResult {
    pub paragraphs: Vec<String>,
    pub headings: Vec<String>,
    /// The chosen container, if any block was good enough.
    pub container: Option<NodeId>,
    /// Characters of good running text on the whole page.
    pub page_good_chars: usize,
    /// Kept paragraphs that directly follow a heading that is a link: the
    /// blurbs of a list of teasers (a section front), not an article.
    pub teaser_paragraphs: usize,
    /// The container asks for a password (a login wall).
    pub password_form: bool,
    /// Characters of good running text among the kept paragraphs: how well
    /// a container is supported, to compare the two methods.
    pub good_chars: usize,
    /// The first method lost the article and the second one found it.
    pub second_method: bool,
    /// The first text node of the first kept paragraph (document order).
    pub start: Option<NodeId>,
}

/// Hints from the metadata that help cleaning.
#[derive(Debug, Default)]
pub struct BodyHints<'a> {
    pub headline: Option<&'a str>,
    /// Normalised JSON-LD `articleBody` (lower-case words joined by spaces).
    pub ld_body: Option<String>,
    /// The element showing the headline: the body starts after it.
    pub headline_node: Option<NodeId>,
}

/// Extracts the article body of `doc`.
pub fn extract(doc: &Document, hints: &BodyHints) -> BodyResult {
    extract_traced(doc, hints, None)
}

/// Describes how the body was chosen: the container's path and every block
/// with its weight and fate. A tuning aid (`newsdesk extract --explain`).
pub fn explain(doc: &Document, hints: &BodyHints) -> String {
    let mut trace = String::new();
    extract_traced(doc, hints, Some(&mut trace));
    trace
}

fn path_of(doc: &Document, mut id: NodeId) -> String {
    let mut parts = Vec::new();
    loop {
        if let Some(t) = doc.tag(id) {
            let _ = t;
            let mut p = doc.name(id).to_string();
            if let Some(i) = doc.attr(id, "id") {
                p.push('#');
                p.push_str(i);
            }
            if let Some(c) = doc.attr(id, "class") {
                p.push('.');
                p.push_str(&c.split_whitespace().collect::<Vec<_>>().join("."));
            }
            parts.push(p);
        }
        match doc.parent(id) {
            Some(p) => id = p,
            None => break,
        }
    }
    parts.reverse();
    parts.join(" > ")
}

fn extract_traced(doc: &Document, hints: &BodyHints, trace: Option<&mut String>) -> BodyResult {
    let flags = compute_flags(doc);
    let blocks = collect_blocks(doc, &flags);
    if blocks.is_empty() {
        return BodyResult::default();
    }
    let n = doc.len();
    let in_ld: Vec<bool> = blocks
        .iter()
        .map(|b| {
            hints.ld_body.as_deref().is_some_and(|ld| {
                let norm = norm_words(&b.text);
                norm.len() >= 20 && memchr::memmem::find(ld.as_bytes(), norm.as_bytes()).is_some()
            })
        })
        .collect();

    // Good text per subtree, to tell wrappers from widgets.
    let mut good = vec![0u32; n];
    for (b, &ld) in blocks.iter().zip(&in_ld) {
        if is_good(b, ld) {
            good[b.elem as usize] += b.chars as u32;
        }
    }
    accumulate(doc, &mut good);
    let total_good = good[0].max(1);

    // Chrome classes apply unless the element holds most of the text.
    let chrome_of = |id: NodeId| -> Chrome {
        let c = flags.chrome[id as usize];
        let share = good[id as usize] as f32 / total_good as f32;
        let landmark = matches!(doc.tag(id), Some(Tag::Article | Tag::Main));
        match c {
            Chrome::Strong if share > 0.85 || (landmark && share > 0.5) => Chrome::None,
            Chrome::Weak if share > 0.5 || flags.content_hint[id as usize] => Chrome::None,
            c => c,
        }
    };
    let mut under_chrome = vec![false; n];
    for id in doc.ids().skip(1) {
        let p = doc.parent(id).unwrap_or(0) as usize;
        under_chrome[id as usize] = under_chrome[p] || chrome_of(id) != Chrome::None;
    }

    // Weights summed bottom-up.
    let mut score = vec![0f32; n];
    for (b, &ld) in blocks.iter().zip(&in_ld) {
        let mut w = weight(b, ld);
        if under_chrome[b.elem as usize] && w > 0.0 {
            w = -w * 0.5;
        }
        score[b.elem as usize] += w;
    }
    let mut total = score.clone();
    for id in (1..n).rev() {
        let p = doc.parent(id as NodeId).unwrap_or(0) as usize;
        total[p] += total[id];
    }
    let mut best: Option<(NodeId, f32)> = None;
    for id in doc.ids() {
        if !matches!(doc.kind(id), NodeKind::Element(_) | NodeKind::Document) || flags.skip[id as usize] {
            continue;
        }
        let s = total[id as usize];
        if s > 0.0 && best.is_none_or(|(_, bs)| s >= bs) {
            best = Some((id, s));
        }
    }
    // A container that lost paragraphs to nearby link lists: climb while
    // the parent adds clean running text at a modest cost in chrome.
    if let Some((mut c, mut cs)) = best {
        let mut clean = vec![0u32; n];
        let after = hints.headline_node.unwrap_or(0);
        for (b, &ld) in blocks.iter().zip(&in_ld) {
            if is_good(b, ld) && !under_chrome[b.elem as usize] && b.first > after {
                clean[b.elem as usize] += b.chars as u32;
            }
        }
        accumulate(doc, &mut clean);
        while let Some(p) = doc.parent(c) {
            let (gp, gc) = (clean[p as usize] as f32, clean[c as usize] as f32);
            if p == 0 || gp < gc * 1.15 || total[p as usize] < cs * 0.5 {
                break;
            }
            c = p;
            cs = total[p as usize];
        }
        // A container holding several articles (a feed of stories) narrows
        // to the one that carries the headline.
        if let Some(h) = hints.headline_node.filter(|&h| h > c && h < doc.subtree_end(c)) {
            let mut a = doc.parent(h);
            while let Some(x) = a {
                if x <= c {
                    break;
                }
                if doc.tag(x) == Some(Tag::Article) && clean[x as usize] as f32 >= 0.3 * clean[c as usize] as f32 {
                    c = x;
                    cs = total[x as usize];
                    break;
                }
                a = doc.parent(x);
            }
        }
        best = Some((c, cs));
    }
    let mut trace = trace;
    if let Some(t) = trace.as_mut() {
        use std::fmt::Write;
        let _ = writeln!(
            t,
            "container: {}",
            best.map(|(c, s)| format!("{} (score {s:.0})", path_of(doc, c))).unwrap_or_default()
        );
        for (b, &ld) in blocks.iter().zip(&in_ld) {
            let w =
                if under_chrome[b.elem as usize] && weight(b, ld) > 0.0 { -weight(b, ld) * 0.5 } else { weight(b, ld) };
            let inside = best.is_some_and(|(c, _)| b.elem >= c && b.elem < doc.subtree_end(c));
            let excerpt: String = b.text.chars().take(70).collect();
            let mut why = String::new();
            if under_chrome[b.elem as usize] {
                let mut a = b.elem;
                while a > 0 && chrome_of(a) == Chrome::None {
                    a = doc.parent(a).unwrap_or(0);
                }
                why = format!(" [chrome: {}]", path_of(doc, a).rsplit(" > ").next().unwrap_or(""));
            }
            let _ = writeln!(
                t,
                "{} {:>7.0} ld={:.2} {} | {}{why}",
                if inside { "IN " } else { "   " },
                w,
                b.link_density(),
                excerpt.replace('\n', " "),
                path_of(doc, b.elem).rsplit(" > ").take(3).collect::<Vec<_>>().join(" < ")
            );
        }
    }
    let ctx =
        Ctx { doc, blocks: &blocks, in_ld: &in_ld, chrome_of: &chrome_of, hints, page_good_chars: good[0] as usize };
    let main = best.map(|(c, _)| clean(&ctx, c));
    // The second method, for pages where the first lost the article: the
    // element whose own paragraphs carry the most running text, found with
    // no class-name vocabulary at all. It replaces the first method's result
    // only when it holds clearly more running text.
    let alt = paragraph_parent(doc, &blocks, &in_ld, &flags.skip).filter(|&a| Some(a) != best.map(|b| b.0));
    let alt = alt.map(|a| clean(&ctx, a));
    let main_good = main.as_ref().map_or(0, |r| r.good_chars);
    // Text appended to an article (a reader's long comment, the next story)
    // comes after it: a second result that starts after the first one's
    // text and does not hold it wins only when the first found little.
    // And the article follows its headline: a first result that does may
    // not be replaced by text printed above the headline (a ticker).
    let past_headline = |r: &BodyResult| hints.headline_node.is_none_or(|h| r.start.is_some_and(|s| s > h));
    let placed = |m: &BodyResult, a: &BodyResult| {
        (past_headline(a) || !past_headline(m))
            && (m.good_chars < SECOND_METHOD_MIN
                || m.container.zip(a.container).is_some_and(|(mc, ac)| doc.is_inclusive_ancestor(ac, mc))
                || a.start < m.start)
    };
    if let Some(t) = trace.as_mut() {
        use std::fmt::Write;
        let describe = |r: &Option<BodyResult>| match r {
            Some(r) => format!(
                "{} ({} chars of running text in {} paragraphs)",
                r.container.map(|c| path_of(doc, c)).unwrap_or_default(),
                r.good_chars,
                r.paragraphs.len()
            ),
            None => "none".to_string(),
        };
        let _ = writeln!(t, "first method: {}", describe(&main));
        let _ = writeln!(t, "second method: {}", describe(&alt));
    }
    match (main, alt) {
        (Some(m), Some(a))
            if a.good_chars >= SECOND_METHOD_MIN
                && a.good_chars * 2 > main_good * 3
                && a.teaser_paragraphs == 0
                && placed(&m, &a) =>
        {
            BodyResult { second_method: true, ..a }
        }
        (None, Some(a)) if a.good_chars >= SECOND_METHOD_MIN && a.teaser_paragraphs == 0 => {
            BodyResult { second_method: true, ..a }
        }
        (Some(m), _) => m,
        (None, _) => BodyResult { page_good_chars: good[0] as usize, ..BodyResult::default() },
    }
}

/// Running text (characters) the second method must find before it is
/// trusted: two or three real paragraphs.
const SECOND_METHOD_MIN: usize = 300;

/// Running text (characters) before the first linked heading that makes
/// the text an article followed by teasers rather than a section front.
const TEASER_CUT_MIN: usize = 200;

/// What cleaning a container needs from the page-wide analysis.
struct Ctx<'a> {
    doc: &'a Document,
    blocks: &'a [Block],
    in_ld: &'a [bool],
    chrome_of: &'a dyn Fn(NodeId) -> Chrome,
    hints: &'a BodyHints<'a>,
    page_good_chars: usize,
}

/// The element that is the parent of the most running text: each good
/// block counts fully for its block element's parent and half for the
/// grandparent (paragraphs wrapped one by one in their own `div`s). Comment
/// threads and teaser grids put each item's text under its own parent, so
/// they score low however long they are in all.
fn paragraph_parent(doc: &Document, blocks: &[Block], in_ld: &[bool], skip: &[bool]) -> Option<NodeId> {
    let mut score = vec![0usize; doc.len()];
    for (b, &ld) in blocks.iter().zip(in_ld) {
        if !is_good(b, ld) || b.link_density() >= 0.35 {
            continue;
        }
        let Some(p) = doc.parent(b.elem) else { continue };
        score[p as usize] += b.chars;
        if let Some(g) = doc.parent(p) {
            score[g as usize] += b.chars / 2;
        }
    }
    // The highest score; of equal ones, the first in document order.
    doc.ids()
        .filter(|&id| id != 0 && !skip[id as usize] && score[id as usize] > 0)
        .max_by_key(|&id| (score[id as usize], std::cmp::Reverse(id)))
}

/// Cleaning inside the container: the blocks that are article text, in
/// order, and the facts the verdict needs.
fn clean(ctx: &Ctx, container: NodeId) -> BodyResult {
    let Ctx { doc, blocks, in_ld, chrome_of, hints, page_good_chars } = *ctx;

    let end = doc.subtree_end(container);
    let inside: Vec<usize> =
        (0..blocks.len()).filter(|&i| blocks[i].elem >= container && blocks[i].elem < end).collect();
    let chromed: Vec<bool> =
        inside.iter().map(|&i| chrome_between(doc, blocks[i].elem, container, &chrome_of)).collect();
    let keep: Vec<bool> =
        inside.iter().zip(&chromed).map(|(&i, &c)| keep_block(&blocks[i], in_ld[i], c, hints)).collect();
    let strong: Vec<bool> = inside.iter().map(|&i| is_good(&blocks[i], in_ld[i])).collect();
    let first_good = strong.iter().zip(&keep).position(|(s, k)| *s && *k);
    let last_good = strong.iter().zip(&keep).rposition(|(s, k)| *s && *k);
    let mut out = BodyResult {
        container: Some(container),
        page_good_chars,
        password_form: (container..end)
            .filter(|&i| doc.tag(i) == Some(Tag::Input))
            .any(|i| doc.attr(i, "type").is_some_and(|t| t.eq_ignore_ascii_case("password"))),
        ..BodyResult::default()
    };
    let (Some(first), Some(last)) = (first_good, last_good) else {
        return out;
    };
    // Good text from each block to the end, to tell a "Related" label that
    // ends the article from one that merely interrupts it.
    let mut good_after = vec![0usize; inside.len() + 1];
    for k in (0..inside.len()).rev() {
        let g = if strong[k] && keep[k] { blocks[inside[k]].chars } else { 0 };
        good_after[k] = good_after[k + 1] + g;
    }
    let headline_at = hints.headline_node.filter(|&h| h > container && h < end).unwrap_or(0);
    let good_total = good_after[0];
    let good_past_headline: usize = inside
        .iter()
        .enumerate()
        .filter(|&(k, &i)| strong[k] && keep[k] && blocks[i].first > headline_at)
        .map(|(_, &i)| blocks[i].chars)
        .sum();
    let headline_leads =
        headline_at > 0 && (good_past_headline >= SECOND_METHOD_MIN || good_past_headline * 2 >= good_total);
    let mut good_before = 0usize;
    let mut after_linked_heading = false;
    // Where teasers began after a real article's text: if the container
    // turns out to be mostly teasers, the article before them is kept.
    let mut teaser_cut: Option<(usize, usize)> = None;
    let mut seen_linked_heading = false;
    for (k, &i) in inside.iter().enumerate() {
        let b = &blocks[i];
        if b.heading > 0 {
            after_linked_heading = b.link_density() >= 0.5;
        }
        if k > first && b.chars < 40 && is_section_end_label(&b.text) && good_after[k] * 3 < good_before {
            break;
        }
        if strong[k] && keep[k] {
            good_before += b.chars;
        }
        // Only at the first linked heading outside chrome: article text
        // comes before any teaser, or the page is teasers from the start.
        if b.heading > 0 && b.link_density() >= 0.5 && !chromed[k] {
            if !seen_linked_heading && out.good_chars >= TEASER_CUT_MIN {
                teaser_cut = Some((out.paragraphs.len(), out.headings.len()));
            }
            seen_linked_heading = true;
        }
        if !keep[k] {
            continue;
        }
        // Text printed before the headline is not the article's, unless
        // little running text follows it (then the element taken for the
        // headline is a teaser further down that repeats the page's title).
        if headline_leads && b.first < headline_at {
            continue;
        }
        // Before the first paragraph only headings survive; after the last
        // one, only sentences.
        if k < first && b.heading == 0 {
            continue;
        }
        if k > last && !(b.sentence_like() && b.chars >= 40) {
            continue;
        }
        if b.heading > 0 {
            if k < first || k > last {
                continue;
            }
            out.headings.push(b.text.clone());
        } else if after_linked_heading {
            out.teaser_paragraphs += 1;
            after_linked_heading = false;
        }
        if strong[k] {
            out.good_chars += b.chars;
        }
        if out.start.is_none() && b.heading == 0 {
            out.start = Some(b.first);
        }
        out.paragraphs.push(b.text.clone());
    }
    if let Some((paragraphs, headings)) = teaser_cut {
        if looks_like_teasers(out.teaser_paragraphs, out.paragraphs.len()) {
            out.paragraphs.truncate(paragraphs);
            out.headings.truncate(headings);
            out.teaser_paragraphs = 0;
        }
    }
    out
}

/// Mostly blurbs under linked headings: a list of teasers (a section
/// front), not an article.
pub fn looks_like_teasers(teaser_paragraphs: usize, paragraphs: usize) -> bool {
    teaser_paragraphs >= 3 && teaser_paragraphs * 2 >= paragraphs
}

fn norm_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Normalises JSON-LD `articleBody` the way blocks are normalised for the
/// containment test.
pub fn normalise_ld_body(s: &str) -> String {
    norm_words(s)
}

fn is_good(b: &Block, in_ld: bool) -> bool {
    b.heading == 0
        && ((b.link_density() < 0.35
            && (b.chars >= 80 || (in_ld && b.chars >= 20) || (b.chars >= 40 && b.sentence_like())))
            || linked_prose(b))
}

/// A long sentence whose words are mostly links (a news round-up item)
/// is still prose; menus and link lists are short or not sentences.
fn linked_prose(b: &Block) -> bool {
    b.chars >= 150 && b.link_density() < 0.75 && b.sentence_like()
}

fn weight(b: &Block, in_ld: bool) -> f32 {
    let ld = b.link_density();
    if b.heading > 0 {
        return 0.0;
    }
    if in_ld {
        return b.chars as f32 * 1.5;
    }
    if linked_prose(b) {
        return b.chars as f32 * 0.5;
    }
    if ld >= 0.5 {
        return -(b.chars as f32) - 10.0;
    }
    if is_good(b, false) {
        let w = b.chars as f32 * (1.0 - ld);
        return if b.list_item { w * 0.5 } else { w };
    }
    if b.chars >= 25 && ld < 0.35 {
        return b.chars as f32 * 0.2;
    }
    -8.0
}

fn accumulate(doc: &Document, v: &mut [u32]) {
    for id in (1..v.len()).rev() {
        let p = doc.parent(id as NodeId).unwrap_or(0) as usize;
        v[p] += v[id];
    }
}

fn chrome_between(doc: &Document, mut id: NodeId, container: NodeId, chrome_of: &dyn Fn(NodeId) -> Chrome) -> bool {
    while id > container {
        if chrome_of(id) != Chrome::None {
            return true;
        }
        match doc.parent(id) {
            Some(p) => id = p,
            None => break,
        }
    }
    false
}

fn keep_block(b: &Block, in_ld: bool, chrome_between: bool, hints: &BodyHints) -> bool {
    if in_ld {
        return true;
    }
    if chrome_between {
        return false;
    }
    if b.heading == 1 {
        return false;
    }
    if let Some(h) = hints.headline {
        if b.chars < 300 && crate::text::same_words(&b.text, h) {
            return false;
        }
    }
    let ld = b.link_density();
    let link_list = ld >= 0.5 || (ld >= 0.3 && b.chars < 200 && !b.sentence_like());
    if link_list && !linked_prose(b) && !(b.quoted && ld < 0.9) {
        return false;
    }
    if b.chars < 120 && is_boilerplate_line(&b.text) {
        return false;
    }
    if b.caption_like() {
        return false;
    }
    if b.link_chars > 0 && b.chars < 220 && is_promo_sentence(&b.text) {
        return false;
    }
    true
}

/// A short linked sentence selling something other than the story: the
/// newsletter, the app, the author's social accounts.
fn is_promo_sentence(t: &str) -> bool {
    let l = t.to_lowercase();
    const PHRASES: &[&str] = &[
        "subscribe",
        "newsletter",
        "follow us",
        "follow her",
        "follow him",
        "follow me",
        "may be reached",
        "can be reached",
        "sign up",
        "on twitter",
        "on facebook",
        "on instagram",
        "download our app",
        "download the app",
        "contact us",
        "click here",
        "tip?",
    ];
    PHRASES.iter().any(|p| l.contains(p))
}

/// Labels that open the lists printed after an article ("Related links",
/// "Top stories", "More from …").
fn is_section_end_label(t: &str) -> bool {
    let l = t.to_lowercase();
    let l = l.trim_matches(|c: char| !c.is_alphanumeric());
    const LABELS: &[&str] = &[
        "related",
        "top stories",
        "more stories",
        "more from",
        "more news",
        "latest news",
        "recommended",
        "you may also like",
        "you might also like",
        "most popular",
        "most read",
        "trending",
        "further reading",
        "see also",
        "what to read next",
        "popular now",
    ];
    LABELS.iter().any(|p| l.starts_with(p))
}

/// Short lines that are page furniture in any layout.
fn is_boilerplate_line(t: &str) -> bool {
    let l = t.to_lowercase();
    let l = l.trim_matches(|c: char| !c.is_alphanumeric());
    const STARTS: &[&str] = &[
        "advertisement",
        "advertising",
        "sponsored",
        "read more",
        "read next",
        "continue reading",
        "click here",
        "sign up",
        "subscribe",
        "follow us",
        "follow @",
        "share this",
        "share on",
        "related",
        "recommended",
        "you may also like",
        "more from",
        "top stories",
        "don't miss",
        "don’t miss",
        "all rights reserved",
        "copyright",
        "©",
        "by ",
        "posted by",
        "published",
        "updated",
        "last updated",
        "image:",
        "photo:",
        "photograph:",
        "getty images",
        "tags:",
        "filed under",
        "loading",
        "watch:",
        "listen",
        "comments",
        "leave a comment",
        "this article",
        "we use cookies",
        "download the",
        "reporting by",
        "editing by",
        "writing by",
        "additional reporting",
        "compiled by",
        "edited by",
        "produced by",
    ];
    STARTS.iter().any(|s| l.starts_with(s)) || l.is_empty()
}

fn compute_flags(doc: &Document) -> Flags {
    let n = doc.len();
    let mut f = Flags {
        skip: vec![false; n],
        in_link: vec![false; n],
        in_quote: vec![false; n],
        block: vec![0; n],
        chrome: vec![Chrome::None; n],
        content_hint: vec![false; n],
    };
    for id in doc.ids().skip(1) {
        let p = doc.parent(id).unwrap_or(0) as usize;
        let i = id as usize;
        f.skip[i] = f.skip[p];
        f.in_link[i] = f.in_link[p];
        f.in_quote[i] = f.in_quote[p];
        f.block[i] = f.block[p];
        let NodeKind::Element(tag) = doc.kind(id) else { continue };
        if tag.is_block() || matches!(tag, Tag::Td | Tag::Th) {
            f.block[i] = id;
        }
        if tag == Tag::A {
            f.in_link[i] = true;
        }
        if tag == Tag::Blockquote {
            f.in_quote[i] = true;
        }
        if f.skip[i] {
            continue;
        }
        f.skip[i] = skipped_tag(tag) || hidden(doc, id);
        if tag == Tag::Html || tag == Tag::Body {
            continue;
        }
        let (c, hint) = classify_names(doc, id);
        f.chrome[i] = match tag {
            Tag::Header | Tag::Form | Tag::Address => Chrome::Weak.max_with(c),
            // Side content as a rule, but some sites wrap their article in
            // one: as chrome its text still counts when it is most of the
            // page's, where skipping it lost the article.
            Tag::Aside => Chrome::Strong,
            // "header" or "title" on a heading names what it is.
            _ if tag.is_heading() && c == Chrome::Weak => Chrome::None,
            _ => c,
        };
        f.content_hint[i] = hint;
    }
    f
}

impl Chrome {
    fn max_with(self, other: Chrome) -> Chrome {
        match (self, other) {
            (Chrome::Strong, _) | (_, Chrome::Strong) => Chrome::Strong,
            (Chrome::Weak, _) | (_, Chrome::Weak) => Chrome::Weak,
            _ => Chrome::None,
        }
    }
}

fn skipped_tag(tag: Tag) -> bool {
    use Tag::*;
    matches!(
        tag,
        Head | Script
            | Style
            | Noscript
            | Template
            | Svg
            | Math
            | Iframe
            | Object
            | Embed
            | Canvas
            | Video
            | Audio
            | Button
            | Select
            | Option
            | Input
            | Textarea
            | Figure
            | Figcaption
            | Nav
            | Footer
            | Dialog
            | Menu
            | Map
            | Picture
            | Title
            | Noembed
            | Noframes
    )
}

fn hidden(doc: &Document, id: NodeId) -> bool {
    if doc.attr(id, "hidden").is_some() || doc.attr(id, "aria-hidden") == Some("true") {
        return true;
    }
    if let Some(s) = doc.attr(id, "style") {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

/// Words in class and id names that mark chrome whatever else the name says.
const STRONG_CHROME: &[&str] = &[
    "comment",
    "comments",
    "disqus",
    "related",
    "recommended",
    "recommendations",
    "recirculation",
    "newsletter",
    "newsletters",
    "subscribe",
    "subscription",
    "signup",
    "share",
    "sharing",
    "sharebar",
    "social",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "outbrain",
    "taboola",
    "promo",
    "sponsored",
    "sponsor",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "adslot",
    "dfp",
    "breadcrumb",
    "breadcrumbs",
    "footer",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "trending",
    "popular",
    "mostread",
    "tagcloud",
    "pagination",
    "pager",
    "caption",
    "figcaption",
    "byline",
    "author",
    "authors",
    "bio",
    "dateline",
    "timestamp",
    "skiplink",
    "screenreader",
    "gallery",
    "slideshow",
    "rating",
    "podcast",
    "follow",
    "login",
    "signin",
    "register",
    "toc",
    "complementary",
    "tags",
    "keywords",
    "footnote",
    "footnotes",
    // The same furniture named in French, German, Spanish, Italian and Portuguese.
    "legende",
    "reactions",
    "reaction",
    "commentaires",
    "partage",
    "partager",
    "lire",
    "abonnement",
    "kommentare",
    "teilen",
    "anzeige",
    "werbung",
    "bildunterschrift",
    "comentarios",
    "compartir",
    "relacionados",
    "publicidad",
    "commenti",
    "condividi",
    "correlati",
    "pubblicita",
    "comentario",
    "relacionadas",
    "publicidade",
];

/// Words that mark chrome unless the same name also says article text, or
/// the element holds most of the page's text.
const WEAK_CHROME: &[&str] = &[
    "meta",
    "info",
    "header",
    "utility",
    "tools",
    "links",
    "sidebar",
    "rail",
    "modal",
    "popup",
    "overlay",
    "paywall",
    "widget",
    "toolbar",
    "print",
    "email",
    "masthead",
    "skip",
    "hidden",
    "visually",
    "sr",
    "teaser",
    "teasers",
    "more",
    "readmore",
    "next",
    "prev",
    "inline",
    "embed",
    "video",
    "banner",
    "alert",
    "listen",
    "audio",
    "contact",
    "disclaimer",
    "jump",
    "aside",
    "credit",
    "credits",
    "date",
    "correction",
    "corrections",
    "note",
    "notes",
    "signature",
    "pub",
    "auteur",
    "autor",
];

/// Words of class names that describe a state, not a role ("modal-enabled").
const STATE_WORDS: &[&str] =
    &["enabled", "disabled", "active", "open", "visible", "loaded", "ready", "initialized", "show", "shown"];

static STRONG_SET: OnceLock<Vec<&'static str>> = OnceLock::new();
static WEAK_SET: OnceLock<Vec<&'static str>> = OnceLock::new();
static HINT_SET: OnceLock<Vec<&'static str>> = OnceLock::new();
static STATE_SET: OnceLock<Vec<&'static str>> = OnceLock::new();

/// Membership in a word list, by binary search over a sorted copy made on
/// first use: class words are tested for every element of every page.
fn is_listed(w: &str, set: &OnceLock<Vec<&'static str>>, words: &'static [&'static str]) -> bool {
    set.get_or_init(|| {
        let mut v = words.to_vec();
        v.sort_unstable();
        v
    })
    .binary_search(&w)
    .is_ok()
}

/// Words that mark the article's text.
const CONTENT_HINTS: &[&str] =
    &["article", "content", "body", "entry", "post", "story", "text", "main", "prose", "richtext", "paragraph"];

fn classify_names(doc: &Document, id: NodeId) -> (Chrome, bool) {
    let mut chrome = Chrome::None;
    let mut hint = false;
    for attr in ["class", "id", "role", "itemprop", "data-component", "data-testid"] {
        let Some(v) = doc.attr(id, attr) else { continue };
        if attr == "role" {
            match v.trim() {
                "navigation" | "complementary" | "banner" | "contentinfo" | "dialog" | "menu" | "menubar"
                | "toolbar" | "search" => chrome = Chrome::Strong,
                "main" | "article" => hint = true,
                _ => {}
            }
            continue;
        }
        if attr == "itemprop" {
            if v.contains("articleBody") || v.contains("text") {
                hint = true;
            }
            continue;
        }
        for token in v.split_ascii_whitespace() {
            let lower: std::borrow::Cow<str> = if token.bytes().any(|b| b.is_ascii_uppercase()) {
                token.to_ascii_lowercase().into()
            } else {
                token.into()
            };
            let lower: &str = &lower;
            // Modifier classes describe state, not role ("has-sidebar").
            if lower.starts_with("has-")
                || lower.starts_with("is-")
                || lower.starts_with("with-")
                || lower.starts_with("no-")
            {
                continue;
            }
            // In BEM names ("story__note--wide") the element after "__" says
            // what the node is; the block before it names its container.
            let role_part = match lower.rfind("__") {
                Some(i) => lower[i + 2..].split("--").next().unwrap_or(""),
                None => lower,
            };
            let parts: Vec<&str> =
                lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
            let element_chrome = role_part.len() < lower.len()
                && role_part
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| is_listed(w, &STRONG_SET, STRONG_CHROME) || is_listed(w, &WEAK_SET, WEAK_CHROME))
                && !role_part
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| is_listed(w, &HINT_SET, CONTENT_HINTS));
            if parts.iter().any(|w| is_listed(w, &STATE_SET, STATE_WORDS)) {
                continue;
            }
            let words = parts.into_iter();
            let mut tok_strong = false;
            let mut tok_weak = false;
            let mut tok_hint = false;
            for w in words {
                // camelCase pieces are not split; whole-word matches only.
                // "sidebar", "sidebox", "sidenav", "sidecol": layout columns.
                if w.len() > 4 && w.starts_with("side") {
                    tok_weak = true;
                } else if is_listed(w, &STRONG_SET, STRONG_CHROME) {
                    tok_strong = true;
                } else if is_listed(w, &WEAK_SET, WEAK_CHROME) {
                    tok_weak = true;
                } else if is_listed(w, &HINT_SET, CONTENT_HINTS) {
                    tok_hint = true;
                }
            }
            if element_chrome && !tok_strong {
                tok_weak = true;
                tok_hint = false;
            }
            if tok_strong {
                chrome = Chrome::Strong;
            } else if tok_weak && !tok_hint && chrome == Chrome::None {
                chrome = Chrome::Weak;
            }
            if tok_hint && !tok_strong {
                hint = true;
            }
        }
    }
    if hint && chrome == Chrome::Weak {
        chrome = Chrome::None;
    }
    (chrome, hint)
}

fn collect_blocks(doc: &Document, f: &Flags) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut cur: Option<Block> = None;
    let mut at_space = true;
    // A block boundary was crossed since the current block's last text.
    let mut boundary = false;
    let mut pending_break = false;
    let finish = |cur: &mut Option<Block>, blocks: &mut Vec<Block>| {
        if let Some(mut b) = cur.take() {
            let t = b.text.trim_end_matches(|c: char| is_space(c)).len();
            b.text.truncate(t);
            b.chars = char_len(&b.text);
            if b.chars > 0 {
                b.link_chars = b.link_chars.min(b.chars);
                blocks.push(b);
            }
        }
    };
    for id in doc.ids() {
        let i = id as usize;
        if f.skip[i] {
            continue;
        }
        match doc.kind(id) {
            NodeKind::Element(tag) => {
                if tag == Tag::Br {
                    pending_break = true;
                } else if tag.is_block() || matches!(tag, Tag::Td | Tag::Th) {
                    boundary = true;
                }
            }
            NodeKind::Text => {
                let t = doc.text(id);
                if t.chars().all(|c| is_space(c) || crate::text::is_invisible(c)) {
                    if let Some(b) = cur.as_mut() {
                        if !at_space && !t.is_empty() {
                            b.text.push(' ');
                            at_space = true;
                        }
                    }
                    continue;
                }
                let elem = f.block[i];
                let same = cur.as_ref().is_some_and(|b| b.elem == elem) && !boundary;
                if !same {
                    finish(&mut cur, &mut blocks);
                    let (heading, list_item) = heading_and_list(doc, elem);
                    cur = Some(Block {
                        elem,
                        tag: doc.tag(elem).unwrap_or(Tag::Other),
                        first: id,
                        text: String::new(),
                        chars: 0,
                        link_chars: 0,
                        heading,
                        list_item,
                        quoted: f.in_quote[i],
                    });
                    at_space = true;
                    pending_break = false;
                }
                boundary = false;
                if let Some(b) = cur.as_mut() {
                    if pending_break {
                        let t = b.text.trim_end_matches(' ').len();
                        b.text.truncate(t);
                        b.text.push('\n');
                        at_space = true;
                        pending_break = false;
                    }
                    let before = b.text.len();
                    at_space = push_squashed(t, &mut b.text, at_space);
                    if f.in_link[i] {
                        b.link_chars += char_len(&b.text[before..]);
                    }
                }
            }
            _ => {}
        }
    }
    finish(&mut cur, &mut blocks);
    // Remove the stray spaces left at line starts by `<br>` handling.
    for b in &mut blocks {
        if b.text.contains('\n') {
            b.text = b.text.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
            b.chars = char_len(&b.text);
        }
        let t = b.text.trim_start().to_string();
        if t.len() != b.text.len() {
            b.text = t;
            b.chars = char_len(&b.text);
        }
    }
    blocks
}

/// A paragraph styled as a sub-heading: its class says so.
fn classed_as_heading(doc: &Document, id: NodeId) -> bool {
    let Some(class) = doc.attr(id, "class") else { return false };
    let class = class.to_ascii_lowercase();
    ["subhead", "crosshead", "intertitle", "zwischentitel", "intertitre", "subtitulo"].iter().any(|k| class.contains(k))
        || class.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "heading")
}

fn heading_and_list(doc: &Document, elem: NodeId) -> (u8, bool) {
    if matches!(doc.tag(elem), Some(Tag::P | Tag::Div | Tag::Span)) && classed_as_heading(doc, elem) {
        return (3, false);
    }
    let mut id = elem;
    let mut heading = 0;
    let mut list = false;
    for _ in 0..4 {
        match doc.tag(id) {
            Some(Tag::H1) => heading = 1,
            Some(Tag::H2) => heading = 2,
            Some(Tag::H3) => heading = 3,
            Some(Tag::H4) => heading = 4,
            Some(Tag::H5) => heading = 5,
            Some(Tag::H6) => heading = 6,
            Some(Tag::Li) | Some(Tag::Dd) => list = true,
            _ => {}
        }
        if heading > 0 {
            break;
        }
        match doc.parent(id) {
            Some(p) => id = p,
            None => break,
        }
        if doc.tag(id).is_some_and(|t| t.is_block() && !matches!(t, Tag::Li)) && heading == 0 && !list {
            break;
        }
    }
    (heading, list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(html: &str, headline: Option<&str>) -> BodyResult {
        let doc = Document::parse(html);
        let hints = BodyHints { headline, ..BodyHints::default() };
        extract(&doc, &hints)
    }

    const P1: &str = "The river authority opened the new floodgates on Monday morning, three years after the first plans were published.";
    const P2: &str = "Engineers said the gates could hold back water two metres higher than the levels seen during last spring's floods.";
    const P3: &str = "Farmers downstream welcomed the work but asked for compensation for the fields that were flooded during construction.";

    fn article(extra: &str) -> String {
        format!(
            "<html><body><nav><ul><li><a href=/>Home</a></li><li><a href=/n>News</a></li></ul></nav>\
            <div class=story><h1>Gates open</h1><p>{P1}</p><p>{P2}</p>{extra}<p>{P3}</p></div>\
            <footer><p>About us. Contact. Privacy policy and terms of use for this website.</p></footer></body></html>"
        )
    }

    #[test]
    fn picks_the_running_text_and_drops_navigation() {
        let r = body_of(&article(""), Some("Gates open"));
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn chrome_classes_inside_the_article_are_dropped() {
        let extra = "<div class=share-tools><p>Share this story with your friends on every network you use.</p></div>\
                     <div class=related-box><p>A different story about a bridge that was built somewhere else last year.</p></div>";
        let r = body_of(&article(extra), None);
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn a_chrome_word_on_the_wrapper_of_most_text_is_ignored() {
        let html = format!("<div class='content has-sidebar paywall'><p>{P1}</p><p>{P2}</p><p>{P3}</p></div><div class=sidebar><p>Short.</p></div>");
        let r = body_of(&html, None);
        assert_eq!(r.paragraphs.len(), 3);
    }

    #[test]
    fn link_lists_and_promo_sentences_are_dropped() {
        let extra = "<p><a href=/a>Floods hit the valley</a> <a href=/b>Dam plans</a></p>\
                     <p>Get our morning briefing. <a href=/nl>Subscribe to the newsletter</a>.</p>";
        let r = body_of(&article(extra), None);
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn a_sentence_with_a_linked_source_is_kept() {
        let extra =
            "<p>The figures come from <a href=/r>the national hydrology office report</a> released last week.</p>";
        let r = body_of(&article(extra), None);
        assert_eq!(r.paragraphs.len(), 4);
    }

    #[test]
    fn a_related_label_ends_the_article() {
        let html = format!(
            "<article><p>{P1}</p><p>{P2}</p><p>{P3}</p><h3>Related stories</h3>\
            <p>Another town reopened its harbour after a winter of repairs, officials said.</p></article>"
        );
        let r = body_of(&html, None);
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn text_before_the_headline_is_not_body() {
        let html = format!("<div><div class=ticker><p>Breaking: markets close higher after a quiet day of trading in the city.</p></div>\
            <h1>Gates open</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>");
        let doc = Document::parse(&html);
        let h = doc.elements(Tag::H1).next();
        let r = extract(&doc, &BodyHints { headline: Some("Gates open"), headline_node: h, ..BodyHints::default() });
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn a_title_repeated_below_the_article_does_not_cut_it() {
        // The element matching the page title is a teaser after the text.
        let html = format!(
            "<div><h2>Floodgates open after three years</h2><p>{P1}</p><p>{P2}</p><p>{P3}</p>\
            <div class=more><h1>Gates open</h1><p>Short teaser line.</p></div></div>"
        );
        let doc = Document::parse(&html);
        let h = doc.elements(Tag::H1).next();
        let r = extract(&doc, &BodyHints { headline: Some("Gates open"), headline_node: h, ..BodyHints::default() });
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn teasers_after_the_article_end_it_without_hiding_it() {
        let mut html = format!("<main><h1>Gates open</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p>");
        for i in 0..5 {
            html.push_str(&format!("<h3><a href=/s{i}>Story number {i} about the council budget</a></h3><p>The council will vote on the new budget, which raises fees for parking by ten percent.</p>"));
        }
        html.push_str("</main>");
        let r = body_of(&html, Some("Gates open"));
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
        assert_eq!(r.teaser_paragraphs, 0);
    }

    #[test]
    fn teaser_lists_are_counted() {
        let mut html = String::from("<main>");
        for i in 0..5 {
            html.push_str(&format!("<h3><a href=/s{i}>Story number {i} about the council budget</a></h3><p>The council will vote on the new budget, which raises fees for parking by ten percent.</p>"));
        }
        html.push_str("</main>");
        let r = body_of(&html, None);
        assert!(r.teaser_paragraphs >= 3, "{r:?}");
    }

    #[test]
    fn hidden_elements_and_captions_are_not_text() {
        let extra = "<figure><img src=a.jpg><figcaption>The gates at dawn, seen from the northern bank of the river.</figcaption></figure>\
                     <p style='display: none'>This paragraph is hidden from readers and must not appear in the body.</p>";
        let r = body_of(&article(extra), None);
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn bracketed_picture_credits_mark_captions() {
        let extra = "<p>Crowds gathered on the bridge to watch the gates open (Image: Getty)</p>";
        let r = body_of(&article(extra), None);
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn cjk_sentences_count_characters() {
        let b = Block {
            elem: 0,
            tag: Tag::P,
            first: 0,
            text: "先日、新しい橋が開通したというニュースを耳にしました。".into(),
            chars: 27,
            link_chars: 0,
            heading: 0,
            list_item: false,
            quoted: false,
        };
        assert!(b.sentence_like());
    }

    #[test]
    fn an_unlucky_class_on_the_article_wrapper_does_not_lose_it() {
        // "promo" marks chrome, and the wrapper holds less than 85 % of the
        // page's text, so the first method prefers the sidebar's prose.
        let side = "The museum reopens its west wing on Saturday after a year of repairs to the roof and the heating.";
        let html = format!(
            "<body><div class='promo-column'><h1>Gates open</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>\
            <div class=rail><div><p>{side}</p></div><div><p>{side}</p></div><div><p>{side}</p></div></div></body>"
        );
        let r = body_of(&html, None);
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
        assert!(r.second_method);
    }

    #[test]
    fn the_second_method_leaves_a_found_article_alone() {
        let r = body_of(&article(""), Some("Gates open"));
        assert!(!r.second_method);
        assert_eq!(r.good_chars, P1.len() + P2.len() + P3.len());
    }

    #[test]
    fn a_long_comment_thread_is_not_taken_for_the_article() {
        let mut html = format!("<body><div class=story><p>{P1}</p><p>{P2}</p><p>{P3}</p></div><div class=comments>");
        for i in 0..30 {
            html.push_str(&format!("<div class=comment><b>reader{i}</b><p>I have lived by this river for forty years and I have never seen the water this high in spring.</p></div>"));
        }
        html.push_str("</div></body>");
        let r = body_of(&html, None);
        assert_eq!(r.paragraphs, vec![P1, P2, P3]);
    }

    #[test]
    fn class_words() {
        let doc = Document::parse("<div class='c-byline__author-name'></div><div class='story__note'></div><div class='article-body'></div><div class='modal-enabled article'></div>");
        let divs: Vec<NodeId> = doc.elements(Tag::Div).collect();
        assert_eq!(classify_names(&doc, divs[0]).0, Chrome::Strong);
        assert_eq!(classify_names(&doc, divs[1]).0, Chrome::Weak);
        assert_eq!(classify_names(&doc, divs[2]), (Chrome::None, true));
        assert_eq!(classify_names(&doc, divs[3]).0, Chrome::None);
    }
}
