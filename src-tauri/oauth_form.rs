//! The OAuth 2.0 connection form as the window sends it: a typed mirror of the engine's
//! `OAuthConfig`, which has no TypeScript binding.

use roster_engine::oauth::{OAuthApi, OAuthConfig};
use serde::Deserialize;
use ts_rs::TS;

/// Which API the sign-in opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OAuthApiKind {
    Kombo,
    Scim,
}

/// No client secret: Roster is a public (native) client, protected by PKCE.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OAuthForm {
    pub auth_url: String,
    pub token_url: String,
    pub revocation_url: Option<String>,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub api: OAuthApiKind,
    /// The Kombo integration the token reads; unused for SCIM.
    pub integration_id: Option<String>,
    /// The API's base URL (Kombo's `/v1`, or the SCIM `/v2` root).
    pub base_url: String,
}

impl From<OAuthForm> for OAuthConfig {
    fn from(form: OAuthForm) -> OAuthConfig {
        let trimmed = |s: String| s.trim().to_owned();
        OAuthConfig {
            auth_url: trimmed(form.auth_url),
            token_url: trimmed(form.token_url),
            revocation_url: form.revocation_url.map(trimmed).filter(|s| !s.is_empty()),
            client_id: trimmed(form.client_id),
            scopes: form.scopes.into_iter().map(trimmed).filter(|s| !s.is_empty()).collect(),
            api: match form.api {
                OAuthApiKind::Kombo => OAuthApi::Kombo { integration_id: trimmed(form.integration_id.unwrap_or_default()) },
                OAuthApiKind::Scim => OAuthApi::Scim,
            },
            base_url: form.base_url.trim().trim_end_matches('/').to_owned(),
        }
    }
}
