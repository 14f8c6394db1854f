//! Logs go to stderr through `Redacting`, which masks anything shaped like a NIK (16 digits
//! standing alone) whatever wrote it — an error's debug output, a statement logged at debug
//! level — so a full NIK never reaches a log. Passwords, codes and session ids are never logged:
//! only their hashes reach the database, and forms are not logged.

use std::io::{self, Write};

/// Every digit run of exactly 16 digits becomes `3573••••••••0012` (`auth::ids::mask_nik`).
pub fn mask_niks(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 16 {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..start]);
            o.push_str(&domain::auth::ids::mask_nik(&text[start..i]));
            copied = i;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[copied..]);
            o.into()
        }
        None => text.into(),
    }
}

/// A writer that masks NIKs in what passes through (one log event per write).
pub struct Redacting<W>(pub W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(mask_niks(text).as_bytes())?,
            Err(_) => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nik_anywhere_in_a_line_is_masked_and_other_numbers_are_kept() {
        let line = r#"ERROR insert failed: Key (nik)=(3573055505900001) already exists; id 42, at 1764500000123456789"#;
        let masked = mask_niks(line);
        assert!(!masked.contains("3573055505900001"), "{masked}");
        assert!(
            masked.contains("(3573••••••••0001)") && masked.contains("id 42") && masked.contains("1764500000123456789")
        );
        assert_eq!(mask_niks("tidak ada NIK di sini: 12345"), "tidak ada NIK di sini: 12345");
        assert_eq!(mask_niks("3573055505900001"), "3573••••••••0001");
    }
}
