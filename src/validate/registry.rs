//! What has been accepted so far, for reference checks of later tables:
//! ids of units, cadres, classes, courses, teachers, enrollments and survey items.
//! Cadre ids are interned (u32) and carry their output id (pseudonymised when a key is set).
//! Cadre ids are looked up once or twice per row of every large input, so the cadre
//! index keeps short ids inline ([`IdKey`]).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::pseudonym::Pseudonymizer;
use crate::schema::TableKind;

/// A cadre id as a hash-map key, stored inline when short (ids are a few bytes):
/// looking up one of 10⁶ cadres then touches the table only, not a separate heap
/// string per probe. Hashes and compares as its bytes, so `&[u8]` looks it up.
#[derive(Debug, Clone, PartialEq, Eq)]
enum IdKey {
    Inline { len: u8, bytes: [u8; IdKey::INLINE] },
    Heap(Box<[u8]>),
}

impl IdKey {
    const INLINE: usize = 22;

    fn new(id: &str) -> Self {
        let b = id.as_bytes();
        if b.len() <= Self::INLINE {
            let mut bytes = [0u8; Self::INLINE];
            bytes[..b.len()].copy_from_slice(b);
            IdKey::Inline { len: b.len() as u8, bytes }
        } else {
            IdKey::Heap(b.into())
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            IdKey::Inline { len, bytes } => &bytes[..*len as usize],
            IdKey::Heap(b) => b,
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
    pub units: HashSet<String>,
    cadre_index: HashMap<IdKey, u32>,
    /// The id of each interned cadre as given, for the class rosters.
    cadre_ids: Vec<IdKey>,
    /// Output id per interned cadre (pseudonym when a key is set).
    pub cadre_out: Vec<String>,
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

    /// Room for `n` more cadres, so that adding 10⁶ of them does not grow the index
    /// (and rehash it) a score of times.
    pub fn reserve_cadres(&mut self, n: usize) {
        self.cadre_index.reserve(n);
        self.cadre_ids.reserve(n);
        self.cadre_out.reserve(n);
    }

    pub fn add_cadre(&mut self, id: &str) -> u32 {
        let idx = self.cadre_out.len() as u32;
        self.cadre_index.insert(IdKey::new(id), idx);
        self.cadre_ids.push(IdKey::new(id));
        self.cadre_out.push(self.pseudo.apply(id));
        idx
    }

    pub fn cadre(&self, id: &str) -> Option<u32> {
        self.cadre_index.get(id.as_bytes()).copied()
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
        // Each id copied once, then sorted where it lies, not looked up per comparison.
        let mut entries: Vec<(u32, IdKey, u32)> = self
            .enrolled
            .iter()
            .filter_map(|&(class, cadre)| Some((class, self.cadre_ids.get(cadre as usize)?.clone(), cadre)))
            .collect();
        // Ordered by prefix within a class, as the search expects; then by id, so the
        // order does not depend on the set's.
        entries.sort_unstable_by(|a, b| {
            let (pa, pb) = (id_prefix(a.1.as_bytes()), id_prefix(b.1.as_bytes()));
            a.0.cmp(&b.0).then(pa.cmp(&pb)).then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
        });
        let mut roster = Vec::with_capacity(entries.len());
        let mut roster_prefix = Vec::with_capacity(entries.len());
        let mut roster_at = vec![0; self.classes.len() + 1];
        for (class, key, cadre) in entries {
            if let Some(n) = roster_at.get_mut(class as usize + 1) {
                *n += 1;
                roster_prefix.push(id_prefix(key.as_bytes()));
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
}
