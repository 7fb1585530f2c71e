//! `org.create`: a new organization and its administrator, checked as the
//! server's `OrgHandler.create` and the `CreateOrgCommand` /
//! `CreateUserCommand` it runs check them, in their order; and the name
//! check `org.updateName` shares (`OrgManager.checkOrgName`).
//!
//! A refused value is `ValidationException` (2800) with the text of the
//! server's first validation error (its English `StringResource`). Not
//! modelled: the server's password policy (configurable, stored in its
//! database) and its list of name prefixes (a table): the simulator takes
//! any prefix and keeps none, and takes any non-empty password.

use xmlrpc::{Fault, MethodResponse};

use super::org::org_value;
use super::{Call, require_sat_admin};
use crate::sim::model::{NodeData, Org, User, take_id};
use crate::sim::{Node, faults};

/// Shortest and longest organization name (`checkOrgName`, and
/// `orgCreateForm.xsd`).
const ORG_NAME: (usize, usize) = (3, 128);

/// Longest value of a field of `orgCreateForm.xsd`, in bytes.
const FORM_MAX: usize = 128;

/// Shortest and longest login (`UserDefaults`: `min_user_len`,
/// `max_user_len`).
const LOGIN: (usize, usize) = (5, 64);

/// Longest e-mail address (`UserDefaults.getMaxEmailLength`).
const MAX_EMAIL: usize = 128;

/// `create(orgName, adminLogin, adminPassword, prefix, firstName,
/// lastName, email, usePamAuth)`: answers the new organization, whose
/// administrator holds `org_admin` (not `satellite_admin`: the server
/// makes only the first organization's administrator one).
///
/// PAM: the simulated server has no `web.pam_auth_service` configured, so
/// asking for a PAM administrator is `PamAuthNotConfiguredException`
/// (1231), as on a server without it (unverified: whether a default
/// installation sets one).
pub(super) fn create(node: &Node, call: &Call<'_>) -> MethodResponse {
    require_sat_admin(&call.user(node)?)?;
    let org_name = call.str("orgName")?;
    let login = call.str("adminLogin")?;
    let password = call.str("adminPassword")?;
    let first_name = call.str("firstName")?;
    let last_name = call.str("lastName")?;
    let email = call.str("email")?;
    let use_pam = call.bool("usePamAuth")?;
    check_form(org_name, first_name, last_name)?;
    if !use_pam && password.is_empty() {
        return Err(faults::domain(
            -501,
            "Password is required if not using PAM authentication",
        ));
    }
    if use_pam {
        return Err(faults::domain(
            1231,
            "The server is not configured to support PAM authentication. \
             Refer to the reference guide for instructions on how to set up PAM.",
        ));
    }
    let mut data = node.write();
    check_org_name(&data, org_name)?;
    check_admin(&data, login, email)?;
    let user_id = take_id(&mut data.next_user_id);
    data.users.push(User {
        id: user_id,
        login: login.to_owned(),
        password: password.to_owned(),
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        email: email.to_owned(),
        enabled: true,
        use_pam: false,
        roles: vec!["org_admin".to_owned()],
        assigned_groups: Vec::new(),
        default_groups: Vec::new(),
    });
    let id = take_id(&mut data.next_org_id);
    let org = Org {
        id,
        name: org_name.to_owned(),
        admin: Some(user_id),
    };
    let answer = org_value(&data, &org);
    data.orgs.push(org);
    Ok(answer)
}

/// `ValidationException`: the server's first validation error.
fn invalid(message: &str) -> Fault {
    faults::domain(2800, message)
}

