//! A fast, lenient HTML parser that builds a compact arena DOM for text
//! extraction.
//!
//! Why not html5ever: newsdesk must extract articles ten times faster than
//! Python trafilatura, and html5ever's tokenizer alone runs at about 90 MB/s
//! on the evaluation pages (its tree builder brings that to about 65 MB/s),
//! which leaves no time for extraction. Extraction does not need the full
//! HTML tree-construction algorithm: it needs elements, attributes and text
//! in roughly the shape a browser shows. This parser implements the parts of
//! the algorithm that change that shape on real pages — raw-text elements,
//! void elements, implied end tags of `p`, `li`, `dt`/`dd`, table cells and
//! headings, end tags that close intervening elements, scope boundaries — and
//! skips the rest (foster parenting, the adoption agency, implied
//! `head`/`body`).
//!
//! Invariants:
//! - Parsing never fails and never panics: any byte sequence is a document.
//! - Work is linear in the input; nesting deeper than [`MAX_DEPTH`] is
//!   flattened into the deepest allowed element (reported by
//!   [`Document::too_deep`]), so recursive walks over the tree are bounded.
//! - Node 0 is the document root; every other node has a parent with a
//!   smaller id (document order equals id order).

mod entity;
mod tag;

use std::collections::HashSet;
use std::ops::Range;

pub use entity::decode_into as decode_entities_into;
pub use tag::Tag;

/// Maximum depth of open elements. Deeper elements are attached to the
/// element at this depth instead of nesting further.
pub const MAX_DEPTH: usize = 256;

/// Identifier of a node in a [`Document`].
pub type NodeId = u32;

const NONE: NodeId = u32::MAX;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// The root of the tree.
    Document,
    /// An element with its tag.
    Element(Tag),
    /// A run of character data (entities decoded).
    Text,
    /// A comment (its text is not kept).
    Comment,
}

#[derive(Debug, Clone)]
struct Node {
    kind: NodeKind,
    parent: NodeId,
    first_child: NodeId,
    last_child: NodeId,
    next_sibling: NodeId,
    /// Element: spelled name for [`Tag::Other`]; text: the content.
    text: Range<u32>,
    attrs: Range<u32>,
}

#[derive(Debug, Clone)]
struct Attr {
    /// The name's first bytes and length packed, so that lookups compare one
    /// integer instead of calling `memcmp` for every attribute.
    key: u64,
    name: Range<u32>,
    value: Range<u32>,
}

/// Packs up to the first 7 bytes of `name` and its length.
fn attr_key(name: &[u8]) -> u64 {
    let mut k = (name.len().min(255) as u64) << 56;
    for (i, b) in name.iter().take(7).enumerate() {
        k |= (*b as u64) << (i * 8);
    }
    k
}

/// A parsed HTML document: nodes in an arena, strings in one buffer.
#[derive(Debug, Clone)]
pub struct Document {
    nodes: Vec<Node>,
    attrs: Vec<Attr>,
    buf: String,
    too_deep: bool,
}

impl Document {
    /// Parses `html`. Never fails; see the crate invariants.
    pub fn parse(html: &str) -> Document {
        let mut b = Builder::new(html.len());
        b.run(html);
        b.doc
    }

    /// The root node.
    pub fn root(&self) -> NodeId {
        0
    }

    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the document has no node besides the root.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// True when nesting was flattened at [`MAX_DEPTH`].
    pub fn too_deep(&self) -> bool {
        self.too_deep
    }

    /// The kind of `id`.
    pub fn kind(&self, id: NodeId) -> NodeKind {
        self.nodes[id as usize].kind
    }

    /// The tag of an element, `None` for other nodes.
    pub fn tag(&self, id: NodeId) -> Option<Tag> {
        match self.nodes[id as usize].kind {
            NodeKind::Element(t) => Some(t),
            _ => None,
        }
    }

    /// The lower-case name of an element (`""` for other nodes).
    pub fn name(&self, id: NodeId) -> &str {
        let n = &self.nodes[id as usize];
        match n.kind {
            NodeKind::Element(_) => self.slice(&n.text),
            _ => "",
        }
    }

    /// The text of a text node (`""` for other nodes).
    pub fn text(&self, id: NodeId) -> &str {
        let n = &self.nodes[id as usize];
        match n.kind {
            NodeKind::Text => self.slice(&n.text),
            _ => "",
        }
    }

