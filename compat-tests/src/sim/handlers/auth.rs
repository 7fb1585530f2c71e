//! `auth.*`: log in and out.

use xmlrpc::Value;

use super::{Answer, Call};
use crate::sim::session::DEFAULT_LIFETIME_SECS;
use crate::sim::{Node, faults};

pub(super) fn call(node: &Node, method: &str, call: &Call<'_>) -> Answer {
    Some(match method {
        "login" => login(node, call),
        "logout" => {
            let key = call
                .params
                .first()
                .and_then(Value::as_str)
                .unwrap_or_default();
            node.sessions()
                .close(key)
                .map(|()| Value::Int(1))
                .map_err(|crate::sim::session::SessionError::NotFound(id)| faults::no_session(&id))
        }
        _ => return None,
    })
}

fn login(node: &Node, call: &Call<'_>) -> xmlrpc::MethodResponse {
    // The modelled server-side cost of a login. Handlers run on the
    // blocking pool (see `dispatch::rpc`), so sleeping here holds one
    // blocking thread, not the I/O threads.
    let delay = node.config().login_delay;
    if !delay.is_zero() {
        std::thread::sleep(delay);
    }
    let login = call.str("username")?;
    let password = call.str("password")?;
    let lifetime = match call.arg("duration") {
        Some(v) => v.as_i64().unwrap_or(DEFAULT_LIFETIME_SECS).max(0),
        None => DEFAULT_LIFETIME_SECS,
    };
    let user_id = {
        let data = node.read();
        match data.user(login) {
            // No PAM here: a PAM user's stored password is not theirs.
            Some(user) if user.enabled && !user.use_pam && user.password == password => user.id,
            _ => return Err(faults::bad_login()),
        }
    };
    Ok(Value::String(node.sessions().open(user_id, lifetime)))
}
