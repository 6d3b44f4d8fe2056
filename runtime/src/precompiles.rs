//! Plexus services for Solidity contracts: pallet-revive precompiles at fixed addresses, called
//! like any contract (interfaces in contracts/src/IPlexus.sol). Each acts as the calling contract:
//! the contract's own account sends the request or opens the transaction, and pays its fees.
//!
//! | address | interface | functions |
//! |---|---|---|
//! | `0x000000000000000000000000000000000A010000` | `IEventRouter` | `sendRequest`, `messageStatus` |
//! | `0x000000000000000000000000000000000A020000` | `IResourceManager` | `commitRecord`, `transactionState` |
//! | `0x000000000000000000000000000000000A030000` | `IDataProtection` | `requestAccess`, `approval` |
//!
//! A failure of the pallet (no route, fee not covered, bad deadline, …) reverts the call with the
//! error's name, so Solidity's `try`/`catch` sees it; state changes are not allowed in a static
//! call.

use crate::{DataProtection, EventRouter, ResourceManager, Runtime};
use alloc::vec::Vec;
use codec::Decode;
use core::num::NonZero;
use frame_support::{traits::Get, weights::Weight};
use pallet_data_protection::{AccessRequest, Decision, RequestState};
use pallet_event_router::{MessageId, MessageStatus, Outcome, RequestSender, Service, Timeout};
use pallet_resource_manager::{Action, Coordinator, TxState, WeightInfo as _};
use pallet_revive::precompiles::{
	alloy::{self, sol_types::SolValue},
	AddressMatcher, Error, Ext, Precompile,
};
use sp_runtime::DispatchError;

alloy::sol! {
	interface IEventRouter {
		/// Sends `payload` for `service` (0 Xcm, 1 Contract, 2 DataProtection, 3 Transaction) to
		/// the network whose genesis hash is `destination`, due by `timeoutMs` (Unix ms).
		function sendRequest(bytes32 destination, uint8 service, bytes payload, uint64 refTime, uint64 proofSize, uint64 timeoutMs) external returns (uint64 sequence);
		/// 0 unknown, 1 awaiting its acknowledgement, 2 settled Ok, 3 settled Err, 4 timed out.
		function messageStatus(uint64 sequence) external view returns (uint8 status);
	}

	interface IResourceManager {
		/// Opens a transaction that writes `value` under `key` on `target` before `deadlineMs`.
		function commitRecord(bytes32 target, bytes key, bytes value, uint64 deadlineMs) external returns (uint64 sequence);
		/// 0 unknown, 1 prepared (in doubt), 2 committed, 3 aborted.
		function transactionState(uint64 sequence) external view returns (uint8 state);
	}

	interface IDataProtection {
		/// Asks, as the calling contract, to read `record` for `purpose`. `state`: 0 pending its
		/// approver, 1 approved, 2 rejected (`reason` is then the `Reason` code).
		function requestAccess(uint64 record, bytes purpose) external returns (uint64 request, uint8 state, uint8 reason);
		/// Whether request `request` is an approval that stands now, until when (Unix ms), and
		/// otherwise the `Reason` code why not.
		function approval(uint64 request) external view returns (bool approved, uint64 expiresAt, uint8 reason);
	}
}

/// Where the router precompile answers (`AddressMatcher::Fixed(0x0A01)`).
pub const ROUTER_PRECOMPILE: u16 = 0x0A01;
/// Where the resource-manager precompile answers.
pub const RESOURCE_MANAGER_PRECOMPILE: u16 = 0x0A02;
/// Where the data-protection precompile answers.
pub const DATA_PROTECTION_PRECOMPILE: u16 = 0x0A03;

fn revert(error: DispatchError) -> Error {
	let reason: &'static str = match error {
		DispatchError::Module(module) => module.message.unwrap_or("module error"),
		other => other.into(),
	};
	Error::Revert(reason.into())
}

/// The calling contract's account, refusing static calls.
fn writer(env: &mut impl Ext<T = Runtime>) -> Result<crate::AccountId, Error> {
	if env.is_read_only() {
		return Err(pallet_revive::Error::<Runtime>::StateChangeDenied.into());
	}
	Ok(env.caller().account_id()?.clone())
}

fn read_weight(reads: u64) -> Weight {
	<Runtime as frame_system::Config>::DbWeight::get().reads(reads)
}

pub struct RouterPrecompile;

