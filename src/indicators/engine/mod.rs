//! The indicator engine: how the warehouse is read and keyed, apart from what the
//! indicators mean.
//!
//! In: warehouse tables (Parquet files) and frames. Out, to the families only:
//! - typed columns of a frame ([`strs`], [`f64s`], [`days`], … and the in-place
//!   readers [`str_view`], [`f64_view`], [`day_view`]), row groupings ([`group_by`],
//!   [`index_by`], [`Groups`]) and the output frame builder [`Out`];
//! - a table read whole ([`read_frame`]) or listed for streaming ([`LongTable`]);
//! - one numbering of the cadres shared by the per-cadre families ([`Cadres`]);
//! - the three streaming fast paths, each taking its family's rule as a function:
//!   [`complete_ratings`] (reaction), [`complete_answers`] (reliability) and
//!   [`fold_trainees`] (the scorecard's moments of the scores others gave).
//!
//! Guarantees: ids are numbered in byte order of their strings, so whatever a family
//! walks in id order it walks in string order (the results are those of a
//! string-sorted plan). The columnar machinery — string columns by dictionary key or
//! view, value identities, memos, interners — stays inside this module: families see
//! plain values (slices, strings, numbers) and the structures above.

mod answers;
mod columnar;
mod frame;
mod keys;
mod ratings;
mod trainees;

pub(super) use answers::{complete_answers, WaveScale};
pub(super) use columnar::read_frame;
pub use columnar::LongTable;
pub(super) use frame::{
    bools, column, day_view, days, f64_view, f64s, group_by, i64s, index_by, optional_i64s, perr, pick, serr, str_view,
    strs, Bools, Nums, Out, Texts,
};
pub(super) use keys::positions;
pub use keys::Cadres;
pub(super) use ratings::{complete_ratings, Ratings};
pub(super) use trainees::{fold_trainees, Trainees};
