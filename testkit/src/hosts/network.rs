//! The pods' network: interface and namespace names, addresses, the hosts and `resolv.conf`
//! files, the cluster DNS responder, TCP sockets from `/proc/<pid>/net`, routes that would clash,
//! and HTTP status codes for probes.

use super::manifests::{selects, Cluster};
use std::{
	collections::BTreeMap,
	io::{Read, Write},
	net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::Duration,
};

/// The root namespace's address on the bridge; pod `k` is `10.250.0.<10 + k>`.
pub const HOST_IP: Ipv4Addr = Ipv4Addr::new(10, 250, 0, 1);
/// How many pods fit in the /24.
pub const MAX_PODS: usize = 240;
const CLUSTER_DOMAIN: &str = "cluster.local";
/// A bridge of ours has this alias followed by the pid of the test that made it.
pub(super) const BRIDGE_ALIAS: &str = "plexus-hosts ";

/// This run's bridge. Interface names have at most 15 characters.
pub fn bridge_name(pid: u32) -> String {
	format!("plxh{}", pid % 100_000)
}

/// The root namespace's end of pod `k`'s veth (the other end is the pod's `eth0`).
pub fn veth_name(pid: u32, k: usize) -> String {
	format!("ph{}-{k}", pid % 100_000)
}

/// What Linux takes as an interface name.
pub fn valid_interface_name(name: &str) -> bool {
	!name.is_empty()
		&& name.len() <= 15
		&& !name.contains(['/', ':', ' '])
		&& name != "."
		&& name != ".."
}

/// Pod `pod`'s network namespace in run `pid`.
pub fn netns_name(pid: u32, pod: &str) -> String {
	format!("plxh{pid}-{pod}")
}

/// The run that made namespace (or `/etc/netns` entry) `name`, if it is one of ours.
pub fn owner_pid(name: &str) -> Option<u32> {
	let (pid, pod) = name.strip_prefix("plxh")?.split_once('-')?;
	(!pod.is_empty()).then_some(())?;
	pid.parse().ok()
}

pub fn pod_ip(k: usize) -> Ipv4Addr {
	assert!(k < MAX_PODS, "pod {k} does not fit in the /24");
	Ipv4Addr::new(10, 250, 0, 10 + k as u8)
}

