// SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
pragma solidity ^0.8.24;

import {EVENT_ROUTER, RESOURCE_MANAGER} from "./IPlexus.sol";

/// @title Notary
/// @notice Notarizes documents on another Plexus network through the Plexus precompiles: each
/// `notarize` opens a resource-manager transaction that writes the document's hash and its
/// submitter there, atomically; `announce` sends a routed request. The contract's own balance
/// pays the fees (fund it at deployment or by a plain transfer).
contract Notary {
    /// @notice Who may notarize. Fixed at deployment.
    address public immutable owner;
    /// @notice The resource-manager transaction of each document, plus one (0: none).
    mapping(bytes32 => uint64) public transactionOf;

    event Notarizing(bytes32 indexed document, bytes32 indexed target, uint64 transaction);
    event Announced(bytes32 indexed destination, uint64 sequence);

    error NotOwner(address caller);
    error AlreadyNotarized(bytes32 document);

    constructor() payable {
        owner = msg.sender;
    }

    receive() external payable {}

    /// @notice Writes `document` on `target` before `deadlineMs`; returns the transaction's number.
    function notarize(bytes32 target, bytes32 document, uint64 deadlineMs) external returns (uint64 sequence) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (transactionOf[document] != 0) revert AlreadyNotarized(document);
        sequence = RESOURCE_MANAGER.commitRecord(target, abi.encodePacked(document), abi.encodePacked(msg.sender), deadlineMs);
        transactionOf[document] = sequence + 1;
        emit Notarizing(document, target, sequence);
    }

    /// @notice 0 never notarized, 1 in doubt, 2 committed on the target, 3 aborted.
    function stateOf(bytes32 document) external view returns (uint8) {
        uint64 t = transactionOf[document];
        return t == 0 ? 0 : RESOURCE_MANAGER.transactionState(t - 1);
    }

    /// @notice Sends an XCM program (SCALE bytes) to `destination`; returns its sequence number.
    function announce(bytes32 destination, bytes calldata xcmProgram, uint64 timeoutMs) external returns (uint64 sequence) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        sequence = EVENT_ROUTER.sendRequest(destination, 0, xcmProgram, 1_000_000_000, 65_536, timeoutMs);
        emit Announced(destination, sequence);
    }
}
