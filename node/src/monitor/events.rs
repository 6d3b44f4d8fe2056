//! What a runtime event tells an operator, without who did it.
//!
//! [`classify`] is the one door from [`RuntimeEvent`] to metrics and the dashboard. Accounts,
//! payloads, fees, record ids and commitments stay behind it: an [`Observation`] holds ids that
//! the ledger assigns (message and transaction sequences, request numbers), network addresses,
//! lane nonces, and outcomes and reason codes taken from fixed enums, so every metric label is
//! bounded and nothing personal reaches a label, a snapshot or a log line.

use plexus_primitives::{
	data_protection::{Decision, LegalBasis},
	envelope::{MessageId, NetworkAddress, Outcome, Service, Timeout},
	transaction::{AbortReason, TxId},
};
use plexus_runtime::RuntimeEvent;

/// One step of a routed message, as the network that saw it records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
	Sent,
	Forwarded,
	Executed,
	AckQueued,
	AckStalled,
	Acknowledged,
	TimedOut,
	ForwardTimedOut,
	AckIgnored,
	Unroutable,
}

impl Step {
	/// The camelCase name the dashboard's JSON uses.
	pub fn name(self) -> &'static str {
		match self {
			Step::Sent => "sent",
			Step::Forwarded => "forwarded",
			Step::Executed => "executed",
			Step::AckQueued => "ackQueued",
			Step::AckStalled => "ackStalled",
			Step::Acknowledged => "acknowledged",
			Step::TimedOut => "timedOut",
			Step::ForwardTimedOut => "forwardTimedOut",
			Step::AckIgnored => "ackIgnored",
			Step::Unroutable => "unroutable",
		}
	}
}

/// How a request ended, with the failure's variant (never its details) when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
	Ok,
	Err(&'static str),
	TimedOut,
}

impl Settled {
	pub fn from_outcome(outcome: &Outcome) -> Self {
		match outcome {
			Outcome::Ok(_) => Settled::Ok,
			Outcome::Err(failure) => Settled::Err(variant(failure)),
			Outcome::TimedOut => Settled::TimedOut,
		}
	}

	pub fn label(self) -> &'static str {
		match self {
			Settled::Ok => "ok",
			Settled::Err(_) => "err",
			Settled::TimedOut => "timed_out",
		}
	}
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageStep {
	pub id: MessageId,
	pub step: Step,
	pub next_hop: Option<NetworkAddress>,
	pub destination: Option<NetworkAddress>,
	pub service: Option<Service>,
	pub settled: Option<Settled>,
	pub lane_nonce: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxStep {
	Prepared,
	Committed,
	Aborted,
	Applied,
	Sealed,
	Forgotten,
}

impl TxStep {
	pub fn label(self) -> &'static str {
		match self {
			TxStep::Prepared => "prepared",
			TxStep::Committed => "committed",
			TxStep::Aborted => "aborted",
			TxStep::Applied => "applied",
			TxStep::Sealed => "sealed",
			TxStep::Forgotten => "forgotten",
		}
	}
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxEvent {
	pub tx: TxId,
	pub step: TxStep,
	/// The network that applies it (on `Prepared`).
	pub target: Option<NetworkAddress>,
	/// The deadline's timestamp, Unix ms (on `Prepared`).
	pub deadline: Option<u64>,
	/// Why it aborted (on `Aborted`): `refused` or `timed_out`.
	pub abort: Option<&'static str>,
}

/// An access decision: the request's number and what was decided on which ground.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessDecision {
	pub request: u64,
	pub approved: bool,
	/// The rejection's reason code, snake_case (`no_consent`).
	pub reason: Option<&'static str>,
	/// The approval's legal basis, snake_case (`legitimate_interests`).
	pub basis: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasureStage {
	Requested,
	Attested,
	Erased,
}

impl ErasureStage {
	pub fn label(self) -> &'static str {
		match self {
			ErasureStage::Requested => "requested",
			ErasureStage::Attested => "attested",
			ErasureStage::Erased => "erased",
		}
	}
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
	Message(MessageStep),
	/// A delivered packet dropped without an answer, by [`pallet_event_router::Rejection`]
	/// variant.
	PacketRejected(&'static str),
	Transaction(TxEvent),
	/// An access request waits for its subject or controller to decide.
	AccessPending,
	Decision(AccessDecision),
	Erasure(ErasureStage),
}

/// The variant name of a fieldless-or-not enum value, from its `Debug` form: `Module { .. }`
/// gives `Module`. Bounded by the enum, so safe as a label; leaked once per distinct name.
fn variant(value: &impl core::fmt::Debug) -> &'static str {
	let text = format!("{value:?}");
	let name = text.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
	intern(&snake_case(name))
}

/// `RefusedByController` or `ackQueued` as `refused_by_controller` or `ack_queued`.
pub(crate) fn snake_case(name: &str) -> String {
	let mut out = String::with_capacity(name.len() + 4);
	for (i, c) in name.chars().enumerate() {
		if c.is_ascii_uppercase() {
			if i > 0 {
				out.push('_');
			}
			out.push(c.to_ascii_lowercase());
		} else {
			out.push(c);
		}
	}
	out
}

