//! Streams what happens in each class: enrollments, surveys, course and trainee ratings.
//!
//! In: the [`Plan`] and one class index at a time. Out: that class's rows appended to
//! `enrollments`, `survey_<wave>`, `course_ratings` and `trainee_ratings`, planted bad rows
//! after the class's clean rows (a superseded earlier submission just before the row that
//! replaces it), and running sums in [`Observed`]. Guarantees: a class's clean rows come
//! from its own random stream (`STREAM_CLASS + index`) and its bad rows from another
//! (`STREAM_DIRTY + index`), so clean rows are identical with and without `--dirty`;
//! memory per class is bounded by its 60 trainees × 12 courses. Method effects come from
//! the [`Design`] (all 0 under `--null-methods`, with the same draws). Only the year's
//! classes feed [`Observed`]: the classes of year ± 1 a plant adds belong to other periods.

use rand::seq::{index, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::dates::{secs_at, Stamp};
use super::dirty::{values, Dirty, SUPERSEDED};
use super::domain::{Method, CATEGORIES, RATING_INDICATORS, TOPICS};
use super::model::{half_hours, likert_answer, normal, scale_score, score, MODEL};
use super::plan::{Class, Plan};
use super::survey::{Answer, SurveyWriter, Wave, WaveDesign};
use super::truth::{reason, Counts, Mean, Observed};
use super::writers::{Field, InputWriter};
use super::{Design, GenerateError};

/// The per-class output streams.
pub struct ActivityFiles {
    pub enrollments: InputWriter,
    /// One writer per wave, in [`Wave::ALL`] order.
    pub surveys: Vec<SurveyWriter>,
    pub course_ratings: InputWriter,
    pub trainee_ratings: InputWriter,
}

/// A trainee of the class being generated.
struct Member {
    id: String,
    theta: f64,
    gain: f64,
    withdrawn: bool,
    /// Lost before this class's follow-ups: no follow-up survey.
    lost: bool,
}

/// One survey submission before it is written.
struct Response {
    member: usize,
    secs: i64,
    duration: i64,
    answers: Vec<Answer>,
}

/// Generates the rows of one class after another.
pub struct ClassEmitter<'a> {
    pub plan: &'a Plan,
    pub seed: u64,
    pub design: &'a Design,
    pub dirty: &'a mut Dirty,
    /// Running sums of the year's classes.
    pub observed: &'a mut Observed,
    pub counts: &'a mut Counts,
    /// Next number for an unknown cadre id (ids past the last cadre).
    pub unknown_cadre: usize,
    /// Over several years, the competence each cadre carries from earlier classes into
    /// the next (`carry_share` of each gain); empty for one year.
    pub carry: &'a mut Vec<f32>,
}

const T_ENROLL: &str = crate::schema::wh::ENROLLMENTS;
const T_COURSE: &str = crate::schema::wh::COURSE_RATINGS;
const T_TRAINEE: &str = crate::schema::wh::TRAINEE_RATINGS;

