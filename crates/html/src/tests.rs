use super::*;

/// Renders the tree as `tag(children)` with text in quotes, for compact
/// assertions about its shape.
fn shape(doc: &Document, id: NodeId) -> String {
    let mut out = String::new();
    for c in doc.children(id) {
        match doc.kind(c) {
            NodeKind::Element(_) => {
                out.push_str(doc.name(c));
                if doc.first_child(c).is_some() {
                    out.push('(');
                    out.push_str(&shape(doc, c));
                    out.push(')');
                }
                out.push(' ');
            }
            NodeKind::Text => {
                out.push_str(&format!("{:?} ", doc.text(c)));
            }
            _ => {}
        }
    }
    out.trim_end().to_string()
}

fn parse(s: &str) -> String {
    let d = Document::parse(s);
    shape(&d, d.root())
}

#[test]
fn nesting_attributes_and_entities() {
    let d = Document::parse(r#"<div class="a b" ID=x data-q='it&apos;s'><p>Hi &amp; bye</p></div>"#);
    let div = d.elements(Tag::Div).next().unwrap();
    assert_eq!(d.attr(div, "class"), Some("a b"));
    assert_eq!(d.attr(div, "id"), Some("x"));
    assert_eq!(d.attr(div, "data-q"), Some("it's"));
    assert_eq!(shape(&d, d.root()), r#"div(p("Hi & bye"))"#);
}

#[test]
fn implied_end_tags() {
    assert_eq!(parse("<p>one<p>two<div>three</div>"), r#"p("one") p("two") div("three")"#);
    assert_eq!(parse("<ul><li>a<li>b</ul>"), r#"ul(li("a") li("b"))"#);
    assert_eq!(
        parse("<table><tr><td>a<td>b<tr><td>c</table>after"),
        r#"table(tr(td("a") td("b")) tr(td("c"))) "after""#
    );
    assert_eq!(parse("<h2>x<h3>y"), r#"h2("x") h3("y")"#);
}

#[test]
fn end_tags_close_intervening_but_not_past_boundaries() {
    assert_eq!(parse("<div><span><b>x</div>y"), r#"div(span(b("x"))) "y""#);
    assert_eq!(parse("<div>a</span>b</div>"), r#"div("ab")"#);
    assert_eq!(parse("<div><table><tr><td></div>x</td></tr></table>z</div>"), r#"div(table(tr(td("x"))) "z")"#);
}

#[test]
fn raw_text_elements_keep_content_verbatim() {
    let d = Document::parse("<script>if (a<b) {x='</p>'}</script><title>A &amp; B</title><style>p{}</style><p>t");
    let s = d.elements(Tag::Script).next().unwrap();
    assert_eq!(d.raw_content(s), "if (a<b) {x='</p>'}");
    let t = d.elements(Tag::Title).next().unwrap();
    assert_eq!(d.raw_content(t), "A & B");
    let st = d.elements(Tag::Style).next().unwrap();
    assert_eq!(d.raw_content(st), "");
    assert_eq!(d.text_content(d.elements(Tag::P).next().unwrap()), "t");
}

#[test]
fn comments_doctype_and_stray_brackets() {
    assert_eq!(parse("<!DOCTYPE html><!-- <p>no</p> -->a < b <3 </>c"), r#""a < b <3 c""#);
    assert_eq!(parse("x<!-- never closed <p>y"), r#""x""#);
}

#[test]
fn void_and_self_closing() {
    assert_eq!(parse("<p>a<br>b<img src=x.jpg/>c</p>"), r#"p("a" br "b" img "c")"#);
    assert_eq!(parse("<svg><path d='M0'/><circle/></svg>t"), r#"svg(path circle) "t""#);
}

#[test]
fn deep_nesting_is_flattened_not_recursed() {
    let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000);
    let d = Document::parse(&html);
    assert!(d.too_deep());
    let mut depth = 0;
    let text = d.ids().find(|&i| d.kind(i) == NodeKind::Text).unwrap();
    let mut cur = text;
    while let Some(p) = d.parent(cur) {
        depth += 1;
        cur = p;
    }
    assert!(depth <= MAX_DEPTH + 1, "depth {depth}");
}

#[test]
fn subtree_ranges_match_descendants() {
    let d = Document::parse("<div><p>a<b>b</b></p><p>c</p></div><p>d</p>");
    let div = d.elements(Tag::Div).next().unwrap();
    let end = d.subtree_end(div);
    assert_eq!(d.text_content(div), "ab c");
    for i in div + 1..end {
        assert!(d.is_inclusive_ancestor(div, i));
    }
    assert!(!d.is_inclusive_ancestor(div, end));
}

#[test]
fn hostile_inputs_never_panic() {
    let cases: Vec<String> = vec![
        String::new(),
        "<".into(),
        "</".into(),
        "<a".into(),
        "<a href=\"unterminated".into(),
        "<script>never ends".into(),
        "<!--".into(),
        "&#x110000;&#;&".into(),
        "<é><ü attr=é>ß</é>".into(),
        "<p ==== \"\"''>".into(),
        "\u{0}\u{FFFD}<\u{0}>".into(),
    ];
    for c in cases {
        let d = Document::parse(&c);
        let _ = shape(&d, d.root());
    }
}

#[test]
fn text_content_separates_blocks_not_inline_runs() {
    let d = Document::parse(
        "<div><h2>Summary</h2><ul><li>About 1,900 workers</li><li>Union wants 9%</li></ul><p>Th<b>e</b> end</p>tail</div>",
    );
    let div = d.elements(Tag::Div).next().unwrap();
    assert_eq!(d.text_content(div), "Summary About 1,900 workers Union wants 9% The end tail");
}

/// Past the few attributes a real element has, duplicates are found by a hash set: the first occurrence still
/// wins, also for names first seen before the set took over.
#[test]
fn many_attributes_keep_the_first_of_each_name() {
    let mut tag = String::from("<div");
    for n in 0..100 {
        tag.push_str(&format!(" a{n}=first{n}"));
    }
    for n in (0..100).rev() {
        tag.push_str(&format!(" A{n}=second{n}"));
    }
    tag.push_str(" late=1 late=2>x</div>");
    let d = Document::parse(&tag);
    let div = d.elements(Tag::Div).next().unwrap();
    assert_eq!(d.attrs(div).count(), 101);
    assert_eq!(d.attr(div, "a0"), Some("first0"));
    assert_eq!(d.attr(div, "a99"), Some("first99"));
    assert_eq!(d.attr(div, "late"), Some("1"));
}

/// 300,000 attributes on one element (3.5 MB): comparing each with all earlier ones took minutes (1.5 M did not
/// finish in two minutes); now it is a fraction of a second. The deadline is a hang guard, far above both.
#[test]
fn attribute_count_costs_linear_time() {
    let mut tag = String::from("<div");
    for n in 0..300_000 {
        tag.push_str(&format!(" x{n}=1"));
    }
    tag.push_str(" x7=dup>x</div>");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let d = Document::parse(&tag);
        let div = d.elements(Tag::Div).next();
        let _ = tx.send(div.map(|div| (d.attrs(div).count(), d.attr(div, "x7").map(String::from))));
    });
    let got = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("parsing 300,000 attributes hangs");
    assert_eq!(got, Some((300_000, Some("1".to_string()))));
}
