// SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
pragma solidity ^0.8.24;

/// @title Plexus services for contracts
/// @notice pallet-revive precompiles of every Plexus network (runtime/src/precompiles.rs). Each
/// acts as the calling contract: its account sends, opens and pays.

/// @dev At 0x000000000000000000000000000000000A010000.
interface IEventRouter {
    /// @notice Sends `payload` for `service` (0 Xcm, 1 Contract, 2 DataProtection, 3 Transaction)
    /// to the network whose genesis hash is `destination`, due by `timeoutMs` (Unix ms), allowed
    /// `refTime`/`proofSize` of weight there. Reverts with the router's error otherwise.
    function sendRequest(
        bytes32 destination,
        uint8 service,
        bytes calldata payload,
        uint64 refTime,
        uint64 proofSize,
        uint64 timeoutMs
    ) external returns (uint64 sequence);

    /// @notice 0 unknown, 1 awaiting its acknowledgement, 2 settled Ok, 3 settled Err, 4 timed out.
    function messageStatus(uint64 sequence) external view returns (uint8 status);
}

/// @dev At 0x000000000000000000000000000000000A020000.
interface IResourceManager {
    /// @notice Opens a transaction that writes `value` under `key` on `target` (a genesis hash)
    /// before `deadlineMs`, atomically: it is applied there exactly when it commits here.
    function commitRecord(bytes32 target, bytes calldata key, bytes calldata value, uint64 deadlineMs)
        external
        returns (uint64 sequence);

    /// @notice 0 unknown, 1 prepared (in doubt), 2 committed, 3 aborted.
    function transactionState(uint64 sequence) external view returns (uint8 state);
}

IEventRouter constant EVENT_ROUTER = IEventRouter(0x000000000000000000000000000000000a010000);
IResourceManager constant RESOURCE_MANAGER = IResourceManager(0x000000000000000000000000000000000A020000);