    /// The raw content of a raw-text element such as `<script>` or `<title>`
    /// (its single text child), or `""`.
    pub fn raw_content(&self, id: NodeId) -> &str {
        let n = &self.nodes[id as usize];
        if n.first_child != NONE && self.nodes[n.first_child as usize].kind == NodeKind::Text {
            self.text(n.first_child)
        } else {
            ""
        }
    }

    /// The parent of `id` (`None` for the root).
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        opt(self.nodes[id as usize].parent)
    }

    /// The first child of `id`.
    pub fn first_child(&self, id: NodeId) -> Option<NodeId> {
        opt(self.nodes[id as usize].first_child)
    }

    /// The next sibling of `id`.
    pub fn next_sibling(&self, id: NodeId) -> Option<NodeId> {
        opt(self.nodes[id as usize].next_sibling)
    }

    /// The children of `id` in order.
    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children { doc: self, next: self.nodes[id as usize].first_child }
    }

    /// The value of attribute `name` (lower-case) of an element.
    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        let n = &self.nodes[id as usize];
        let key = attr_key(name.as_bytes());
        self.attrs[n.attrs.start as usize..n.attrs.end as usize]
            .iter()
            .find(|a| a.key == key && (name.len() <= 7 || self.slice(&a.name) == name))
            .map(|a| self.slice(&a.value))
    }

    /// All attributes of an element as `(name, value)`.
    pub fn attrs(&self, id: NodeId) -> impl Iterator<Item = (&str, &str)> + '_ {
        let n = &self.nodes[id as usize];
        self.attrs[n.attrs.start as usize..n.attrs.end as usize]
            .iter()
            .map(move |a| (self.slice(&a.name), self.slice(&a.value)))
    }

    /// All node ids in document order (the root first).
    pub fn ids(&self) -> Range<NodeId> {
        0..self.nodes.len() as NodeId
    }

    /// The ids of the elements with tag `tag`, in document order.
    pub fn elements(&self, tag: Tag) -> impl Iterator<Item = NodeId> + '_ {
        self.ids().filter(move |&i| self.nodes[i as usize].kind == NodeKind::Element(tag))
    }

    /// True when `ancestor` is `id` or one of its ancestors.
    pub fn is_inclusive_ancestor(&self, ancestor: NodeId, mut id: NodeId) -> bool {
        loop {
            if id == ancestor {
                return true;
            }
            match self.parent(id) {
                Some(p) if p >= ancestor => id = p,
                _ => return false,
            }
        }
    }

    /// The end (exclusive) of the id range of `id`'s subtree: its descendants
    /// are exactly the ids in `id + 1 .. subtree_end(id)`.
    pub fn subtree_end(&self, id: NodeId) -> NodeId {
        let mut cur = id;
        loop {
            if let Some(s) = self.next_sibling(cur) {
                return s;
            }
            match self.parent(cur) {
                Some(p) => cur = p,
                None => return self.nodes.len() as NodeId,
            }
        }
    }

    /// The text of `id`'s subtree as a reader sees it: text nodes joined as
    /// they are, with a space where a block-level element (or `<br>`) starts
    /// or ends between two of them. Without it, a summary box printed as a
    /// heading and a list reads "SummaryAbout 1,900 workers…".
    pub fn text_content(&self, id: NodeId) -> String {
        self.text_content_without(id, |_| false)
    }

    /// [`Self::text_content`] leaving out the subtrees of the elements
    /// `skip` names (a box's heading, say).
    pub fn text_content_without(&self, id: NodeId, skip: impl Fn(Tag) -> bool) -> String {
        let mut s = String::new();
        // Ends (exclusive) of the block elements open around the walk.
        let mut open: Vec<NodeId> = Vec::new();
        let mut boundary = false;
        let end = self.subtree_end(id);
        let mut i = id;
        while i < end {
            while open.last().is_some_and(|&end| end <= i) {
                open.pop();
                boundary = true;
            }
            match self.nodes[i as usize].kind {
                NodeKind::Element(tag) if i != id && skip(tag) => {
                    boundary = true;
                    i = self.subtree_end(i);
                    continue;
                }
                NodeKind::Element(tag) if tag.is_block() && i != id => {
                    boundary = true;
                    let end = self.subtree_end(i);
                    if end > i + 1 {
                        open.push(end);
                    }
                }
                NodeKind::Text => {
                    let t = self.text(i);
                    let joined = s.is_empty() || s.ends_with(char::is_whitespace) || t.starts_with(char::is_whitespace);
                    if boundary && !joined {
                        s.push(' ');
                    }
                    boundary = false;
                    s.push_str(t);
                }
                _ => {}
            }
            i += 1;
        }
        s
    }

    fn slice(&self, r: &Range<u32>) -> &str {
        &self.buf[r.start as usize..r.end as usize]
    }
}

