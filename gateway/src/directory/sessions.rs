//! Cluster sessions: the shared [`SessionStore`] (node keys, expiry; only
//! the key's hash is stored), a short cache of looked-up sessions, and the
//! passwords of this process's logins, kept in memory only.
//!
//! A password is kept so that the gateway can log into a node that joined
//! or recovered after the login. It is never logged, never stored, and
//! zeroed when its session ends (logout, or expiry noticed by the purge).
//! Another replica serving the same session has no password: for a node
//! the session has no key on, it answers the invalid-session fault so that
//! the client logs in again.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use director::model::{GatewaySession, Millis, now_ms};
use director::sessions::SessionStore;
use director::store::{Store, StoreError};
use moka::sync::Cache;
use zeroize::Zeroizing;

/// How long a looked-up session is served from memory. Expiry is extended
/// in the store by the next lookup after that.
const CACHE_TTL: Duration = Duration::from_secs(2);

/// A password held in memory: zeroed on drop, never shown.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password.
    pub fn new(s: String) -> Password {
        Password(Zeroizing::new(s))
    }

    /// The text, for the login call only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug)]
struct Held {
    user: String,
    password: Password,
    expires: Millis,
}

/// The sessions as one gateway process sees them.
#[derive(Debug)]
pub struct Sessions {
    store: SessionStore,
    cache: Cache<String, Arc<GatewaySession>>,
    passwords: Mutex<HashMap<u64, Held>>,
}

impl Sessions {
    /// The sessions in `store`.
    pub fn new(store: Store) -> Sessions {
        Sessions {
            store: SessionStore::new(store),
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(CACHE_TTL)
                .build(),
            passwords: Mutex::new(HashMap::new()),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Held>> {
        self.passwords.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a cluster session holding `node_keys` and remembers the
    /// password in memory. Returns the cluster key.
    pub async fn create(
        &self,
        user: &str,
        password: Password,
        node_keys: BTreeMap<String, String>,
        lifetime_secs: i64,
    ) -> Result<String, StoreError> {
        let (key, session) = self.store.create(user, node_keys, lifetime_secs).await?;
        self.held().insert(
            session.id,
            Held {
                user: user.to_owned(),
                password,
                expires: session.expires,
            },
        );
        self.cache.insert(key.clone(), Arc::new(session));
        Ok(key)
    }

    /// The live session a key names (`None`: unknown, forged or expired).
    pub async fn lookup(&self, key: &str) -> Result<Option<Arc<GatewaySession>>, StoreError> {
        if let Some(s) = self.cache.get(key) {
            if s.expires > now_ms() {
                return Ok(Some(s));
            }
            self.cache.invalidate(key);
        }
        let Some(session) = self.store.lookup(key).await? else {
            return Ok(None);
        };
        if let Some(held) = self.held().get_mut(&session.id) {
            held.expires = held.expires.max(session.expires);
        }
        let session = Arc::new(session);
        self.cache.insert(key.to_owned(), session.clone());
        Ok(Some(session))
    }

    /// The password of a session logged in through this process.
    pub fn password(&self, session: &GatewaySession) -> Option<Password> {
        self.held()
            .get(&session.id)
            .filter(|h| h.user == session.user)
            .map(|h| h.password.clone())
    }

    /// Records a node key obtained after the login.
    pub async fn set_node_key(
        &self,
        key: &str,
        session: &GatewaySession,
        node: &str,
        node_key: &str,
    ) -> Result<(), StoreError> {
        self.store.set_node_key(session.id, node, node_key).await?;
        self.cache.invalidate(key);
        Ok(())
    }

    /// Ends a session: gone from the store and the cache, password zeroed.
    pub async fn remove(&self, key: &str) -> Result<Option<GatewaySession>, StoreError> {
        self.cache.invalidate(key);
        let removed = self.store.remove(key).await?;
        if let Some(s) = &removed {
            self.held().remove(&s.id);
        }
        Ok(removed)
    }

    /// Zeroes the passwords of sessions that expired; with `sweep_store`
    /// (a gateway that owns its store) also removes expired sessions
    /// there.
    pub async fn purge(&self, sweep_store: bool) {
        let now = now_ms();
        self.held().retain(|_, h| h.expires > now);
        if sweep_store && let Err(e) = self.store.purge_expired(now).await {
            tracing::warn!(cause = %e, "purging expired sessions failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_live_with_their_session() {
        let sessions = Sessions::new(Store::memory());
        let keys = BTreeMap::from([("n1".to_owned(), "k1".to_owned())]);
        let key = sessions
            .create("admin", Password::new("secret".into()), keys, 60)
            .await
            .unwrap();
        assert!(spec::is_session_key(&key));
        let s = sessions.lookup(&key).await.unwrap().unwrap();
        assert_eq!(sessions.password(&s).unwrap().expose(), "secret");
        assert!(!format!("{:?}", sessions.password(&s)).contains("secret"));
        sessions.set_node_key(&key, &s, "n2", "k2").await.unwrap();
        let s = sessions.lookup(&key).await.unwrap().unwrap();
        assert_eq!(s.node_keys.len(), 2);
        assert!(sessions.remove(&key).await.unwrap().is_some());
        assert!(sessions.password(&s).is_none());
        assert!(sessions.lookup(&key).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn another_replica_has_the_session_but_not_the_password() {
        let store = Store::memory();
        let a = Sessions::new(store.clone());
        let b = Sessions::new(store);
        let key = a
            .create("admin", Password::new("pw".into()), BTreeMap::new(), 60)
            .await
            .unwrap();
        let s = b.lookup(&key).await.unwrap().unwrap();
        assert!(b.password(&s).is_none());
    }
}