impl ClassEmitter<'_> {
    /// Write every row of class `ci`.
    pub fn emit(&mut self, ci: usize, out: &mut ActivityFiles) -> Result<(), GenerateError> {
        if self.plan.in_year(ci) {
            return self.emit_class(ci, out);
        }
        // A plant's class of another year writes its rows but stays out of the year's sums.
        let year = std::mem::take(&mut *self.observed);
        let written = self.emit_class(ci, out);
        *self.observed = year;
        written
    }

    fn emit_class(&mut self, ci: usize, out: &mut ActivityFiles) -> Result<(), GenerateError> {
        let class = &self.plan.classes[ci];
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(super::STREAM_CLASS + ci as u64);
        let mut bad = ChaCha8Rng::seed_from_u64(self.seed);
        bad.set_stream(super::STREAM_DIRTY + ci as u64);

        let members = self.enrollments(&mut rng, &mut bad, ci, &mut out.enrollments)?;
        let mut pre = vec![None; members.len()];
        let mut post = vec![None; members.len()];
        for (w, wave) in Wave::ALL.into_iter().enumerate() {
            if wave == Wave::Follow12m && !class.follow_12m {
                continue;
            }
            let scored = self.survey(&mut rng, &mut bad, class, &members, wave, &mut out.surveys[w])?;
            match wave {
                Wave::Pre => pre = scored,
                Wave::Post => post = scored,
                _ => {}
            }
        }
        let gain = self.observed.gain_by_method.entry(class.method.code().to_string()).or_default();
        for (a, b) in pre.iter().zip(&post) {
            if let (Some(a), Some(b)) = (a, b) {
                gain.add(b - a);
                self.observed.gain_all.add(b - a);
                self.observed.pre_all.add(*a);
                self.observed.post_all.add(*b);
            }
        }
        self.course_ratings(&mut rng, &mut bad, class, &members, &mut out.course_ratings)?;
        self.trainee_ratings(&mut rng, &mut bad, class, &members, &mut out.trainee_ratings)
    }

    fn enrollments(
        &mut self,
        rng: &mut ChaCha8Rng,
        bad: &mut ChaCha8Rng,
        ci: usize,
        w: &mut InputWriter,
    ) -> Result<Vec<Member>, GenerateError> {
        let plan = self.plan;
        let class = &plan.classes[ci];
        let year = plan.class_year(ci);
        let hours = class.hours;
        let limit = hours / 7.0;
        let mut members = Vec::with_capacity(class.members.len());
        let mut rows: Vec<[f64; 4]> = Vec::with_capacity(class.members.len());
        for &cadre in &class.members {
            let carried = self.carry.get(cadre as usize).map_or(0.0, |&c| f64::from(c));
            let theta = f64::from(self.plan.cadres[cadre as usize].latent) + carried;
            let gain = self.design.base_gain(year)
                + self.design.method_effect(class.method)
                + class.effect
                + normal(rng, 0.0, MODEL.individual_gain_sd);
            let u: f64 = rng.gen();
            let leave = if class.method == Method::Online {
                0.0
            } else if u < MODEL.leave_over_limit_share {
                ((limit * 2.0).floor() / 2.0 + 0.5 + half_hours(rng.gen_range(0.0..=hours / 5.0))).min(hours)
            } else if u < MODEL.leave_share {
                half_hours(rng.gen_range(0.0..=hours / 10.0))
            } else {
                0.0
            };
            let withdrawn = leave > limit;
            let absent =
                if rng.gen_bool(0.05) { half_hours(rng.gen_range(0.0..=(hours - leave).min(3.5))) } else { 0.0 };
            let mut attended = hours - leave - absent;
            if class.method == Method::Online && rng.gen_bool(0.1) {
                attended = half_hours(hours * rng.gen_range(0.5..1.0));
            }
            let completed = !withdrawn && attended >= 0.8 * hours && !rng.gen_bool(0.01);
            let discipline = match rng.gen::<f64>() {
                x if x < 0.90 => 0.0,
                x if x < 0.98 => 1.0,
                _ => 2.0,
            };
            let exam = if class.method.has_exam() && !withdrawn {
                f64::from(score(55.0 + 0.45 * (theta + gain) + normal(rng, 0.0, 6.0), 0, 100))
            } else {
                f64::NAN
            };
            self.counts.enrollments += 1;
            self.counts.leave_over_limit += usize::from(withdrawn);
            self.counts.not_completed += usize::from(!completed);
            let id = Plan::cadre_id(cadre as usize);
            write_enrollment(w, &class.id, &id, [attended, leave, discipline, exam], completed)?;
            rows.push([attended, leave, discipline, exam]);
            let lost = self.plan.lost_after(cadre as usize, ci);
            if let (Some(c), Some(p)) = (self.carry.get_mut(cadre as usize), self.design.periods) {
                *c += (p.carry_share * gain) as f32;
            }
            members.push(Member { id, theta, gain, withdrawn, lost });
        }
        for _ in 0..self.dirty.want(bad, T_ENROLL, reason::UNKNOWN_ID, members.len()) {
            let Some(r) = rows.choose(bad) else { break };
            self.unknown_cadre += 1;
            let id = Plan::cadre_id(self.plan.cadres.len() + self.unknown_cadre);
            write_enrollment(w, &class.id, &id, *r, true)?;
            self.dirty.record(T_ENROLL, reason::UNKNOWN_ID);
        }
        Ok(members)
    }

    /// Writes one wave of one class; returns each member's competence score (pre/post).
    fn survey(
        &mut self,
        rng: &mut ChaCha8Rng,
        bad: &mut ChaCha8Rng,
        class: &Class,
        members: &[Member],
        wave: Wave,
        w: &mut SurveyWriter,
    ) -> Result<Vec<Option<f64>>, GenerateError> {
        let mut responses = Vec::new();
        let mut silent = Vec::new();
        for (j, m) in members.iter().enumerate() {
            let lost = m.lost;
            let p = match wave {
                Wave::Needs => MODEL.response_needs,
                Wave::Pre => MODEL.response_pre,
                Wave::Post if m.withdrawn => MODEL.response_post_withdrawn,
                Wave::Post => MODEL.response_post,
                _ if lost => 0.0,
                Wave::Follow3m => MODEL.response_follow_3m,
                Wave::Follow6m => MODEL.response_follow_6m,
                Wave::Follow12m => MODEL.response_follow_12m,
            };
            if rng.gen_bool(p) {
                responses.push(self.respond(rng, class, j, m, wave, 0.0));
            } else {
                silent.push(j);
            }
        }
        let scored = {
            let mut s = vec![None; members.len()];
            for r in &responses {
                let v: Vec<Option<i32>> =
                    r.answers.iter().map(|a| if let Answer::Int(x) = a { Some(*x as i32) } else { None }).collect();
                s[r.member] = scale_score(&v, wave.items());
            }
            s
        };

        // Earlier submissions that the clean row supersedes, written just before it.
        let table = wave.table();
        let n_dup = self.dirty.want(bad, table, SUPERSEDED, responses.len()).min(responses.len());
        let mut decoy: Vec<Option<Response>> = (0..responses.len()).map(|_| None).collect();
        for k in index::sample(bad, responses.len(), n_dup).into_iter() {
            let r = &responses[k];
            let mut d = self.respond(bad, class, r.member, &members[r.member], wave, 10.0);
            d.secs = r.secs - bad.gen_range(300..=7200);
            decoy[k] = Some(d);
        }
        for (r, d) in responses.iter().zip(decoy) {
            if let Some(d) = d {
                write_response(w, class, members, &d)?;
                self.dirty.record(table, SUPERSEDED);
            }
            write_response(w, class, members, r)?;
        }

        // Rows that fail exactly one check.
        let n = responses.len();
        let pick = |bad: &mut ChaCha8Rng| -> usize {
            if silent.is_empty() {
                bad.gen_range(0..members.len())
            } else {
                silent[bad.gen_range(0..silent.len())]
            }
        };
        for _ in 0..self.dirty.want(bad, table, reason::NOT_ENROLLED, n) {
            let Some(outsider) = self.outsider(bad, class) else { break };
            let j = pick(bad);
            let r = self.respond(bad, class, j, &members[j], wave, 0.0);
            let id = Plan::cadre_id(outsider as usize);
            w.write(&class.id, &id, &Stamp::from_secs(r.secs), r.duration, &r.answers)?;
            self.dirty.record(table, reason::NOT_ENROLLED);
        }
        for _ in 0..self.dirty.want(bad, table, reason::BAD_DATE, n) {
            let j = pick(bad);
            let r = self.respond(bad, class, j, &members[j], wave, 0.0);
            let stamp = Stamp { month: 2, day: 30, ..Stamp::from_secs(r.secs) };
            w.write(&class.id, &members[j].id, &stamp, r.duration, &r.answers)?;
            self.dirty.record(table, reason::BAD_DATE);
        }
        for _ in 0..self.dirty.want(bad, table, reason::OUT_OF_RANGE, n) {
            let j = pick(bad);
            let mut r = self.respond(bad, class, j, &members[j], wave, 0.0);
            let likert: Vec<usize> =
                wave.items().iter().enumerate().filter(|(_, i)| i.range.is_some()).map(|(k, _)| k).collect();
            let k = likert[bad.gen_range(0..likert.len())];
            r.answers[k] = Answer::Int(values::LIKERT_OUT_OF_RANGE[bad.gen_range(0..2)]);
            write_response(w, class, members, &r)?;
            self.dirty.record(table, reason::OUT_OF_RANGE);
        }
        for _ in 0..self.dirty.want(bad, table, reason::SPEEDER, n) {
            let j = pick(bad);
            let mut r = self.respond(bad, class, j, &members[j], wave, 0.0);
            r.duration = bad.gen_range(1..=29);
            write_response(w, class, members, &r)?;
            self.dirty.record(table, reason::SPEEDER);
        }
        Ok(scored)
    }

    /// A cadre not enrolled in `class` (none when every cadre is).
    fn outsider(&self, bad: &mut ChaCha8Rng, class: &Class) -> Option<u32> {
        (0..32)
            .map(|_| bad.gen_range(0..self.plan.cadres.len()) as u32)
            .find(|c| class.members.binary_search(c).is_err())
    }

    /// A valid submission of member `j` (latent shifted by `noise`-SD for decoys).
    fn respond<R: Rng>(&self, rng: &mut R, class: &Class, j: usize, m: &Member, wave: Wave, noise: f64) -> Response {
        let (day, hours) = match wave {
            Wave::Needs => (class.start - rng.gen_range(3..=20), 8..=22),
            Wave::Pre => (class.start - rng.gen_range(0..=1), 7..=22),
            Wave::Post => (class.end + rng.gen_range(0..=2), 14..=21),
            _ => (class.end + wave.follow_up_days().unwrap_or(0) + rng.gen_range(0..=13), 8..=22),
        };
        let secs = secs_at(day, rng.gen_range(hours), rng.gen_range(0..60), rng.gen_range(0..60));
        let items = wave.items();
        let typical = (12 * items.len()) as f64;
        let duration = 30 + normal(rng, typical.ln(), 0.5).exp().round() as i64;
        let retention = match wave {
            Wave::Needs | Wave::Pre => 0.0,
            Wave::Post => 1.0,
            Wave::Follow3m => MODEL.retention_3m,
            Wave::Follow6m => MODEL.retention_6m,
            Wave::Follow12m => MODEL.retention_12m,
        };
        let theta = m.theta + m.gain * retention + normal(rng, 0.0, noise);
        let answers = if wave == Wave::Needs {
            let topics = self.requested_topics(rng, class);
            let urgency = normal(rng, 60.0, 15.0);
            vec![
                Answer::Text(topics),
                Answer::Int(i64::from(likert_answer(rng, urgency, &items[1]))),
                Answer::Int(i64::from(likert_answer(rng, 100.0 - theta, &items[2]))),
            ]
        } else {
            items
                .iter()
                .map(|it| {
                    if rng.gen_bool(MODEL.item_skip_share) {
                        Answer::Skipped
                    } else {
                        Answer::Int(i64::from(likert_answer(rng, theta, it)))
                    }
                })
                .collect()
        };
        Response { member: j, secs, duration, answers }
    }

    /// 1–4 topics, mostly among those the class teaches, `┋`-joined in pool order.
    fn requested_topics<R: Rng>(&self, rng: &mut R, class: &Class) -> String {
        let pool = CATEGORIES[class.category].topics;
        let taught: Vec<&str> = self.plan.courses[class.courses.clone()].iter().map(|c| TOPICS[c.topic]).collect();
        let want = rng.gen_range(1..=4usize).min(pool.len());
        let mut chosen: Vec<&str> = Vec::with_capacity(want);
        for _ in 0..4 * want {
            if chosen.len() == want {
                break;
            }
            let t = if rng.gen_bool(0.75) && !taught.is_empty() {
                taught[rng.gen_range(0..taught.len())]
            } else {
                pool[rng.gen_range(0..pool.len())]
            };
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        chosen.sort_by_key(|t| pool.iter().position(|p| p == t));
        chosen.join("┋")
    }

    fn course_ratings(
        &mut self,
        rng: &mut ChaCha8Rng,
        bad: &mut ChaCha8Rng,
        class: &Class,
        members: &[Member],
        w: &mut InputWriter,
    ) -> Result<(), GenerateError> {
        let courses = &self.plan.courses[class.courses.clone()];
        let rating_base = self.design.rating_base(super::dates::civil_from_days(class.start).0);
        let ids: Vec<String> = courses.iter().map(|c| Plan::course_id(&class.id, c.number)).collect();
        let mut rows: Vec<(usize, usize, [i64; 5])> = Vec::with_capacity(members.len() * courses.len());
        for j in 0..members.len() {
            let leniency = normal(rng, 0.0, MODEL.rater_leniency_sd);
            for (k, c) in courses.iter().enumerate() {
                if rng.gen_bool(MODEL.rating_skip_share) {
                    continue;
                }
                let mu = rating_base
                    + self.plan.teachers[c.teacher].0
                    + MODEL.rating_per_gain_point * self.design.method_effect(c.method)
                    + leniency;
                let s: [i64; 5] =
                    std::array::from_fn(|_| i64::from(score(mu + normal(rng, 0.0, MODEL.rating_noise_sd), 0, 20)));
                self.observed.course_rating_total.add(s.iter().sum::<i64>() as f64);
                rows.push((j, k, s));
            }
        }
        for (j, k, s) in &rows {
            write_rating(w, &class.id, &ids[*k], &members[*j].id, s.map(Score::Int))?;
        }
        let n = rows.len();
        for _ in 0..self.dirty.want(bad, T_COURSE, reason::UNKNOWN_ID, n) {
            let Some((j, _, s)) = rows.choose(bad) else { break };
            let course = Plan::course_id(&class.id, 99);
            write_rating(w, &class.id, &course, &members[*j].id, s.map(Score::Int))?;
            self.dirty.record(T_COURSE, reason::UNKNOWN_ID);
        }
        for _ in 0..self.dirty.want(bad, T_COURSE, reason::OUT_OF_RANGE, n) {
            let Some((j, k, s)) = rows.choose(bad) else { break };
            let mut s = s.map(Score::Int);
            s[bad.gen_range(0..5)] = Score::Int(values::RATING_OUT_OF_RANGE[bad.gen_range(0..2)]);
            write_rating(w, &class.id, &ids[*k], &members[*j].id, s)?;
            self.dirty.record(T_COURSE, reason::OUT_OF_RANGE);
        }
        for _ in 0..self.dirty.want(bad, T_COURSE, reason::BAD_NUMBER, n) {
            let Some((j, k, s)) = rows.choose(bad) else { break };
            let mut s = s.map(Score::Int);
            s[bad.gen_range(0..5)] = Score::Text(values::BAD_NUMBERS[bad.gen_range(0..2)]);
            write_rating(w, &class.id, &ids[*k], &members[*j].id, s)?;
            self.dirty.record(T_COURSE, reason::BAD_NUMBER);
        }
        for _ in 0..self.dirty.want(bad, T_COURSE, reason::DUPLICATE_KEY, n) {
            let Some((j, k, s)) = rows.choose(bad) else { break };
            let mut s = *s;
            s[0] = if s[0] < 20 { s[0] + 1 } else { s[0] - 1 };
            write_rating(w, &class.id, &ids[*k], &members[*j].id, s.map(Score::Int))?;
            self.dirty.record(T_COURSE, reason::DUPLICATE_KEY);
        }
        Ok(())
    }

    fn trainee_ratings(
        &mut self,
        rng: &mut ChaCha8Rng,
        bad: &mut ChaCha8Rng,
        class: &Class,
        members: &[Member],
        w: &mut InputWriter,
    ) -> Result<(), GenerateError> {
        let plan = self.plan;
        // Two head teachers (distinct) rate every trainee, with the class manager.
        let mut teachers: Vec<usize> = Vec::new();
        for c in &plan.courses[class.courses.clone()] {
            if !teachers.contains(&c.teacher) {
                teachers.push(c.teacher);
            }
        }
        teachers.shuffle(rng);
        teachers.truncate(2);
        let manager = Plan::manager_id(class.manager);
        let teacher_ids: Vec<String> = teachers.iter().map(|&t| Plan::teacher_id(t)).collect();
        let peer_leniency: Vec<f64> = members.iter().map(|_| normal(rng, 0.0, MODEL.trainee_rater_sd)).collect();
        let n = members.len();
        let mut rows: Vec<(usize, &'static str, String, [i64; 4])> = Vec::new();
        let mut by_role: Vec<(&'static str, Mean)> = Vec::new();
        for (j, m) in members.iter().enumerate() {
            let perf = MODEL.trainee_base
                + MODEL.trainee_latent_weight * (m.theta - MODEL.latent_mean)
                + normal(rng, 0.0, MODEL.trainee_sd);
            let mut raters: Vec<(&'static str, String, f64)> =
                vec![("class_manager", manager.clone(), MODEL.bias_class_manager + plan.managers[class.manager])];
            for (t, id) in teachers.iter().zip(&teacher_ids) {
                raters.push(("teacher", id.clone(), MODEL.bias_teacher + plan.teachers[*t].1));
            }
            for step in 1..=2usize.min(n.saturating_sub(1)) {
                let p = (j + step) % n;
                raters.push(("peer", members[p].id.clone(), MODEL.bias_peer + peer_leniency[p]));
            }
            raters.push(("self", m.id.clone(), MODEL.self_inflation));
            for (role, rater, shift) in raters {
                let s: [i64; 4] = std::array::from_fn(|_| {
                    i64::from(score(perf + shift + normal(rng, 0.0, MODEL.trainee_noise_sd), 0, 100))
                });
                let k = match by_role.iter().position(|(r, _)| *r == role) {
                    Some(k) => k,
                    None => {
                        by_role.push((role, Mean::default()));
                        by_role.len() - 1
                    }
                };
                for x in s {
                    by_role[k].1.add(x as f64);
                }
                rows.push((j, role, rater, s));
            }
        }
        for (role, m) in by_role {
            self.observed.trainee_rating_by_role.entry(role.to_string()).or_default().merge(&m);
        }
        for (j, role, rater, s) in &rows {
            write_trainee_rating(w, &class.id, &members[*j].id, role, rater, s.map(Score::Int))?;
        }
        let n = rows.len();
        for _ in 0..self.dirty.want(bad, T_TRAINEE, reason::OUT_OF_RANGE, n) {
            let Some((j, role, rater, s)) = rows.choose(bad) else { break };
            let mut s = s.map(Score::Int);
            s[bad.gen_range(0..4)] = Score::Int(values::SCORE_OUT_OF_RANGE[bad.gen_range(0..2)]);
            write_trainee_rating(w, &class.id, &members[*j].id, role, rater, s)?;
            self.dirty.record(T_TRAINEE, reason::OUT_OF_RANGE);
        }
        for _ in 0..self.dirty.want(bad, T_TRAINEE, reason::BAD_NUMBER, n) {
            let Some((j, role, rater, s)) = rows.choose(bad) else { break };
            let mut s = s.map(Score::Int);
            s[bad.gen_range(0..4)] = Score::Text(values::BAD_NUMBERS[bad.gen_range(0..2)]);
            write_trainee_rating(w, &class.id, &members[*j].id, role, rater, s)?;
            self.dirty.record(T_TRAINEE, reason::BAD_NUMBER);
        }
        Ok(())
    }
}

/// A score cell that may be deliberately non-numeric.
#[derive(Debug, Clone, Copy)]
enum Score {
    Int(i64),
    Text(&'static str),
}

impl Score {
    fn cell<'a>(&self) -> Field<'a> {
        match *self {
            Score::Int(i) => Field::Int(i),
            Score::Text(t) => Field::Str(t),
        }
    }
}

fn write_enrollment(
    w: &mut InputWriter,
    class: &str,
    cadre: &str,
    v: [f64; 4],
    completed: bool,
) -> Result<(), GenerateError> {
    let exam = if v[3].is_nan() { Field::Empty } else { Field::Int(v[3] as i64) };
    w.row(&[
        Field::Str(class),
        Field::Str(cadre),
        Field::Num(v[0]),
        Field::Num(v[1]),
        Field::Int(v[2] as i64),
        exam,
        Field::Str(if completed { "true" } else { "false" }),
    ])
}

fn write_response(w: &mut SurveyWriter, class: &Class, members: &[Member], r: &Response) -> Result<(), GenerateError> {
    w.write(&class.id, &members[r.member].id, &Stamp::from_secs(r.secs), r.duration, &r.answers)
}

fn write_rating(
    w: &mut InputWriter,
    class: &str,
    course: &str,
    rater: &str,
    s: [Score; 5],
) -> Result<(), GenerateError> {
    let mut cells = vec![Field::Str(class), Field::Str(course), Field::Str(rater)];
    cells.extend(s.iter().map(Score::cell));
    w.row(&cells)
}

fn write_trainee_rating(
    w: &mut InputWriter,
    class: &str,
    cadre: &str,
    role: &str,
    rater: &str,
    s: [Score; 4],
) -> Result<(), GenerateError> {
    let mut cells = vec![Field::Str(class), Field::Str(cadre), Field::Str(role), Field::Str(rater)];
    cells.extend(s.iter().map(Score::cell));
    w.row(&cells)
}

/// Course-rating header.
pub fn course_rating_header() -> Vec<&'static str> {
    let mut h = vec!["class_id", "course_id", "rater_id"];
    h.extend(RATING_INDICATORS);
    h
}

/// Trainee-rating header.
pub fn trainee_rating_header() -> Vec<&'static str> {
    let mut h = vec!["class_id", "cadre_id", "rater_role", "rater_id"];
    h.extend(super::domain::TRAINEE_DIMENSIONS);
    h
}

/// Enrollment header.
pub const ENROLLMENT_HEADER: [&str; 7] =
    ["class_id", "cadre_id", "attended_hours", "leave_hours", "discipline_flags", "exam_score", "completed"];
