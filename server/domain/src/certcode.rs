//! Certificate verification codes: 80 random bits written as 16 Crockford base32 characters in
//! groups of four, plus a check character (Crockford's mod-37 check symbol), e.g.
//! `7K3M-Q9XD-T2VB-8HNC-R`. People type them from paper, so reading forgives what Crockford
//! forgives (case, `I`/`L` for `1`, `O` for `0`, dashes and spaces) and the check character
//! catches a mistyped or swapped character before any lookup.

/// Crockford's base32 alphabet (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The check symbols: the alphabet and `*~$=U` for 32–36.
const CHECK: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
/// Random bits in a code.
pub const BITS: usize = 80;
const CHARS: usize = BITS / 5;

/// Why a typed code is not a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Wrong number of characters.
    Length,
    /// A character outside the alphabet.
    Character(char),
    /// The check character does not match: a typo.
    Check,
}

impl std::fmt::Display for CodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodeError::Length => write!(f, "Kode verifikasi terdiri dari 17 karakter (4-4-4-4-1)."),
            CodeError::Character(c) => write!(f, "Karakter \"{c}\" tidak dipakai dalam kode verifikasi."),
            CodeError::Check => write!(f, "Kode tidak cocok dengan karakter pemeriksanya: periksa lagi ketikan Anda."),
        }
    }
}

/// A typed character as Crockford reads it: upper case, `I`/`L` as `1`, `O` as `0`.
fn lenient(c: char) -> char {
    match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        c => c,
    }
}

fn value(c: char) -> Option<u8> {
    let c = lenient(c);
    ALPHABET.iter().position(|&a| a as char == c).map(|p| p as u8)
}

/// `XXXX-XXXX-XXXX-XXXX-C` from the 16 digits.
fn format_code(digits: &[u8; CHARS]) -> String {
    let mut out = String::with_capacity(CHARS + CHARS / 4 + 1);
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[*d as usize] as char);
    }
    out.push('-');
    out.push(CHECK[check_of(digits) as usize] as char);
    out
}

/// The code's value mod 37, over its 80 bits.
fn check_of(digits: &[u8]) -> u8 {
    digits.iter().fold(0u32, |acc, &d| (acc * 32 + u32::from(d)) % 37) as u8
}

/// Formats 10 random bytes as a code.
pub fn encode(bytes: [u8; BITS / 8]) -> String {
    let mut n = bytes.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
    let mut digits = [0u8; CHARS];
    for d in digits.iter_mut().rev() {
        *d = (n & 31) as u8;
        n >>= 5;
    }
    format_code(&digits)
}

/// A new code from a cryptographically secure generator (seeded by the operating system).
pub fn generate() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; BITS / 8];
    rand::rng().fill_bytes(&mut bytes);
    encode(bytes)
}

/// Reads a typed code into its canonical form (`XXXX-XXXX-XXXX-XXXX-C`).
pub fn parse(typed: &str) -> Result<String, CodeError> {
    let chars: Vec<char> = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if chars.len() != CHARS + 1 {
        return Err(CodeError::Length);
    }
    let mut digits = [0u8; CHARS];
    for (d, &c) in digits.iter_mut().zip(&chars) {
        *d = value(c).ok_or(CodeError::Character(c))?;
    }
    // The check symbol may itself be typed with Crockford's lenient letters.
    if lenient(chars[CHARS]) != CHECK[check_of(&digits) as usize] as char {
        return Err(CodeError::Check);
    }
    Ok(format_code(&digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_as_itself_however_it_is_typed() {
        let code = encode([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23]);
        assert_eq!(code.len(), 21);
        assert_eq!(parse(&code), Ok(code.clone()));
        let sloppy = code.to_lowercase().replace('-', " ").replace('1', "l").replace('0', "o");
        assert_eq!(parse(&sloppy), Ok(code));
    }

    #[test]
    fn every_single_typo_and_swap_is_caught_by_the_check_character() {
        for _ in 0..200 {
            let code = generate();
            let plain: Vec<char> = code.chars().filter(|c| *c != '-').collect();
            for i in 0..CHARS {
                for &a in ALPHABET {
                    let mut typo = plain.clone();
                    if typo[i] == a as char {
                        continue;
                    }
                    typo[i] = a as char;
                    assert_eq!(parse(&typo.iter().collect::<String>()), Err(CodeError::Check), "{code} at {i}");
                }
                if i + 1 < CHARS && plain[i] != plain[i + 1] {
                    let mut swapped = plain.clone();
                    swapped.swap(i, i + 1);
                    assert_eq!(parse(&swapped.iter().collect::<String>()), Err(CodeError::Check), "{code} swap {i}");
                }
            }
        }
    }

    #[test]
    fn wrong_lengths_and_characters_are_named() {
        assert_eq!(parse("ABCD-EFGH"), Err(CodeError::Length));
        assert_eq!(parse("ABCD-EFGH-JKMN-PQRU-0"), Err(CodeError::Character('U')));
        assert_ne!(generate(), generate());
    }
}
