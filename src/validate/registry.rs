//! What has been accepted so far, for reference checks of later tables:
//! ids of units, cadres, classes, courses, teachers, enrollments and survey items.
//! Cadre ids are interned (u32) and carry their output id (pseudonymised when a key is set).
//! Cadre ids are looked up once or twice per row of every large input, so the cadre
//! index keeps short ids inline ([`IdKey`]).

use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::pseudonym::Pseudonymizer;
use crate::schema::TableKind;

/// A cadre id as a hash-map key, stored inline when short (ids are a few bytes):
/// looking up one of 10⁶ cadres then touches the table only, not a separate heap
/// string per probe. Hashes and compares as its bytes, so `&[u8]` looks it up.
/// Made only by [`IdKey::new`], from a whole `&str`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IdKey(Repr);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    Inline { len: u8, bytes: [u8; IdKey::INLINE] },
    Heap(Box<str>),
}

impl IdKey {
    const INLINE: usize = 22;

    pub(super) fn new(id: &str) -> Self {
        let b = id.as_bytes();
        if b.len() <= Self::INLINE {
            let mut bytes = [0u8; Self::INLINE];
            bytes[..b.len()].copy_from_slice(b);
            IdKey(Repr::Inline { len: b.len() as u8, bytes })
        } else {
            IdKey(Repr::Heap(id.into()))
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Heap(s) => s.as_bytes(),
        }
    }

    /// The id as text. Without a pseudonym key this is every row's output cadre id, read
    /// once per survey respondent and rating: checking its bytes again each time cost
    /// more than the read.
    fn as_str(&self) -> &str {
        match &self.0 {
            // SAFETY: an inline id holds the bytes of a whole `&str` (`IdKey::new` is the
            // only constructor, and the fields are private), so they are valid UTF-8.
            Repr::Inline { len, bytes } => unsafe { std::str::from_utf8_unchecked(&bytes[..*len as usize]) },
            Repr::Heap(s) => s,
        }
    }
}

impl std::hash::Hash for IdKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl std::borrow::Borrow<[u8]> for IdKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Facts about an accepted class that later tables need.
#[derive(Debug, Clone)]
pub struct ClassInfo {
    pub id: String,
    pub year: i32,
    pub start: i32,
    pub end: i32,
    pub hours: f64,
    pub method: String,
}

/// Accepted ids so far. A clone is a snapshot: an input that reads only tables already
/// accepted can run on it while later master data is still being added.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    pseudo: Pseudonymizer,
    /// Input tables that were given (reference checks to absent tables are skipped).
    pub present: HashSet<TableKind>,
    /// Unit ids, inline like cadre ids: every cadre row probes this set of 10⁵ units,
    /// and a `String` key costs a second cache miss on its heap bytes.
    units: HashSet<IdKey>,
    /// Shared, not copied, by the snapshots an early input runs on: it is the largest
    /// part of the registry, and only the `cadres` input adds to it.
    cadres: Arc<Cadres>,
    class_index: HashMap<String, u32>,
    pub classes: Vec<ClassInfo>,
    /// course id → interned course index.
    course_index: HashMap<String, u32>,
    /// Class index per interned course.
    course_classes: Vec<u32>,
    pub teachers: HashSet<String>,
    /// Per class index: each course's title and id as compared
    /// ([`course_key`](crate::ingest::platform::course_key)), with its id, for the course
    /// evaluations of a survey platform, which name courses by title.
    course_names: HashMap<u32, Vec<(String, String)>>,
    pub enrolled: HashSet<(u32, u32)>,
    /// The enrolled cadres of every class, class after class, each class's sorted by id:
    /// class `k`'s are `roster[roster_at[k]..roster_at[k + 1]]`. Survey and rating rows
    /// come class by class, so finding a row's cadre here reads the class's few
    /// entries again and again instead of the 10⁶-cadre index and the enrollment set.
    roster: Vec<(IdKey, u32)>,
    /// The first bytes of each roster id as a number ([`id_prefix`]), side by side with
    /// `roster`: the search compares numbers, and bytes only on a match (ids of the
    /// same length and form mostly differ in their first eight bytes).
    roster_prefix: Vec<u64>,
    roster_at: Vec<usize>,
    pub items: Vec<super::ItemDef>,
}

/// The interned cadres.
#[derive(Debug, Default, Clone)]
struct Cadres {
    index: HashMap<IdKey, u32>,
    /// The id of each interned cadre as given, for the class rosters.
    ids: Vec<IdKey>,
    /// Pseudonym per interned cadre when a key is set; empty without a key, when the
    /// output id is the id itself (a copy would be a heap string per cadre).
    out: Vec<String>,
}

