//! The master data of a training year, held in memory: units, cadres, classes, courses.
//!
//! In: the number of cadres, the year, the seed and the [`Design`] (attrition and the
//! contamination plant). Out: a [`Plan`] — everything other rows refer to, plus the
//! per-cadre facts later tables need (latent competence, attrition, classes attended).
//! Guarantees: deterministic per seed (one ChaCha8 stream, fixed draw order, and a second
//! stream for what a plant adds, so a plant never changes the classes of the year);
//! every unit kind exists; classes of a category enrol only that category, 30–60
//! trainees (fewer only when a category has fewer trained cadres), 4–12 courses with
//! distinct topics; the year's classes (`0..year_classes`) start and end in
//! March–November of the year, in start-date order; a cadre is never twice in one class
//! and a repeater's two classes never overlap. Who is trained does not depend on the
//! review level (the baseline of trainees and controls is equivalent); who is lost
//! depends on it only under the attrition plant.
//!
//! `--plant contamination` appends, after the year's classes and in start-date order,
//! classes of year + 1 (January–June) for a share of the would-be controls (untrained in
//! the year) and classes of year − 1 (March–November) for another share; such a cadre
//! has that one class and no other.
//!
//! Memory: about 60 bytes per cadre and 16 per enrollment, so 10⁶ cadres fit easily.

use std::collections::BTreeMap;

use rand::seq::{index, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dates::{civil_from_days, days_from_civil};
use super::domain::{
    CategorySpec, Method, UnitKind, ATTACHMENT_INSTITUTION, CATEGORIES, FIELD_INSTITUTIONS, GIVEN_CHARS,
    MIXED_COURSE_METHODS, ONLINE_INSTITUTION, REGION_ENDINGS, REGION_STEMS, SURNAMES, TOPICS,
};
use super::model::{half_hours, normal, weighted, MODEL};
use super::Design;

/// Smallest and largest class.
pub const CLASS_SIZE: (usize, usize) = (30, 60);
/// Fewest and most courses of a class.
pub const COURSES_PER_CLASS: (usize, usize) = (4, 12);
/// Class hours of one training day.
pub const HOURS_PER_DAY: f64 = 7.5;

/// A work unit.
#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: UnitKind,
    pub region: usize,
    pub suffix: usize,
    /// Day of December on which the unit holds its annual reviews.
    pub review_day: u32,
}

/// A cadre.
#[derive(Debug, Clone)]
pub struct Cadre {
    pub category: usize,
    pub female: bool,
    pub birth_year: i32,
    pub rank: usize,
    pub unit: u32,
    pub party: bool,
    pub join_day: Option<i64>,
    pub promoted_day: Option<i64>,
    /// Latent competence θ (0–100 scale) before training.
    pub latent: f32,
    /// Level of the cadre's reviews (0–100).
    pub review_base: f32,
    /// Lost to follow-up: no review and no follow-up survey after the year starts.
    pub lost: bool,
    /// Surname and one or two given-name characters (`u8::MAX` = none).
    pub name: [u8; 3],
}

/// A class (one training run).
#[derive(Debug, Clone)]
pub struct Class {
    pub id: String,
    pub category: usize,
    pub method: Method,
    pub programme: usize,
    /// `第k期`: the run's number within its category.
    pub seq: usize,
    pub institution: &'static str,
    pub start: i64,
    pub end: i64,
    pub days: f64,
    pub hours: f64,
    pub manager: usize,
    /// Enrolled cadres, ascending.
    pub members: Vec<u32>,
    /// Index range into [`Plan::courses`].
    pub courses: std::ops::Range<usize>,
    /// Class random effect on learning gain.
    pub effect: f64,
    pub follow_12m: bool,
}

/// A course of a class.
#[derive(Debug, Clone)]
pub struct Course {
    pub number: usize,
    pub teacher: usize,
    pub method: Method,
    pub hours: f64,
    pub topic: usize,
}

/// Everything the other tables refer to.
#[derive(Debug, Clone)]
pub struct Plan {
    pub year: i32,
    pub regions: Vec<String>,
    pub units: Vec<Unit>,
    pub cadres: Vec<Cadre>,
    pub classes: Vec<Class>,
    pub courses: Vec<Course>,
    /// Teacher quality (per course-rating indicator) and leniency as a rater of trainees.
    pub teachers: Vec<(f64, f64)>,
    /// Class-manager leniency as a rater of trainees.
    pub managers: Vec<f64>,
    /// Classes of each cadre (CSR: `cadre_class_start[i]..cadre_class_start[i+1]`).
    pub cadre_class_start: Vec<u32>,
    pub cadre_classes: Vec<u32>,
    pub repeaters: usize,
    pub repeated_topic_cadres: usize,
    /// Classes `0..year_classes` start in the year; the rest are a plant's (year ± 1).
    pub year_classes: usize,
    /// How much training each year holds.
    pub intensity: Intensity,
    /// Cadres untrained in the year, among whom the contamination plant picks (0 without it).
    pub would_be_controls: usize,
    /// The careers of a set of several years (`--years`); `None` for one year.
    pub periods: Option<Periods>,
    /// Teachers and class managers of each institution (indices into `teachers`, `managers`).
    teacher_pool: BTreeMap<&'static str, std::ops::Range<usize>>,
    manager_pool: BTreeMap<&'static str, std::ops::Range<usize>>,
}

