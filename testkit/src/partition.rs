//! Cutting a launched network in two on this machine, for chaos tests: new TCP connections to
//! the network's p2p ports are dropped (an nftables table of this process), and the open
//! connections between the two groups are closed (`ss -K`). Connections within a group stay, so
//! each side goes on as a network of its own. Healing removes the table and the nodes dial each
//! other again. Needs root, `nft` (Debian's nftables) and `ss` (iproute2); only loopback is
//! touched.

use crate::tool::run;

pub struct Partition {
	table: String,
	healed: bool,
}

/// An established TCP connection on loopback and the process that holds its local end.
#[derive(Debug, PartialEq)]
struct Socket {
	local: u16,
	peer: u16,
	pid: u32,
}

/// `ss -tnpH state established` lines, e.g.
/// `0 0 127.0.0.1:40674 127.0.0.1:52999 users:(("plexus-node",pid=123,fd=40))`.
fn parse_sockets(text: &str) -> Vec<Socket> {
	let port = |addr: &str| addr.rsplit(':').next()?.parse().ok();
	text.lines()
		.filter_map(|line| {
			let fields: Vec<&str> = line.split_whitespace().collect();
			let (local, peer) = (port(fields.get(2)?)?, port(fields.get(3)?)?);
			let users = fields.get(4)?;
			let pid = users.split("pid=").nth(1)?.split([',', ')']).next()?.parse().ok()?;
			Some(Socket { local, peer, pid })
		})
		.collect()
}

/// The connections whose two ends are held one by a process of `a` and one by a process of `b`,
/// as (local port, peer port) of the `a` side.
fn crossing(sockets: &[Socket], a: &[u32], b: &[u32]) -> Vec<(u16, u16)> {
	let owner = |port: u16| sockets.iter().find(|s| s.local == port).map(|s| s.pid);
	sockets
		.iter()
		.filter(|s| a.contains(&s.pid) && owner(s.peer).is_some_and(|p| b.contains(&p)))
		.map(|s| (s.local, s.peer))
		.collect()
}

impl Partition {
	/// Drops new connections to `p2p_ports` and closes those between the processes `a` and `b`.
	/// Returns how many connections were closed with it.
	pub fn cut(p2p_ports: &[u16], a: &[u32], b: &[u32]) -> Result<(Self, usize), String> {
		let table = format!("plexus_chaos_{}", std::process::id());
		run("nft", &["add", "table", "inet", &table])?;
		let partition = Self { table, healed: false };
		let hook = "{ type filter hook input priority 0; policy accept; }";
		run("nft", &["add", "chain", "inet", &partition.table, "input", hook])?;
		let ports: Vec<String> = p2p_ports.iter().map(u16::to_string).collect();
		let rule = format!(
			"add rule inet {} input ip daddr 127.0.0.1 tcp dport {{ {} }} tcp flags & (syn | ack) == syn drop",
			partition.table,
			ports.join(", ")
		);
		run("nft", &rule.split(' ').collect::<Vec<_>>())?;
		let sockets = parse_sockets(&run("ss", &["-tnpH", "state", "established"])?);
		let mut closed = 0;
		for (local, peer) in crossing(&sockets, a, b).into_iter().chain(crossing(&sockets, b, a)) {
			let (src, dst) = (format!("127.0.0.1:{local}"), format!("127.0.0.1:{peer}"));
			run("ss", &["-K", "src", &src, "dst", &dst])?;
			closed += 1;
		}
		Ok((partition, closed))
	}

	pub fn heal(mut self) -> Result<(), String> {
		self.healed = true;
		run("nft", &["delete", "table", "inet", &self.table]).map(|_| ())
	}
}

impl Drop for Partition {
	fn drop(&mut self) {
		if !self.healed {
			let _ = run("nft", &["delete", "table", "inet", &self.table]);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn sockets_are_read_from_ss_and_only_crossing_ones_are_picked() {
		let text = "\
0 0 127.0.0.1:40001 127.0.0.1:50001 users:((\"plexus-node\",pid=10,fd=40))
0 0 127.0.0.1:50001 127.0.0.1:40001 users:((\"plexus-node\",pid=20,fd=41))
0 0 127.0.0.1:40002 127.0.0.1:60001 users:((\"plexus-node\",pid=10,fd=42))
0 0 127.0.0.1:60001 127.0.0.1:40002 users:((\"plexus-node\",pid=11,fd=43))
0 0 127.0.0.1:22 10.0.0.5:50000 users:((\"sshd\",pid=1,fd=3))
garbage";
		let sockets = parse_sockets(text);
		assert_eq!(sockets.len(), 5);
		assert_eq!(sockets[0], Socket { local: 40001, peer: 50001, pid: 10 });
		// 10 and 11 on one side, 20 on the other: only the 10–20 connection crosses.
		assert_eq!(crossing(&sockets, &[10, 11], &[20]), vec![(40001, 50001)]);
		assert_eq!(crossing(&sockets, &[20], &[10, 11]), vec![(50001, 40001)]);
		assert!(crossing(&sockets, &[10], &[11, 1]).contains(&(40002, 60001)));
	}
}
