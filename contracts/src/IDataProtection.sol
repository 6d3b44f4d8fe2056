// SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
pragma solidity ^0.8.24;

/// @title The Plexus data-protection precompile
/// @notice Access decisions on personal data kept off the ledger (runtime/src/precompiles.rs).
/// Requests act as the calling contract: its account is the requester.
/// @dev At 0x000000000000000000000000000000000A030000. `reason` codes are the index of the
/// pallet's `Reason`: 0 UnknownRecord, 1 UnknownRequest, 2 NotApproved, 3 ApprovalExpired,
/// 4 Erased, 5 Superseded, 6 RetentionOver, 7 PurposeNotAllowed, 8 RoleMissing, 9 NoConsent,
/// 10 ConsentWithdrawn, 11 ConsentExpired, 12 RefusedBySubject, 13 RefusedByController.
interface IDataProtection {
    /// @notice Asks to read `record` for `purpose` (at most 32 bytes). `state`: 0 pending its
    /// approver, 1 approved, 2 rejected with `reason`. The decision is on the ledger either way.
    function requestAccess(uint64 record, bytes calldata purpose)
        external
        returns (uint64 request, uint8 state, uint8 reason);

    /// @notice Whether `request` is an approval that stands now (unexpired, the record readable,
    /// its consent still given), until when (Unix ms), and otherwise why not.
    function approval(uint64 request) external view returns (bool approved, uint64 expiresAt, uint8 reason);
}

IDataProtection constant DATA_PROTECTION = IDataProtection(0x000000000000000000000000000000000a030000);