/// `validateCreateOrgData`: the `orgCreateForm.xsd` constraints the
/// handler asks for, checked first: the organization name of 3 to 128
/// bytes, the first and last name of 1 to 128 (the schema's password
/// constraints are keyed `desiredpassword`, the handler asks for
/// `desiredPassword`, so they never apply). `StringConstraint` texts
/// (`errors.maxlength`, `errors.required`, `errors.minlength`) with the
/// fields' labels. Unverified: the schema read is Spacewalk's copy, and
/// the order of the fields is the schema's.
fn check_form(org_name: &str, first_name: &str, last_name: &str) -> Result<(), Fault> {
    let fields = [
        ("Organization Name", org_name, ORG_NAME.0),
        ("First Name", first_name, 1),
        ("Last Name", last_name, 1),
    ];
    for (label, value, min) in fields {
        if value.len() > FORM_MAX {
            return Err(invalid(&format!(
                "{label} cannot be greater than {FORM_MAX} characters \
                 (Note: double byte chars are not supported)."
            )));
        }
        if value.trim().is_empty() {
            return Err(invalid(&format!("{label} is required.")));
        }
        if value.len() < min {
            return Err(invalid(&format!(
                "{label} cannot be less than {min} characters."
            )));
        }
    }
    Ok(())
}

/// `OrgManager.checkOrgName`: 3 to 128 characters, and no organization
/// of that name (`error.org_already_taken`).
///
/// Unverified: the text of `orgname.jsp.error` (the server's web strings
/// were not read); for `create` the form check above refuses such a name
/// first.
pub(super) fn check_org_name(data: &NodeData, name: &str) -> Result<(), Fault> {
    let length = name.trim().chars().count();
    if length < ORG_NAME.0 || length > ORG_NAME.1 {
        return Err(invalid(&format!(
            "Organization name must be between {} and {} characters.",
            ORG_NAME.0, ORG_NAME.1
        )));
    }
    if data.orgs.iter().any(|o| o.name == name) {
        return Err(invalid(
            "That organization name is already taken; please choose another.",
        ));
    }
    Ok(())
}

/// `CreateUserCommand.validate` for the administrator, in its order: the
/// e-mail address (`error.maxemail`, `error.addr_invalid`), then the
/// login (`error.minlogin`, `error.maxlogin`, `errors.username`,
/// `error.login_already_taken`). The address check is a simplification
/// of `InternetAddress.validate`: one `@` between a local part and a
/// domain, no spaces, none of `()<>,;:\"[]`. Logins are compared as the
/// simulator's other user calls compare them (exactly).
fn check_admin(data: &NodeData, login: &str, email: &str) -> Result<(), Fault> {
    if email.chars().count() > MAX_EMAIL {
        return Err(invalid(
            "The email address is too long. Please enter a shorter email address and try again.",
        ));
    }
    if !plausible_address(email) {
        return Err(invalid("Entered email address is not valid"));
    }
    let length = login.chars().count();
    if length < LOGIN.0 {
        return Err(invalid(&format!(
            "Logins must be no shorter than {} characters.",
            LOGIN.0
        )));
    }
    if length > LOGIN.1 || login.len() > LOGIN.1 {
        return Err(invalid(
            "The desired login you requested is too long. \
             Please enter a shorter desired login and try again.",
        ));
    }
    // `ParsedConstraint.isValidUserName`: ASCII without white space or
    // any of `&+%'`"=#`.
    let bad = |c: char| {
        !c.is_ascii()
            || matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r')
            || "&+%'`\"=#".contains(c)
    };
    if login.chars().any(bad) {
        return Err(invalid(&format!(
            "{login} contains invalid characters. In addition to alphanumeric \
             characters, '-', '_', '.', and '@' are allowed. Please try again."
        )));
    }
    if data.user(login).is_some() {
        return Err(invalid(
            "That username is already taken; please choose another.",
        ));
    }
    Ok(())
}

/// Whether `address` passes the simulator's stand-in for
/// `InternetAddress.validate`.
fn plausible_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let clean = |part: &str| {
        !part.is_empty()
            && !part
                .chars()
                .any(|c| c.is_whitespace() || "()<>,;:\\\"[]@".contains(c))
    };
    clean(local) && clean(domain)
}
