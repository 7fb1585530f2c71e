//! The Salt minion id, found the way `salt.config.get_id` finds it:
//!
//! 1. `id` in the minion configuration (`<config_dir>/minion`, then the
//!    `minion.d/*.conf` drop-ins, which override it, in name order);
//! 2. the id Salt cached in `<config_dir>/minion_id` (first line, BOM
//!    stripped, ignored when empty or `localhost`);
//! 3. the host name as `salt.utils.network.generate_minion_id` picks it:
//!    the first of the FQDN, the node name and the host name that is not a
//!    localhost name. The FQDN is looked up in `/etc/hosts` only (Salt asks
//!    the resolver, DNS included); a minion started once has cached its id
//!    in step 2, so this step matters only before that.
//!
//! `minion_id_lowercase`, `minion_id_remove_domain` and `id_function` are
//! not applied; set the id in the configuration where they are used.

use std::path::Path;

use crate::error::{ClientdError, Result};

/// Finds the minion id under the Salt configuration directory `config_dir`.
pub fn find(config_dir: &Path) -> Result<String> {
    if let Some(id) = from_config(config_dir)? {
        return Ok(id);
    }
    if let Some(id) = cached(&config_dir.join("minion_id")) {
        return Ok(id);
    }
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .map_err(|e| ClientdError::MinionId(format!("no host name: {e}")))?;
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    Ok(from_hostname(&hostname, &hosts))
}

/// `id` from the minion config file and its drop-ins (the last one wins).
fn from_config(config_dir: &Path) -> Result<Option<String>> {
    let mut files = vec![config_dir.join("minion")];
    if let Ok(entries) = std::fs::read_dir(config_dir.join("minion.d")) {
        let mut dropins: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "conf")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        dropins.sort();
        files.extend(dropins);
    }
    let mut id = None;
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(ClientdError::file("minion config", file, e)),
        };
        if let Some(found) = id_in_yaml(&text).map_err(|reason| ClientdError::Invalid {
            what: "minion config",
            path: file.clone(),
            reason,
        })? {
            id = Some(found);
        }
    }
    Ok(id)
}

/// The top-level `id` of a Salt YAML config, if set to a non-empty scalar.
fn id_in_yaml(text: &str) -> std::result::Result<Option<String>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let doc: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| e.to_string())?;
    let id = match doc.get("id") {
        Some(yaml_serde::Value::String(s)) => s.trim().to_owned(),
        Some(yaml_serde::Value::Number(n)) => n.to_string(),
        _ => return Ok(None),
    };
    Ok((!id.is_empty()).then_some(id))
}

/// The id cached in the `minion_id` file.
fn cached(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let first = text.lines().next()?.trim();
    let first = first.strip_prefix('\u{feff}').unwrap_or(first).trim();
    (!first.is_empty() && first != "localhost").then(|| first.to_owned())
}

/// Salt's pick among the FQDN, node name and host name (`hosts` is the
/// text of `/etc/hosts`), else `localhost`.
fn from_hostname(hostname: &str, hosts: &str) -> String {
    let fqdn = fqdn_from_hosts(hostname, hosts).unwrap_or_else(|| hostname.to_owned());
    [fqdn.as_str(), hostname]
        .into_iter()
        .find(|h| !h.is_empty() && !is_localhost(h))
        .unwrap_or("localhost")
        .to_owned()
}

/// Python's `socket.getfqdn` over `/etc/hosts`: on the line naming
/// `hostname`, the first name with a dot.
fn fqdn_from_hosts(hostname: &str, hosts: &str) -> Option<String> {
    hosts.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let names: Vec<&str> = line.split_whitespace().skip(1).collect();
        if !names.contains(&hostname) {
            return None;
        }
        names
            .iter()
            .find(|n| n.contains('.'))
            .map(|n| (*n).to_owned())
    })
}

/// Salt's `localhost_matchers` (regexes anchored at the start only).
fn is_localhost(name: &str) -> bool {
    let digit_after = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_digit())
    };
    name.starts_with("localhost")
        || name.starts_with("ip6-")
        || digit_after("127.")
        || name.starts_with("0.0.0.0")
        || name.starts_with("::1")
        || name.starts_with("ipv6-")
        || name.starts_with("fe00::")
        || name.starts_with("fe02::")
        || (name.starts_with("1.0.0.") && name.contains(".ip6") && name.ends_with("arpa"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_id_wins_and_drop_ins_override_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("minion_id"), "cached.example.com\n").unwrap();
        assert_eq!(find(dir.path()).unwrap(), "cached.example.com");

        std::fs::write(
            dir.path().join("minion"),
            "# stock\nmaster: salt\nid: 'web1.example.com'\n",
        )
        .unwrap();
        assert_eq!(find(dir.path()).unwrap(), "web1.example.com");

        let d = dir.path().join("minion.d");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("10-id.conf"), "id: web1-renamed\n").unwrap();
        std::fs::write(d.join("20-other.conf"), "master: x\n").unwrap();
        std::fs::write(d.join("30-ignored.conf.previous"), "id: nope\n").unwrap();
        assert_eq!(find(dir.path()).unwrap(), "web1-renamed");
    }

    #[test]
    fn a_broken_config_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("minion"), "id: [unclosed\n").unwrap();
        let err = find(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("minion config") && err.contains("/minion"),
            "{err}"
        );
    }

    #[test]
    fn the_cache_file_skips_bom_and_localhost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("minion_id");
        std::fs::write(&path, "\u{feff}db1\nignored\n").unwrap();
        assert_eq!(cached(&path).as_deref(), Some("db1"));
        std::fs::write(&path, "localhost\n").unwrap();
        assert_eq!(cached(&path), None);
        std::fs::write(&path, "\n").unwrap();
        assert_eq!(cached(&path), None);
    }

    #[test]
    fn the_host_name_fallback_prefers_the_fqdn_and_skips_localhost() {
        let hosts = "127.0.0.1 localhost\n10.0.0.5 web1.example.com web1 # lan\n";
        assert_eq!(from_hostname("web1", hosts), "web1.example.com");
        assert_eq!(from_hostname("web2", hosts), "web2");
        assert_eq!(from_hostname("localhost", hosts), "localhost");
        assert_eq!(
            from_hostname("box", "127.0.1.1 localhost.localdomain box\n"),
            "box"
        );
        assert!(is_localhost("127.0.1.1") && is_localhost("ip6-localhost"));
        assert!(!is_localhost("127.example.com") && !is_localhost("web1"));
    }
}
