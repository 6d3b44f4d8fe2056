// SPDX-License-Identifier: GPL-3.0-or-later WITH Classpath-exception-2.0
pragma solidity ^0.8.24;

/// @title Escrow
/// @notice Holds a buyer's payment until an arbiter decides: released to the seller or refunded
/// to the buyer. Its outcome is what other networks act on: the transaction resource manager
/// commits a deal's settlement elsewhere only once this contract says how it ended.
contract Escrow {
    enum State {
        None,
        Open,
        Released,
        Refunded
    }

    struct Deal {
        address buyer;
        address seller;
        uint256 amount;
        State state;
    }

    /// @notice Decides every deal. Fixed at deployment.
    address public immutable arbiter;
    /// @notice The id the next deal gets.
    uint256 public nextDeal;
    mapping(uint256 => Deal) public deals;

    event Opened(uint256 indexed id, address indexed buyer, address indexed seller, uint256 amount);
    event Settled(uint256 indexed id, State state, address to, uint256 amount);

    error NotArbiter(address caller);
    error NotOpen(uint256 id, State state);
    error NoPayment();
    error NoSeller();
    error TransferFailed(address to, uint256 amount);

    constructor(address arbiter_) {
        arbiter = arbiter_;
    }

    /// @notice Opens a deal paying `msg.value` to `seller` once the arbiter releases it.
    function open(address seller) external payable returns (uint256 id) {
        if (msg.value == 0) revert NoPayment();
        if (seller == address(0)) revert NoSeller();
        id = nextDeal++;
        deals[id] = Deal(msg.sender, seller, msg.value, State.Open);
        emit Opened(id, msg.sender, seller, msg.value);
    }

    /// @notice Pays deal `id` to its seller.
    function release(uint256 id) external {
        _settle(id, State.Released);
    }

    /// @notice Returns deal `id` to its buyer.
    function refund(uint256 id) external {
        _settle(id, State.Refunded);
    }

    /// @notice How deal `id` stands: `None` if it does not exist.
    function stateOf(uint256 id) external view returns (State) {
        return deals[id].state;
    }

    function _settle(uint256 id, State outcome) private {
        if (msg.sender != arbiter) revert NotArbiter(msg.sender);
        Deal storage deal = deals[id];
        if (deal.state != State.Open) revert NotOpen(id, deal.state);
        deal.state = outcome;
        address to = outcome == State.Released ? deal.seller : deal.buyer;
        uint256 amount = deal.amount;
        emit Settled(id, outcome, to, amount);
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
