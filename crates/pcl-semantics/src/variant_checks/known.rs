//! Statements' renderings kept across items and edits, per thread: an edit
//! of a set renders again, in the policies that use it, only the statements
//! that read the set (`policies.pcl`, a next edit of `dynamodb_item_rw`:
//! 690k -> 565k instructions). A statement is known by its address and those
//! of the blocks around it; what it renders is valid while every item it
//! reads is the same IR, at the same address. A statement at a new address
//! (an edit inside its policy makes all of the policy's IR new) is found
//! again by its content (`relative.rs`), and its renderings are moved with
//! it: an edit inside a policy renders again its edited statement only.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use pcl_syntax::Name;
use rustc_hash::FxHashMap as HashMap;

use super::Pass;
use super::statements::StatementSummary;
use crate::ir::{
    ConditionEntry, ConditionKey, GList, ItemIr, ParamValue, Program, Statement, Template, TextPart, Value,
};
use crate::variants;

/// A statement's renderings under one configuration. The addresses in its
/// key and in `reads` are kept from reuse by `held`, which holds every item
/// of the closure program it was found in (the statement, the blocks around
/// it and what they read are all among those): an equal address is the same,
/// unchanged, item. Valid only while a summary reads nothing but the
/// statement, the blocks, those items, the configuration's params, the pass,
/// the partition and the values of `vars` (`expand::expand_statement`,
/// `content_checks::statement_findings`): whatever else they come to read
/// must join the key.
pub(super) struct KnownRenderings {
    held: Rc<[Arc<ItemIr>]>,
    /// The items the statement and its blocks read, and the address of
    /// each one's IR (`None`: not in the program).
    reads: Vec<(Name, Option<*const ItemIr>)>,
    /// The params its rendering reads (its texts', its guards' and those of
    /// the items it reads), with their values when it was found: its
    /// renderings are kept by pass and partition, not by every param, so
    /// that an edit of a param it does not read (a name's `prefix`) leaves
    /// them valid.
    params: Vec<(Name, Option<ParamValue>)>,
    /// The variables its rendering reads.
    pub vars: Rc<[String]>,
    /// Its summaries, by the values of `vars`.
    by_values: RefCell<HashMap<Vec<Option<Name>>, Rc<StatementSummary>>>,
    /// Where it was found: its key, the start of the statement (what its
    /// summaries' spans are relative to), and its content, for a statement
    /// at another address to find it.
    place: Place,
}

/// Where a statement's renderings were found (see `KnownRenderings`).
pub(super) struct Place {
    pub key: StatementKey,
    pub start: u32,
    pub content: u64,
}

impl KnownRenderings {
    /// `s` inside `blocks`, as `program` has it, none rendered yet.
    pub fn new(
        program: &Program,
        (s, blocks): (&Statement, &[&ConditionEntry]),
        (held, params): (Rc<[Arc<ItemIr>]>, &BTreeMap<String, ParamValue>),
        place: Place,
    ) -> Self {
        let (vars, reads) = variants::statement_reads(program, s, blocks);
        let names = params_read(program, (s, blocks), &reads, &vars);
        let params = names.into_iter().map(|name| (name, params.get(name.as_str()).cloned())).collect();
        let reads = reads.into_iter().map(|name| (Name::new(name), address_of(program, name))).collect();
        // (the params' values are checked apart, in `params`)
        let vars = variants::assigned_vars(program, vars).into();
        KnownRenderings { held, reads, params, vars, by_values: RefCell::default(), place }
    }

    /// These renderings, for a statement of the same content found at
    /// `place` (with its blocks) in a program whose items are `held`: its
    /// summaries moved with it. What it reads, it reads by name, and those
    /// are the same items (`KnownStatements::moved`). Copies, even where
    /// it did not move: the statement found may be another one still in
    /// use (the same statement in a policy and in a permset it includes),
    /// and the tallies know a summary by its address (`tallies.rs`).
    pub fn moved_to(&self, held: Rc<[Arc<ItemIr>]>, place: Place) -> Self {
        let (from, to) = (self.place.start, place.start);
        let kept = self.by_values.borrow();
        let by_values = kept.iter().map(|(values, summary)| (values.clone(), Rc::new(summary.moved(from, to))));
        KnownRenderings {
            held,
            reads: self.reads.clone(),
            params: self.params.clone(),
            vars: Rc::clone(&self.vars),
            by_values: RefCell::new(by_values.collect()),
            place,
        }
    }

    /// Its summary under these values of its variables, if rendered.
    pub fn summary(&self, values: &[Option<Name>]) -> Option<Rc<StatementSummary>> {
        self.by_values.borrow().get(values).cloned()
    }

    pub fn keep(&self, values: Vec<Option<Name>>, summary: Rc<StatementSummary>) {
        self.by_values.borrow_mut().insert(values, summary);
    }

    /// Its key, where it was found.
    pub fn key(&self) -> &StatementKey {
        &self.place.key
    }

    /// The items it holds (see the type).
    pub fn held(&self) -> &Rc<[Arc<ItemIr>]> {
        &self.held
    }

