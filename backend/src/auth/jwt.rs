//! Short-lived access tokens (HS256 JWT). The signing secret comes from `ATENDE_JWT_SECRET` or a
//! random one generated once and kept, readable only by its owner, in the data dir.

use std::path::Path;

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// The user id.
    pub sub: i64,
    /// The user's company.
    pub cid: i64,
    /// The login session, revoked at logout.
    pub sid: i64,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// The configured secret, or the one kept in `data_dir/jwt_secret` (created on first use).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let secret = crate::secrets::configured_or_kept(configured, data_dir, "jwt_secret")?;
        Ok(Self::from_secret(secret.as_bytes()))
    }

    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).context("signing a token")
    }

    /// The claims of a valid, unexpired token signed with our key; `None` otherwise.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok().map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims { sub: 7, cid: 1, sid: 3, iat: now, exp: now + exp_offset }
    }

    #[test]
    fn a_signed_token_verifies_with_the_same_secret_only() -> anyhow::Result<()> {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        let claims = claims(60);
        let token = keys.sign(&claims)?;
        assert_eq!(keys.verify(&token), Some(claims));
        let other = JwtKeys::from_secret(b"another-secret-another-secret-xx");
        assert_eq!(other.verify(&token), None);
        assert_eq!(keys.verify("not.a.token"), None);
        Ok(())
    }

    #[test]
    fn an_expired_token_is_refused() -> anyhow::Result<()> {
        let keys = JwtKeys::from_secret(b"0123456789abcdef0123456789abcdef");
        assert_eq!(keys.verify(&keys.sign(&claims(-5))?), None);
        Ok(())
    }

    #[test]
    fn the_generated_secret_is_kept_private_and_reused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let first = JwtKeys::load(None, dir.path())?;
        let second = JwtKeys::load(None, dir.path())?;
        let token = first.sign(&claims(60))?;
        assert!(second.verify(&token).is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt_secret"))?.permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        Ok(())
    }
}
