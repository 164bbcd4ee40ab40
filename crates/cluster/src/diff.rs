//! Paragraph-level diffs between revisions of an article.

/// One step of a diff: a paragraph kept, added in the new text, or removed
/// from the old one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffOp {
    Same(String),
    Added(String),
    Removed(String),
}

/// Above this many cells the LCS table is not built (it is quadratic); the
/// differing middle is then reported as removed-then-added. Articles have
/// tens of paragraphs, so this only guards against hostile input.
const MAX_LCS_CELLS: usize = 4_000_000;

/// Paragraphs of `text`: runs of lines separated by blank lines, trimmed,
/// with inner whitespace left as it is.
pub fn split_paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            if let Some(s) = start.take() {
                out.push(text[s..end].trim());
            }
        } else {
            if start.is_none() {
                start = Some(pos);
            }
            end = pos + line.len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(text[s..end].trim());
    }
    out
}

fn normalised(p: &str) -> String {
    p.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The paragraph diff from `old` to `new`: a longest common subsequence of
/// paragraphs (compared with whitespace collapsed), emitted in order with
/// removals before additions at each change. Linear for the common prefix
/// and suffix, quadratic only in the changed middle.
pub fn paragraph_diff(old: &str, new: &str) -> Vec<DiffOp> {
    let a = split_paragraphs(old);
    let b = split_paragraphs(new);
    let an: Vec<String> = a.iter().map(|p| normalised(p)).collect();
    let bn: Vec<String> = b.iter().map(|p| normalised(p)).collect();

    let mut pre = 0;
    while pre < an.len() && pre < bn.len() && an[pre] == bn[pre] {
        pre += 1;
    }
    let mut suf = 0;
    while suf < an.len() - pre && suf < bn.len() - pre && an[an.len() - 1 - suf] == bn[bn.len() - 1 - suf] {
        suf += 1;
    }
    let mut ops: Vec<DiffOp> = b[..pre].iter().map(|p| DiffOp::Same(p.to_string())).collect();
    let (am, bm) = (&an[pre..an.len() - suf], &bn[pre..bn.len() - suf]);
    let (ao, bo) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let (n, m) = (am.len(), bm.len());
    if n.saturating_mul(m) > MAX_LCS_CELLS {
        ops.extend(ao.iter().map(|p| DiffOp::Removed(p.to_string())));
        ops.extend(bo.iter().map(|p| DiffOp::Added(p.to_string())));
    } else {
        // lcs[i][j]: LCS length of am[i..] and bm[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] =
                    if am[i] == bm[j] { lcs[(i + 1) * w + j + 1] + 1 } else { lcs[(i + 1) * w + j].max(lcs[i * w + j + 1]) };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                ops.push(DiffOp::Same(bo[j].to_string()));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                ops.push(DiffOp::Removed(ao[i].to_string()));
                i += 1;
            } else {
                ops.push(DiffOp::Added(bo[j].to_string()));
                j += 1;
            }
        }
    }
    ops.extend(b[b.len() - suf..].iter().map(|p| DiffOp::Same(p.to_string())));
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_blank_lines() {
        assert_eq!(split_paragraphs("a\nb\n\n  \nc\n"), vec!["a\nb", "c"]);
        assert!(split_paragraphs("\n\n").is_empty());
    }

    #[test]
    fn identical() {
        assert_eq!(paragraph_diff("a\n\nb", "a\n\nb"), vec![DiffOp::Same("a".into()), DiffOp::Same("b".into())]);
    }
}
