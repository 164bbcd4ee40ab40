//! The HTML parser on any text: no panic, and the tree invariants every stage relies on (descendants are the
//! ids up to `subtree_end`, in document order).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = newsdesk_html::Document::parse(&text);
    let root = doc.root();
    assert!(doc.subtree_end(root) as usize <= doc.len());
    for id in 1..doc.len() as newsdesk_html::NodeId {
        assert!(doc.is_inclusive_ancestor(root, id));
        // Every attribute's name and value are slices of the document's buffer: reading them must not panic.
        let _ = doc.attrs(id).map(|(n, v)| n.len() + v.len()).sum::<usize>();
    }
});
