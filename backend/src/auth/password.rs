//! argon2id password hashes, computed off the async threads because they are slow on purpose.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use shared::validate::Password;

use crate::error::AppError;

/// Each hash takes 19 MiB and a core for a while: at most this many run at once, the others wait
/// their turn, so a login flood costs queueing time, not memory (review #8).
const CONCURRENT_HASHES: usize = 4;

fn hashing_turns() -> &'static tokio::sync::Semaphore {
    static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);
    &TURNS
}

async fn in_turn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _turn = hashing_turns().acquire().await.map_err(|e| AppError::Internal(e.into()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(e.into()))
}

pub async fn hash(password: &Password) -> Result<String, AppError> {
    let plain = password.expose().to_owned();
    in_turn(move || hash_blocking(&plain)).await?
}

fn hash_blocking(plain: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(plain.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// Whether `candidate` matches `stored`. With no stored hash (unknown e-mail) a dummy hash is
/// checked anyway, so the answer takes as long either way and does not reveal which e-mails exist.
pub async fn verify(stored: Option<String>, candidate: &str) -> Result<bool, AppError> {
    let candidate = candidate.to_owned();
    in_turn(move || {
        let (stored, known) = match stored {
            Some(hash) => (hash, true),
            None => (dummy_hash(), false),
        };
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok();
        matches && known
    })
    .await
}

fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not-a-real-password").unwrap_or_default()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() -> Result<(), AppError> {
        let password =
            Password::parse("correct horse").map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
        let stored = hash(&password).await?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(Some(stored.clone()), "correct horse").await?);
        assert!(!verify(Some(stored), "wrong horse").await?);
        assert!(!verify(None, "not-a-real-password").await?);
        assert!(!verify(Some("garbage".into()), "x").await?);
        Ok(())
    }
}
