//! Secrets this server keeps: the ones it generates once in the data dir when none is configured
//! (the JWT secret, the encryption key), and the sealing of provider credentials stored in the
//! database (settings' API keys, connection access tokens, WhatsApp Web sessions), so a copy of the
//! database alone does not hand them out.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use sha2::{Digest, Sha256};

/// The configured secret, or the one kept in `data_dir/file_name` (created on first use, readable
/// only by its owner). Several instances on one data dir agree on the first one written.
pub fn configured_or_kept(configured: Option<&str>, data_dir: &Path, file_name: &str) -> anyhow::Result<String> {
    if let Some(secret) = configured {
        return Ok(secret.to_owned());
    }
    let path = data_dir.join(file_name);
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => return Ok(secret.trim().to_owned()),
        Ok(_) => anyhow::bail!("{} is shorter than 32 characters; delete it to get a new one", path.display()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
            file.sync_all().with_context(|| format!("writing {}", path.display()))?;
            Ok(secret)
        }
        // Another instance created it first: use theirs.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            configured_or_kept(None, data_dir, file_name)
        }
        Err(error) => Err(error).with_context(|| format!("creating {}", path.display())),
    }
}

/// What every sealed value starts with, so a stored value says how to open it (and a later
/// scheme can sit beside this one).
const SEALED_PREFIX: &str = "sealed:v1:";

/// Seals and opens small secrets with AES-256-GCM under a key derived from `ATENDE_ENCRYPTION_KEY`
/// (or the key kept in `data_dir/encryption_key`). Every value gets a fresh random nonce; the
/// purpose given to both calls is authenticated, so a value sealed for one field does not open as
/// another (a row's API key copied into a webhook secret, say).
#[derive(Clone)]
pub struct Sealer {
    key: std::sync::Arc<LessSafeKey>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the value is not sealed")]
    NotSealed,
    /// Another key sealed it (the encryption key changed), or it was altered.
    #[error("the value does not open with this server's encryption key")]
    WrongKey,
}

impl Sealer {
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let secret = configured_or_kept(configured, data_dir, "encryption_key")?;
        Self::from_secret(secret.as_bytes())
    }

    /// The key is the SHA-256 of the secret: the secret is at least 32 random characters.
    pub fn from_secret(secret: &[u8]) -> anyhow::Result<Self> {
        let digest = Sha256::digest(secret);
        let key = UnboundKey::new(&AES_256_GCM, &digest).map_err(|_| anyhow::anyhow!("AES-256 refused the key"))?;
        Ok(Self { key: std::sync::Arc::new(LessSafeKey::new(key)) })
    }

    /// `sealed:v1:<base64url(nonce ‖ ciphertext ‖ tag)>`.
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut sealed = plain.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), &mut sealed)
            .map_err(|_| anyhow::anyhow!("AES-GCM refused to seal {} bytes", plain.len()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    pub fn seal_str(&self, purpose: &str, plain: &str) -> anyhow::Result<String> {
        self.seal(purpose, plain.as_bytes())
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, OpenError> {
        let encoded = sealed.strip_prefix(SEALED_PREFIX).ok_or(OpenError::NotSealed)?;
        let mut bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| OpenError::WrongKey)?;
        if bytes.len() < NONCE_LEN {
            return Err(OpenError::WrongKey);
        }
        let nonce: [u8; NONCE_LEN] = bytes[..NONCE_LEN].try_into().map_err(|_| OpenError::WrongKey)?;
        let plain = self
            .key
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), &mut bytes[NONCE_LEN..])
            .map_err(|_| OpenError::WrongKey)?;
        Ok(plain.to_vec())
    }

    pub fn open_str(&self, purpose: &str, sealed: &str) -> Result<String, OpenError> {
        String::from_utf8(self.open(purpose, sealed)?).map_err(|_| OpenError::WrongKey)
    }

    /// Whether a stored value is sealed (rows written before sealing existed are not).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(SEALED_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_sealed_value_opens_with_its_key_and_purpose_only() -> anyhow::Result<()> {
        let sealer = Sealer::from_secret(SECRET)?;
        let sealed = sealer.seal_str("settings.chatgpt.api_key", "sk-live-123")?;
        assert!(Sealer::is_sealed(&sealed));
        assert!(!sealed.contains("sk-live-123"));
        assert_eq!(sealer.open_str("settings.chatgpt.api_key", &sealed).ok().as_deref(), Some("sk-live-123"));
        assert!(matches!(sealer.open_str("webhooks.secret", &sealed), Err(OpenError::WrongKey)));
        let other = Sealer::from_secret(b"another-secret-another-secret-xx")?;
        assert!(matches!(other.open_str("settings.chatgpt.api_key", &sealed), Err(OpenError::WrongKey)));
        assert!(matches!(sealer.open_str("x", "sk-live-123"), Err(OpenError::NotSealed)));
        assert!(matches!(sealer.open_str("x", "sealed:v1:AAAA"), Err(OpenError::WrongKey)));
        Ok(())
    }

    #[test]
    fn sealing_twice_gives_two_different_values() -> anyhow::Result<()> {
        let sealer = Sealer::from_secret(SECRET)?;
        assert_ne!(sealer.seal_str("p", "same")?, sealer.seal_str("p", "same")?);
        Ok(())
    }

    #[test]
    fn a_flipped_byte_does_not_open() -> anyhow::Result<()> {
        let sealer = Sealer::from_secret(SECRET)?;
        let sealed = sealer.seal_str("p", "value")?;
        let mut bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(SEALED_PREFIX).unwrap_or_default())?;
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let altered = format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        assert!(matches!(sealer.open_str("p", &altered), Err(OpenError::WrongKey)));
        Ok(())
    }

    #[test]
    fn the_generated_key_is_kept_private_and_reused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let first = Sealer::load(None, dir.path())?;
        let second = Sealer::load(None, dir.path())?;
        assert_eq!(second.open_str("p", &first.seal_str("p", "v")?)?, "v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("encryption_key"))?.permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        Ok(())
    }
}
