//! One integration-test binary (fast to link); one module per stage.

mod indicators;
