//! A throwaway OpenSSH server: `sshd -D -e` on 127.0.0.1 and a free port,
//! with its own host key, a client key in `authorized_keys` for the current
//! user, and a `known_hosts` naming its host key; killed on drop.
//!
//! Binaries: `$SSHD_BIN` or `/usr/sbin/sshd`, and `ssh-keygen` (Debian's
//! `openssh-server` and `openssh-client`). As root, sshd needs `/run/sshd`,
//! created here when missing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long sshd may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running sshd.
#[derive(Debug)]
pub struct Sshd {
    child: Child,
    port: u16,
    user: String,
    logins: Arc<AtomicUsize>,
    dir: tempfile::TempDir,
}

impl Sshd {
    /// The sshd binary, if any.
    pub fn find_binary() -> Option<PathBuf> {
        if let Some(bin) = std::env::var_os("SSHD_BIN").filter(|b| !b.is_empty()) {
            return Some(PathBuf::from(bin));
        }
        let bin = PathBuf::from("/usr/sbin/sshd");
        bin.is_file().then_some(bin)
    }

    /// Starts sshd for a test (see [`super::missing`] when there is none).
    pub async fn start_for_test() -> Option<Sshd> {
        let Some(bin) = Self::find_binary() else {
            super::missing("sshd (openssh-server)");
            return None;
        };
        match Self::start(&bin).await {
            Ok(server) => Some(server),
            Err(e) => panic!("start {}: {e}", bin.display()),
        }
    }

    /// Generates keys and configuration, starts `binary` and waits until it
    /// listens.
    pub async fn start(binary: &Path) -> std::io::Result<Sshd> {
        let dir = tempfile::Builder::new().prefix("nodectl-sshd").tempdir()?;
        let d = dir.path();
        keygen(&d.join("host_key"))?;
        keygen(&d.join("client_key"))?;
        std::fs::copy(d.join("client_key.pub"), d.join("authorized_keys"))?;
        if super::is_root() {
            std::fs::create_dir_all("/run/sshd")?;
        }
        let user = current_user()?;
        let port = super::free_port()?;
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n\
             AuthorizedKeysFile {keys}\nPidFile {pid}\nUsePAM no\nStrictModes no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n\
             AllowUsers {user}\nMaxSessions 50\nMaxStartups 50\nLogLevel INFO\n",
            host_key = d.join("host_key").display(),
            keys = d.join("authorized_keys").display(),
            pid = d.join("sshd.pid").display(),
        );
        std::fs::write(d.join("sshd_config"), config)?;
        let host_pub = std::fs::read_to_string(d.join("host_key.pub"))?;
        std::fs::write(
            d.join("known_hosts"),
            format!("[127.0.0.1]:{port} {}", host_pub.trim()),
        )?;
        // The same host with another key: what a man in the middle shows.
        keygen(&d.join("impostor_key"))?;
        let impostor = std::fs::read_to_string(d.join("impostor_key.pub"))?;
        std::fs::write(
            d.join("wrong_known_hosts"),
            format!("[127.0.0.1]:{port} {}", impostor.trim()),
        )?;

        let mut child = Command::new(binary)
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| std::io::Error::other("no stderr"))?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let logins = Arc::new(AtomicUsize::new(0));
        let counted = logins.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            let mut log = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("Accepted publickey") {
                    counted.fetch_add(1, Ordering::SeqCst);
                }
                if let Some(sender) = tx.take() {
                    log.push_str(&line);
                    log.push('\n');
                    if line.contains("Server listening on 127.0.0.1") {
                        let _ = sender.send(Ok(()));
                    } else {
                        tx = Some(sender);
                    }
                }
            }
            if let Some(sender) = tx {
                let _ = sender.send(Err(log));
            }
        });
        match tokio::time::timeout(START_TIMEOUT, rx).await {
            Ok(Ok(Ok(()))) => Ok(Sshd {
                child,
                port,
                user,
                logins,
                dir,
            }),
            outcome => {
                let _ = child.kill();
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                let log = match outcome {
                    Ok(Ok(Err(log))) => log,
                    _ => format!("not listening within {START_TIMEOUT:?}"),
                };
                Err(std::io::Error::other(format!("sshd ({status}): {log}")))
            }
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `user@127.0.0.1:port`, a host for the SSH runner.
    pub fn host(&self) -> String {
        format!("{}@127.0.0.1:{}", self.user, self.port)
    }

    /// The private key sshd accepts.
    pub fn client_key(&self) -> PathBuf {
        self.dir.path().join("client_key")
    }

    /// A known_hosts file with sshd's real host key.
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }

    /// A known_hosts file naming another key for the same host and port.
    pub fn wrong_known_hosts(&self) -> PathBuf {
        self.dir.path().join("wrong_known_hosts")
    }

    /// Successful logins so far (each SSH connection authenticates once).
    pub fn logins(&self) -> usize {
        self.logins.load(Ordering::SeqCst)
    }

    /// A scratch directory that lives as long as the server.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) -> std::io::Result<()> {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "nodectl-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "ssh-keygen {}: {status}",
            path.display()
        )))
    }
}

fn current_user() -> std::io::Result<String> {
    let out = Command::new("id").arg("-un").output()?;
    let user = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if user.is_empty() {
        return Err(std::io::Error::other("cannot tell the current user"));
    }
    Ok(user)
}
