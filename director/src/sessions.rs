//! Gateway sessions in the store, shared by every gateway replica.
//!
//! A cluster session key has the server's own shape, `<id>x<64 hex>`, so
//! clients that check it keep working. Only the SHA-256 of the key is
//! stored; the node session keys it stands for are stored with it (every
//! replica needs them), the password never.

use std::collections::BTreeMap;

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::model::{GatewaySession, Keys, Millis, now_ms};
use crate::store::{Store, StoreError};

/// Sessions are extended on use, but written back at most this often
/// (a fraction of their lifetime), so that reads stay reads.
const EXTEND_EVERY_FRACTION: i64 = 10;

/// The gateway sessions of a cluster.
#[derive(Debug, Clone)]
pub struct SessionStore {
    store: Store,
}

fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The session id part of a key, if the key has the server's shape.
pub fn session_id(key: &str) -> Option<u64> {
    let (id, mac) = key.split_once('x')?;
    if mac.len() != 64 || !mac.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    id.parse().ok().filter(|id| *id > 0)
}

impl SessionStore {
    /// The sessions in `store`.
    pub fn new(store: Store) -> SessionStore {
        SessionStore { store }
    }

    /// Opens a session for `user` holding `node_keys`, living `lifetime_secs`
    /// from its last use. Returns the cluster key.
    pub async fn create(
        &self,
        user: &str,
        node_keys: BTreeMap<String, String>,
        lifetime_secs: i64,
    ) -> Result<(String, GatewaySession), StoreError> {
        let id = self
            .store
            .allocate_counter(Keys::counter("session"))
            .await?;
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let key = format!("{id}x{}", hex::encode(secret));
        let now = now_ms();
        let session = GatewaySession {
            id,
            key_sha256: key_hash(&key),
            user: user.to_owned(),
            node_keys,
            created: now,
            expires: now + lifetime_secs * 1000,
            lifetime_secs,
        };
        self.store.put_json(Keys::session(id), &session).await?;
        Ok((key, session))
    }

    /// The live session a key names, extending its life. `None` for an
    /// unknown, forged or expired key (an expired one is removed).
    pub async fn lookup(&self, key: &str) -> Result<Option<GatewaySession>, StoreError> {
        let Some(id) = session_id(key) else {
            return Ok(None);
        };
        let Some(session) = self
            .store
            .get_json::<GatewaySession>(Keys::session(id))
            .await?
        else {
            return Ok(None);
        };
        if session.key_sha256 != key_hash(key) {
            return Ok(None);
        }
        let now = now_ms();
        if session.expires <= now {
            self.store.delete(Keys::session(id)).await?;
            return Ok(None);
        }
        let renewed = now + session.lifetime_secs * 1000;
        if renewed - session.expires > session.lifetime_secs * 1000 / EXTEND_EVERY_FRACTION {
            let updated = self
                .store
                .update_json::<GatewaySession, _>(Keys::session(id), |s| {
                    s.map(|mut s| {
                        s.expires = s.expires.max(renewed);
                        s
                    })
                })
                .await?;
            return Ok(updated);
        }
        Ok(Some(session))
    }

    /// Records the session key a node handed out after the session began
    /// (a node that joined or recovered later).
    pub async fn set_node_key(
        &self,
        id: u64,
        node: &str,
        node_key: &str,
    ) -> Result<(), StoreError> {
        self.store
            .update_json::<GatewaySession, _>(Keys::session(id), |s| {
                s.map(|mut s| {
                    s.node_keys.insert(node.to_owned(), node_key.to_owned());
                    s
                })
            })
            .await?;
        Ok(())
    }

    /// Ends a session; returns it so the caller can log out of the nodes.
    pub async fn remove(&self, key: &str) -> Result<Option<GatewaySession>, StoreError> {
        let Some(session) = self.lookup(key).await? else {
            return Ok(None);
        };
        self.store.delete(Keys::session(session.id)).await?;
        Ok(Some(session))
    }

    /// Removes every session that expired before `now` (housekeeping).
    pub async fn purge_expired(&self, now: Millis) -> Result<usize, StoreError> {
        let mut purged = 0;
        for (key, session) in self
            .store
            .scan_prefix_json::<GatewaySession>("session/", usize::MAX)
            .await?
        {
            if session.expires <= now {
                self.store.delete(key).await?;
                purged += 1;
            }
        }
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sessions_live_and_die() {
        let sessions = SessionStore::new(Store::memory());
        let keys = BTreeMap::from([("n1".to_owned(), "5x".to_owned() + &"a".repeat(64))]);
        let (key, created) = sessions.create("admin", keys.clone(), 60).await.unwrap();
        assert!(session_id(&key).is_some(), "{key}");
        let found = sessions.lookup(&key).await.unwrap().unwrap();
        assert_eq!(found.node_keys, keys);
        assert_eq!(found.id, created.id);
        let forged = format!("{}x{}", created.id, "0".repeat(64));
        assert_eq!(sessions.lookup(&forged).await.unwrap(), None);
        sessions.set_node_key(created.id, "n2", "k2").await.unwrap();
        assert_eq!(
            sessions
                .lookup(&key)
                .await
                .unwrap()
                .unwrap()
                .node_keys
                .len(),
            2
        );
        assert!(sessions.remove(&key).await.unwrap().is_some());
        assert_eq!(sessions.lookup(&key).await.unwrap(), None);
    }

    #[tokio::test]
    async fn expired_sessions_are_gone() {
        let sessions = SessionStore::new(Store::memory());
        let (key, _) = sessions.create("admin", BTreeMap::new(), 0).await.unwrap();
        assert_eq!(sessions.lookup(&key).await.unwrap(), None);
        let (_, _) = sessions.create("admin", BTreeMap::new(), 0).await.unwrap();
        assert_eq!(sessions.purge_expired(now_ms() + 1).await.unwrap(), 1);
    }
}