/// The cadres one input accepted, in order, with the index of their ids: the `cadres`
/// input checks its ids for duplicates in this index and hands it to the registry
/// ([`Registry::add_cadres`]), which then does not build a second one of the same ids.
#[derive(Debug, Default, Clone)]
pub struct CadreSet {
    index: HashMap<IdKey, u32>,
    ids: Vec<IdKey>,
}

impl CadreSet {
    /// Room for `n` cadres.
    pub fn reserve(&mut self, n: usize) {
        self.index.reserve(n);
        self.ids.reserve(n);
    }

    /// Add `id`; false when it is there already.
    pub(super) fn insert(&mut self, id: IdKey) -> bool {
        use std::collections::hash_map::Entry;
        match self.index.entry(id) {
            Entry::Occupied(_) => false,
            Entry::Vacant(v) => {
                self.ids.push(v.key().clone());
                v.insert(self.ids.len() as u32 - 1);
                true
            }
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The first eight bytes of an id (zero-padded) as a big-endian number.
fn id_prefix(id: &[u8]) -> u64 {
    let mut head = [0u8; 8];
    let n = id.len().min(8);
    head[..n].copy_from_slice(&id[..n]);
    u64::from_be_bytes(head)
}

impl Registry {
    pub fn new(pseudo: Pseudonymizer) -> Self {
        Registry { pseudo, ..Default::default() }
    }

    /// The output form of a cadre id (pseudonym with a key, else as given).
    pub fn pseudonym(&self, id: &str) -> String {
        self.pseudo.apply(id)
    }

    /// [`Registry::pseudonym`] of an id given as a `String`, which is the output id
    /// itself when no key is set.
    pub fn pseudonym_of(&self, id: String) -> String {
        if self.pseudo.is_active() {
            self.pseudo.apply(&id)
        } else {
            id
        }
    }

    /// Room for `n` more cadres, so that adding 10⁶ of them does not grow the index
    /// (and rehash it) a score of times.
    pub fn reserve_cadres(&mut self, n: usize) {
        let cadres = Arc::make_mut(&mut self.cadres);
        cadres.index.reserve(n);
        cadres.ids.reserve(n);
        if self.pseudo.is_active() {
            cadres.out.reserve(n);
        }
    }

    pub fn add_cadre(&mut self, id: &str) -> u32 {
        let out = self.pseudo.is_active().then(|| self.pseudo.apply(id));
        let cadres = Arc::make_mut(&mut self.cadres);
        let idx = cadres.ids.len() as u32;
        cadres.index.insert(IdKey::new(id), idx);
        cadres.ids.push(IdKey::new(id));
        cadres.out.extend(out);
        idx
    }

    /// [`Registry::add_cadre`] of every cadre of `set`, in order. Into a registry
    /// without cadres the set's index is taken over as it is.
    pub fn add_cadres(&mut self, set: CadreSet) {
        if self.cadres.ids.is_empty() {
            let out = match self.pseudo.is_active() {
                true => set.ids.iter().map(|id| self.pseudo.apply(id.as_str())).collect(),
                false => Vec::new(),
            };
            self.cadres = Arc::new(Cadres { index: set.index, ids: set.ids, out });
            return;
        }
        self.reserve_cadres(set.len());
        for id in &set.ids {
            self.add_cadre(id.as_str());
        }
    }

    pub fn cadre(&self, id: &str) -> Option<u32> {
        self.cadres.index.get(id.as_bytes()).copied()
    }

    /// Whether `written`, the `cadre_id` column of a `cadres` table in row order (`n`
    /// rows), holds exactly the accepted cadres, in the order accepted and as given (no
    /// pseudonym key). Then row `k` of that table is interned cadre `k`, and
    /// [`Registry::cadre`] finds a cadre's row without a second index of the ids.
    pub fn wrote_cadres_as<'s>(&self, n: usize, mut written: impl Iterator<Item = Option<&'s str>>) -> bool {
        !self.pseudo.is_active()
            && n == self.cadres.ids.len()
            && self
                .cadres
                .ids
                .iter()
                .all(|id| written.next().map(|w| w.map(str::as_bytes)) == Some(Some(id.as_bytes())))
            && written.next().is_none()
    }

    /// The output id of interned cadre `cadre` (pseudonym when a key is set).
    pub fn cadre_out(&self, cadre: u32) -> &str {
        if self.pseudo.is_active() {
            self.cadres.out.get(cadre as usize).map_or("", String::as_str)
        } else {
            self.cadres.ids.get(cadre as usize).map_or("", IdKey::as_str)
        }
    }

    /// The output id of cadre `cadre`, found by its id `given`: `given` itself when no
    /// key is set (the output id is the id, and the registry's copy of it lies
    /// anywhere in memory), else the pseudonym kept in the registry.
    pub fn out_id<'a>(&'a self, cadre: u32, given: std::borrow::Cow<'a, str>) -> std::borrow::Cow<'a, str> {
        if self.pseudo.is_active() {
            std::borrow::Cow::Borrowed(self.cadre_out(cadre))
        } else {
            given
        }
    }

    pub fn add_unit(&mut self, id: &str) {
        self.units.insert(IdKey::new(id));
    }

    pub fn has_unit(&self, id: &str) -> bool {
        self.units.contains(id.as_bytes())
    }

    pub fn add_class(&mut self, info: ClassInfo) -> u32 {
        let idx = self.classes.len() as u32;
        self.class_index.insert(info.id.clone(), idx);
        self.classes.push(info);
        idx
    }

    pub fn class(&self, id: &str) -> Option<u32> {
        self.class_index.get(id).copied()
    }

    pub fn class_info(&self, idx: u32) -> &ClassInfo {
        &self.classes[idx as usize]
    }

    pub fn add_course(&mut self, id: String, class: u32) -> u32 {
        let idx = self.course_classes.len() as u32;
        self.course_index.insert(id, idx);
        self.course_classes.push(class);
        idx
    }

    pub fn course(&self, id: &str) -> Option<u32> {
        self.course_index.get(id).copied()
    }

    /// [`Registry::add_course`], remembering the course's title and id for
    /// [`Registry::course_named`].
    pub fn add_course_titled(&mut self, id: String, class: u32, title: Option<&str>) -> u32 {
        use crate::ingest::platform::course_key;
        let names = self.course_names.entry(class).or_default();
        names.push((course_key(&id), id.clone()));
        if let Some(t) = title {
            names.push((course_key(t), id.clone()));
        }
        self.add_course(id, class)
    }

    /// The id of the course of class `class` whose title or id is `label` (compared by
    /// [`course_key`](crate::ingest::platform::course_key)), when exactly one course has it.
    pub fn course_named(&self, class: u32, label: &str) -> Option<&str> {
        let key = crate::ingest::platform::course_key(label);
        let names = self.course_names.get(&class)?;
        let mut hits = names.iter().filter(|(k, _)| *k == key).map(|(_, id)| id.as_str());
        let first = hits.next()?;
        hits.all(|id| id == first).then_some(first)
    }

    /// The class index of an interned course.
    pub fn course_class(&self, idx: u32) -> u32 {
        self.course_classes[idx as usize]
    }

    pub fn is_enrolled(&self, class: u32, cadre: u32) -> bool {
        self.enrolled.contains(&(class, cadre))
    }

    /// The cadre `id` when it is enrolled in class `class`; `None` when it is not, or
    /// is unknown (then [`Registry::cadre`] and [`Registry::is_enrolled`] tell which).
    pub fn enrolled_cadre(&self, class: u32, id: &str) -> Option<u32> {
        let (from, to) = (*self.roster_at.get(class as usize)?, *self.roster_at.get(class as usize + 1)?);
        let (cadres, prefixes) = (self.roster.get(from..to)?, self.roster_prefix.get(from..to)?);
        let p = id_prefix(id.as_bytes());
        let first = prefixes.partition_point(|&q| q < p);
        // Ids of one prefix lie together; compare their bytes.
        prefixes[first..]
            .iter()
            .zip(&cadres[first..])
            .take_while(|(q, _)| **q == p)
            .find(|(_, (k, _))| k.as_bytes() == id.as_bytes())
            .map(|(_, (_, cadre))| *cadre)
    }

    /// Rebuild the class rosters from the enrollments accepted so far.
    pub(super) fn build_rosters(&mut self) {
        // Each id copied once with its prefix, then sorted where it lies, not looked up
        // or cut per comparison.
        let mut entries: Vec<(u32, u64, IdKey, u32)> = self
            .enrolled
            .iter()
            .filter_map(|&(class, cadre)| {
                let id = self.cadres.ids.get(cadre as usize)?;
                Some((class, id_prefix(id.as_bytes()), id.clone(), cadre))
            })
            .collect();
        // Ordered by prefix within a class, as the search expects; then by id, so the
        // order does not depend on the set's.
        entries.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then_with(|| a.2.as_bytes().cmp(b.2.as_bytes()))
        });
        let mut roster = Vec::with_capacity(entries.len());
        let mut roster_prefix = Vec::with_capacity(entries.len());
        let mut roster_at = vec![0; self.classes.len() + 1];
        for (class, prefix, key, cadre) in entries {
            if let Some(n) = roster_at.get_mut(class as usize + 1) {
                *n += 1;
                roster_prefix.push(prefix);
                roster.push((key, cadre));
            }
        }
        for k in 1..roster_at.len() {
            roster_at[k] += roster_at[k - 1];
        }
        self.roster = roster;
        self.roster_prefix = roster_prefix;
        self.roster_at = roster_at;
    }

