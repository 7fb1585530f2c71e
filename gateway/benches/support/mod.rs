//! What the gateway benchmarks share: in-process simulated nodes, the
//! gateway binary as a child process (so its memory is its own), a small
//! XML-RPC client and a closed-loop load generator.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use compat_tests::sim::{self, SimConfig};
use xmlrpc::{Limits, MethodCall, Value};

/// A simulated node in this process.
pub struct Sim {
    pub url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub async fn sim(name: &str, seed: u64, systems: usize) -> Sim {
    sim_with(SimConfig {
        name: name.to_owned(),
        seed,
        systems,
        ..SimConfig::default()
    })
    .await
}

/// A simulated node in this process, configured as given.
pub async fn sim_with(config: SimConfig) -> Sim {
    let node = Arc::new(sim::Node::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(sim::run(node, listener, async {
        let _ = rx.await;
    }));
    Sim {
        url: format!("http://{addr}/rpc/api"),
        _stop: tx,
    }
}

/// A child process, killed on drop, and the first line it printed.
struct Spawned {
    child: Child,
}

impl Spawned {
    /// Spawns `cmd` (stdout piped) and reads its first line.
    fn start(mut cmd: Command, what: &str) -> (Spawned, String) {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} starts: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        (Spawned { child }, line)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release gateway binary, running; killed on drop.
pub struct GatewayProcess {
    process: Spawned,
    pub url: String,
}

impl GatewayProcess {
    pub fn start(nodes: &[&str]) -> GatewayProcess {
        Self::start_with(Command::new(env!("CARGO_BIN_EXE_gateway")), nodes)
    }

    /// The gateway started on CPU `cpu` alone (util-linux's `taskset`, as
    /// [`pin`] uses), as a gateway given one core is deployed: its runtime
    /// sizes itself to the one core it may use.
    pub fn start_on_cpu(nodes: &[&str], cpu: usize) -> GatewayProcess {
        let mut cmd = Command::new("taskset");
        cmd.args(["-c", &cpu.to_string(), env!("CARGO_BIN_EXE_gateway")]);
        Self::start_with(cmd, nodes)
    }

    fn start_with(mut cmd: Command, nodes: &[&str]) -> GatewayProcess {
        cmd.args(["--listen", "127.0.0.1:0"]);
        for (i, url) in nodes.iter().enumerate() {
            cmd.arg("--node").arg(format!("n{}={url}", i + 1));
        }
        cmd.env("RUST_LOG", "warn");
        let (process, line) = Spawned::start(cmd, "the gateway binary");
        let url = line
            .split("listening on ")
            .nth(1)
            .expect("the listening line")
            .trim()
            .to_owned();
        GatewayProcess { process, url }
    }

    pub fn pid(&self) -> u32 {
        self.process.child.id()
    }

    /// A field of /proc/<pid>/status, in bytes (`VmHWM`, `VmRSS`).
    pub fn status_bytes(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// Waits (up to 10 s) until the RSS has not fallen by more than 1%
    /// over a second, as an idle gateway returns what its allocator freed;
    /// answers the settled RSS and how long that took.
    pub fn settled_rss(&self) -> (u64, Duration) {
        let started = Instant::now();
        let mut samples = vec![self.status_bytes("VmRSS:")];
        while started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(250));
            samples.push(self.status_bytes("VmRSS:"));
            if let [.., before, _, _, _, now] = samples[..]
                && now + now / 100 >= before
            {
                return (now, started.elapsed());
            }
        }
        (*samples.last().unwrap(), started.elapsed())
    }

    /// Resets the peak RSS (`VmHWM`) to the current RSS.
    pub fn reset_peak(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5").is_ok()
    }
}

/// A byte relay in its own process (this bench binary run again): every
/// connection accepted is joined to one of its own to `upstream` and bytes
/// are copied both ways, nothing parsed. What one more hop costs on this
/// machine whatever sits in it: the floor under the gateway's overhead.
pub struct RelayProcess {
    process: Spawned,
    pub url: String,
}

/// The variable that makes this binary a relay (see [`RelayProcess`]).
const RELAY_ENV: &str = "GATEWAY_BENCH_RELAY_TO";

impl RelayProcess {
    /// Starts a relay to `upstream` (`http://host:port/path`).
    pub fn start(upstream: &str) -> RelayProcess {
        let rest = upstream.trim_start_matches("http://");
        let (addr, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.env(RELAY_ENV, addr);
        let (process, line) = Spawned::start(cmd, "the relay");
        let url = format!("http://{}/{path}", line.trim());
        RelayProcess { process, url }
    }

    /// When this process was started as a relay: relays until killed and
    /// never returns. Call first thing in `main`.
    pub fn serve_if_asked() {
        let Ok(upstream) = std::env::var(RELAY_ENV) else {
            return;
        };
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                println!("{}", listener.local_addr().unwrap());
                loop {
                    let (mut inbound, _) = listener.accept().await.unwrap();
                    let upstream = upstream.clone();
                    tokio::spawn(async move {
                        let _ = inbound.set_nodelay(true);
                        let mut outbound = tokio::net::TcpStream::connect(upstream).await.unwrap();
                        let _ = outbound.set_nodelay(true);
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    });
                }
            })
    }

    pub fn pid(&self) -> u32 {
        self.process.child.id()
    }
}

/// A keep-alive XML-RPC client that also reports the answer's size.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    pub fn new(url: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .tcp_nodelay(true)
                .build()
                .unwrap(),
            url: url.to_owned(),
        }
    }

    pub async fn raw(&self, name: &str, params: Vec<Value>) -> bytes::Bytes {
        let body = xmlrpc::encode_call(&MethodCall {
            name: name.to_owned(),
            params,
        });
        self.http
            .post(&self.url)
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    }

    pub async fn call(&self, name: &str, params: Vec<Value>) -> Value {
        let body = self.raw(name, params).await;
        parse(body).await
    }

    /// Calls a method that answers a list of flat structs (a system
    /// listing) and parses the answer while it arrives, as XML-RPC
    /// clients do (Python's `xmlrpc.client` feeds its parser each piece it
    /// reads): whole items are cut off at each `</struct></value>` and
    /// parsed in batches with the codec (off the I/O threads, while the
    /// reading goes on), the rest with the end of the document. Answers
    /// the items.
    pub async fn list_streamed(&self, name: &str, params: Vec<Value>) -> Vec<Value> {
        const ITEM_END: &[u8] = b"</struct></value>";
        let body = xmlrpc::encode_call(&MethodCall {
            name: name.to_owned(),
            params,
        });
        let mut response = self
            .http
            .post(&self.url)
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .unwrap();
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut header = None;
        let mut batches = Vec::new();
        let parse = |doc: Vec<u8>| {
            tokio::task::spawn_blocking(move || {
                match xmlrpc::parse_response(&doc, &Limits::RESPONSE) {
                    Ok(Ok(Value::Array(items))) => items,
                    other => panic!("not a list: {other:?}"),
                }
            })
        };
        while let Some(chunk) = response.chunk().await.unwrap() {
            buf.extend_from_slice(&chunk);
            if header.is_none() {
                header = memchr::memmem::find(&buf, b"<data>").map(|at| at + b"<data>".len());
            }
            let Some(start) = header else { continue };
            if buf.len() - start < 256 * 1024 {
                continue;
            }
            let Some(end) = memchr::memmem::rfind(&buf[start..], ITEM_END) else {
                continue;
            };
            let cut = start + end + ITEM_END.len();
            let mut doc = buf[..start].to_vec();
            doc.extend_from_slice(&buf[start..cut]);
            doc.extend_from_slice(b"</data></array></value></param></params></methodResponse>");
            batches.push(parse(doc));
            buf.drain(start..cut);
        }
        batches.push(parse(buf));
        let mut items = Vec::new();
        for batch in batches {
            items.extend(batch.await.unwrap());
        }
        items
    }

    pub async fn login(&self) -> Value {
        self.call("auth.login", vec!["admin".into(), "admin".into()])
            .await
    }
}

