//! API sessions, keyed as SUSE Manager keys them: `<session id>x<64 hex>`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::clock::now_secs;

/// Default session lifetime in seconds (the server's default is one hour).
pub const DEFAULT_LIFETIME_SECS: i64 = 3600;

#[derive(Debug, Clone)]
struct Session {
    user_id: i32,
    key: String,
    expires: i64,
    lifetime: i64,
}

/// Why a key was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionError {
    /// The key names no live session. Carries the id part of the key, which
    /// the server's fault shows.
    NotFound(String),
}

/// The sessions of one node.
#[derive(Debug)]
pub struct Sessions {
    secret: [u8; 32],
    next_id: AtomicU64,
    live: Mutex<HashMap<u64, Session>>,
}

impl Sessions {
    /// An empty store whose keys are signed with `secret`.
    pub fn new(secret: [u8; 32], first_id: u64) -> Sessions {
        Sessions {
            secret,
            next_id: AtomicU64::new(first_id),
            live: Mutex::new(HashMap::new()),
        }
    }

    /// Opens a session for `user_id` lasting `lifetime` seconds from its last
    /// use, and returns its key.
    pub fn open(&self, user_id: i32, lifetime: i64) -> String {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut hasher = Sha256::new();
        hasher.update(self.secret);
        hasher.update(id.to_be_bytes());
        let key = format!("{id}x{}", hex::encode(hasher.finalize()));
        let session = Session {
            user_id,
            key: key.clone(),
            expires: now_secs() + lifetime,
            lifetime,
        };
        self.lock().insert(id, session);
        key
    }

    /// The user of a live session, extending its life as every call does.
    pub fn touch(&self, key: &str) -> Result<i32, SessionError> {
        let id_part = key.split('x').next().unwrap_or_default();
        let not_found = || SessionError::NotFound(id_part.to_owned());
        let id: u64 = id_part.parse().map_err(|_| not_found())?;
        let now = now_secs();
        let mut live = self.lock();
        let session = live.get_mut(&id).ok_or_else(not_found)?;
        if session.key != key {
            return Err(not_found());
        }
        if session.expires <= now {
            live.remove(&id);
            return Err(not_found());
        }
        session.expires = now + session.lifetime;
        Ok(session.user_id)
    }

    /// Ends a session.
    pub fn close(&self, key: &str) -> Result<(), SessionError> {
        self.touch(key)?;
        let id: u64 = key
            .split('x')
            .next()
            .unwrap_or_default()
            .parse()
            .unwrap_or(0);
        self.lock().remove(&id);
        Ok(())
    }

    /// Ends every session of a user (when the user is deleted).
    pub fn close_user(&self, user_id: i32) {
        self.lock().retain(|_, s| s.user_id != user_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Session>> {
        // A panic while holding this lock leaves a consistent map behind.
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_server_shape_and_resolve() {
        let sessions = Sessions::new([7; 32], 42);
        let key = sessions.open(1, 60);
        assert!(spec::is_session_key(&key), "{key}");
        assert!(key.starts_with("42x"));
        assert_eq!(sessions.touch(&key), Ok(1));
        let forged = format!("42x{}", "0".repeat(64));
        assert_eq!(
            sessions.touch(&forged),
            Err(SessionError::NotFound("42".into()))
        );
        sessions.close(&key).unwrap();
        assert_eq!(
            sessions.touch(&key),
            Err(SessionError::NotFound("42".into()))
        );
    }

    #[test]
    fn expired_sessions_are_gone() {
        let sessions = Sessions::new([7; 32], 1);
        let key = sessions.open(1, 0);
        assert!(sessions.touch(&key).is_err());
    }
}
