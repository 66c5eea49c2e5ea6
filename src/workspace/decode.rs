//! Decoding source files: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM. Anything else
//! (a binary file, invalid UTF-8) is refused with a reason, and the run goes on.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
}

/// Decodes file bytes. The text never contains the BOM.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest, Encoding::Utf8Bom);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, Encoding::Utf16Le, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, Encoding::Utf16Be, u16::from_be_bytes);
    }
    if memchr::memchr(0, bytes).is_some() {
        return Err("binary file (contains NUL bytes), not C# source".into());
    }
    utf8(bytes, Encoding::Utf8)
}

fn utf8(bytes: &[u8], encoding: Encoding) -> Result<Decoded, String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => {
            if s.contains('\0') {
                return Err("binary file (contains NUL characters), not C# source".into());
            }
            Ok(Decoded {
                text: s.to_owned(),
                encoding,
            })
        }
        Err(e) => Err(format!(
            "not valid UTF-8 (invalid byte at offset {}); save the file as UTF-8 or UTF-16 with a BOM",
            e.valid_up_to() + if encoding == Encoding::Utf8Bom { 3 } else { 0 }
        )),
    }
}

fn utf16(bytes: &[u8], encoding: Encoding, read: fn([u8; 2]) -> u16) -> Result<Decoded, String> {
    if bytes.len() % 2 != 0 {
        return Err("UTF-16 file with an odd number of bytes".into());
    }
    let units = bytes.chunks_exact(2).map(|c| read([c[0], c[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for ch in char::decode_utf16(units) {
        match ch {
            Ok('\0') => return Err("binary file (contains NUL characters), not C# source".into()),
            Ok(c) => text.push(c),
            Err(e) => {
                return Err(format!(
                    "invalid UTF-16 (unpaired surrogate 0x{:04X})",
                    e.unpaired_surrogate()
                ))
            }
        }
    }
    Ok(Decoded { text, encoding })
}

/// Encodes text back the way it was read, BOM included.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => {
            let mut v = vec![0xEF, 0xBB, 0xBF];
            v.extend_from_slice(text.as_bytes());
            v
        }
        Encoding::Utf16Le => {
            let mut v = vec![0xFF, 0xFE];
            text.encode_utf16()
                .for_each(|u| v.extend_from_slice(&u.to_le_bytes()));
            v
        }
        Encoding::Utf16Be => {
            let mut v = vec![0xFE, 0xFF];
            text.encode_utf16()
                .for_each(|u| v.extend_from_slice(&u.to_be_bytes()));
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_encoding() {
        let text = "class C { string s = \"héllo 𝄞\"; }\r\n";
        for enc in [
            Encoding::Utf8,
            Encoding::Utf8Bom,
            Encoding::Utf16Le,
            Encoding::Utf16Be,
        ] {
            let bytes = encode(text, enc);
            let d = decode(&bytes).unwrap();
            assert_eq!(d.text, text);
            assert_eq!(d.encoding, enc);
        }
    }

    #[test]
    fn refuses_binary_and_invalid() {
        assert!(decode(&[0x4D, 0x5A, 0x00, 0x01])
            .unwrap_err()
            .contains("binary"));
        assert!(decode(&[b'a', 0xC3, 0x28]).unwrap_err().contains("UTF-8"));
        assert!(decode(&[0xFF, 0xFE, 0x00]).is_err());
        assert_eq!(decode(b"").unwrap().text, "");
    }
}
