//! The stylesheet a class page inlines: the report's one stylesheet less the rules no
//! element of a class page can match.
//!
//! In: the minified stylesheet ([`super::render::minify_css`]) and what a class page
//! can contain ([`ClassPageVocab`]: its element names and class names).
//! Out: the same rules in the same order, each with only the selectors of its list that
//! can match, and without the rules none of whose selectors can; at-rules (`@page`,
//! `@media`) are kept, with the rules inside a `@media` trimmed alike.
//! Guarantees: a selector is dropped only when one of its compound selectors requires
//! an element name or a class that is not in the vocabulary, so it matches no element of
//! a page made of that vocabulary; a kept rule keeps its declarations byte for byte, and
//! the order of what is kept is unchanged, so the cascade among the kept rules is the one
//! the whole stylesheet gives. Id selectors, attribute selectors and pseudo-classes are
//! never grounds to drop (they are read as "may match"); what is inside parentheses
//! (`:not(…)`, `:lang(…)`) is not read as a requirement. The annual page keeps the whole
//! stylesheet. The sheet is trimmed once per run, not per page.

/// What a class page can contain, for [`trim`]: the names of its elements (HTML and
/// SVG, lower case) and of its classes.
pub(crate) struct ClassPageVocab {
    pub(crate) tags: &'static [&'static str],
    pub(crate) classes: &'static [&'static str],
}

impl ClassPageVocab {
    /// Whether a compound selector (`a.gloss`, `td:first-child:not(.num)`, `*`) could
    /// match an element of such a page.
    fn compound_may_match(&self, compound: &str) -> bool {
        let b = compound.as_bytes();
        let mut i = 0;
        // The leading type selector, if any.
        let tag_end = b.iter().position(|&c| !is_name_byte(c)).unwrap_or(b.len());
        if tag_end > 0 && !self.tags.contains(&compound[..tag_end].to_ascii_lowercase().as_str()) {
            return false;
        }
        i += tag_end;
        while i < b.len() {
            match b[i] {
                b'.' => {
                    let start = i + 1;
                    let end = start + b[start..].iter().position(|&c| !is_name_byte(c)).unwrap_or(b.len() - start);
                    if !self.classes.contains(&&compound[start..end]) {
                        return false;
                    }
                    i = end;
                }
                // Parentheses and brackets hold arguments and attribute tests, which
                // this does not read; quotes in them are skipped whole.
                b'(' | b'[' => i = skip_group(b, i),
                _ => i += 1,
            }
        }
        true
    }

    /// Whether a complex selector (compounds joined by combinators) could match.
    fn selector_may_match(&self, selector: &str) -> bool {
        compounds(selector).iter().all(|c| self.compound_may_match(c))
    }
}

/// Letters, digits, `-` and `_`: the bytes of a CSS name in this stylesheet (which has
/// no escapes).
fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80
}

