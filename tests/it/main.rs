//! One integration-test binary (fast to link); modules per stage.

mod analyst;
mod common;
mod disclosure;
mod exports;
mod foundation;
mod fuzz;
mod generated;
mod hostile;
mod indicators;
mod layers;
mod methods;
mod periods;
mod reports;
mod scorecard;
mod transfer;
mod trends;
