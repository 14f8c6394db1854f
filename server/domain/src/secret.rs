//! The data key: 32 random bytes in the data folder, from which signing keys are derived.
//! Generated on first start, never printed, never committed (the data folder is git-ignored).

use std::{fmt, io::Write, path::Path};

pub const FILE_NAME: &str = "data.key";

pub struct DataKey([u8; 32]);

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
        use sha2::{Digest, Sha256};
        let key = self.derive(purpose);
        let mut inner = Sha256::new();
        let mut outer = Sha256::new();
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in key.iter().enumerate() {
            ipad[i] ^= k;
            opad[i] ^= k;
        }
        inner.update(ipad);
        inner.update(message);
        outer.update(opad);
        outer.update(inner.finalize());
        outer.finalize().into()
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
