// SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
pragma solidity ^0.8.24;

import {DATA_PROTECTION} from "./IDataProtection.sol";

/// @title ConsentGate
/// @notice A service that acts on personal data only while the ledger approves it: it asks for
/// access to a record for its purpose through the data-protection precompile, and `serve`
/// succeeds only while that approval stands (so a withdrawn consent stops it at once).
contract ConsentGate {
    /// @notice The purpose this service processes data for. Fixed at deployment.
    bytes32 public immutable purpose;
    /// @notice The access request for each record, plus one (0: never asked).
    mapping(uint64 => uint64) public requestOf;
    /// @notice How many times each record was served.
    mapping(uint64 => uint64) public served;

    event Asked(uint64 indexed record, uint64 request, uint8 state, uint8 reason);
    event Served(uint64 indexed record, uint64 request);

    error NeverAsked(uint64 record);
    error NotApproved(uint64 record, uint8 reason);

    constructor(bytes32 purpose_) {
        purpose = purpose_;
    }

    /// @notice Asks for access to `record`; the ledger decides at once or later.
    function ask(uint64 record) external returns (uint64 request, uint8 state) {
        uint8 reason;
        (request, state, reason) = DATA_PROTECTION.requestAccess(record, abi.encodePacked(_purposeBytes()));
        requestOf[record] = request + 1;
        emit Asked(record, request, state, reason);
    }

    /// @notice Processes `record` once, if the approval stands now; reverts with why not.
    function serve(uint64 record) external {
        uint64 r = requestOf[record];
        if (r == 0) revert NeverAsked(record);
        (bool approved,, uint8 reason) = DATA_PROTECTION.approval(r - 1);
        if (!approved) revert NotApproved(record, reason);
        served[record] += 1;
        emit Served(record, r - 1);
    }

    /// The purpose without its zero padding.
    function _purposeBytes() private view returns (bytes memory out) {
        uint256 n = 0;
        while (n < 32 && purpose[n] != 0) n++;
        out = new bytes(n);
        for (uint256 i = 0; i < n; i++) out[i] = purpose[i];
    }
}