fn opt(id: NodeId) -> Option<NodeId> {
    (id != NONE).then_some(id)
}

/// Iterator over the children of a node.
pub struct Children<'a> {
    doc: &'a Document,
    next: NodeId,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let cur = opt(self.next)?;
        self.next = self.doc.nodes[cur as usize].next_sibling;
        Some(cur)
    }
}

struct Builder {
    doc: Document,
    /// Open elements, innermost last; never empty (the root stays).
    stack: Vec<NodeId>,
    /// The tag of each open element, parallel to `stack`.
    stack_tags: Vec<Tag>,
    /// Attribute names of the current start tag, once it has more than [`ATTR_SCAN`] of them: comparing each new
    /// name with all earlier ones made a tag with a million attributes take hours.
    attr_names: HashSet<Box<[u8]>>,
}

/// Up to this many attributes on one element, a duplicate is found by comparing with each earlier one (real
/// pages have a handful); past it, by a hash set, so the work stays linear.
const ATTR_SCAN: usize = 16;

impl Builder {
    fn new(len: usize) -> Builder {
        let mut doc = Document {
            nodes: Vec::with_capacity(len / 40 + 16),
            attrs: Vec::with_capacity(len / 60 + 16),
            buf: String::with_capacity(len / 2 + 16),
            too_deep: false,
        };
        doc.nodes.push(Node {
            kind: NodeKind::Document,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            text: 0..0,
            attrs: 0..0,
        });
        Builder { doc, stack: vec![0], stack_tags: vec![Tag::Html], attr_names: HashSet::new() }
    }