/// A `&'static str` for a label taken from an enum's variant names: a small fixed set, so the
/// leak is bounded.
fn intern(name: &str) -> &'static str {
	use std::{collections::BTreeSet, sync::Mutex};
	static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
	let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
	if let Some(found) = names.get(name) {
		return found;
	}
	let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
	names.insert(leaked);
	leaked
}

fn message(id: &MessageId, step: Step) -> MessageStep {
	MessageStep {
		id: *id,
		step,
		next_hop: None,
		destination: None,
		service: None,
		settled: None,
		lane_nonce: None,
	}
}

fn deadline(timeout: &Timeout) -> Option<u64> {
	timeout.timestamp
}

pub fn basis_name(basis: &LegalBasis) -> &'static str {
	variant(basis)
}

/// What `event` tells an operator, or `None` for events that no metric or view uses.
pub fn classify(event: &RuntimeEvent) -> Option<Observation> {
	use pallet_data_protection::Event as Dp;
	use pallet_event_router::Event as Router;
	use pallet_resource_manager::Event as Rm;
	Some(match event {
		RuntimeEvent::EventRouter(e) => match e {
			Router::Sent { id, destination, service, next_hop, lane_nonce, .. } => {
				Observation::Message(MessageStep {
					next_hop: Some(*next_hop),
					destination: Some(*destination),
					service: Some(*service),
					lane_nonce: Some(*lane_nonce),
					..message(id, Step::Sent)
				})
			},
			Router::Forwarded { id, next_hop, lane_nonce } => Observation::Message(MessageStep {
				next_hop: Some(*next_hop),
				lane_nonce: Some(*lane_nonce),
				..message(id, Step::Forwarded)
			}),
			Router::Executed { id, service, outcome } => Observation::Message(MessageStep {
				service: Some(*service),
				settled: Some(Settled::from_outcome(outcome)),
				..message(id, Step::Executed)
			}),
			Router::AckQueued { id, next_hop } => Observation::Message(MessageStep {
				next_hop: Some(*next_hop),
				..message(id, Step::AckQueued)
			}),
			Router::AckStalled { id } => Observation::Message(message(id, Step::AckStalled)),
			Router::Acknowledged { id, outcome, .. } => Observation::Message(MessageStep {
				settled: Some(Settled::from_outcome(outcome)),
				..message(id, Step::Acknowledged)
			}),
			Router::TimedOut { id, .. } => Observation::Message(message(id, Step::TimedOut)),
			Router::ForwardTimedOut { id } => {
				Observation::Message(message(id, Step::ForwardTimedOut))
			},
			Router::AckIgnored { id } => Observation::Message(message(id, Step::AckIgnored)),
			Router::Unroutable { id, destination } => Observation::Message(MessageStep {
				destination: Some(*destination),
				..message(id, Step::Unroutable)
			}),
			Router::PacketRejected { reason, .. } => Observation::PacketRejected(variant(reason)),
			_ => return None,
		},
		RuntimeEvent::ResourceManager(e) => {
			let tx = |tx: &TxId, step| TxEvent {
				tx: *tx,
				step,
				target: None,
				deadline: None,
				abort: None,
			};
			Observation::Transaction(match e {
				Rm::Prepared { tx: id, target, deadline: d, .. } => TxEvent {
					target: Some(*target),
					deadline: deadline(d),
					..tx(id, TxStep::Prepared)
				},
				Rm::Committed { tx: id, .. } => tx(id, TxStep::Committed),
				Rm::Aborted { tx: id, reason, .. } => TxEvent {
					abort: Some(match reason {
						AbortReason::Refused(_) => "refused",
						AbortReason::TimedOut => "timed_out",
					}),
					..tx(id, TxStep::Aborted)
				},
				Rm::Applied { tx: id, .. } => tx(id, TxStep::Applied),
				Rm::Sealed { tx: id, .. } => tx(id, TxStep::Sealed),
				Rm::Forgotten { tx: id } => tx(id, TxStep::Forgotten),
				_ => return None,
			})
		},
		RuntimeEvent::DataProtection(e) => match e {
			Dp::AccessPending { .. } => Observation::AccessPending,
			Dp::AccessDecided { request, decision, .. } => Observation::Decision(match decision {
				Decision::Approved { basis, .. } => AccessDecision {
					request: *request,
					approved: true,
					reason: None,
					basis: Some(basis_name(basis)),
				},
				Decision::Rejected(reason) => AccessDecision {
					request: *request,
					approved: false,
					reason: Some(variant(reason)),
					basis: None,
				},
			}),
			Dp::ErasureRequested { .. } => Observation::Erasure(ErasureStage::Requested),
			Dp::ErasureAttested { .. } => Observation::Erasure(ErasureStage::Attested),
			Dp::RecordErased { .. } => Observation::Erasure(ErasureStage::Erased),
			_ => return None,
		},
		_ => return None,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use plexus_primitives::{
		data_protection::{Approver, Reason},
		envelope::Failure,
	};
	use sp_keyring::Sr25519Keyring;

	const ALPHA: NetworkAddress = [1; 32];
	const BETA: NetworkAddress = [2; 32];

	fn id(sequence: u64) -> MessageId {
		MessageId { origin: ALPHA, sequence }
	}

	#[test]
	fn router_events_become_message_steps_without_their_sender_or_fee() {
		let sent = RuntimeEvent::EventRouter(pallet_event_router::Event::Sent {
			id: id(7),
			sender: Sr25519Keyring::Alice.to_account_id(),
			destination: BETA,
			service: Service::Xcm,
			next_hop: BETA,
			lane_nonce: 3,
			fee: 1_000,
		});
		let Some(Observation::Message(step)) = classify(&sent) else { panic!("a message step") };
		assert_eq!(step.id, id(7));
		assert_eq!(step.step, Step::Sent);
		assert_eq!((step.next_hop, step.destination), (Some(BETA), Some(BETA)));
		assert_eq!((step.service, step.lane_nonce), (Some(Service::Xcm), Some(3)));
		// Nothing of Alice survives classification.
		let alice = Sr25519Keyring::Alice.to_account_id();
		let text = format!("{step:?}");
		assert!(!text.contains(&format!("{alice}")), "{text}");
		assert!(!text.contains(&format!("{alice:?}")), "{text}");

		let failed = RuntimeEvent::EventRouter(pallet_event_router::Event::Acknowledged {
			id: id(7),
			outcome: Outcome::Err(Failure::Module { index: 9, error: [1, 0, 0, 0] }),
			fee_earned: 0,
			refunded: 1_000,
		});
		let Some(Observation::Message(step)) = classify(&failed) else { panic!("a message step") };
		assert_eq!(step.step, Step::Acknowledged);
		assert_eq!(step.settled, Some(Settled::Err("module")), "a module error's details fold");
		assert_eq!(Settled::Err("module").label(), "err");
	}

	#[test]
	fn rejections_and_decisions_carry_reason_codes_only() {
		let rejected = RuntimeEvent::EventRouter(pallet_event_router::Event::PacketRejected {
			from: Some(BETA),
			reason: pallet_event_router::Rejection::UntrustedAuthor,
		});
		assert_eq!(classify(&rejected), Some(Observation::PacketRejected("untrusted_author")));

		let bob = Sr25519Keyring::Bob.to_account_id();
		let decided = |decision| {
			classify(&RuntimeEvent::DataProtection(pallet_data_protection::Event::AccessDecided {
				request: 12,
				record: 99,
				requester: bob.clone(),
				decision,
			}))
		};
		assert_eq!(
			decided(Decision::Rejected(Reason::NoConsent)),
			Some(Observation::Decision(AccessDecision {
				request: 12,
				approved: false,
				reason: Some("no_consent"),
				basis: None
			}))
		);
		let approved = decided(Decision::Approved {
			basis: LegalBasis::LegitimateInterests,
			approver: Approver::Controller,
			expires_at: 5,
		});
		let Some(Observation::Decision(d)) = approved else { panic!("a decision") };
		assert!(d.approved);
		assert_eq!(d.basis, Some("legitimate_interests"));
		// The record id (99) is not kept.
		assert!(!format!("{d:?}").contains("99"));
	}

	#[test]
	fn transactions_keep_their_id_target_and_deadline() {
		let tx = TxId { coordinator: ALPHA, sequence: 4 };
		let prepared = RuntimeEvent::ResourceManager(pallet_resource_manager::Event::Prepared {
			tx,
			initiator: Sr25519Keyring::Alice.to_account_id(),
			target: BETA,
			message: id(8),
			deadline: Timeout { height: None, timestamp: Some(1_000) },
			outcome_hash: [0; 32],
			held: 5,
		});
		assert_eq!(
			classify(&prepared),
			Some(Observation::Transaction(TxEvent {
				tx,
				step: TxStep::Prepared,
				target: Some(BETA),
				deadline: Some(1_000),
				abort: None
			}))
		);
		let aborted = RuntimeEvent::ResourceManager(pallet_resource_manager::Event::Aborted {
			tx,
			reason: AbortReason::TimedOut,
			released: 5,
		});
		let Some(Observation::Transaction(e)) = classify(&aborted) else { panic!("a tx") };
		assert_eq!((e.step, e.abort), (TxStep::Aborted, Some("timed_out")));
	}

	#[test]
	fn other_events_are_not_observed() {
		let transfer = RuntimeEvent::Balances(pallet_balances::Event::Transfer {
			from: Sr25519Keyring::Alice.to_account_id(),
			to: Sr25519Keyring::Bob.to_account_id(),
			amount: 1,
		});
		assert_eq!(classify(&transfer), None);
		assert_eq!(snake_case("RefusedByController"), "refused_by_controller");
		assert!(std::ptr::eq(intern("x_y"), intern("x_y")), "interned once");
	}
}
