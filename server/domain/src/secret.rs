//! The data key: 32 random bytes in the data folder, from which signing keys are derived.
//! Generated on first start, never printed, never committed (the data folder is git-ignored).

use std::{fmt, io::Write, path::Path};

pub const FILE_NAME: &str = "data.key";

pub struct DataKey([u8; 32]);

/// HMAC-SHA-256 (RFC 2104), by `ring` (already built for TLS); checked against RFC 4231's test
/// vectors below.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key), message);
    tag.as_ref().try_into().expect("HMAC-SHA-256 gives 32 bytes")
}

/// Whether two secrets (codes, tokens) are equal, in time that does not depend on where they
/// differ (`subtle`); unequal lengths are unequal.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// Reads `<data_dir>/data.key`, or creates it (mode 0600) when absent.
    pub fn load_or_create(data_dir: &Path) -> Result<DataKey, String> {
        let path = data_dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| format!("{}: not a hex key", path.display()))?;
                let key: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| format!("{}: the key must be 32 bytes (64 hex digits)", path.display()))?;
                Ok(DataKey(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(&path).map_err(|e| format!("{}: cannot create ({e})", path.display()))?;
                file.write_all(hex::encode(key).as_bytes())
                    .and_then(|_| file.sync_all())
                    .map_err(|e| format!("{}: cannot write ({e})", path.display()))?;
                Ok(DataKey(key))
            }
            Err(e) => Err(format!("{}: cannot read ({e})", path.display())),
        }
    }

    /// HMAC-SHA-256 of `message` under the sub-key for `purpose` (RFC 2104).
    pub fn mac(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.derive(purpose), message)
    }

    #[cfg(test)]
    pub fn for_test(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }

    /// A sub-key for one purpose, so one leaked derived key does not reveal the others.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"diklat-kkmp/v1/");
        h.update(purpose.as_bytes());
        h.update([0u8]);
        h.update(self.0);
        h.finalize().into()
    }
}

impl DataKey {
    /// Encrypts and authenticates `plaintext` (ChaCha20-Poly1305 under the sub-key for
    /// `purpose`, a random nonce in front), for secrets that must sit in the database for a
    /// while — readable by this server, not by whoever reads the database without the key file.
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Vec<u8> {
        use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
        let key = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &self.derive(purpose)).expect("a 32-byte key"));
        let nonce: [u8; 12] = rand::random();
        let mut sealed = plaintext.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), &mut sealed)
            .expect("sealing cannot fail for a small message");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// The plaintext of what [`DataKey::seal`] made for `purpose`; `None` when it was altered,
    /// made for another purpose or under another key.
    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
        if sealed.len() < 12 {
            return None;
        }
        let key = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &self.derive(purpose)).ok()?);
        let (nonce, rest) = sealed.split_at(12);
        let mut buffer = rest.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let plain = key.open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut buffer).ok()?;
        Some(plain.to_vec())
    }
}

impl DataKey {
    /// `value` as JSON, sealed for `purpose` ([`DataKey::seal`]), in base64: a string a session
    /// can keep.
    pub fn seal_json<T: serde::Serialize>(&self, purpose: &str, value: &T) -> String {
        use base64::Engine;
        let json = serde_json::to_vec(value).expect("a value serialises");
        base64::engine::general_purpose::STANDARD.encode(self.seal(purpose, &json))
    }

    /// What [`DataKey::seal_json`] sealed; `None` when it does not open or parse.
    pub fn open_json<T: serde::de::DeserializeOwned>(&self, purpose: &str, sealed: &str) -> Option<T> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(sealed).ok()?;
        serde_json::from_slice(&self.open(purpose, &bytes)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_purpose_and_unaltered() {
        let key = DataKey::for_test([7; 32]);
        let sealed = key.seal("codes", b"ABCD-EFGH");
        assert!(!sealed.windows(9).any(|w| w == b"ABCD-EFGH"), "the plaintext is not in what is stored");
        assert_eq!(key.open("codes", &sealed).as_deref(), Some(&b"ABCD-EFGH"[..]));
        assert_eq!(key.open("other", &sealed), None);
        assert_eq!(DataKey::for_test([8; 32]).open("codes", &sealed), None);
        let mut altered = sealed.clone();
        altered[14] ^= 1;
        assert_eq!(key.open("codes", &altered), None);
        assert_ne!(key.seal("codes", b"ABCD-EFGH"), sealed, "a fresh nonce each time");
    }

    fn hex_of(key: &[u8], message: &[u8]) -> String {
        hex::encode(hmac_sha256(key, message))
    }

    /// RFC 4231 §4: test cases 1–4, 6 and 7 (5 truncates the output, which is not used here).
    #[test]
    fn hmac_sha256_gives_rfc_4231s_test_vectors() {
        assert_eq!(
            hex_of(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex_of(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex_of(&[0xaa; 20], &[0xdd; 50]),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        );
        let key: Vec<u8> = (1..=25).collect();
        assert_eq!(hex_of(&key, &[0xcd; 50]), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
        assert_eq!(
            hex_of(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_eq!(
            hex_of(
                &[0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs \
                  to be hashed before being used by the HMAC algorithm."
            ),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        );
    }

    #[test]
    fn each_purpose_has_its_own_sub_key() {
        let key = DataKey::for_test([7; 32]);
        assert_ne!(key.mac("a", b"m"), key.mac("b", b"m"));
        assert_eq!(key.mac("a", b"m"), hmac_sha256(&key.derive("a"), b"m"));
    }
}
