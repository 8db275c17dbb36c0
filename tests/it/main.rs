//! One integration-test binary (fast to link); modules per stage.

mod analyst;
mod common;
mod disclosure;
mod foundation;
mod fuzz;
mod generated;
mod hostile;
mod indicators;
mod methods;
mod periods;
mod reports;
mod scorecard;
mod transfer;
mod trends;