/// The index just past the group opening at `b[open]` (`(` or `[`), nested groups and
/// quoted strings included; the end of `b` when it is never closed.
fn skip_group(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => i = skip_string(b, i),
            b'(' | b'[' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// The index just past the quoted string starting at `b[open]`.
fn skip_string(b: &[u8], open: usize) -> usize {
    let quote = b[open];
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// The compound selectors of a complex selector: split at whitespace and at the `>`,
/// `+` and `~` combinators outside parentheses, brackets and strings.
fn compounds(selector: &str) -> Vec<&str> {
    let combinator = |c: u8| c.is_ascii_whitespace() || c == b'>' || c == b'+' || c == b'~';
    split_top_level(selector, combinator).into_iter().filter(|part| !part.is_empty()).collect()
}

/// Split a selector list at its top-level commas.
fn selector_list(prelude: &str) -> Vec<&str> {
    split_top_level(prelude, |c| c == b',')
}

/// `text` split at the bytes `at` accepts outside parentheses, brackets and strings
/// (every part, empty ones too).
fn split_top_level(text: &str, at: impl Fn(u8) -> bool) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' | b'[' => i = skip_group(b, i),
            b'"' | b'\'' => i = skip_string(b, i),
            c if at(c) => {
                out.push(&text[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push(&text[start..]);
    out
}

/// The index of the `}` closing the block that opens at `b[open]` (`{`); the end of `b`
/// when it is never closed.
fn block_end(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                i = skip_string(b, i);
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// `css` with what `vocab` cannot match removed (see the module doc). The whitespace
/// between kept rules, and inside them, is kept as it is; a rule's selector list keeps
/// the selectors that may match, joined by `, `.
pub(crate) fn trim(css: &str, vocab: &ClassPageVocab) -> String {
    let mut out = String::with_capacity(css.len());
    trim_rules(css, vocab, &mut out);
    // When the first rule went, the whitespace before the second must not open the sheet.
    let lead = css.len() - css.trim_start().len();
    let extra = out.len() - out.trim_start().len();
    if extra > lead {
        out.drain(..extra - lead);
    }
    out
}

/// Trim a list of rules (the sheet, or the inside of a `@media` block) into `out`.
fn trim_rules(css: &str, vocab: &ClassPageVocab, out: &mut String) {
    let b = css.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(open) = css[i..].find('{').map(|k| i + k) else {
            // What follows the last rule (whitespace) stays.
            out.push_str(&css[i..]);
            return;
        };
        let close = block_end(b, open);
        let after = (close + 1).min(b.len());
        let prelude_raw = &css[i..open];
        let lead = &prelude_raw[..prelude_raw.len() - prelude_raw.trim_start().len()];
        let prelude = prelude_raw.trim();
        if prelude.starts_with("@media") {
            let mut inner = String::new();
            trim_rules(&css[open + 1..close.min(b.len())], vocab, &mut inner);
            if !inner.trim().is_empty() {
                out.push_str(prelude_raw);
                out.push('{');
                out.push_str(&inner);
                out.push_str(&css[close.min(b.len())..after]);
            }
        } else if prelude.starts_with('@') {
            out.push_str(&css[i..after]);
        } else {
            let kept: Vec<&str> =
                selector_list(prelude).into_iter().map(str::trim).filter(|s| vocab.selector_may_match(s)).collect();
            // A dropped rule takes the whitespace before it along, so no empty line is
            // left where it was.
            if !kept.is_empty() {
                let trailing = &prelude_raw[lead.len() + prelude.len()..];
                out.push_str(lead);
                if kept.len() == selector_list(prelude).len() {
                    out.push_str(prelude);
                } else {
                    out.push_str(&kept.join(", "));
                }
                out.push_str(trailing);
                out.push_str(&css[open..after]);
            }
        }
        i = after;
    }
}

/// `css` without the whitespace a browser does not read: around `{`, `}` and `;`, before
/// `,`, after `:`, and the `;` before a `}`; any other run of whitespace (between words
/// of a value, a descendant combinator) becomes one space, and quoted strings stay as
/// they are. Whitespace before a `:` is kept: in a selector it is a combinator. The space
/// after a `,` is kept too: a custom property (`--sans: "A", "B"`) keeps its value's
/// text as written, and the computed styles are to stay the same strings.
pub(crate) fn compact(css: &str) -> String {
    let b = css.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(css.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                let end = skip_string(b, i);
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            c if c.is_ascii_whitespace() => {
                let end = i + b[i..].iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len() - i);
                let before = out.last().copied();
                let next = b.get(end).copied();
                let drop = matches!(before, None | Some(b'{' | b'}' | b';' | b':'))
                    || matches!(next, None | Some(b'{' | b'}' | b';' | b','));
                if !drop {
                    out.push(b' ');
                }
                i = end;
            }
            b'}' => {
                if out.last() == Some(&b';') {
                    out.pop();
                }
                out.push(b'}');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    // Only ASCII whitespace and `;` were taken out, whole, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| css.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: ClassPageVocab = ClassPageVocab { tags: &["a", "p", "td", "svg", "text"], classes: &["num", "gloss"] };

    #[test]
    fn a_selector_is_dropped_only_for_a_name_or_class_the_page_lacks() {
        for (sel, may) in [
            ("a", true),
            ("A", true),
            ("h3", false),
            ("*", true),
            (":root", true),
            (":root:lang(en)", true),
            ("td:first-child:not(.num)", true),
            ("td:not(.cover)", true),
            ("td.num", true),
            ("td.cover", false),
            (".cover td", false),
            ("p > a.gloss + a.gloss", true),
            ("p > a.gloss ~ .card", false),
            ("svg text:not([fill=\"#FFFFFF\"])", true),
            ("#anything", true),
            ("td::after", true),
            ("caption .no", false),
            ("section.page + section.page", false),
        ] {
            assert_eq!(V.selector_may_match(sel), may, "{sel}");
        }
    }

    #[test]
    fn trimming_keeps_the_matching_selectors_and_rules_in_order() {
        let css = ":root { --x: 1; }\n.cover { a: b; }\nh3, td.num, .card { c: d; }\n@page { size: A4; }\n\
                   @media print {\n.cover { e: f; }\na { g: h; }\n}\n@media screen {\nh3 { i: j; }\n}\np { k: l; }";
        assert_eq!(
            trim(css, &V),
            ":root { --x: 1; }\ntd.num { c: d; }\n@page { size: A4; }\n@media print {\na { g: h; }\n}\np { k: l; }"
        );
        // Nothing to drop: the same string.
        let all = "a { b: c; }\n@media print {\np { d: e; }\n}";
        assert_eq!(trim(all, &V), all);
    }

    #[test]
    fn compacting_drops_only_whitespace_that_separates_nothing() {
        assert_eq!(
            compact(":root {\n--a: \"X Y\", z;\n}\n.a  b > c, d :hover { m: 0  1px;\n  n: f(1, 2); }\n@media print {\np { q: r; }\n}\n"),
            ":root{--a:\"X Y\", z}.a b > c, d :hover{m:0 1px;n:f(1, 2)}@media print{p{q:r}}"
        );
    }

    /// The tokens of a stylesheet: quoted strings whole, each of `{};,:` alone, and the
    /// runs of other non-whitespace bytes; a `;` before a `}` is left out.
    fn tokens(css: &str) -> Vec<String> {
        let b = css.as_bytes();
        let mut out: Vec<String> = Vec::new();
        let mut word = String::new();
        let mut i = 0;
        let flush = |word: &mut String, out: &mut Vec<String>| {
            if !word.is_empty() {
                out.push(std::mem::take(word));
            }
        };
        while i < b.len() {
            let c = b[i];
            if c == b'"' || c == b'\'' {
                flush(&mut word, &mut out);
                let end = skip_string(b, i);
                out.push(css[i..end].to_string());
                i = end;
                continue;
            }
            if c.is_ascii_whitespace() || b"{};,:".contains(&c) {
                flush(&mut word, &mut out);
                if c == b'}' && out.last().is_some_and(|t| t == ";") {
                    out.pop();
                }
                if !c.is_ascii_whitespace() {
                    out.push((c as char).to_string());
                }
            } else {
                word.push(c as char);
            }
            i += 1;
        }
        flush(&mut word, &mut out);
        out
    }

    #[test]
    fn the_compact_class_page_sheet_has_the_tokens_of_the_trimmed_one() {
        let trimmed = trim(
            &crate::report::render::minify_css(crate::report::render::CSS),
            &crate::report::html::CLASS_PAGE_VOCAB,
        );
        let compacted = compact(&trimmed);
        assert_eq!(tokens(&compacted), tokens(&trimmed));
        // A space before `:` (a descendant combinator) or after `,` is never taken out.
        assert_eq!(compacted.matches(" :").count(), trimmed.matches(" :").count());
        assert_eq!(compacted.matches(", ").count(), trimmed.matches(", ").count());
        assert!(compacted.len() + 500 < trimmed.len(), "{} of {} bytes", compacted.len(), trimmed.len());
    }
}