    /// Whether every item it read is still `program`'s, and every param it
    /// read has the value it had.
    fn still_read(&self, program: &Program, params: &BTreeMap<String, ParamValue>) -> bool {
        self.reads.iter().all(|(name, ir)| address_of(program, name) == *ir)
            && self.params.iter().all(|(name, value)| params.get(name.as_str()) == value.as_ref())
    }
}

/// The params a rendering of `s` (inside `blocks`) reads: those its texts
/// and lists name, in it, in the blocks' values and in the items it reads
/// (`reads`: the sets it uses, transitively), and the variables its guards
/// read (`vars`: a guard reads a param's value too; the features among
/// them have no value in the params). Everything `expand::Env` takes from
/// the params to render a statement.
pub(super) fn params_read(
    program: &Program,
    (s, blocks): (&Statement, &[&ConditionEntry]),
    reads: &[&str],
    vars: &[String],
) -> Vec<Name> {
    let mut names: Vec<Name> = vars.iter().map(Name::new).collect();
    let list = |values: &GList<Value>, names: &mut Vec<Name>| {
        for item in &values.items {
            value_params(&item.value, names);
        }
    };
    list(&s.resources, &mut names);
    for condition in s.conditions.iter().chain(blocks.iter().copied()) {
        list(&condition.values, &mut names);
        // a key that interpolates params (a review found a rendering kept
        // after such a param's default changed)
        if let ConditionKey::Interpolated(key) = &condition.key {
            template_params(key, &mut names);
        }
    }
    for name in reads {
        if let Some(ItemIr::Valueset(values)) = program.get(name).map(|i| &*i.ir) {
            list(values, &mut names);
        }
    }
    // every name, whatever it is now: a feature (no value among the
    // params) that becomes a param must make the rendering stale (a review
    // found one kept)
    names.sort_unstable();
    names.dedup();
    names
}

/// The params `value` names (a set's are its own: `params_read` reads it).
fn value_params(value: &Value, out: &mut Vec<Name>) {
    match value {
        Value::Text(t) => template_params(t, out),
        Value::Param(p) => out.push(*p),
        Value::Set(_) => {}
        Value::Each(each) => {
            out.push(each.list);
            template_params(&each.template, out);
        }
    }
}

/// The params `t` interpolates.
fn template_params(t: &Template, out: &mut Vec<Name>) {
    for part in &t.parts {
        match part {
            TextPart::Lit(_) => {}
            TextPart::Param(p) => out.push(*p),
            TextPart::Member(member) => out.push(member.0),
        }
    }
}

/// The address of the IR of the item `name`, if the program has one.
fn address_of(program: &Program, name: &str) -> Option<*const ItemIr> {
    program.get(name).map(|item| Arc::as_ptr(&item.ir))
}

/// A statement's address and those of the blocks around it.
pub(super) type StatementKey = (usize, Vec<usize>);

/// The renderings of statements kept under one configuration.
#[derive(Default)]
pub(super) struct KnownStatements {
    renderings: HashMap<StatementKey, Rc<KnownRenderings>>,
    /// By a statement's content, the key of the last one kept.
    by_content: HashMap<u64, StatementKey>,
}

impl KnownStatements {
    /// The renderings kept for `key`, if what they read is `program`'s and
    /// `params`' (the configuration's).
    pub fn valid(
        &self,
        key: &StatementKey,
        (program, params): (&Program, &BTreeMap<String, ParamValue>),
    ) -> Option<Rc<KnownRenderings>> {
        self.renderings.get(key).filter(|known| known.still_read(program, params)).cloned()
    }

    /// The renderings kept for a statement whose content hashes to
    /// `content` (at another address, or another place), if what they read
    /// is `program`'s: the caller checks that the statements are equal
    /// (`StatementCache::rendered_from`).
    pub fn moved(
        &self,
        content: u64,
        (program, params): (&Program, &BTreeMap<String, ParamValue>),
    ) -> Option<Rc<KnownRenderings>> {
        let known = self.renderings.get(self.by_content.get(&content)?)?;
        (known.place.content == content && known.still_read(program, params)).then(|| Rc::clone(known))
    }
}

/// The items a rendering kept from `program` holds (see `KnownRenderings`):
/// all of them, the program being the closure of the item whose statements
/// are rendered (what it reaches, and the params, features and constraints
/// it names: `db::closure_members`).
pub(super) fn held(program: &Program) -> Rc<[Arc<ItemIr>]> {
    program.items().iter().map(|i| Arc::clone(&i.ir)).collect()
}

/// What every rendering reads besides its statement and what it names: the
/// pass and the partition (the params it reads are each rendering's own:
/// `KnownRenderings::params`).
struct Configuration {
    pass: Pass,
    partition: String,
    known: Rc<RefCell<KnownStatements>>,
}

/// What is kept under each configuration.
#[derive(Default)]
struct AllKnown {
    configurations: Vec<Configuration>,
    /// How many statements' renderings were kept since everything was last
    /// forgotten (those an edit made stale and replaced included).
    count: usize,
}

/// Statements' renderings kept before all are forgotten (a long-lived
/// process starts over rather than grow without end).
#[cfg(not(test))]
fn known_capacity() -> usize {
    8_192
}

