//! Writes the seed corpus: a handful of valid and edge inputs per target, as `seed-*` files under
//! `fuzz/corpus/<target>/` (fuzzing runs add theirs beside them). Run it after changing a format
//! the seeds encode: `cargo test -p plexus-fuzz --test seeds -- --ignored`.

use bp_messages::{InboundLaneData, OutboundLaneData};
use codec::Encode;
use frame_support::weights::Weight;
use plexus_primitives::{
	contract::{ContractCall, ContractRequest, Limits},
	data_protection::AccessRequest,
	envelope::{Acknowledgement, MessageId, Outcome, Packet, Timeout},
	transaction::{Action, CommitRequest, TxId},
};
use plexus_runtime::{AccountId, Header};
use sp_runtime::traits::Header as _;
use std::path::Path;

/// Where the routed requests of `payload_decoders` come from (its `ORIGIN_NETWORK`).
const ORIGIN_NETWORK: [u8; 32] = [0x22; 32];

fn write(target: &str, name: &str, bytes: &[u8]) {
	let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
	std::fs::create_dir_all(&dir).unwrap();
	std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
}

/// Deterministic bytes (xorshift): structure-driven targets read any bytes as steps.
fn noise(seed: u64, len: usize) -> Vec<u8> {
	let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
	(0..len)
		.map(|_| {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			x as u8
		})
		.collect()
}

fn with(selector: u8, payload: impl Encode) -> Vec<u8> {
	[vec![selector], payload.encode()].concat()
}

#[test]
#[ignore = "writes the seed corpus"]
fn write_seeds() {
	for (i, len) in [16, 64, 128, 256, 512, 1024].into_iter().enumerate() {
		write("router_receive", &format!("noise-{len}"), &noise(i as u64 + 1, len));
		write("timeout_proof", &format!("noise-{len}"), &noise(i as u64 + 100, len));
	}
	write("router_receive", "zeros", &[0; 64]);
	write("router_receive", "ones", &[0xff; 64]);
	write("timeout_proof", "zeros", &[0; 64]);
	write("timeout_proof", "empty", &[]);
	for (i, len) in [8, 32, 128].into_iter().enumerate() {
		write("vault_rows", &format!("noise-{len}"), &noise(i as u64 + 200, len));
	}
	write("vault_rows", "zeros", &[0; 32]);

	// payload_decoders: the selector's bits 0-1 are the service, bits 2-3 the weight limit.
	let remark = plexus_runtime::xcm_config::remark_program(b"seed");
	write("payload_decoders", "xcm-remark", &[&[0b1000][..], &remark].concat());
	write("payload_decoders", "xcm-remark-no-weight", &[&[0][..], &remark].concat());
	let limits = Limits { weight: Weight::from_parts(1_000_000_000, 64 * 1024), deposit: 0 };
	let call = ContractRequest {
		call: ContractCall::Call { contract: [7; 20], input: vec![1, 2, 3, 4], value: 0, limits },
		commit: None,
	};
	write("payload_decoders", "contract-call", &with(0b1001, call));
	let deploy = ContractRequest {
		call: ContractCall::Instantiate {
			code: vec![0x60, 0x00, 0x60, 0x00, 0xf3],
			data: vec![],
			salt: Some([1; 32]),
			value: 0,
			limits,
		},
		commit: None,
	};
	write("payload_decoders", "contract-instantiate", &with(0b1001, deploy));
	let commit = |action| CommitRequest::<AccountId> {
		tx: TxId { coordinator: ORIGIN_NETWORK, sequence: 0 },
		action,
		deadline: Timeout { height: None, timestamp: Some(u64::MAX) },
		outcome_hash: [0; 32],
	};
	let record = Action::Record { key: b"key".to_vec(), value: b"value".to_vec() };
	write("payload_decoders", "commit-record", &with(0b1010, commit(record)));
	let transfer = Action::Transfer { to: AccountId::from([3; 32]), amount: 1 };
	write("payload_decoders", "commit-transfer", &with(0b1010, commit(transfer)));
	let access = AccessRequest { record: 0, purpose: b"research".to_vec().try_into().unwrap() };
	write("payload_decoders", "access", &with(0b1011, access));
	write("payload_decoders", "deep", &[&[0b1000][..], &[4u8; 300][..]].concat());
	write("payload_decoders", "empty", &[]);

	let default = include_str!("../../chain-specs/default.toml");
	write("topology_parse", "default", default.as_bytes());
	let line =
		"[[network]]\nname = \"a\"\nid = 1\nproducers = 1\n[[network]]\nname = \"b\"\nid = 2\n\
	            producers = 2\nconsumers = 1\nblock_time_ms = 6000\n[[network]]\nname = \"c\"\n\
	            id = 3\nproducers = 1\n[[bridge]]\nbetween = [\"a\", \"b\"]\n[[bridge]]\n\
	            between = [\"b\", \"c\"]\n";
	write("topology_parse", "line", line.as_bytes());
	write("topology_parse", "not-toml", b"[[network]\nname = ");
	// Compact: byte 0, the number of networks, then bridges as nibble pairs. K5 (no slots), and
	// a ring of 16 networks.
	let k5: Vec<u8> = (0..5u8).flat_map(|a| (a + 1..5).map(move |b| a << 4 | b)).collect();
	write("topology_parse", "k5", &[&[0, 5][..], &k5].concat());
	let ring: Vec<u8> = (0..16u8).flat_map(|a| [a << 4 | ((a + 1) % 16), 0]).collect();
	write("topology_parse", "ring", &[&[0, 16][..], &ring].concat());

	// relay_answers: the first byte says what answer follows.
	let ack = Packet::<AccountId>::Ack(Acknowledgement {
		id: MessageId { origin: [1; 32], sequence: 0 },
		responder: [2; 32],
		outcome: Outcome::TimedOut,
	});
	write("relay_answers", "stored-packet", &with(0, ack.encode().encode()));
	let header = Header::new(
		7,
		Default::default(),
		Default::default(),
		Default::default(),
		Default::default(),
	);
	let justification = bp_test_utils::make_default_justification(&header);
	let hex = format!("0x{}", hex::encode(justification.encode()));
	write("relay_answers", "justification", &[&[1][..], hex.as_bytes()].concat());
	write("relay_answers", "outbound-lane", &with(2, OutboundLaneData::opened()));
	write("relay_answers", "inbound-lane", &with(2, InboundLaneData::<AccountId>::opened()));
	let json = serde_json::to_vec(&header).unwrap();
	write("relay_answers", "header-json", &[&[3][..], &json].concat());
	let status = br#"{"status":"received","outcome":{"err":"unroutable"},"ackQueued":true}"#;
	write("relay_answers", "status-json", &[&[3][..], &status[..]].concat());
}
