//! Text decoding with detection: BOM (UTF-8, UTF-16LE/BE), then strict UTF-8, then
//! GBK/GB18030 (the encoding of most Chinese survey-platform exports).
//!
//! Decoding is strict: a byte sequence that is invalid in the chosen encoding is an
//! error naming the line, never a silent replacement character.

use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

use crate::error::IngestError;

/// Decode `bytes` to text. `forced` is the pipeline's `encoding` (None or `auto` = detect).
/// Returns the text and the name of the encoding used.
pub fn decode_text(path: &Path, bytes: Vec<u8>, forced: Option<&str>) -> Result<(String, &'static str), IngestError> {
    let enc_err = |message: String| IngestError::Encoding { path: path.to_path_buf(), message };
    if let Some(name) = forced.filter(|f| !f.eq_ignore_ascii_case("auto")) {
        let label = match name.to_ascii_lowercase().as_str() {
            "gbk" | "gb2312" | "gb18030" | "cp936" => "gb18030".to_string(),
            other => other.to_string(),
        };
        let enc = Encoding::for_label(label.as_bytes())
            .ok_or_else(|| enc_err(format!("unknown encoding `{name}` in the pipeline file")))?;
        return strict(path, &bytes, enc).map(|t| (t, enc.name()));
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(&bytes) {
        if enc == UTF_8 {
            let mut b = bytes;
            b.drain(..bom_len);
            return String::from_utf8(b).map(|t| (t, UTF_8.name())).map_err(|e| {
                let line = line_of(e.as_bytes(), e.utf8_error().valid_up_to());
                enc_err(format!("invalid UTF-8 byte sequence on line {line}"))
            });
        }
        return strict(path, &bytes[bom_len..], enc).map(|t| (t, enc.name()));
    }
    // Plain UTF-8 is the common case: validate in place, no copy.
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, UTF_8.name())),
        Err(e) => {
            let bytes = e.into_bytes();
            let bytes = bytes.as_slice();
            let utf8_line = line_of(bytes, std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to()));
            // Most Chinese office exports are GBK/GB18030; accept them when they decode cleanly.
            let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            det.feed(bytes, true);
            let guess = det.guess(None, chardetng::Utf8Detection::Deny);
            let other_cjk = [encoding_rs::BIG5, encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP, encoding_rs::EUC_KR];
            if !other_cjk.contains(&guess) && !looks_like_utf16(bytes) {
                if let Ok(t) = strict(path, bytes, GB18030) {
                    return Ok((t, GB18030.name()));
                }
            }
            if looks_like_utf16(bytes) {
                let enc = if bytes.len() > 1 && bytes[0] == 0 { UTF_16BE } else { UTF_16LE };
                if let Ok(t) = strict(path, bytes, enc) {
                    return Ok((t, enc.name()));
                }
            }
            Err(enc_err(format!(
                "not valid UTF-8 (first invalid byte on line {utf8_line}) and not GBK/GB18030 \
                 (it looks like {}); save it as UTF-8 or set `encoding` for this input",
                guess.name()
            )))
        }
    }
}

/// The leading whole lines of the first bytes of a file (all of them at the end of the
/// file), so that a prefix can be decoded without cutting a character: up to the last
/// `\n` or `\r`, or for UTF-16 (by BOM, `forced` or zero bytes) the last `\n` code unit.
pub(super) fn whole_lines<'a>(bytes: &'a [u8], forced: Option<&str>, at_eof: bool) -> &'a [u8] {
    if at_eof {
        return bytes;
    }
    let forced = forced.map(str::to_ascii_lowercase);
    let utf16_le = match (bytes, forced.as_deref()) {
        (_, Some("utf-16le" | "utf-16")) | ([0xFF, 0xFE, ..], _) => Some(true),
        (_, Some("utf-16be")) | ([0xFE, 0xFF, ..], _) => Some(false),
        (_, Some(f)) if f != "auto" => None,
        _ if looks_like_utf16(bytes) => Some(bytes.first() != Some(&0)),
        _ => None,
    };
    let end = match utf16_le {
        None => bytes.iter().rposition(|b| matches!(b, b'\n' | b'\r')).map_or(0, |i| i + 1),
        Some(le) => {
            let newline: [u8; 2] = if le { [b'\n', 0] } else { [0, b'\n'] };
            let units = bytes.len() / 2;
            (0..units).rev().find(|&u| bytes[2 * u..2 * u + 2] == newline).map_or(0, |u| 2 * u + 2)
        }
    };
    &bytes[..end]
}

/// UTF-16 without BOM: many zero bytes at even or odd positions.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let n = bytes.len().min(4096);
    if n < 4 {
        return false;
    }
    let zeros = bytes[..n].iter().filter(|b| **b == 0).count();
    zeros * 4 > n
}

fn strict(path: &Path, bytes: &[u8], enc: &'static Encoding) -> Result<String, IngestError> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        let pos = text.find('\u{fffd}').unwrap_or(0);
        let line = text[..pos].matches('\n').count() + 1;
        return Err(IngestError::Encoding {
            path: path.to_path_buf(),
            message: format!("invalid {} byte sequence on line {line}", enc.name()),
        });
    }
    Ok(text.into_owned())
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].iter().filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("x.csv")
    }

    #[test]
    fn utf8_plain_and_bom() {
        assert_eq!(decode_text(p(), "a,b\n中,文\n".as_bytes().to_vec(), None).unwrap().0, "a,b\n中,文\n");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("a,b\n".as_bytes());
        assert_eq!(decode_text(p(), b, None).unwrap(), ("a,b\n".to_string(), "UTF-8"));
    }

    #[test]
    fn gbk_detected() {
        let (bytes, _, _) = encoding_rs::GBK.encode("序号,提交答卷时间,所用时间\n1,2025/3/15 14:23:05,125秒\n");
        let (t, enc) = decode_text(p(), bytes.into_owned(), None).unwrap();
        assert_eq!(enc, "gb18030");
        assert!(t.contains("提交答卷时间"));
    }

    #[test]
    fn utf16le_with_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "a,b\n1,2\n".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(p(), b, None).unwrap().0, "a,b\n1,2\n");
    }

    #[test]
    fn prefixes_end_on_whole_lines() {
        assert_eq!(whole_lines(b"a,b\n1,2\n3,", None, false), b"a,b\n1,2\n");
        assert_eq!(whole_lines(b"a,b\n1,2\n3,", None, true), b"a,b\n1,2\n3,");
        assert_eq!(whole_lines(b"a,b", None, false), b"");
        let mut le = vec![0xFF, 0xFE];
        "a\n\u{0a0a}b\n1".encode_utf16().for_each(|u| le.extend_from_slice(&u.to_le_bytes()));
        // U+0A0A holds a 0x0A byte but is not a line break.
        assert_eq!(whole_lines(&le, None, false).len(), 2 + 2 * 5);
        let be: Vec<u8> = "ab\ncd".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(whole_lines(&be, Some("UTF-16BE"), false), &be[..6]);
    }

    #[test]
    fn invalid_bytes_name_the_line() {
        let b = b"a,b\n1,2\n3,\xff\xfe\xfd\n".to_vec();
        let err = decode_text(p(), b, Some("utf-8")).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
    }
}
