//! File names made from ids (SPEC App. C.24): keep `[A-Za-z0-9_-]` and CJK
//! ideographs, percent-encode every other byte, so an id can never name a path
//! outside the report directory (no `/`, `\`, `..`, NUL or control characters survive).

use sha2::{Digest, Sha256};

/// Longest file stem in bytes; longer ids are cut and suffixed with a hash.
const MAX_STEM: usize = 180;

/// `<encoded id>.html`, the class page's file name.
pub fn class_file_name(class_id: &str) -> String {
    format!("{}.html", safe_stem(class_id))
}

/// An id as a file stem that is safe on every file system.
pub fn safe_stem(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for ch in id.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' || is_cjk(ch) {
            out.push(ch);
        } else {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    if out.len() > MAX_STEM {
        let mut cut = MAX_STEM;
        while !out.is_char_boundary(cut) || out[..cut].ends_with('%') || out[..cut].chars().rev().nth(1) == Some('%') {
            cut -= 1;
        }
        let hash = hex::encode(Sha256::digest(id.as_bytes()));
        out = format!("{}-{}", &out[..cut], &hash[..12]);
    }
    out
}

/// A file name as one relative URL path segment (`%` itself must be encoded there).
pub fn href_segment(file_name: &str) -> String {
    file_name.replace('%', "%25")
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x3134F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_safe_characters_and_encodes_the_rest() {
        assert_eq!(class_file_name("K2025-01_a"), "K2025-01_a.html");
        assert_eq!(class_file_name("党校班01"), "党校班01.html");
        assert_eq!(class_file_name("../etc/passwd"), "%2E%2E%2Fetc%2Fpasswd.html");
        assert_eq!(class_file_name("a b%"), "a%20b%25.html");
        assert_eq!(class_file_name(""), "_.html");
        assert_eq!(class_file_name("（一）"), "%EF%BC%88一%EF%BC%89.html");
        assert_eq!(href_segment("a%2Fb.html"), "a%252Fb.html");
    }

    #[test]
    fn never_contains_separators_and_stays_short() {
        for id in ["/", "\\", "..", "a/../../b", "\0x", "C:\\x", &"长".repeat(200), &"/".repeat(300)] {
            let name = class_file_name(id);
            assert!(!name.contains('/') && !name.contains('\\') && !name.contains('\0'), "{name}");
            assert!(name != ".html" && !name.starts_with('.'), "{name}");
            assert!(name.len() <= MAX_STEM + 20, "{} bytes", name.len());
        }
        assert_ne!(class_file_name(&"长".repeat(200)), class_file_name(&"长".repeat(201)));
    }
}