    fn run(&mut self, html: &str) {
        let bytes = html.as_bytes();
        let mut pos = 0;
        let mut text_start = 0;
        while let Some(off) = memchr::memchr(b'<', &bytes[pos..]) {
            let lt = pos + off;
            let next = bytes.get(lt + 1).copied().unwrap_or(0);
            let consumed = if next.is_ascii_alphabetic() {
                self.flush_text(&html[text_start..lt]);
                Some(self.start_tag(html, lt))
            } else if next == b'/' {
                match bytes.get(lt + 2) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        self.flush_text(&html[text_start..lt]);
                        Some(self.end_tag(html, lt))
                    }
                    Some(b'>') => {
                        self.flush_text(&html[text_start..lt]);
                        Some(lt + 3)
                    }
                    _ => None,
                }
            } else if next == b'!' {
                self.flush_text(&html[text_start..lt]);
                Some(if bytes[lt..].starts_with(b"<!--") {
                    let body = lt + 4;
                    let end = memchr::memmem::find(&bytes[body..], b"-->").map_or(bytes.len(), |e| body + e + 3);
                    self.append(NodeKind::Comment, 0..0, 0..0);
                    end
                } else {
                    skip_past_gt(bytes, lt)
                })
            } else if next == b'?' {
                self.flush_text(&html[text_start..lt]);
                Some(skip_past_gt(bytes, lt))
            } else {
                None
            };
            match consumed {
                Some(end) => {
                    pos = end.min(bytes.len());
                    text_start = pos;
                }
                None => pos = lt + 1,
            }
        }
        self.flush_text(&html[text_start..]);
    }

    fn flush_text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let start = self.doc.buf.len() as u32;
        if raw.as_bytes().contains(&b'&') {
            entity::decode_into(raw, &mut self.doc.buf);
        } else {
            self.doc.buf.push_str(raw);
        }
        let end = self.doc.buf.len() as u32;
        // Merge with a preceding text sibling so text runs stay whole.
        let parent = *self.stack.last().unwrap_or(&0);
        let last = self.doc.nodes[parent as usize].last_child;
        if last != NONE {
            let l = &mut self.doc.nodes[last as usize];
            if l.kind == NodeKind::Text && l.text.end == start {
                l.text.end = end;
                return;
            }
        }
        self.append(NodeKind::Text, start..end, 0..0);
    }

    fn append(&mut self, kind: NodeKind, text: Range<u32>, attrs: Range<u32>) -> NodeId {
        let parent = *self.stack.last().unwrap_or(&0);
        let id = self.doc.nodes.len() as NodeId;
        self.doc.nodes.push(Node {
            kind,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            text,
            attrs,
        });
        let p = &mut self.doc.nodes[parent as usize];
        let prev = p.last_child;
        p.last_child = id;
        if prev == NONE {
            p.first_child = id;
        } else {
            self.doc.nodes[prev as usize].next_sibling = id;
        }
        id
    }

    /// Parses the start tag at `lt` and returns the position after it (and
    /// after the raw content of raw-text elements).
    fn start_tag(&mut self, html: &str, lt: usize) -> usize {
        let bytes = html.as_bytes();
        let name_start = lt + 1;
        let mut i = name_end(bytes, name_start);
        let name_range = self.push_lower(&html[name_start..i]);
        let tag = Tag::from_lowercase(&self.doc.buf.as_bytes()[name_range.start as usize..name_range.end as usize]);
        let attrs_start = self.doc.attrs.len() as u32;
        self.attr_names.clear();
        let mut self_closing = false;
        // Attributes.
        loop {
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/') {
                self_closing = bytes[i] == b'/';
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            self_closing = false;
            let an_start = i;
            i += 1; // the first character may be '=' per the spec
            while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>' | b'=') {
                i += 1;
            }
            let an_end = i;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
                i += 1;
            }
            let mut value = 0..0;
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
                    i += 1;
                }
                if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                    let q = bytes[i];
                    let vs = i + 1;
                    let ve = memchr::memchr(q, &bytes[vs..]).map_or(bytes.len(), |e| vs + e);
                    value = vs..ve;
                    i = (ve + 1).min(bytes.len());
                } else {
                    let vs = i;
                    while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>') {
                        i += 1;
                    }
                    value = vs..i;
                }
            }
            // The first occurrence of an attribute wins, as in browsers.
            let name = self.push_lower(&html[an_start..an_end]);
            let name_bytes = &self.doc.buf.as_bytes()[name.start as usize..name.end as usize];
            let key = attr_key(name_bytes);
            let earlier = &self.doc.attrs[attrs_start as usize..];
            let buf = self.doc.buf.as_bytes();
            let dup = if earlier.len() < ATTR_SCAN {
                earlier.iter().any(|a| a.key == key && buf[a.name.start as usize..a.name.end as usize] == *name_bytes)
            } else {
                if self.attr_names.is_empty() {
                    self.attr_names
                        .extend(earlier.iter().map(|a| buf[a.name.start as usize..a.name.end as usize].into()));
                }
                !self.attr_names.insert(name_bytes.into())
            };
            if dup {
                self.doc.buf.truncate(name.start as usize);
                continue;
            }
            let vstart = self.doc.buf.len() as u32;
            let raw = html.get(value.clone()).unwrap_or("");
            if raw.as_bytes().contains(&b'&') {
                entity::decode_into(raw, &mut self.doc.buf);
            } else {
                self.doc.buf.push_str(raw);
            }
            let vend = self.doc.buf.len() as u32;
            let key = attr_key(&self.doc.buf.as_bytes()[name.start as usize..name.end as usize]);
            self.doc.attrs.push(Attr { key, name, value: vstart..vend });
        }
        let attrs = attrs_start..self.doc.attrs.len() as u32;
        self.implied_closes(tag);
        let id = self.append(NodeKind::Element(tag), name_range, attrs);
        if tag.is_void() || (self_closing && matches!(tag, Tag::Other)) {
            return i;
        }
        if tag.is_raw_text() {
            return self.raw_text(html, i, tag, id);
        }
        if self.stack.len() >= MAX_DEPTH {
            self.doc.too_deep = true;
        } else {
            self.stack.push(id);
            self.stack_tags.push(tag);
        }
        i
    }

    /// Reads the content of a raw-text element up to its end tag.
    fn raw_text(&mut self, html: &str, from: usize, tag: Tag, id: NodeId) -> usize {
        let bytes = html.as_bytes();
        let name = self.doc.name(id).as_bytes().to_vec();
        let mut p = from;
        let end = loop {
            match memchr::memmem::find(&bytes[p..], b"</") {
                None => break bytes.len(),
                Some(off) => {
                    let s = p + off;
                    let after = s + 2 + name.len();
                    if after <= bytes.len()
                        && bytes[s + 2..after].eq_ignore_ascii_case(&name)
                        && matches!(bytes.get(after), None | Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'\x0c'))
                    {
                        break s;
                    }
                    p = s + 2;
                }
            }
        };
        // Style sheets are never read by extraction; skip storing them.
        if tag != Tag::Style && end > from {
            self.stack.push(id);
            self.stack_tags.push(tag);
            let content = &html[from..end];
            if matches!(tag, Tag::Title | Tag::Textarea) {
                self.flush_text(content);
            } else {
                let start = self.doc.buf.len() as u32;
                self.doc.buf.push_str(content);
                let e = self.doc.buf.len() as u32;
                self.append(NodeKind::Text, start..e, 0..0);
            }
            self.stack.pop();
            self.stack_tags.pop();
        }
        if end >= bytes.len() {
            return end;
        }
        skip_past_gt(bytes, end)
    }

    /// Closes the elements a browser would close before inserting `tag`.
    fn implied_closes(&mut self, tag: Tag) {
        use Tag::*;
        if tag.closes_p() {
            self.close_in_scope(P, &[]);
        }
        match tag {
            Li => self.close_in_scope(Li, &[Ul, Ol, Menu]),
            Dt | Dd => {
                self.close_in_scope(Dt, &[Dl]);
                self.close_in_scope(Dd, &[Dl]);
            }
            Tr => {
                self.close_in_scope(Td, &[Tr, Tbody, Thead, Tfoot]);
                self.close_in_scope(Th, &[Tr, Tbody, Thead, Tfoot]);
                self.close_in_scope(Tr, &[Tbody, Thead, Tfoot]);
            }
            Td | Th => {
                self.close_in_scope(Td, &[Tr, Tbody, Thead, Tfoot]);
                self.close_in_scope(Th, &[Tr, Tbody, Thead, Tfoot]);
            }
            Option => self.close_top(Option),
            A => self.close_in_scope(A, &[]),
            H1 | H2 | H3 | H4 | H5 | H6 if self.stack_tags.last().is_some_and(|t| t.is_heading()) => {
                self.pop();
            }
            _ => {}
        }
    }

    fn close_top(&mut self, tag: Tag) {
        if self.stack_tags.last() == Some(&tag) {
            self.pop();
        }
    }

    /// Pops up to and including the innermost open `tag`, unless a scope
    /// boundary or one of `also_stop` comes first.
    fn close_in_scope(&mut self, tag: Tag, also_stop: &[Tag]) {
        for k in (1..self.stack_tags.len()).rev() {
            let t = self.stack_tags[k];
            if t == tag {
                self.stack.truncate(k);
                self.stack_tags.truncate(k);
                return;
            }
            if t.is_scope_boundary() || also_stop.contains(&t) {
                return;
            }
        }
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            self.stack_tags.pop();
        }
    }

    fn end_tag(&mut self, html: &str, lt: usize) -> usize {
        let bytes = html.as_bytes();
        let name_start = lt + 2;
        let i = name_end(bytes, name_start);
        let raw_name = &html[name_start..i];
        let end = skip_past_gt(bytes, i);
        let tag = Tag::from_lowercase_ci(raw_name);
        if tag.is_void() {
            return end;
        }
        let table_part = matches!(
            tag,
            Tag::Table | Tag::Tbody | Tag::Thead | Tag::Tfoot | Tag::Tr | Tag::Td | Tag::Th | Tag::Caption
        );
        for k in (1..self.stack_tags.len()).rev() {
            let t = self.stack_tags[k];
            let matched =
                t == tag && (tag != Tag::Other || self.doc.name(self.stack[k]).eq_ignore_ascii_case(raw_name));
            if matched {
                self.stack.truncate(k);
                self.stack_tags.truncate(k);
                break;
            }
            let boundary = if table_part {
                matches!(t, Tag::Html | Tag::Template) || (t == Tag::Table && tag != Tag::Table)
            } else {
                t.is_scope_boundary()
            };
            if boundary {
                break;
            }
        }
        end
    }

    fn push_lower(&mut self, s: &str) -> Range<u32> {
        let start = self.doc.buf.len() as u32;
        for c in s.chars() {
            self.doc.buf.push(c.to_ascii_lowercase());
        }
        start..self.doc.buf.len() as u32
    }
}

impl Tag {
    fn from_lowercase_ci(name: &str) -> Tag {
        if name.len() > 12 {
            return Tag::Other;
        }
        let mut buf = [0u8; 12];
        for (d, s) in buf.iter_mut().zip(name.bytes()) {
            *d = s.to_ascii_lowercase();
        }
        Tag::from_lowercase(&buf[..name.len()])
    }
}

/// The end of a tag name starting at `from`: the first space, `/` or `>`.
fn name_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>') {
        i += 1;
    }
    i
}

/// Position just after the next `>` at or after `from`, or the end.
fn skip_past_gt(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'>', &bytes[from.min(bytes.len())..]).map_or(bytes.len(), |e| from + e + 1)
}

#[cfg(test)]
mod tests;
