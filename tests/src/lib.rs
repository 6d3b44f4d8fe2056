//! See tests/*.rs.
