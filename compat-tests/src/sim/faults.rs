//! The faults the real server answers, with their exact codes and strings.

use xmlrpc::Fault;

const PREFIX: &str = "redstone.xmlrpc.XmlRpcFault: ";

/// A domain fault: code and message with the redstone prefix.
pub(crate) fn domain(code: i32, message: &str) -> Fault {
    Fault::new(code, format!("{PREFIX}{message}"))
}

/// Unknown or expired session key.
pub(crate) fn no_session(id_part: &str) -> Fault {
    Fault::new(
        -1,
        format!(
            "com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: {id_part}"
        ),
    )
}

/// Bad login.
pub(crate) fn bad_login() -> Fault {
    domain(2950, "Either the password or username is incorrect.")
}

/// `NoSuchSystemException`.
pub(crate) fn no_such_system() -> Fault {
    domain(-208, "No such system")
}

/// `LookupServerGroupException`: `what` is the id or name asked for.
pub(crate) fn no_such_group(what: &str) -> Fault {
    domain(
        2201,
        &format!("Unable to locate or access server group: {what}"),
    )
}

/// `InvalidEntitlementException`.
pub(crate) fn invalid_entitlement() -> Fault {
    domain(-212, "Invalid entitlement")
}

/// `NoSuchChannelException`.
pub(crate) fn no_such_channel() -> Fault {
    domain(-210, "No such channel")
}

/// `InvalidChannelException`.
pub(crate) fn invalid_channel() -> Fault {
    domain(-211, "Invalid channel")
}

/// `NoSuchPackageException`.
pub(crate) fn no_such_package() -> Fault {
    domain(-209, "The package could not be found")
}

/// `NoSuchUserException`.
pub(crate) fn no_such_user() -> Fault {
    domain(-213, "No such user")
}

/// `NoSuchActionException`.
pub(crate) fn no_such_action(id: i64) -> Fault {
    domain(2700, &format!("No such action: {id}"))
}

/// `PermissionCheckFailureException`.
pub(crate) fn permission_denied() -> Fault {
    domain(-23, "You do not have permissions to perform this action.")
}

/// `InvalidParameterException` and friends: a parameter the server refuses.
pub(crate) fn invalid_parameter(message: &str) -> Fault {
    domain(-1, message)
}

/// An unexpected error inside a handler.
pub(crate) fn internal(message: &str) -> Fault {
    domain(-1, &format!("unhandled internal exception: {message}"))
}
