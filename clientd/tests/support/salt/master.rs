//! A salt-master on loopback for tests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{START_TIMEOUT, free_port, salt_cmd, stop_pidfile, user, wait_until};

/// A salt-master on loopback.
pub struct Master {
    bin: PathBuf,
    config_dir: PathBuf,
    pidfile: PathBuf,
    /// Its request ("ret") port: what minions name as `master_port`.
    pub ret_port: u16,
}

impl Master {
    /// Configures a master under `root` (auto-accepting minion keys).
    pub fn new(bin: &Path, root: &Path) -> Master {
        let config_dir = root.join("etc/salt");
        std::fs::create_dir_all(&config_dir).unwrap();
        let (publish_port, ret_port) = (free_port(), free_port());
        let r = root.display();
        std::fs::write(
            config_dir.join("master"),
            format!(
                "root_dir: {r}\n\
                 interface: 127.0.0.1\n\
                 publish_port: {publish_port}\n\
                 ret_port: {ret_port}\n\
                 user: {user}\n\
                 auto_accept: True\n\
                 worker_threads: 2\n\
                 pki_dir: {r}/etc/salt/pki/master\n\
                 cachedir: {r}/var/cache/salt/master\n\
                 sock_dir: {r}/var/run/salt/master\n\
                 pidfile: {r}/var/run/salt-master.pid\n\
                 log_file: {r}/var/log/salt/master\n\
                 log_level_logfile: info\n\
                 file_roots: {{base: [{r}/srv/salt]}}\n\
                 pillar_roots: {{base: [{r}/srv/pillar]}}\n",
                user = user()
            ),
        )
        .unwrap();
        Master {
            bin: bin.to_owned(),
            pidfile: root.join("var/run/salt-master.pid"),
            config_dir,
            ret_port,
        }
    }

    /// What a minion names as its master: `127.0.0.1:<ret port>`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.ret_port)
    }

    /// Starts it and waits until it takes requests.
    pub async fn start(&self) {
        let config = self.config_dir.display().to_string();
        salt_cmd(
            &self.bin.join("salt-master"),
            &["-c", &config, "-d"],
            START_TIMEOUT,
        )
        .await
        .unwrap();
        let port = self.ret_port;
        wait_until(
            &format!("salt-master on port {port}"),
            START_TIMEOUT,
            || async move {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
            },
        )
        .await;
    }

    /// Stops it and waits until it is gone.
    pub fn stop(&self) {
        stop_pidfile(&self.pidfile);
    }

    fn config(&self) -> String {
        self.config_dir.display().to_string()
    }

    /// The minion ids whose keys it accepted (`salt-key -L`).
    pub async fn accepted(&self) -> Vec<String> {
        let out = salt_cmd(
            &self.bin.join("salt-key"),
            &["-c", &self.config(), "-L", "--out=json"],
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        let keys: serde_json::Value = serde_json::from_str(&out).unwrap();
        keys["minions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_owned())
            .collect()
    }

    /// The fingerprint `salt-key -f` prints for an accepted minion.
    pub async fn key_finger(&self, minion: &str) -> String {
        let out = salt_cmd(
            &self.bin.join("salt-key"),
            &["-c", &self.config(), "-f", minion, "--out=json"],
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        let keys: serde_json::Value = serde_json::from_str(&out).unwrap();
        keys["minions"][minion].as_str().unwrap().to_owned()
    }

    /// The minion key as this master stored it.
    pub fn stored_key(&self, minion: &str) -> Vec<u8> {
        std::fs::read(self.config_dir.join("pki/master/minions").join(minion)).unwrap()
    }

    /// Whether `minion` answers `test.ping` published from this master.
    pub async fn pings(&self, minion: &str) -> bool {
        let out = salt_cmd(
            &self.bin.join("salt"),
            &[
                "-c",
                &self.config(),
                "-t",
                "5",
                minion,
                "test.ping",
                "--out=json",
            ],
            Duration::from_secs(30),
        )
        .await;
        match out {
            Ok(out) => serde_json::from_str::<serde_json::Value>(&out)
                .map(|v| v[minion] == serde_json::Value::Bool(true))
                .unwrap_or(false),
            Err(_) => false,
        }
    }
}

impl Drop for Master {
    fn drop(&mut self) {
        self.stop();
    }
}