/// A pod's `/etc/hosts`: loopback, its own name, and every StatefulSet pod's names under its
/// Service (`records`: address, pod, service), as cluster DNS answers them.
pub fn hosts_file(
	namespace: &str,
	own: (Ipv4Addr, &str),
	records: &[(Ipv4Addr, String, String)],
) -> String {
	let mut text =
		String::from("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	text += &format!("{}\t{}\n", own.0, own.1);
	for (ip, pod, service) in records {
		let fqdn = format!("{pod}.{service}.{namespace}.svc");
		text += &format!(
			"{ip}\t{pod}.{service} {pod}.{service}.{namespace} {fqdn} {fqdn}.{CLUSTER_DOMAIN}\n"
		);
	}
	text
}

/// A pod's `resolv.conf`: the cluster's search list and `ndots`, and the harness's [`Dns`] as
/// name server (on the root namespace's address), so that names outside the cluster fail.
pub fn resolv_conf(namespace: &str) -> String {
	let search = format!("{namespace}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}");
	format!("nameserver {HOST_IP}\nsearch {search}\noptions ndots:5\n")
}

/// What cluster DNS answers in `namespace`, by lower-case name without the final dot: each
/// StatefulSet pod at `<pod>.<service>.<namespace>.svc.cluster.local`, each headless Service at
/// `<service>.<namespace>.svc.cluster.local` with every pod it selects.
pub fn dns_records(cluster: &Cluster) -> BTreeMap<String, Vec<Ipv4Addr>> {
	let zone = format!("{}.svc.{CLUSTER_DOMAIN}", cluster.namespace);
	let mut records: BTreeMap<String, Vec<Ipv4Addr>> = BTreeMap::new();
	for (k, pod, service) in cluster.records() {
		records.insert(format!("{pod}.{service}.{zone}"), vec![pod_ip(k)]);
	}
	for service in &cluster.services {
		let ips = cluster.pods.iter().enumerate();
		let ips =
			ips.filter(|(_, p)| selects(&service.selector, &p.labels)).map(|(k, _)| pod_ip(k));
		records.insert(format!("{}.{zone}", service.name), ips.collect());
	}
	records
}

/// The answer to one DNS query (RFC 1035), as cluster DNS gives it: `A` records of a name in
/// `records`, an empty answer for its other types (`AAAA`: pods here have no IPv6), `NXDOMAIN`
/// for any other name. `None` for what is not a standard query of one question.
pub fn dns_answer(query: &[u8], records: &BTreeMap<String, Vec<Ipv4Addr>>) -> Option<Vec<u8>> {
	let word = |i: usize| Some(u16::from_be_bytes([*query.get(i)?, *query.get(i + 1)?]));
	let flags = word(2)?;
	if flags & 0x8000 != 0 || (flags >> 11) & 0xF != 0 || word(4)? != 1 {
		return None;
	}
	let mut labels = Vec::new();
	let mut i = 12;
	loop {
		let len = *query.get(i)? as usize;
		i += 1;
		if len == 0 {
			break;
		}
		if len > 63 {
			return None;
		}
		labels.push(String::from_utf8_lossy(query.get(i..i + len)?).to_ascii_lowercase());
		i += len;
	}
	let (qtype, qclass) = (word(i)?, word(i + 2)?);
	let question = &query[12..i + 4];
	let (rcode, answers) = match records.get(&labels.join(".")) {
		None => (3, &[][..]),
		Some(ips) if qtype == 1 && qclass == 1 => (0, &ips[..]),
		Some(_) => (0, &[][..]),
	};
	// A response, authoritative, recursion desired as asked, available.
	let flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode;
	let mut out = query[0..2].to_vec();
	for value in [flags, 1, answers.len() as u16, 0, 0] {
		out.extend(value.to_be_bytes());
	}
	out.extend(question);
	for ip in answers {
		// The question's name (a pointer to offset 12), A, IN, a TTL of 5 s, 4 bytes.
		out.extend([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4]);
		out.extend(ip.octets());
	}
	Some(out)
}

/// Cluster DNS for the pods: [`dns_answer`] over UDP on `10.250.0.1:53`, until dropped. A
/// resolver that asks for `A` and `AAAA` at once (litep2p's hickory does) gets both answers at
/// once, as from CoreDNS; a name server that did not exist would let the `AAAA` query run into
/// the dial's timeout.
pub struct Dns {
	stop: Arc<AtomicBool>,
	thread: Option<std::thread::JoinHandle<()>>,
}

impl Dns {
	pub fn serve(records: BTreeMap<String, Vec<Ipv4Addr>>) -> Result<Self, String> {
		let socket = std::net::UdpSocket::bind((HOST_IP, 53))
			.map_err(|e| format!("DNS on {HOST_IP}:53: {e}"))?;
		socket.set_read_timeout(Some(Duration::from_millis(200))).map_err(|e| e.to_string())?;
		let stop = Arc::new(AtomicBool::new(false));
		let thread = std::thread::spawn({
			let stop = stop.clone();
			move || {
				let mut buf = [0u8; 1500];
				while !stop.load(Ordering::Relaxed) {
					let Ok((n, from)) = socket.recv_from(&mut buf) else { continue };
					if let Some(answer) = dns_answer(&buf[..n], &records) {
						let _ = socket.send_to(&answer, from);
					}
				}
			}
		});
		Ok(Self { stop, thread: Some(thread) })
	}
}

impl Drop for Dns {
	fn drop(&mut self) {
		self.stop.store(true, Ordering::Relaxed);
		if let Some(thread) = self.thread.take() {
			let _ = thread.join();
		}
	}
}

/// TCP states in `/proc/net/tcp`.
pub const ESTABLISHED: u8 = 0x01;
pub const LISTEN: u8 = 0x0A;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSocket {
	pub local: SocketAddr,
	pub remote: SocketAddr,
	pub state: u8,
}

fn proc_address(text: &str) -> Option<SocketAddr> {
	let (ip, port) = text.split_once(':')?;
	let port = u16::from_str_radix(port, 16).ok()?;
	// Each 32-bit word is printed as the host reads the network-order bytes.
	let mut bytes = Vec::new();
	for i in (0..ip.len()).step_by(8) {
		bytes.extend(u32::from_str_radix(ip.get(i..i + 8)?, 16).ok()?.to_ne_bytes());
	}
	let ip: IpAddr = match bytes.len() {
		4 => <[u8; 4]>::try_from(bytes).ok()?.into(),
		16 => <[u8; 16]>::try_from(bytes).ok()?.into(),
		_ => return None,
	};
	Some(SocketAddr::new(ip, port))
}

/// The sockets in a `/proc/<pid>/net/tcp` or `tcp6` text.
pub fn parse_proc_net_tcp(text: &str) -> Vec<TcpSocket> {
	text.lines()
		.skip(1)
		.filter_map(|line| {
			let fields: Vec<&str> = line.split_whitespace().collect();
			Some(TcpSocket {
				local: proc_address(fields.get(1)?)?,
				remote: proc_address(fields.get(2)?)?,
				state: u8::from_str_radix(fields.get(3)?, 16).ok()?,
			})
		})
		.collect()
}

/// 127.0.0.0/8, `::1`, or 127.0.0.0/8 mapped into IPv6.
pub fn is_loopback(ip: IpAddr) -> bool {
	match ip {
		IpAddr::V4(v4) => v4.is_loopback(),
		IpAddr::V6(v6) => {
			v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
		},
	}
}

/// The IPv4 form of an address (mapped ones unmapped).
pub fn unmapped(ip: IpAddr) -> IpAddr {
	match ip {
		IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
		v4 => v4,
	}
}

/// Every TCP socket of the network namespace process `pid` is in.
pub fn sockets_of(pid: u32) -> Result<Vec<TcpSocket>, String> {
	let mut all = Vec::new();
	for file in ["tcp", "tcp6"] {
		let path = format!("/proc/{pid}/net/{file}");
		all.extend(parse_proc_net_tcp(
			&std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?,
		));
	}
	Ok(all)
}

/// Routes in `ip -o -4 route show table all` whose destination overlaps 10.250.0.0/24.
pub fn overlapping_routes(text: &str) -> Vec<String> {
	const TYPES: &[&str] = &[
		"unicast",
		"local",
		"broadcast",
		"multicast",
		"blackhole",
		"unreachable",
		"prohibit",
		"throw",
		"anycast",
		"nat",
	];
	let subnet = u32::from(Ipv4Addr::new(10, 250, 0, 0));
	text.lines()
		.filter(|line| {
			let mut tokens = line.split_whitespace();
			let Some(mut dest) = tokens.next() else { return false };
			if TYPES.contains(&dest) {
				let Some(next) = tokens.next() else { return false };
				dest = next;
			}
			let (ip, len) = dest.split_once('/').unwrap_or((dest, "32"));
			let (Ok(ip), Ok(len)) = (ip.parse::<Ipv4Addr>(), len.parse::<u32>()) else {
				return false;
			};
			let shared = len.min(24);
			let mask = if shared == 0 { 0 } else { u32::MAX << (32 - shared) };
			len <= 32 && (u32::from(ip) & mask) == (subnet & mask)
		})
		.map(str::to_string)
		.collect()
}

/// The status code of an HTTP response's first line.
pub fn status_code(head: &str) -> Option<u16> {
	let mut parts = head.lines().next()?.split_whitespace();
	parts.next().filter(|v| v.starts_with("HTTP/1."))?;
	parts.next()?.parse().ok()
}

/// `GET path` at `addr`: its status code.
pub fn http_get(addr: SocketAddr, path: &str, timeout: Duration) -> Result<u16, String> {
	let mut stream =
		TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{addr}: {e}"))?;
	stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
	stream.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
	write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
		.map_err(|e| format!("{addr}{path}: {e}"))?;
	let mut head = Vec::new();
	let mut buf = [0u8; 1024];
	while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 64 * 1024 {
		let n = stream.read(&mut buf).map_err(|e| format!("{addr}{path}: {e}"))?;
		if n == 0 {
			break;
		}
		head.extend_from_slice(&buf[..n]);
	}
	status_code(&String::from_utf8_lossy(&head))
		.ok_or_else(|| format!("{addr}{path}: not an HTTP answer"))
}

#[cfg(test)]
mod tests {
	use super::{super::sample::objects, *};
	use std::net::Ipv6Addr;

	#[test]
	fn interface_names_fit_linux_and_namespaces_name_their_run() {
		for pid in [1, 99_999, 100_000, 4_194_304] {
			assert!(valid_interface_name(&bridge_name(pid)), "{}", bridge_name(pid));
			for k in [0, 9, MAX_PODS - 1] {
				let veth = veth_name(pid, k);
				assert!(valid_interface_name(&veth), "{veth} is {} characters", veth.len());
			}
		}
		assert_eq!(veth_name(4_194_304, 239), "ph94304-239");
		assert!(!valid_interface_name("a-name-of-16-chr"));
		assert!(!valid_interface_name(""));
		assert_eq!(bridge_name(123_456), "plxh23456");
		let ns = netns_name(4321, "alpha-producer-1");
		assert_eq!(ns, "plxh4321-alpha-producer-1");
		assert_eq!(owner_pid(&ns), Some(4321));
		assert_eq!(owner_pid("plxh4321"), None);
		assert_eq!(owner_pid("plxh4321-"), None);
		assert_eq!(owner_pid("other-4321-x"), None);
		assert_eq!(pod_ip(0), Ipv4Addr::new(10, 250, 0, 10));
		assert_eq!(pod_ip(MAX_PODS - 1), Ipv4Addr::new(10, 250, 0, 249));
	}

	#[test]
	fn hosts_files_give_service_names_and_nothing_else_resolves() {
		let records = vec![
			(Ipv4Addr::new(10, 250, 0, 10), "alpha-producer-1".to_string(), "alpha".to_string()),
			(Ipv4Addr::new(10, 250, 0, 13), "beta-producer-1".to_string(), "beta".to_string()),
		];
		let text =
			hosts_file("plexus", (Ipv4Addr::new(10, 250, 0, 17), "relay-alpha-beta-0"), &records);
		assert_eq!(
			text,
			"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
			 10.250.0.17\trelay-alpha-beta-0\n\
			 10.250.0.10\talpha-producer-1.alpha alpha-producer-1.alpha.plexus alpha-producer-1.alpha.plexus.svc alpha-producer-1.alpha.plexus.svc.cluster.local\n\
			 10.250.0.13\tbeta-producer-1.beta beta-producer-1.beta.plexus beta-producer-1.beta.plexus.svc beta-producer-1.beta.plexus.svc.cluster.local\n"
		);
		assert_eq!(
			resolv_conf("plexus"),
			"nameserver 10.250.0.1\nsearch plexus.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n"
		);
	}

	#[test]
	fn proc_net_tcp_is_read_in_both_families() {
		// Lines as the kernel writes them on a little-endian host.
		let v4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:767D 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 1 1 0 100 0 0 10 0
   1: 0100007F:26D9 00000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 2 1 0 100 0 0 10 0
   2: 0B00FA0A:767D 0C00FA0A:A8C2 01 00000000:00000000 00:00000000 00000000 10001        0 3 1 0 20 4 30 10 -1
   3: 0100007F:D431 0100007F:76DD 01 00000000:00000000 00:00000000 00000000 10001        0 4 1 0 20 4 30 10 -1
";
		let v6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000B00FA0A:76DD 0000000000000000FFFF00000D00FA0A:9C40 01 00000000:00000000 00:00000000 00000000 10001 0 5 1
   1: 00000000000000000000000001000000:76DD 00000000000000000000000001000000:B000 01 00000000:00000000 00:00000000 00000000 10001 0 6 1
";
		let sockets = parse_proc_net_tcp(v4);
		assert_eq!(sockets.len(), 4);
		assert_eq!(
			sockets[2],
			TcpSocket {
				local: "10.250.0.11:30333".parse().unwrap(),
				remote: "10.250.0.12:43202".parse().unwrap(),
				state: ESTABLISHED,
			}
		);
		assert_eq!(sockets[0].local, "0.0.0.0:30333".parse().unwrap());
		assert_eq!(sockets[0].state, LISTEN);
		assert_eq!(sockets[1].local, "127.0.0.1:9945".parse().unwrap());
		assert!(is_loopback(sockets[3].remote.ip()));
		assert!(!is_loopback(sockets[2].remote.ip()));
		let sockets = parse_proc_net_tcp(v6);
		assert_eq!(sockets.len(), 2);
		let mapped: Ipv6Addr = "::ffff:10.250.0.13".parse().unwrap();
		assert_eq!(sockets[0].remote, SocketAddr::new(mapped.into(), 40000));
		assert_eq!(unmapped(sockets[0].remote.ip()), IpAddr::V4(Ipv4Addr::new(10, 250, 0, 13)));
		assert_eq!(sockets[1].remote.ip(), IpAddr::V6(Ipv6Addr::LOCALHOST));
		assert!(is_loopback(sockets[1].remote.ip()));
		assert!(is_loopback("::ffff:127.0.0.2".parse().unwrap()));
		assert!(!is_loopback(mapped.into()));
		assert!(parse_proc_net_tcp("header\n   0: nonsense\n").is_empty());
	}

	#[test]
	fn routes_overlapping_the_pods_subnet_are_found() {
		let text = "default via 192.0.2.1 dev eth0
192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
10.0.0.0/8 via 192.0.2.1 dev eth0
10.250.0.128/25 dev x0
local 10.250.0.1 dev plxh1 table local proto kernel scope host src 10.250.0.1
10.251.0.0/24 dev y0
local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
";
		assert_eq!(
			overlapping_routes(text),
			vec![
				"10.0.0.0/8 via 192.0.2.1 dev eth0",
				"10.250.0.128/25 dev x0",
				"local 10.250.0.1 dev plxh1 table local proto kernel scope host src 10.250.0.1",
			]
		);
	}

	/// A query as a stub resolver sends it, with an EDNS record after the question.
	fn query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
		let mut q = id.to_be_bytes().to_vec();
		q.extend([0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]);
		for label in name.split('.') {
			q.push(label.len() as u8);
			q.extend(label.as_bytes());
		}
		q.extend([0, 0, qtype as u8, 0, 1]);
		q.extend([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]);
		q
	}

	#[test]
	fn cluster_dns_answers_its_names_and_nothing_else() {
		let cluster = Cluster::from_objects(Some("plexus"), &objects()).unwrap();
		let records = dns_records(&cluster);
		let (p1, p2) = (pod_ip(0), pod_ip(1));
		assert_eq!(records["alpha-producer-2.alpha.plexus.svc.cluster.local"], vec![p2]);
		assert_eq!(records["alpha.plexus.svc.cluster.local"], vec![p1, p2]);
		assert_eq!(records.len(), 3);

		let name = "Alpha-Producer-2.alpha.plexus.svc.cluster.local";
		let q = query(0xbeef, name, 1);
		let a = dns_answer(&q, &records).unwrap();
		let question_end = 12 + name.len() + 2 + 4;
		// Same id, a response with recursion desired and available, NOERROR, one answer.
		assert_eq!(a[..12], [0xbe, 0xef, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
		assert_eq!(a[12..question_end], q[12..question_end]);
		assert_eq!(a[question_end..], [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 250, 0, 11]);
		// AAAA of a known name: NOERROR, nothing; the Service: every pod.
		let a = dns_answer(&query(7, name, 28), &records).unwrap();
		assert_eq!((a[3] & 0x0F, a[7]), (0, 0));
		let a = dns_answer(&query(7, "alpha.plexus.svc.cluster.local", 1), &records).unwrap();
		assert_eq!(a[7], 2);
		// Names a cluster does not hold, even short forms the search list completes: NXDOMAIN.
		for other in ["alpha-producer-2.alpha", "example.com", "plexus.svc.cluster.local"] {
			let a = dns_answer(&query(7, other, 1), &records).unwrap();
			assert_eq!((a[3] & 0x0F, a[7]), (3, 0), "{other}");
		}
		// Responses, other opcodes and cut queries get nothing.
		let mut response = query(7, name, 1);
		response[2] |= 0x80;
		assert_eq!(dns_answer(&response, &records), None);
		let mut notify = query(7, name, 1);
		notify[2] |= 4 << 3;
		assert_eq!(dns_answer(&notify, &records), None);
		assert_eq!(dns_answer(&q[..20], &records), None);
	}

	#[test]
	fn http_status_lines_are_read() {
		assert_eq!(status_code("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n"), Some(200));
		assert_eq!(status_code("HTTP/1.0 500 Internal Server Error\r\n"), Some(500));
		assert_eq!(status_code("SSH-2.0-OpenSSH\r\n"), None);
		assert_eq!(status_code(""), None);
	}
}
