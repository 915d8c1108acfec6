//! Tracking tokens: what an open pixel, a click link, an unsubscribe link or
//! an export's download link stands for, signed with the server's secret.
//!
//! A token is `base64url(json) "." base64url(hmac)`. Everything the endpoint
//! acts on (account, message, the link to redirect to, the recipient) is
//! inside the signed part, so a token cannot be pointed at another message
//! and the redirect can only go to a link mailsight itself wrapped.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

/// Bytes of the HMAC kept in a token: 128 bits.
const MAC_LEN: usize = 16;

/// What a token stands for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k")]
pub enum Claim {
    /// The open pixel of a message.
    #[serde(rename = "o")]
    Open {
        #[serde(rename = "a")]
        account: String,
        #[serde(rename = "m")]
        message_id: String,
    },
    /// A tracked link of a message, with its `ses:tags`.
    #[serde(rename = "c")]
    Click {
        #[serde(rename = "a")]
        account: String,
        #[serde(rename = "m")]
        message_id: String,
        #[serde(rename = "u")]
        link: String,
        #[serde(rename = "t", default, skip_serializing_if = "Map::is_empty")]
        tags: Map<String, Value>,
    },
    /// The unsubscribe link of one recipient of a message sent to a list.
    #[serde(rename = "u")]
    Unsubscribe {
        #[serde(rename = "a")]
        account: String,
        #[serde(rename = "m")]
        message_id: String,
        #[serde(rename = "r")]
        recipient: String,
        #[serde(rename = "l")]
        contact_list: String,
        #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    /// The download link of a completed export job, until `expires`.
    #[serde(rename = "x")]
    Export {
        #[serde(rename = "a")]
        account: String,
        #[serde(rename = "j")]
        job_id: String,
        #[serde(rename = "e")]
        expires: i64,
    },
}

/// Signs and checks tokens with one secret.
#[derive(Clone)]
pub struct TokenKey {
    secret: Vec<u8>,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        TokenKey {
            secret: secret.into(),
        }
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key");
        mac.update(payload.as_bytes());
        mac
    }

    /// The token for `claim`.
    pub fn sign(&self, claim: &Claim) -> String {
        let json = serde_json::to_vec(claim).unwrap_or_default();
        let payload = URL_SAFE_NO_PAD.encode(json);
        let tag = self.mac(&payload).finalize().into_bytes();
        format!("{payload}.{}", URL_SAFE_NO_PAD.encode(&tag[..MAC_LEN]))
    }

    /// The claim of a token this key signed; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claim> {
        let (payload, tag) = token.split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if tag.len() != MAC_LEN {
            return None;
        }
        self.mac(payload).verify_truncated_left(&tag).ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click() -> Claim {
        Claim::Click {
            account: "111122223333".into(),
            message_id: "m-1".into(),
            link: "https://example.com/a?b=c".into(),
            tags: serde_json::from_str(r#"{"k":["v"]}"#).unwrap(),
        }
    }

    #[test]
    fn signed_claims_round_trip() {
        let key = TokenKey::new(b"secret".to_vec());
        for claim in [
            click(),
            Claim::Open {
                account: "a".into(),
                message_id: "m".into(),
            },
            Claim::Unsubscribe {
                account: "a".into(),
                message_id: "m".into(),
                recipient: "r@x.test".into(),
                contact_list: "l".into(),
                topic: Some("news".into()),
            },
        ] {
            let token = key.sign(&claim);
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            );
            assert_eq!(key.verify(&token), Some(claim));
        }
    }

    #[test]
    fn forged_altered_and_foreign_tokens_are_refused() {
        let key = TokenKey::new(b"secret".to_vec());
        let token = key.sign(&click());
        assert!(TokenKey::new(b"other".to_vec()).verify(&token).is_none());
        let (payload, tag) = token.split_once('.').unwrap();
        // Another link under the same tag.
        let evil = Claim::Click {
            account: "111122223333".into(),
            message_id: "m-1".into(),
            link: "https://evil.example/".into(),
            tags: Map::new(),
        };
        let evil_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&evil).unwrap());
        assert!(key.verify(&format!("{evil_payload}.{tag}")).is_none());
        assert!(key.verify(payload).is_none());
        assert!(key.verify(&format!("{payload}.")).is_none());
        assert!(key.verify("").is_none());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_tokens_never_verify_or_panic(s in "[A-Za-z0-9_.-]{0,80}") {
            let key = TokenKey::new(b"k".to_vec());
            proptest::prop_assert!(key.verify(&s).is_none());
        }
    }
}
