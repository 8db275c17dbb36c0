//! One integration-test binary (fast to link); modules per stage.

mod common;
mod foundation;
mod fuzz;
mod generated;
mod hostile;
mod indicators;