#[cfg(test)]
thread_local! {
    /// `known_capacity` in the crate's unit tests: small, so that they
    /// forget often, unless a test says otherwise (`keep_at_most`).
    static TEST_CAPACITY: std::cell::Cell<usize> = const { std::cell::Cell::new(7) };
}

#[cfg(test)]
fn known_capacity() -> usize {
    TEST_CAPACITY.with(std::cell::Cell::get)
}

/// Keeps at most `capacity` renderings on this thread (a unit test's).
#[cfg(test)]
pub(super) fn keep_at_most(capacity: usize) {
    TEST_CAPACITY.with(|c| c.set(capacity));
}

/// Configurations kept; a new one beyond them replaces the oldest.
const KNOWN_CONFIGURATIONS: usize = if cfg!(test) { 2 } else { 16 };

thread_local! {
    static KNOWN: RefCell<AllKnown> = RefCell::default();
}

/// Forgets every rendering this thread keeps (and the IR they hold): for a
/// host closing a file, whose kept renderings no edit can reach again (the
/// other files' are rendered again on their next edits). Only this
/// thread's: a file opened to edit and analysed on several threads
/// (`analyze_file_parallel`, which the language server does not call with
/// more than one) leaves renderings on the threads of rayon's pool, which
/// live as long as the process.
pub fn forget_all() {
    KNOWN.with(|all| *all.borrow_mut() = AllKnown::default());
}

/// The renderings kept under a pass and partition.
pub(super) fn for_configuration(pass: Pass, partition: &str) -> Rc<RefCell<KnownStatements>> {
    KNOWN.with(|all| {
        let mut all = all.borrow_mut();
        let same = |c: &&Configuration| c.pass == pass && c.partition == partition;
        if let Some(found) = all.configurations.iter().find(same) {
            return Rc::clone(&found.known);
        }
        // bounded all the same (passes times partitions are few): the
        // oldest goes, and forgetting all would lose the current ones too
        if all.configurations.len() >= KNOWN_CONFIGURATIONS {
            let oldest = all.configurations.remove(0);
            all.count = all.count.saturating_sub(oldest.known.borrow().renderings.len());
        }
        let known = Rc::new(RefCell::new(KnownStatements::default()));
        let configuration = Configuration { pass, partition: partition.to_string(), known: Rc::clone(&known) };
        all.configurations.push(configuration);
        known
    })
}

/// Keeps `found` under the configuration of `known` (in place of the
/// renderings it was moved from, `replaced`), forgetting everything first
/// when full.
pub(super) fn insert(known: &RefCell<KnownStatements>, found: Rc<KnownRenderings>, replaced: Option<&StatementKey>) {
    KNOWN.with(|all| {
        let mut all = all.borrow_mut();
        all.count += 1;
        if all.count > known_capacity() {
            all.count = 1;
            for configuration in &all.configurations {
                let mut statements = configuration.known.borrow_mut();
                statements.renderings.clear();
                statements.by_content.clear();
            }
        }
    });
    let mut statements = known.borrow_mut();
    if let Some(replaced) = replaced {
        // the statement it was moved from is gone: its program is an old
        // one (see `StatementCache::known_renderings`)
        statements.renderings.remove(replaced);
    }
    statements.by_content.insert(found.place.content, found.place.key.clone());
    statements.renderings.insert(found.place.key.clone(), found);
}

#[cfg(test)]
#[allow(clippy::panic, reason = "tests")]
mod tests {
    use crate::{RootDatabase, SourceFile, analyze_file};

    /// Kept renderings forgotten every few statements and configurations
    /// (the test capacities): along edits of sets, params and statements, a
    /// file opened to edit is analysed as a fresh one.
    #[test]
    fn forgetting_often_changes_nothing() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies.pcl")).unwrap_or_default();
        let edits: [(&str, &str); 5] = [
            ("actionset dynamodb_item_rw = [", "s3:GetObject, "),
            ("actionset s3_object_read = [", "dynamodb:Query, "),
            ("policy head_node {", "\n    allow \"Extra\" { action [@s3_read]; resource \"*\"; }"),
            ("actionset dynamodb_item_rw = [", "lambda:InvokeFunction, "),
            ("actionset s3_read = [", "s3:PutObject, "),
        ];
        let mut db = RootDatabase::default();
        let file = SourceFile::open_to_edit(&mut db, "policies.pcl".into(), text.clone());
        analyze_file(&db, file);
        let mut current = text;
        for (step, (after, inserted)) in edits.into_iter().enumerate() {
            let Some(at) = current.find(after).map(|at| at + after.len()) else { panic!("{after} is in the file") };
            assert!(file.splice_text(&mut db, at..at, inserted).is_ok(), "step {step}");
            current.insert_str(at, inserted);
            let mut fresh_db = RootDatabase::default();
            let fresh = SourceFile::open(&mut fresh_db, "policies.pcl".into(), current.clone());
            assert_eq!(*analyze_file(&db, file), *analyze_file(&fresh_db, fresh), "step {step}");
        }
    }
}
