//! The certificate signing key: Ed25519, generated once into the data folder
//! (`certificate-signing.key`, mode 0600, never printed). Its public half is published so anyone
//! can check a certificate's signature without trusting this server's database.

use base64::Engine;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const FILE_NAME: &str = "certificate-signing.key";

pub struct CertificateKey {
    key: SigningKey,
    /// A short public name of the key, e.g. `ed25519-3f9a0c1b2d4e5f60`.
    pub key_id: String,
}

impl std::fmt::Debug for CertificateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateKey").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn key_id(public: &VerifyingKey) -> String {
    format!("ed25519-{}", &hex::encode(Sha256::digest(public.as_bytes()))[..16])
}

impl CertificateKey {
    /// Loads the key from `dir`, or makes one there (readable by the owner only).
    pub fn load_or_create(dir: &Path) -> std::io::Result<CertificateKey> {
        let path = dir.join(FILE_NAME);
        let secret: [u8; 32] = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| bad(&path))?;
                bytes.try_into().map_err(|_| bad(&path))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                use rand::RngCore;
                let mut secret = [0u8; 32];
                rand::rng().fill_bytes(&mut secret);
                write_private(&path, &hex::encode(secret))?;
                secret
            }
            Err(e) => return Err(e),
        };
        Ok(CertificateKey::from_secret(secret))
    }

    pub fn from_secret(secret: [u8; 32]) -> CertificateKey {
        let key = SigningKey::from_bytes(&secret);
        let key_id = key_id(&key.verifying_key());
        CertificateKey { key, key_id }
    }

    /// The signature of `payload`, base64url without padding.
    pub fn sign(&self, payload: &[u8]) -> String {
        b64(&self.key.sign(payload).to_bytes())
    }

    /// The public key, base64url without padding (the JWK `x`).
    pub fn public_b64(&self) -> String {
        b64(self.key.verifying_key().as_bytes())
    }

    /// `/.well-known/diklat-kkmp-keys.json`: the public key as a JWK set.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": self.key_id, "x": self.public_b64() }]
        })
    }
}

/// Checks a signature (base64url) over `payload` with a public key (base64url), as anyone holding
/// the published key can.
pub fn verify(public_b64: &str, payload: &[u8], signature_b64: &str) -> bool {
    let decode = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s.trim()).ok();
    let (Some(public), Some(signature)) = (decode(public_b64), decode(signature_b64)) else { return false };
    let (Ok(public), Ok(signature)) = (<[u8; 32]>::try_from(public), <[u8; 64]>::try_from(signature)) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&public) else { return false };
    key.verify(payload, &ed25519_dalek::Signature::from_bytes(&signature)).is_ok()
}

fn bad(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("{}: not a signing key (64 hex characters expected)", path.display()),
    )
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_out_with_the_published_key_and_fails_for_any_change() {
        let key = CertificateKey::from_secret([7; 32]);
        let payload = br#"{"holder":"Siti Aminah","number":"KKMP-MLG/2025/000001"}"#;
        let signature = key.sign(payload);
        assert!(verify(&key.public_b64(), payload, &signature));
        let forged = br#"{"holder":"Siti Aminah","number":"KKMP-MLG/2025/000002"}"#;
        assert!(!verify(&key.public_b64(), forged, &signature), "an altered payload fails");
        let other = CertificateKey::from_secret([8; 32]);
        assert!(!verify(&other.public_b64(), payload, &signature), "another key fails");
        assert!(!verify(&key.public_b64(), payload, "not-base64!"));
        assert_eq!(key.jwks()["keys"][0]["kid"], key.key_id.as_str());
    }

    #[test]
    fn the_key_is_made_once_private_to_its_owner_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = CertificateKey::load_or_create(dir.path()).unwrap();
        let again = CertificateKey::load_or_create(dir.path()).unwrap();
        assert_eq!(first.public_b64(), again.public_b64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{first:?}").contains(&std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap()));
    }
}