/// Parses an answer (off the I/O threads when large); panics on a fault.
pub async fn parse(body: bytes::Bytes) -> Value {
    let parse = move || {
        xmlrpc::parse_response(&body, &Limits::RESPONSE)
            .expect("XML-RPC")
            .expect("no fault")
    };
    tokio::task::spawn_blocking(parse).await.unwrap()
}

/// CPU time (user + system) a process has used so far; `None` for this
/// process. Read from `/proc/<pid>/stat`, in clock ticks of 10 ms.
pub fn cpu_time(pid: Option<u32>) -> Duration {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may
    // hold spaces): utime and stime are the 12th and 13th of them.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Pins every thread of process `pid` (this process when `None`) to CPU
/// `cpu`, with util-linux's `taskset`; threads started later inherit it.
/// Whether that worked.
pub fn pin(pid: Option<u32>, cpu: usize) -> bool {
    let pid = pid.unwrap_or_else(std::process::id);
    Command::new("taskset")
        .args(["-a", "-p", "-c", &cpu.to_string(), &pid.to_string()])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What a load run measured.
pub struct Load {
    pub calls: usize,
    pub per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Runs `concurrency` closed loops of `call` for `duration`.
pub async fn load<F, Fut>(concurrency: usize, duration: Duration, call: F) -> Load
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while started.elapsed() < duration {
                let t = Instant::now();
                call().await;
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    Load {
        calls: all.len(),
        per_sec: all.len() as f64 / elapsed.as_secs_f64(),
        p50: all[all.len() / 2],
        p99: all[all.len() * 99 / 100],
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}