/// What a set of several years adds to the plan: when each cadre leaves, who is never
/// trained, every promotion, and which classes belong to which year.
#[derive(Debug, Clone)]
pub struct Periods {
    /// First year of the set (the last is [`Plan::year`]).
    pub first: i32,
    /// Year from which each cadre is lost (`i32::MAX`: never): trained up to that year,
    /// no review dated in it or later, no follow-up survey of its classes.
    pub lost_from: Vec<i32>,
    /// Every promotion, by year and cadre.
    pub changes: Vec<Change>,
    /// Classes of each year (index ranges into [`Plan::classes`], first year first).
    pub year_classes: Vec<std::ops::Range<usize>>,
}

/// One promotion: the cadre's category and rank before and after, effective on `day`.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub cadre: u32,
    pub year: i32,
    pub day: i64,
    pub from_category: u8,
    pub to_category: u8,
    pub from_rank: u8,
    pub to_rank: u8,
}

impl Plan {
    /// A plan with its units and cadres drawn (cadres as of `cadre_year`) and nothing
    /// scheduled yet, and the plan stream those draws advanced.
    fn empty(n_cadres: usize, cadre_year: i32, year: i32, seed: u64, per_cadre: Option<f64>) -> (ChaCha8Rng, Plan) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(super::STREAM_PLAN);
        let (regions, units) = make_units(&mut rng, n_cadres);
        let cadres = make_cadres(&mut rng, n_cadres, cadre_year, &units);
        let intensity = Intensity::of(per_cadre, &cadres);
        let plan = Plan {
            year,
            regions,
            units,
            cadres,
            classes: Vec::new(),
            courses: Vec::new(),
            teachers: Vec::new(),
            managers: Vec::new(),
            cadre_class_start: Vec::new(),
            cadre_classes: Vec::new(),
            repeaters: 0,
            repeated_topic_cadres: 0,
            year_classes: 0,
            would_be_controls: 0,
            intensity,
            periods: None,
            teacher_pool: BTreeMap::new(),
            manager_pool: BTreeMap::new(),
        };
        (rng, plan)
    }

    /// Build the master data.
    pub fn build(n_cadres: usize, year: i32, seed: u64, design: &Design, per_cadre: Option<f64>) -> Plan {
        let (mut rng, mut plan) = Plan::empty(n_cadres, year, year, seed, per_cadre);
        let intensity = plan.intensity;
        plan.make_classes(&mut rng, intensity);
        plan.make_courses_and_staff(&mut rng);
        plan.index_enrollments();
        plan.year_classes = plan.classes.len();
        plan.mark_lost(&mut rng, design);
        if design.contamination_share > 0.0 || design.washout_share > 0.0 {
            let mut plant = ChaCha8Rng::seed_from_u64(seed);
            plant.set_stream(super::STREAM_PLANTS);
            plan.add_outside_classes(&mut plant, design);
        }
        plan
    }

    /// Canonical id of cadre `i`.
    pub fn cadre_id(i: usize) -> String {
        format!("C{i:07}")
    }

    /// Canonical id of unit `i`.
    pub fn unit_id(i: usize) -> String {
        format!("U{i:05}")
    }

    /// Canonical id of teacher `i`.
    pub fn teacher_id(i: usize) -> String {
        format!("T{i:05}")
    }

    /// Canonical id of class manager `i`.
    pub fn manager_id(i: usize) -> String {
        format!("M{i:04}")
    }

    /// Canonical id of course `number` of a class.
    pub fn course_id(class_id: &str, number: usize) -> String {
        format!("{class_id}-{number:02}")
    }

    /// The synthetic personal name of a cadre.
    pub fn cadre_name(c: &Cadre) -> String {
        let mut s = String::from(SURNAMES[usize::from(c.name[0])]);
        for &g in &c.name[1..] {
            if g != u8::MAX {
                s.push_str(GIVEN_CHARS[usize::from(g)]);
            }
        }
        s
    }

    /// Unit name: region plus a kind-specific ending.
    pub fn unit_name(&self, u: &Unit) -> String {
        format!("{}{}", self.regions[u.region], u.kind.name_suffixes()[u.suffix])
    }

    /// Class title, e.g. `2025年县处级领导干部进修班（第3期）` (the year the class starts).
    pub fn class_title(&self, c: &Class) -> String {
        let online = if c.method == Method::Online { "网络班" } else { "" };
        let year = civil_from_days(c.start).0;
        format!("{}年{}（{}第{}期）", year, CATEGORIES[c.category].programmes[c.programme], online, c.seq)
    }

    /// Course title: topic plus the course method's ending.
    pub fn course_title(c: &Course) -> String {
        format!("{}{}", TOPICS[c.topic], c.method.course_suffix())
    }

    /// Classes of cadre `i`, by start date.
    pub fn classes_of(&self, i: usize) -> &[u32] {
        let a = self.cadre_class_start[i] as usize;
        let b = self.cadre_class_start[i + 1] as usize;
        &self.cadre_classes[a..b]
    }

    /// Whether cadre `i` attends a class of the year.
    pub fn trained_in_year(&self, i: usize) -> bool {
        self.classes_of(i).iter().any(|&k| (k as usize) < self.year_classes)
    }

    /// Whether class `k` starts in the year (not a plant's class of year ± 1).
    pub fn in_year(&self, k: usize) -> bool {
        k < self.year_classes
    }

    /// First year of the set (the year itself for a one-year set).
    pub fn first_year(&self) -> i32 {
        self.periods.as_ref().map_or(self.year, |p| p.first)
    }

    /// Calendar year in which class `k` starts.
    pub fn class_year(&self, k: usize) -> i32 {
        civil_from_days(self.classes[k].start).0
    }

    /// Whether cadre `i` has no follow-up survey after class `k`: one year lost means every
    /// class; over several years, the classes from the year the cadre is lost.
    pub fn lost_after(&self, i: usize, k: usize) -> bool {
        match &self.periods {
            None => self.cadres[i].lost,
            Some(p) => p.lost_from[i] <= self.class_year(k),
        }
    }

    /// Year of cadre `i`'s last annual review: year + 3 (year − 1 for a lost cadre of one
    /// year; the year before it is lost over several).
    pub fn last_review_year(&self, i: usize) -> i32 {
        let end = self.year + super::outcomes::REVIEW_YEARS.1;
        match &self.periods {
            None if self.cadres[i].lost => self.year - 1,
            None => end,
            Some(p) => end.min(p.lost_from[i].saturating_sub(1)),
        }
    }

    /// Whether cadre `i` attends a class starting in calendar year `y`.
    pub fn trained_in(&self, i: usize, y: i32) -> bool {
        self.classes_of(i).iter().any(|&k| self.class_year(k as usize) == y)
    }

    /// A set of several years, `first..=last`, of the same cadres (SPEC §7.4): units and
    /// cadres are drawn as for one year (ages as of the first year, from the same
    /// stream), then year after year: promotions (some of them into another category,
    /// effective before the year's classes), the year's classes from each category's
    /// cadres of that year (those trained the year before last in line: rotation), their
    /// courses. Teachers are shared by all years, and a course of a topic at an
    /// institution is mostly taught by the same teacher every year, so titles and
    /// teachers recur as series. Each year's classes come from their own stream
    /// (`STREAM_YEAR + year`), careers and staff from `STREAM_PERIODS`.
    pub fn build_years(n_cadres: usize, first: i32, last: i32, seed: u64, per_cadre: Option<f64>) -> Plan {
        let (_, mut plan) = Plan::empty(n_cadres, first, last, seed, per_cadre);
        let intensity = plan.intensity;
        let p = super::model::PERIODS;
        let mut life = ChaCha8Rng::seed_from_u64(seed);
        life.set_stream(super::STREAM_PERIODS);
        let n_years = (last - first + 1) as usize;
        let mut lost_from = Vec::with_capacity(n_cadres);
        let mut never_trained = Vec::with_capacity(n_cadres);
        for _ in 0..n_cadres {
            let gone = (first..=last).find(|_| life.gen_bool(p.leave_per_year)).unwrap_or(i32::MAX);
            lost_from.push(gone);
            never_trained.push(life.gen_bool(p.never_trained_share));
        }
        let mut category: Vec<u8> = plan.cadres.iter().map(|c| c.category as u8).collect();
        let mut rank: Vec<u8> = plan.cadres.iter().map(|c| c.rank as u8).collect();
        let mut changes: Vec<Change> = Vec::new();
        let mut trained_last = vec![false; n_cadres];
        let mut ranges = Vec::with_capacity(n_years);
        // Per institution, the most classes and courses of any one year: staff is sized
        // for a year's teaching and teaches every year.
        let mut per_inst: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
        for y in first..=last {
            if y > first {
                promote(&mut life, y, &lost_from, &mut category, &mut rank, &mut changes);
            }
            let mut by_cat: Vec<Vec<u32>> = vec![Vec::new(); CATEGORIES.len()];
            for i in 0..n_cadres {
                if !never_trained[i] && lost_from[i] >= y {
                    by_cat[usize::from(category[i])].push(i as u32);
                }
            }
            let mut yrng = ChaCha8Rng::seed_from_u64(seed);
            yrng.set_stream(super::STREAM_YEAR + y as u64);
            let classes = year_classes(&mut yrng, y, by_cat, intensity, |c| trained_last[c as usize]);
            trained_last.iter_mut().for_each(|t| *t = false);
            for c in &classes {
                for &m in &c.members {
                    trained_last[m as usize] = true;
                }
            }
            let from = plan.classes.len();
            plan.classes.extend(classes);
            ranges.push(from..plan.classes.len());
            for (inst, (nc, nk)) in plan.add_courses(&mut yrng, from..plan.classes.len()) {
                let e = per_inst.entry(inst).or_default();
                *e = (e.0.max(nc), e.1.max(nk));
            }
        }
        let (mut t, mut m) = (0usize, 0usize);
        for (inst, (n_classes, n_courses)) in &per_inst {
            let nt = n_courses.div_ceil(30).max(6);
            let nm = n_classes.div_ceil(6).max(2);
            plan.teacher_pool.insert(*inst, t..t + nt);
            plan.manager_pool.insert(*inst, m..m + nm);
            t += nt;
            m += nm;
        }
        plan.teachers = (0..t)
            .map(|_| (normal(&mut life, 0.0, MODEL.teacher_sd), normal(&mut life, 0.0, MODEL.trainee_rater_sd)))
            .collect();
        plan.managers = (0..m).map(|_| normal(&mut life, 0.0, MODEL.trainee_rater_sd)).collect();
        plan.assign_regular_staff(&mut life);
        plan.index_enrollments();
        plan.year_classes = plan.classes.len();
        for (i, c) in plan.cadres.iter_mut().enumerate() {
            c.category = usize::from(category[i]);
            c.rank = usize::from(rank[i]);
            c.lost = lost_from[i] <= last;
        }
        for ch in &changes {
            // Changes are in year order: the last one of a cadre is the latest promotion.
            plan.cadres[ch.cadre as usize].promoted_day = Some(ch.day);
        }
        plan.periods = Some(Periods { first, lost_from, changes, year_classes: ranges });
        plan
    }

    /// A teacher for every course and a manager for every class: a course of a topic at
    /// an institution goes to the institution's regular teacher of that topic
    /// ([`REGULAR_TEACHER_SHARE`]), else to any teacher of the institution.
    fn assign_regular_staff(&mut self, rng: &mut ChaCha8Rng) {
        for c in &mut self.classes {
            let tp = self.teacher_pool.get(c.institution).cloned().unwrap_or(0..1);
            for course in &mut self.courses[c.courses.clone()] {
                course.teacher = if rng.gen_bool(REGULAR_TEACHER_SHARE) {
                    tp.start + (course.topic * 7 + c.category * 3) % tp.len().max(1)
                } else {
                    rng.gen_range(tp.clone())
                };
            }
            c.manager = rng.gen_range(self.manager_pool.get(c.institution).cloned().unwrap_or(0..1));
        }
    }

    fn make_classes(&mut self, rng: &mut ChaCha8Rng, intensity: Intensity) {
        let mut by_cat: Vec<Vec<u32>> = vec![Vec::new(); CATEGORIES.len()];
        for (i, c) in self.cadres.iter().enumerate() {
            by_cat[c.category].push(i as u32);
        }
        self.classes = year_classes(rng, self.year, by_cat, intensity, |_| false);
    }

    fn make_courses_and_staff(&mut self, rng: &mut ChaCha8Rng) {
        // Courses with their institution; teachers are drawn from the institution's pool.
        let per_inst = self.add_courses(rng, 0..self.classes.len());
        let (mut t, mut m) = (0usize, 0usize);
        for (inst, (n_classes, n_courses)) in &per_inst {
            let nt = n_courses.div_ceil(30).max(6);
            let nm = n_classes.div_ceil(6).max(2);
            self.teacher_pool.insert(*inst, t..t + nt);
            self.manager_pool.insert(*inst, m..m + nm);
            t += nt;
            m += nm;
        }
        self.teachers =
            (0..t).map(|_| (normal(rng, 0.0, MODEL.teacher_sd), normal(rng, 0.0, MODEL.trainee_rater_sd))).collect();
        self.managers = (0..m).map(|_| normal(rng, 0.0, MODEL.trainee_rater_sd)).collect();
        self.assign_staff(rng, 0..self.classes.len());
    }

    /// The courses of classes `range`; returns (classes, courses) per institution.
    fn add_courses(
        &mut self,
        rng: &mut ChaCha8Rng,
        range: std::ops::Range<usize>,
    ) -> BTreeMap<&'static str, (usize, usize)> {
        let mut per_inst: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
        for c in &mut self.classes[range] {
            let spec = &CATEGORIES[c.category];
            let n = ((c.hours / 6.0).round() as usize)
                .clamp(COURSES_PER_CLASS.0, COURSES_PER_CLASS.1)
                .min(spec.topics.len());
            let each = ((c.hours / n as f64).min(4.0) * 2.0).floor() / 2.0;
            let start = self.courses.len();
            for (k, t) in index::sample(rng, spec.topics.len(), n).into_iter().enumerate() {
                let method = if c.method == Method::Mixed {
                    *MIXED_COURSE_METHODS.choose(rng).unwrap_or(&Method::Centralized)
                } else {
                    c.method
                };
                let topic = TOPICS.iter().position(|x| *x == spec.topics[t]).unwrap_or(0);
                self.courses.push(Course { number: k + 1, teacher: 0, method, hours: each.max(1.0), topic });
            }
            c.courses = start..self.courses.len();
            let e = per_inst.entry(c.institution).or_default();
            e.0 += 1;
            e.1 += n;
        }
        per_inst
    }

    /// A teacher for every course and a manager for each of classes `range`, from their
    /// institution's pools.
    fn assign_staff(&mut self, rng: &mut ChaCha8Rng, range: std::ops::Range<usize>) {
        for c in &mut self.classes[range] {
            let tp = self.teacher_pool.get(c.institution).cloned().unwrap_or(0..1);
            for course in &mut self.courses[c.courses.clone()] {
                course.teacher = rng.gen_range(tp.clone());
            }
            c.manager = rng.gen_range(self.manager_pool.get(c.institution).cloned().unwrap_or(0..1));
        }
    }

    /// The contamination plant: classes of year + 1 and year − 1 for would-be controls,
    /// appended after the year's classes; their courses and staff (an institution new to
    /// the set gets its own pools) are drawn from `rng`, so the year's classes stay as
    /// they are without the plant.
    fn add_outside_classes(&mut self, rng: &mut ChaCha8Rng, design: &Design) {
        let year = self.year;
        let mut by_cat: Vec<Vec<u32>> = vec![Vec::new(); CATEGORIES.len()];
        // Lost cadres are picked as often as the others, so the controls left keep the
        // planted attrition.
        for (i, c) in self.cadres.iter().enumerate() {
            if self.classes_of(i).is_empty() {
                by_cat[c.category].push(i as u32);
            }
        }
        self.would_be_controls = by_cat.iter().map(Vec::len).sum();
        // Between the December reviews of the year and of year + 1; and in the washout year.
        let later = (days_from_civil(year + 1, 1, 1), days_from_civil(year + 1, 6, 30));
        let earlier = (days_from_civil(year - 1, 3, 1), days_from_civil(year - 1, 11, 30));
        let mut extra: Vec<Class> = Vec::new();
        for (cat, pool) in by_cat.iter_mut().enumerate() {
            let spec = &CATEGORIES[cat];
            pool.shuffle(rng);
            let n = pool.len();
            let n_later = ((design.contamination_share * n as f64).round() as usize).min(n);
            let n_earlier = ((design.washout_share * n as f64).round() as usize).min(n - n_later);
            split_into_classes(rng, &pool[..n_later], &mut extra, |rng, m| new_class(rng, cat, spec, later, m));
            let washout = &pool[n_later..n_later + n_earlier];
            split_into_classes(rng, washout, &mut extra, |rng, m| new_class(rng, cat, spec, earlier, m));
        }
        extra.sort_by_key(|c| (c.start, c.category, c.end));
        let first = self.classes.len();
        let mut seq: BTreeMap<(usize, i32), usize> = BTreeMap::new();
        for (i, c) in extra.iter_mut().enumerate() {
            c.members.sort_unstable();
            let y = civil_from_days(c.start).0;
            let s = seq.entry((c.category, y)).or_default();
            *s += 1;
            c.seq = *s;
            c.id = format!("K{}{:05}", y, first + i + 1);
        }
        self.classes.extend(extra);
        let range = first..self.classes.len();
        for (inst, (n_classes, n_courses)) in self.add_courses(rng, range.clone()) {
            if !self.teacher_pool.contains_key(inst) {
                let t = self.teachers.len();
                let nt = n_courses.div_ceil(30).max(6);
                for _ in 0..nt {
                    self.teachers.push((normal(rng, 0.0, MODEL.teacher_sd), normal(rng, 0.0, MODEL.trainee_rater_sd)));
                }
                self.teacher_pool.insert(inst, t..t + nt);
            }
            if !self.manager_pool.contains_key(inst) {
                let m = self.managers.len();
                let nm = n_classes.div_ceil(6).max(2);
                for _ in 0..nm {
                    self.managers.push(normal(rng, 0.0, MODEL.trainee_rater_sd));
                }
                self.manager_pool.insert(inst, m..m + nm);
            }
        }
        self.assign_staff(rng, range);
        self.index_enrollments();
    }

    fn index_enrollments(&mut self) {
        let n = self.cadres.len();
        let mut count = vec![0u32; n + 1];
        for c in &self.classes {
            for &m in &c.members {
                count[m as usize + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut list = vec![0u32; count[n] as usize];
        for (k, c) in self.classes.iter().enumerate() {
            for &m in &c.members {
                list[fill[m as usize] as usize] = k as u32;
                fill[m as usize] += 1;
            }
        }
        self.cadre_class_start = count;
        self.cadre_classes = list;
        // Classes are sorted by start, so each cadre's list is too.
        let mut repeaters = 0;
        let mut repeated_topic = 0;
        for i in 0..n {
            let ks = self.classes_of(i);
            if ks.len() >= 2 {
                repeaters += 1;
                let topics = |k: u32| {
                    let r = self.classes[k as usize].courses.clone();
                    self.courses[r].iter().map(|c| c.topic).collect::<Vec<_>>()
                };
                let a = topics(ks[0]);
                if ks[1..].iter().any(|&k| topics(k).iter().any(|t| a.contains(t))) {
                    repeated_topic += 1;
                }
            }
        }
        self.repeaters = repeaters;
        self.repeated_topic_cadres = repeated_topic;
    }

    fn mark_lost(&mut self, rng: &mut ChaCha8Rng, design: &Design) {
        for i in 0..self.cadres.len() {
            let p = if self.classes_of(i).is_empty() {
                design.attrition_untrained
            } else if design.attrition_weaker {
                // 2·Φ(−z) averages 1 over z ~ N(0, 1): the planted share, the weaker lost.
                let z = (f64::from(self.cadres[i].review_base) - MODEL.review_base) / MODEL.review_cadre_sd;
                (design.attrition_trained * statrs::function::erf::erfc(z / std::f64::consts::SQRT_2)).min(1.0)
            } else {
                design.attrition_trained
            };
            self.cadres[i].lost = rng.gen_bool(p);
        }
    }
}

/// Share of courses given to the institution's regular teacher of the topic (sets of
/// several years), so that a course recurs year after year with the same title and teacher.
pub const REGULAR_TEACHER_SHARE: f64 = 0.7;

/// Indices of the categories a promotion moves between.
const DEPARTMENT_LEVEL: u8 = 0;
const MIDDLE_LEVEL: u8 = 1;
const YOUNG_RESERVE: u8 = 2;
const CIVIL_SERVANT: u8 = 5;

/// The promotions of year `y` (effective in January–February, before the year's
/// classes): into another category (young_reserve or civil_servant → middle_level,
/// middle_level → department_level, at the new category's second rank, e.g. 副处, 副科)
/// or within the category to its first rank. Two draws for every cadre still present,
/// whatever happens, so one cadre's career never shifts another's.
fn promote(
    rng: &mut ChaCha8Rng,
    y: i32,
    lost_from: &[i32],
    category: &mut [u8],
    rank: &mut [u8],
    changes: &mut Vec<Change>,
) {
    let p = super::model::PERIODS;
    let jan = days_from_civil(y, 1, 1);
    for i in 0..category.len() {
        if lost_from[i] < y {
            continue;
        }
        let u: f64 = rng.gen();
        let day = jan + rng.gen_range(0..59);
        let (cat, r) = (category[i], rank[i]);
        let to = match cat {
            YOUNG_RESERVE if u < p.promote_young_reserve => Some(MIDDLE_LEVEL),
            CIVIL_SERVANT if u < p.promote_civil_servant => Some(MIDDLE_LEVEL),
            MIDDLE_LEVEL if u < p.promote_middle_level => Some(DEPARTMENT_LEVEL),
            _ => None,
        };
        let (to_cat, to_rank) = match to {
            Some(c) => (c, u8::from(CATEGORIES[usize::from(c)].ranks.len() > 1)),
            None if r != 0 && u > 1.0 - p.promote_rank => (cat, 0),
            None => continue,
        };
        changes.push(Change {
            cadre: i as u32,
            year: y,
            day,
            from_category: cat,
            to_category: to_cat,
            from_rank: r,
            to_rank,
        });
        category[i] = to_cat;
        rank[i] = to_rank;
    }
}

/// How much training a year holds: every category's share of cadres trained, times
/// `scale`, spread over `rounds` consecutive stretches of the March–November window
/// (each round trains `share × scale / rounds` of the category, drawn afresh, so a cadre
/// may be in several rounds and its classes never overlap). The model's year is one
/// round at scale 1, about 0.65 enrollments per cadre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intensity {
    pub scale: f64,
    pub rounds: usize,
}

impl Intensity {
    /// The model's year.
    pub const MODEL: Intensity = Intensity { scale: 1.0, rounds: 1 };
    /// Most enrollments per cadre a year that `--enrollments-per-cadre` accepts: a round
    /// needs a stretch of the window that still holds the longest class (45 days).
    pub const MAX_ENROLLMENTS_PER_CADRE: f64 = 3.0;

    /// The intensity that gives about `per_cadre` enrollments a year per cadre of
    /// `cadres` (`None`: the model's). One round while no category trains more than
    /// its whole pool, else as many as that takes.
    pub fn of(per_cadre: Option<f64>, cadres: &[Cadre]) -> Intensity {
        let Some(target) = per_cadre else { return Intensity::MODEL };
        let expected: f64 = cadres.iter().map(|c| CATEGORIES[c.category].train_share).sum::<f64>()
            * (1.0 + MODEL.repeat_share)
            / cadres.len().max(1) as f64;
        let scale = target / expected.max(f64::MIN_POSITIVE);
        let busiest = CATEGORIES.iter().map(|c| c.train_share).fold(0.0, f64::max);
        // A round trains at most this share of a category, so some cadres stay untrained
        // in every round and the year keeps its controls.
        const ROUND_CAP: f64 = 0.85;
        let rounds = if scale <= 1.0 { 1 } else { ((scale * busiest / ROUND_CAP).ceil() as usize).max(1) };
        Intensity { scale, rounds }
    }
}

/// The classes of `year` from each category's pool of cadres: the pool is shuffled, the
/// cadres for whom `recent` holds (trained the year before) moved behind the others (a
/// stable sort: rotation), the category's `train_share` of it trained in classes of
/// 30–60, and a share of the trained given a second, non-overlapping class of their
/// category; with an [`Intensity`] of several rounds, that once per round. Classes come
/// back sorted by start, numbered `K<year><n>` and `第k期`.
fn year_classes(
    rng: &mut ChaCha8Rng,
    year: i32,
    mut by_cat: Vec<Vec<u32>>,
    intensity: Intensity,
    recent: impl Fn(u32) -> bool,
) -> Vec<Class> {
    let (open, close) = (days_from_civil(year, 3, 1), days_from_civil(year, 11, 30));
    let rounds = intensity.rounds.max(1);
    let mut classes: Vec<Class> = Vec::new();
    for round in 0..rounds {
        // Each round has its own stretch of the year, so a cadre trained in two rounds has
        // two classes that do not overlap. One round is the whole window.
        let len = close - open + 1;
        let window = (open + len * round as i64 / rounds as i64, open + len * (round as i64 + 1) / rounds as i64 - 1);
        for (cat, pool) in by_cat.iter_mut().enumerate() {
            let spec = &CATEGORIES[cat];
            pool.shuffle(rng);
            // Rotation: a cadre trained the year before stands further back in the year's
            // line (its place in the shuffled line as a share of it, plus the penalty), so
            // most places go to those not trained the year before, but not all: some cadres
            // go two years or more without a class and are the next years' controls.
            let n = pool.len().max(1) as f64;
            let penalty = super::model::PERIODS.rotation_penalty;
            let key = |i: usize, c: u32| i as f64 / n + if recent(c) { penalty } else { 0.0 };
            let mut line: Vec<(f64, u32)> = pool.iter().enumerate().map(|(i, &c)| (key(i, c), c)).collect();
            line.sort_by(|a, b| a.0.total_cmp(&b.0));
            pool.iter_mut().zip(&line).for_each(|(p, (_, c))| *p = *c);
            let share = (spec.train_share * intensity.scale / rounds as f64).min(1.0);
            let trained = (share * pool.len() as f64).round() as usize;
            let first = classes.len();
            split_into_classes(rng, &pool[..trained], &mut classes, |rng, m| new_class(rng, cat, spec, window, m));
            // Repeaters: a share of the trained attend a second, non-overlapping class.
            let cat_classes = first..classes.len();
            if cat_classes.len() >= 2 {
                let n_rep = (MODEL.repeat_share * trained as f64).round() as usize;
                let mut home: BTreeMap<u32, usize> = BTreeMap::new();
                for k in cat_classes.clone() {
                    for &m in &classes[k].members {
                        home.insert(m, k);
                    }
                }
                for pick in index::sample(rng, trained, n_rep.min(trained)).into_iter() {
                    let cadre = pool[pick];
                    let Some(&h) = home.get(&cadre) else { continue };
                    for _ in 0..8 {
                        let k = rng.gen_range(cat_classes.clone());
                        let (a, b) = (&classes[h], &classes[k]);
                        if k != h && b.members.len() < CLASS_SIZE.1 && (b.start > a.end || b.end < a.start) {
                            classes[k].members.push(cadre);
                            break;
                        }
                    }
                }
            }
        }
    }
    classes.sort_by_key(|c| (c.start, c.category, c.end));
    let mut seq = vec![0usize; CATEGORIES.len()];
    for (i, c) in classes.iter_mut().enumerate() {
        c.members.sort_unstable();
        seq[c.category] += 1;
        c.seq = seq[c.category];
        c.id = format!("K{}{:05}", year, i + 1);
    }
    classes
}

/// Classes of `members` in order, 30–60 each (fewer only when fewer are left), each
/// class's size drawn just before `make` draws the class.
fn split_into_classes(
    rng: &mut ChaCha8Rng,
    members: &[u32],
    out: &mut Vec<Class>,
    mut make: impl FnMut(&mut ChaCha8Rng, Vec<u32>) -> Class,
) {
    let mut rest = members;
    while !rest.is_empty() {
        let size = if rest.len() <= CLASS_SIZE.1 {
            rest.len()
        } else {
            rng.gen_range(CLASS_SIZE.0..=CLASS_SIZE.1.min(rest.len() - CLASS_SIZE.0))
        };
        let (members, tail) = rest.split_at(size);
        rest = tail;
        out.push(make(rng, members.to_vec()));
    }
}

/// A class of `members` starting and ending within `window` (first and last day).
fn new_class(rng: &mut ChaCha8Rng, cat: usize, spec: &CategorySpec, window: (i64, i64), members: Vec<u32>) -> Class {
    let method = spec.methods[weighted(rng, spec.methods.iter().map(|m| m.1))].0;
    let programme = rng.gen_range(0..spec.programmes.len());
    let (days, hours, span) = match method {
        Method::Online => {
            let hours = [12.0, 16.0, 20.0, 24.0, 32.0, 40.0][rng.gen_range(0..6)];
            ((hours / HOURS_PER_DAY).ceil(), hours, rng.gen_range(14..=45))
        }
        Method::Attachment => {
            let d = rng.gen_range(20..=30);
            (f64::from(d), f64::from(d) * HOURS_PER_DAY, i64::from(d))
        }
        _ => {
            let d = rng.gen_range(spec.days.0..=spec.days.1);
            (f64::from(d), half_hours(f64::from(d) * HOURS_PER_DAY), i64::from(d))
        }
    };
    let (first, last_end) = window;
    let start = rng.gen_range(first..=last_end - span + 1);
    let institution = match method {
        Method::Online => ONLINE_INSTITUTION,
        Method::FieldVisit => FIELD_INSTITUTIONS[rng.gen_range(0..FIELD_INSTITUTIONS.len())],
        Method::Attachment => ATTACHMENT_INSTITUTION,
        _ => spec.institutions[rng.gen_range(0..spec.institutions.len())],
    };
    let effect = normal(rng, 0.0, MODEL.class_effect_sd);
    let follow_12m = spec.follow_12m || rng.gen_bool(MODEL.follow_12m_extra_share);
    Class {
        id: String::new(),
        category: cat,
        method,
        programme,
        seq: 0,
        institution,
        start,
        end: start + span - 1,
        days,
        hours,
        manager: 0,
        members,
        courses: 0..0,
        effect,
        follow_12m,
    }
}

fn make_units(rng: &mut ChaCha8Rng, n_cadres: usize) -> (Vec<String>, Vec<Unit>) {
    let n_units = n_cadres.div_ceil(60).max(UnitKind::SHARES.len());
    let n_regions = (n_units / 25).clamp(2, REGION_STEMS.len() * REGION_ENDINGS.len());
    let regions = (0..n_regions)
        .map(|i| {
            format!(
                "{}{}",
                REGION_STEMS[i % REGION_STEMS.len()],
                REGION_ENDINGS[(i / REGION_STEMS.len() + i) % REGION_ENDINGS.len()]
            )
        })
        .collect();
    let units = (0..n_units)
        .map(|i| {
            // The first units cover every kind; the rest follow the shares.
            let kind = if i < UnitKind::SHARES.len() {
                UnitKind::SHARES[i].0
            } else {
                let x: f64 = rng.gen();
                let mut acc = 0.0;
                UnitKind::SHARES
                    .iter()
                    .find(|(_, s)| {
                        acc += s;
                        x < acc
                    })
                    .map_or(UnitKind::Township, |k| k.0)
            };
            Unit {
                kind,
                region: rng.gen_range(0..n_regions),
                suffix: rng.gen_range(0..kind.name_suffixes().len()),
                review_day: rng.gen_range(10..=28),
            }
        })
        .collect();
    (regions, units)
}

fn make_cadres(rng: &mut ChaCha8Rng, n: usize, year: i32, units: &[Unit]) -> Vec<Cadre> {
    let mut by_kind: Vec<Vec<u32>> = vec![Vec::new(); UnitKind::SHARES.len()];
    for (i, u) in units.iter().enumerate() {
        by_kind[u.kind.index()].push(i as u32);
    }
    let cat_weights: Vec<u32> = CATEGORIES.iter().map(|c| (c.share * 10_000.0).round() as u32).collect();
    let year_start = days_from_civil(year - 1, 1, 1);
    let year_end = days_from_civil(year, 12, 31);
    (0..n)
        .map(|_| {
            let category = weighted(rng, cat_weights.iter().copied());
            let spec = &CATEGORIES[category];
            let age = rng.gen_range(spec.ages.0..=spec.ages.1);
            let party = rng.gen_bool(spec.party_share);
            let join_day = party.then(|| {
                let at = rng.gen_range(18..=(age - 1).clamp(18, 35));
                days_from_civil(year - age + at, 1, 1) + rng.gen_range(0..365)
            });
            let eligible: u32 = spec.unit_kinds.iter().map(|k| by_kind[k.index()].len() as u32).sum();
            let mut r = rng.gen_range(0..eligible.max(1));
            let mut unit = 0;
            for k in spec.unit_kinds {
                let list = &by_kind[k.index()];
                if (r as usize) < list.len() {
                    unit = list[r as usize];
                    break;
                }
                r -= list.len() as u32;
            }
            let two_given = rng.gen_bool(0.75);
            Cadre {
                category,
                female: rng.gen_bool(spec.female_share),
                birth_year: year - age,
                rank: weighted(rng, spec.ranks.iter().map(|r| r.1)),
                unit,
                party,
                join_day,
                promoted_day: rng.gen_bool(0.06).then(|| rng.gen_range(year_start..=year_end)),
                latent: normal(rng, MODEL.latent_mean + spec.latent_offset, MODEL.latent_sd) as f32,
                review_base: normal(rng, MODEL.review_base, MODEL.review_cadre_sd) as f32,
                lost: false,
                name: [
                    rng.gen_range(0..SURNAMES.len()) as u8,
                    rng.gen_range(0..GIVEN_CHARS.len()) as u8,
                    if two_given { rng.gen_range(0..GIVEN_CHARS.len()) as u8 } else { u8::MAX },
                ],
            }
        })
        .collect()
}