    pub fn has(&self, t: TableKind) -> bool {
        self.present.contains(&t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(id: &str) -> ClassInfo {
        ClassInfo { id: id.into(), year: 2024, start: 0, end: 1, hours: 8.0, method: "lecture".into() }
    }

    /// The unit set finds exactly the ids added, inline or not, as a set of `String`s does.
    #[test]
    fn units_are_found_as_a_set_of_strings_finds_them() {
        let mut reg = Registry::new(Pseudonymizer::default());
        let added = ["U1", "u-0001", "a-unit-id-longer-than-the-inline-bytes", "", "单位-7", "U1\0"];
        added.iter().for_each(|u| reg.add_unit(u));
        let plain: HashSet<String> = added.iter().map(|u| u.to_string()).collect();
        let probes = ["U1", "U2", "u-0001", "u-000", "a-unit-id-longer-than-the-inline-bytes", "a-unit-id-longer", ""];
        for u in added.iter().chain(&probes).chain(&["单位-7", "单位", "U1\0\0"]) {
            assert_eq!(reg.has_unit(u), plain.contains(*u), "{u:?}");
        }
    }

    /// A roster finds exactly the cadres enrolled in the class, under their index;
    /// known cadres of other classes, unknown ids and unknown classes are not found.
    #[test]
    fn rosters_hold_the_enrolled_cadres_of_each_class() {
        let mut reg = Registry::new(Pseudonymizer::default());
        let ids = ["c-9", "c-1", "a-long-cadre-id-beyond-the-inline-bytes", "c-10", "b", "a-long-cadre-id", "c-1\0"];
        let idx: Vec<u32> = ids.iter().map(|id| reg.add_cadre(id)).collect();
        let (k0, k1) = (reg.add_class(class("K0")), reg.add_class(class("K1")));
        for (class, cadres) in [(k0, &[idx[0], idx[1], idx[2], idx[6]][..]), (k1, &idx[2..])] {
            for &cadre in cadres {
                reg.enrolled.insert((class, cadre));
            }
        }
        assert_eq!(reg.enrolled_cadre(k0, "c-1"), None, "no roster before it is built");
        reg.build_rosters();
        for (class, cadres) in [(k0, vec![0, 1, 2, 6]), (k1, (2..7).collect())] {
            for (i, id) in ids.iter().enumerate() {
                let want = cadres.contains(&i).then_some(idx[i]);
                assert_eq!(reg.enrolled_cadre(class, id), want, "class {class}, {id}");
            }
            assert_eq!(reg.enrolled_cadre(class, "c-2"), None);
            assert_eq!(reg.enrolled_cadre(class, ""), None);
        }
        assert_eq!(reg.enrolled_cadre(7, "c-1"), None);
    }

    /// A set of cadres handed over gives the registry what adding them one by one
    /// gives: the same index, ids and output ids, with or without a key, into an
    /// empty registry (the set taken over) or one that has cadres already; a
    /// duplicate id is refused by the set; `out_id` is the registry's output id.
    #[test]
    fn cadre_sets_add_what_single_cadres_add() {
        let ids = ["c-9", "c-1", "a-long-cadre-id-beyond-the-inline-bytes", "c-10", "b", "中文-id", "c-1\0"];
        for key in [None, Some("secret")] {
            for before in [&[][..], &["x-1", "x-2"][..]] {
                let (mut one, mut set_reg) =
                    (Registry::new(Pseudonymizer::new(key)), Registry::new(Pseudonymizer::new(key)));
                for id in before {
                    one.add_cadre(id);
                    set_reg.add_cadre(id);
                }
                let mut set = CadreSet::default();
                set.reserve(2);
                for id in ids {
                    one.add_cadre(id);
                    assert!(set.insert(IdKey::new(id)));
                }
                assert!(!set.insert(IdKey::new("c-1")), "a duplicate is refused");
                assert_eq!(set.len(), ids.len());
                set_reg.add_cadres(set);
                assert_eq!(set_reg.cadres.ids, one.cadres.ids);
                assert_eq!(set_reg.cadres.out, one.cadres.out);
                assert_eq!(set_reg.cadres.index, one.cadres.index);
                for id in before.iter().chain(&ids).chain(&["c-2", ""]) {
                    let found = set_reg.cadre(id);
                    assert_eq!(found, one.cadre(id), "{id}");
                    if let Some(i) = found {
                        assert_eq!(set_reg.out_id(i, std::borrow::Cow::Borrowed(id)), one.cadre_out(i));
                        assert_eq!(set_reg.cadre_out(i), one.pseudonym(id));
                    }
                }
            }
        }
    }
}