impl Precompile for RouterPrecompile {
	type T = Runtime;
	type Interface = IEventRouter::IEventRouterCalls;
	const MATCHER: AddressMatcher = AddressMatcher::Fixed(NonZero::new(ROUTER_PRECOMPILE).unwrap());
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Self::T>,
	) -> Result<Vec<u8>, Error> {
		use IEventRouter::IEventRouterCalls as Calls;
		match input {
			Calls::sendRequest(call) => {
				env.charge(EventRouter::send_weight(call.payload.len() as u32))?;
				let sender = writer(env)?;
				let service = Service::decode(&mut &[call.service][..])
					.map_err(|_| Error::Revert("unknown service".into()))?;
				let id = EventRouter::send_request(
					&sender,
					call.destination.0,
					service,
					call.payload.to_vec(),
					Weight::from_parts(call.refTime, call.proofSize),
					Timeout { height: None, timestamp: Some(call.timeoutMs) },
				)
				.map_err(revert)?;
				Ok(id.sequence.abi_encode())
			},
			Calls::messageStatus(call) => {
				env.charge(read_weight(4))?;
				let id = MessageId {
					origin: crate::identity::GenesisHash::get(),
					sequence: call.sequence,
				};
				let status: u8 = match EventRouter::message_status(id) {
					MessageStatus::AwaitingAck { .. } => 1,
					MessageStatus::Settled(Outcome::Ok(_)) => 2,
					MessageStatus::Settled(Outcome::Err(_)) => 3,
					MessageStatus::Settled(Outcome::TimedOut) => 4,
					_ => 0,
				};
				// A `uint8` is one ABI word, like any unsigned integer (alloy has no `SolValue` for u8).
				Ok(u32::from(status).abi_encode())
			},
		}
	}
}

pub struct ResourceManagerPrecompile;

impl Precompile for ResourceManagerPrecompile {
	type T = Runtime;
	type Interface = IResourceManager::IResourceManagerCalls;
	const MATCHER: AddressMatcher =
		AddressMatcher::Fixed(NonZero::new(RESOURCE_MANAGER_PRECOMPILE).unwrap());
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Self::T>,
	) -> Result<Vec<u8>, Error> {
		use IResourceManager::IResourceManagerCalls as Calls;
		match input {
			Calls::commitRecord(call) => {
				let action = Action::Record { key: call.key.to_vec(), value: call.value.to_vec() };
				let len = codec::Encode::encoded_size(&action) as u32;
				env.charge(<Runtime as pallet_resource_manager::Config>::WeightInfo::prepare(len))?;
				let initiator = writer(env)?;
				let outcome_hash = sp_io::hashing::blake2_256(&codec::Encode::encode(&action));
				let tx = ResourceManager::open(
					&initiator,
					call.target.0,
					action,
					Timeout { height: None, timestamp: Some(call.deadlineMs) },
					None,
					outcome_hash,
				)
				.map_err(revert)?;
				Ok(tx.sequence.abi_encode())
			},
			Calls::transactionState(call) => {
				env.charge(read_weight(1))?;
				let state: u8 =
					match pallet_resource_manager::Transactions::<Runtime>::get(call.sequence) {
						// Never opened, or finished and forgotten an hour later.
						None => 0,
						Some(t) => match t.state {
							TxState::Prepared => 1,
							TxState::Committed { .. } => 2,
							TxState::Aborted(_) => 3,
						},
					};
				Ok(u32::from(state).abi_encode())
			},
		}
	}
}

pub struct DataProtectionPrecompile;

/// A `Reason`'s code: its variant's index, as SCALE encodes it.
fn reason_code(reason: pallet_data_protection::Reason) -> u32 {
	u32::from(codec::Encode::encode(&reason)[0])
}

impl Precompile for DataProtectionPrecompile {
	type T = Runtime;
	type Interface = IDataProtection::IDataProtectionCalls;
	const MATCHER: AddressMatcher =
		AddressMatcher::Fixed(NonZero::new(DATA_PROTECTION_PRECOMPILE).unwrap());
	const HAS_CONTRACT_INFO: bool = false;

	fn call(
		_address: &[u8; 20],
		input: &Self::Interface,
		env: &mut impl Ext<T = Self::T>,
	) -> Result<Vec<u8>, Error> {
		use IDataProtection::IDataProtectionCalls as Calls;
		match input {
			Calls::requestAccess(call) => {
				// With the request index's reads and writes, as the extrinsic is charged.
				env.charge(pallet_data_protection::request_access_weight::<Runtime>())?;
				let requester = writer(env)?;
				let purpose = call
					.purpose
					.to_vec()
					.try_into()
					.map_err(|_| Error::Revert("purpose longer than 32 bytes".into()))?;
				let answer =
					DataProtection::ask(requester, AccessRequest { record: call.record, purpose })
						.map_err(revert)?;
				let (state, reason) = match answer.state {
					RequestState::Pending { .. } => (0u32, 0u32),
					RequestState::Decided { decision: Decision::Approved { .. }, .. } => (1, 0),
					RequestState::Decided { decision: Decision::Rejected(reason), .. } => {
						(2, reason_code(reason))
					},
				};
				Ok((answer.request, state, reason).abi_encode())
			},
			Calls::approval(call) => {
				env.charge(read_weight(5))?;
				let answer = match DataProtection::grant(call.request) {
					Ok(grant) => (true, grant.expires_at, 0u32),
					Err(reason) => (false, 0u64, reason_code(reason)),
				};
				Ok(answer.abi_encode())
			},
		}
	}
}
